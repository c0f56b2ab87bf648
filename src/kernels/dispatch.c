/*
 * dispatch.c — builds one kernel table per instruction set and picks the one in use.
 *
 * Every table starts from the portable loops; an x86 SIMD table takes them as compiled with its
 * target's flags (RP_PORTABLE_FN), then overwrites the entries its target has hand-written
 * loops for (AVX-512 on top of AVX2's, so a family AVX-512 lacks keeps AVX2's).
 * Tables are built once, for the instruction sets this build carries and this CPU runs, and
 * never change afterwards, so switching (rp_simd_select) is one atomic pointer store and a
 * loop fetched from the old table stays valid.
 *
 * The choice at start-up is the best available set, capped by RAPTORS_SIMD (or its older name
 * RAPTORS_SIMD_MAX): "0", "scalar", "off", "none" or "false" force the portable loops; an
 * instruction-set name allows that set and the lesser ones of its architecture; anything else
 * (unset, "auto", "1", unknown names, another architecture's set) means the best available.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "cpu.h"
#include "kernels.h"
#include "kernels/simd_config.h"
#include "raptors/runtime.h"
#include "simd_fill.h"

static rp_kernel_table tables[RP_NISAS];
static unsigned available_mask;         /* built and runnable here */
static _Atomic(const rp_kernel_table *) active;
static once_flag tables_once = ONCE_FLAG_INIT;

/* Instruction sets this build carries (compiled with their flags). */
static unsigned built_mask(void)
{
    unsigned mask = 1u << RP_ISA_SCALAR;
#ifdef RP_BUILD_AVX2
    mask |= 1u << RP_ISA_AVX2;
#endif
#ifdef RP_BUILD_AVX512
    mask |= 1u << RP_ISA_AVX512;
#endif
#ifdef RP_BUILD_NEON
    mask |= 1u << RP_ISA_NEON;
#endif
    return mask;
}

static void fill_table(rp_isa isa, rp_kernel_table *table)
{
    rp_kernels_fill_scalar(table);
    switch (isa) {
    case RP_ISA_AVX512:
#ifdef RP_BUILD_AVX512
        rp_kernels_fill_scalar_avx512(table);
        rp_simd_fill_binary_avx2(table);
        rp_simd_fill_reduce_avx2(table);
        rp_simd_fill_extremes_avx2(table);
        rp_simd_fill_colsum_avx2(table);
        rp_simd_fill_copy_avx2(table);
        rp_simd_fill_binary_avx512(table);
        rp_simd_fill_reduce_avx512(table);
        rp_simd_fill_extremes_avx512(table);
        rp_simd_fill_colsum_avx512(table);
        rp_simd_fill_copy_avx512(table);
#endif
        break;
    case RP_ISA_AVX2:
#ifdef RP_BUILD_AVX2
        rp_kernels_fill_scalar_avx2(table);
        rp_simd_fill_binary_avx2(table);
        rp_simd_fill_reduce_avx2(table);
        rp_simd_fill_extremes_avx2(table);
        rp_simd_fill_colsum_avx2(table);
        rp_simd_fill_copy_avx2(table);
#endif
        break;
    case RP_ISA_NEON:
#ifdef RP_BUILD_NEON
        rp_simd_fill_binary_neon(table);
        rp_simd_fill_reduce_neon(table);
        rp_simd_fill_extremes_neon(table);
        rp_simd_fill_colsum_neon(table);
        rp_simd_fill_copy_neon(table);
#endif
        break;
    default:
        break;
    }
    table->isa_name = rp_isa_name(isa);
}

/* The SIMD sets of isa's architecture (none for scalar). */
static unsigned architecture_mask(rp_isa isa)
{
    switch (isa) {
    case RP_ISA_AVX2:
    case RP_ISA_AVX512: return (1u << RP_ISA_AVX2) | (1u << RP_ISA_AVX512);
    case RP_ISA_NEON: return 1u << RP_ISA_NEON;
    default: return 0;
    }
}

/* The best available set; with a cap, the best of the cap's architecture not above it. */
static rp_isa best_available(const rp_isa *cap)
{
    static const rp_isa preference[] = {RP_ISA_AVX512, RP_ISA_AVX2, RP_ISA_NEON};
    for (size_t i = 0; i < sizeof preference / sizeof *preference; i++) {
        rp_isa isa = preference[i];
        bool allowed = cap == NULL || ((architecture_mask(*cap) & (1u << isa)) && isa <= *cap);
        if ((available_mask & (1u << isa)) && allowed) {
            return isa;
        }
    }
    return RP_ISA_SCALAR;
}

