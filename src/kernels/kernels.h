/*
 * kernels.h — the internal interface between the core and its inner loops.
 *
 * Kernels are plain 1-D loops over raw memory: pointers and byte strides in, nothing Python, no
 * allocation. The core calls them only through the table returned by rp_kernels(), so a build can
 * carry several variants of a kernel (one per instruction set) and pick one at run time.
 */
#ifndef RAPTORS_KERNELS_H
#define RAPTORS_KERNELS_H

#include <stdint.h>

#include "raptors/raptors.h"

/* dst[i * dst_stride] = (dst type) src[i * src_stride] for i in [0, n). */
typedef void (*rp_cast_loop)(const char *src, int64_t src_stride, char *dst, int64_t dst_stride,
                             int64_t n);

/* Flags a loop raises for NumPy-style warnings (OR-ed into *flags; never cleared by a loop). */
enum {
    RP_LOOP_DIVIDE_BY_ZERO = 1 << 0,
    RP_LOOP_OVERFLOW = 1 << 1,
    RP_LOOP_INVALID = 1 << 2
};

/* A hint the caller may set in *flags before calling a binary or unary loop: the output is part
 * of a working set larger than the last-level cache and will not be read back soon, so a loop
 * may write it with non-temporal (cache-bypassing) stores. Loops never set or clear it, and may
 * ignore it; results are identical either way. */
enum { RP_LOOP_STREAM_OUTPUT = 1 << 8 };

/* out[i*so] = a[i*sa] OP b[i*sb] for i in [0, n). Inputs share one dtype (the table column);
 * the output dtype is the op's (bool for comparisons, else the input's). A stride of 0 means a
 * broadcast scalar; out may alias a or b exactly (in-place), never partially. */
typedef void (*rp_binary_loop)(const char *a, int64_t sa, const char *b, int64_t sb, char *out,
                               int64_t so, int64_t n, int *flags);

/* out[i*so] = OP in[i*si]. */
typedef void (*rp_unary_loop)(const char *in, int64_t si, char *out, int64_t so, int64_t n,
                              int *flags);

/* Reduces n elements at byte stride into *result (the op's accumulator dtype: int64 for integer
 * and bool sums, the input dtype for float sums). Float sums must be at least as accurate as
 * pairwise summation (blocked with several accumulators, never a plain running sum). */
typedef void (*rp_reduce_loop)(const char *in, int64_t stride, int64_t n, char *result);

typedef enum rp_binary_op {
    RP_BIN_ADD = 0,
    RP_BIN_SUBTRACT,
    RP_BIN_MULTIPLY,
    RP_BIN_DIVIDE,          /* true division; only float columns are filled */
    RP_BIN_FLOOR_DIVIDE,
    RP_BIN_REMAINDER,
    RP_BIN_POWER,
    RP_BIN_MAXIMUM,
    RP_BIN_MINIMUM,
    RP_BIN_EQUAL,           /* comparisons write bool */
    RP_BIN_NOT_EQUAL,
    RP_BIN_LESS,
    RP_BIN_LESS_EQUAL,
    RP_BIN_GREATER,
    RP_BIN_GREATER_EQUAL,
    RP_BIN_LOGICAL_AND,     /* logical ops write bool */
    RP_BIN_LOGICAL_OR,
    RP_BIN_BITWISE_AND,     /* bitwise ops: bool and integer columns */
    RP_BIN_BITWISE_OR,
    RP_BIN_BITWISE_XOR,
    RP_NBINARY_OPS
} rp_binary_op;

typedef enum rp_unary_op {
    RP_UN_NEGATIVE = 0,
    RP_UN_ABSOLUTE,
    RP_UN_ISNAN,            /* writes bool */
    RP_UN_ISFINITE,         /* writes bool */
    RP_UN_LOGICAL_NOT,      /* writes bool */
    RP_UN_INVERT,           /* bitwise not; logical not for bool */
    RP_NUNARY_OPS
} rp_unary_op;

typedef enum rp_reduce_op {
    RP_RED_SUM = 0,
    RP_RED_PROD,
    RP_RED_MIN,             /* NaN propagates */
    RP_RED_MAX,
    RP_NREDUCE_OPS
} rp_reduce_op;

typedef struct rp_kernel_table {
    const char *isa_name;                               /* "scalar", "avx2", "avx512", "neon" */
    rp_cast_loop cast[RP_NTYPES][RP_NTYPES];            /* [from][to] */
    rp_binary_loop binary[RP_NBINARY_OPS][RP_NTYPES];   /* [op][input dtype]; NULL: unsupported */
    rp_unary_loop unary[RP_NUNARY_OPS][RP_NTYPES];
    rp_reduce_loop reduce[RP_NREDUCE_OPS][RP_NTYPES];
} rp_kernel_table;

/* The table in use; filled once, on first call. Never NULL. */
const rp_kernel_table *rp_kernels(void);

/* The portable loops every table starts from (defined in cast.c and friends). */
void rp_kernels_fill_scalar(rp_kernel_table *table);

/* The table of one instruction set ("scalar", "avx2", "avx512", "neon"), or NULL when this
 * build or CPU lacks it; lets tests run every variant side by side. Selecting the active one is
 * rp_simd_select (raptors/runtime.h). */
const rp_kernel_table *rp_kernels_for_isa(const char *isa);

/* True when the active table's entry is an instruction-set-specific loop rather than the
 * portable one (for rp_stats_record's backend). */
bool rp_kernel_binary_is_simd(rp_binary_op op, rp_dtype dtype);
bool rp_kernel_unary_is_simd(rp_unary_op op, rp_dtype dtype);
bool rp_kernel_reduce_is_simd(rp_reduce_op op, rp_dtype dtype);

#endif
