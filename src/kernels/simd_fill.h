/*
 * simd_fill.h — the entry points of the per-ISA kernel objects (internal to the kernels).
 *
 * Each SIMD kernel source is compiled once per target; each compilation defines its target's
 * fill functions, which overwrite only the table entries that target has a loop for. dispatch.c
 * calls them for the targets this build carries (simd_config.h) and this CPU runs.
 */
#ifndef RAPTORS_KERNELS_SIMD_FILL_H
#define RAPTORS_KERNELS_SIMD_FILL_H

#include "kernels.h"

/* simd_binary.c: binary[RP_BIN_ADD] and binary[RP_BIN_MULTIPLY] for float32 and float64 (and
 * their binary_step_bytes). */
void rp_simd_fill_binary_avx2(rp_kernel_table *table);
void rp_simd_fill_binary_avx512(rp_kernel_table *table);
void rp_simd_fill_binary_neon(rp_kernel_table *table);

/* simd_copy.c: cast[t][t] (copies) for float32, float64, int32 and int64. */
void rp_simd_fill_copy_avx2(rp_kernel_table *table);
void rp_simd_fill_copy_avx512(rp_kernel_table *table);
void rp_simd_fill_copy_neon(rp_kernel_table *table);

/* The portable loops compiled with a target's flags (see RP_PORTABLE_FN): a whole table. */
void rp_kernels_fill_scalar_avx2(rp_kernel_table *table);
void rp_kernels_fill_scalar_avx512(rp_kernel_table *table);

/* simd_reduce.c: reduce[RP_RED_SUM] for float32 and float64. */
void rp_simd_fill_reduce_avx2(rp_kernel_table *table);
void rp_simd_fill_reduce_avx512(rp_kernel_table *table);
void rp_simd_fill_reduce_neon(rp_kernel_table *table);

/* simd_extremes.c: reduce[RP_RED_MIN], [RP_RED_MAX] and arg_reduce for float32 and float64. */
void rp_simd_fill_extremes_avx2(rp_kernel_table *table);
void rp_simd_fill_extremes_avx512(rp_kernel_table *table);
void rp_simd_fill_extremes_neon(rp_kernel_table *table);

/* simd_colsum.c: colsum for float32 and float64. */
void rp_simd_fill_colsum_avx2(rp_kernel_table *table);
void rp_simd_fill_colsum_avx512(rp_kernel_table *table);
void rp_simd_fill_colsum_neon(rp_kernel_table *table);

#endif