static rp_isa choose_from_environment(void)
{
    const char *text = getenv("RAPTORS_SIMD");
    if (text == NULL) {
        text = getenv("RAPTORS_SIMD_MAX");
    }
    if (text == NULL) {
        return best_available(NULL);
    }
    static const char *const off_words[] = {"0", "scalar", "off", "none", "false"};
    for (size_t i = 0; i < sizeof off_words / sizeof *off_words; i++) {
        if (strcmp(text, off_words[i]) == 0) {
            return RP_ISA_SCALAR;
        }
    }
    /* A cap names a set of an architecture this build targets; other text means "best". */
    rp_isa cap;
    bool applies = rp_isa_from_name(text, &cap) && (built_mask() & architecture_mask(cap));
    return best_available(applies ? &cap : NULL);
}

static void build_tables(void)
{
    available_mask = built_mask() & rp_cpu_isa_mask();
    for (int isa = 0; isa < RP_NISAS; isa++) {
        if (available_mask & (1u << isa)) {
            fill_table((rp_isa)isa, &tables[isa]);
        }
    }
    atomic_store(&active, &tables[choose_from_environment()]);
}

const rp_kernel_table *rp_kernels(void)
{
    call_once(&tables_once, build_tables);
    return atomic_load_explicit(&active, memory_order_acquire);
}

const rp_kernel_table *rp_kernels_for_isa(const char *isa)
{
    call_once(&tables_once, build_tables);
    rp_isa found;
    if (!rp_isa_from_name(isa, &found) || !(available_mask & (1u << found))) {
        return NULL;
    }
    return &tables[found];
}

bool rp_kernel_binary_is_simd(rp_binary_op op, rp_dtype dtype)
{
    const rp_kernel_table *table = rp_kernels();
    return table->binary[op][dtype] != tables[RP_ISA_SCALAR].binary[op][dtype];
}

bool rp_kernel_unary_is_simd(rp_unary_op op, rp_dtype dtype)
{
    const rp_kernel_table *table = rp_kernels();
    return table->unary[op][dtype] != tables[RP_ISA_SCALAR].unary[op][dtype];
}

bool rp_kernel_reduce_is_simd(rp_reduce_op op, rp_dtype dtype)
{
    const rp_kernel_table *table = rp_kernels();
    return table->reduce[op][dtype] != tables[RP_ISA_SCALAR].reduce[op][dtype];
}

bool rp_kernel_colsum_is_simd(rp_dtype dtype)
{
    const rp_kernel_table *table = rp_kernels();
    return table->colsum[dtype] != tables[RP_ISA_SCALAR].colsum[dtype];
}

bool rp_kernel_binary_reads_stride(rp_binary_op op, rp_dtype dtype, int64_t stride)
{
    return stride == (int64_t)rp_dtype_size(dtype) ||
           (stride > 0 && stride <= rp_kernels()->binary_step_bytes[op][dtype]);
}

const char *rp_simd_isa(void) { return rp_kernels()->isa_name; }

int rp_simd_available(const char **names, int capacity)
{
    call_once(&tables_once, build_tables);
    int count = 0;
    for (int isa = 0; isa < RP_NISAS; isa++) {
        if (available_mask & (1u << isa)) {
            if (count < capacity) {
                names[count] = rp_isa_name((rp_isa)isa);
            }
            count++;
        }
    }
    return count;
}

rp_status rp_simd_select(const char *isa)
{
    const rp_kernel_table *table = rp_kernels_for_isa(isa);
    if (table == NULL) {
        return rp_error(RP_ERR_VALUE,
                        "instruction set '%s' is not available in this build on this CPU", isa);
    }
    atomic_store(&active, table);
    return RP_OK;
}

rp_status rp_simd_check_baseline(void)
{
    const char *missing = "";
    if (!rp_cpu_meets_baseline(&missing)) {
        return rp_error(RP_ERR_INTERNAL,
                        "this CPU lacks %s, which this build of Raptors requires", missing);
    }
    return RP_OK;
}
