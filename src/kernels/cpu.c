/*
 * cpu.c — instruction-set detection with CPUID/XGETBV on x86-64; fixed answers elsewhere.
 *
 * A CPU flag alone is not enough: the OS must also save the wider registers on context switches
 * (XCR0), or AVX code would see its upper halves clobbered. NEON is part of every aarch64 CPU.
 */
#include "cpu.h"

#include <stdint.h>
#include <string.h>
#include <threads.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

static const char *const isa_names[RP_NISAS] = {"scalar", "avx2", "avx512", "neon"};

static unsigned detected_mask;
static once_flag detect_once = ONCE_FLAG_INIT;

#if defined(__x86_64__)

/* XCR0: which register states the OS saves. Read with the raw opcode's mnemonic so this file
 * needs no -mxsave. */
static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ __volatile__("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static unsigned detect_x86(void)
{
    unsigned mask = 1u << RP_ISA_SCALAR;
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return mask;
    }
    bool osxsave = ecx & (1u << 27), avx = ecx & (1u << 28), fma = ecx & (1u << 12);
    if (!osxsave || !avx || __get_cpuid_max(0, NULL) < 7) {
        return mask;
    }
    uint64_t xcr0 = read_xcr0();
    bool ymm_saved = (xcr0 & 0x6) == 0x6;         /* SSE and AVX state */
    bool zmm_saved = (xcr0 & 0xe6) == 0xe6;       /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    bool avx2 = ebx & (1u << 5);
    bool avx512 = (ebx & (1u << 16)) && (ebx & (1u << 17)) &&   /* F, DQ */
                  (ebx & (1u << 30)) && (ebx & (1u << 31));     /* BW, VL */
    if (ymm_saved && avx2 && fma) {
        mask |= 1u << RP_ISA_AVX2;
        if (zmm_saved && avx512) {
            mask |= 1u << RP_ISA_AVX512;
        }
    }
    return mask;
}

#endif

static void detect(void)
{
#if defined(__x86_64__)
    detected_mask = detect_x86();
#elif defined(__aarch64__)
    detected_mask = (1u << RP_ISA_SCALAR) | (1u << RP_ISA_NEON);
#else
    detected_mask = 1u << RP_ISA_SCALAR;
#endif
}

unsigned rp_cpu_isa_mask(void)
{
    call_once(&detect_once, detect);
    return detected_mask;
}

bool rp_cpu_meets_baseline(const char **missing)
{
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 26))) {
        *missing = "SSE2";
        return false;
    }
#endif
    (void)missing;
    return true;
}

const char *rp_isa_name(rp_isa isa)
{
    return (int)isa >= 0 && isa < RP_NISAS ? isa_names[isa] : "?";
}

bool rp_isa_from_name(const char *name, rp_isa *out)
{
    for (int isa = 0; isa < RP_NISAS; isa++) {
        if (strcmp(name, isa_names[isa]) == 0) {
            *out = (rp_isa)isa;
            return true;
        }
    }
    return false;
}
