/*
 * cpu.h — which instruction sets this CPU (and its operating system) can run (internal).
 *
 * Detection happens once; dispatch.c combines it with the instruction sets this build carries.
 */
#ifndef RAPTORS_KERNELS_CPU_H
#define RAPTORS_KERNELS_CPU_H

#include <stdbool.h>

typedef enum rp_isa {
    RP_ISA_SCALAR = 0,   /* portable C: the build's baseline */
    RP_ISA_AVX2,         /* x86-64 AVX2 + FMA */
    RP_ISA_AVX512,       /* x86-64 AVX-512 F, BW, VL, DQ */
    RP_ISA_NEON,         /* aarch64 Advanced SIMD */
    RP_NISAS
} rp_isa;

/* Bit (1u << isa) for every instruction set the CPU supports and the OS has enabled (its
 * register state saved on context switches). RP_ISA_SCALAR's bit is always set. */
unsigned rp_cpu_isa_mask(void);

/* False when the CPU lacks what the build's baseline code assumes (SSE2 on x86-64; nothing
 * beyond the architecture elsewhere); *missing then names it. */
bool rp_cpu_meets_baseline(const char **missing);

/* "scalar", "avx2", "avx512", "neon"; "?" for anything else. */
const char *rp_isa_name(rp_isa isa);
/* Looks an instruction set up by its exact name. */
bool rp_isa_from_name(const char *name, rp_isa *out);

#endif
