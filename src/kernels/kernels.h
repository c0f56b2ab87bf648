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

#include "raptors/compute.h"

/* dst[i * dst_stride] = (dst type) src[i * src_stride] for i in [0, n); src and dst do not
 * overlap. */
typedef void (*rp_cast_loop)(const char *src, int64_t src_stride, char *dst, int64_t dst_stride,
                             int64_t n);

/* Flags a loop raises for NumPy-style warnings (OR-ed into *flags; never cleared by a loop).
 * Integer loops raise them; float loops leave their conditions in the CPU's floating-point
 * status flags (as SIMD variants naturally do), which the drivers read once per worker. */
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
 * and bool sums and products, the input dtype otherwise). Float sums must be at least as accurate
 * as pairwise summation (blocked with several accumulators, never a plain running sum). */
typedef void (*rp_reduce_loop)(const char *in, int64_t stride, int64_t n, char *result);

/* The reduce loop over `count` rows: row k (n elements at byte stride from in + k * row_step)
 * is reduced into out + k * out_step, exactly as `count` calls of the op's reduce loop would do
 * (the same results, bit for bit). One call for many short rows saves a call per row, which
 * costs as much as summing a few hundred elements. NULL in a table: call the reduce loop per
 * row. */
typedef void (*rp_reduce_rows_loop)(const char *in, int64_t stride, int64_t n, int64_t count,
                                    int64_t row_step, char *out, int64_t out_step);

/* Column sums of a block of rows: out[j] = sum over r < nrows of in[r * row_stride + j * w]
 * for j in [0, ncols), where w is the input's element size (columns are contiguous; row_stride
 * is any byte stride, 0 and negative included). out holds ncols contiguous elements of the
 * sum's accumulator dtype (int64 for bool and integer input, the input dtype for floats) and is
 * OVERWRITTEN; nrows == 0 writes zeros. The input is read once, each row's columns in a
 * forward pass, with the running sums in registers rather than memory.
 *
 * Float sums follow one fixed order, shared by every variant so they all give bit-identical
 * results: rows go in blocks of RP_COLSUM_BLOCK_ROWS; a block is cut into panels of
 * RP_COLSUM_PANEL_ROWS rows whose sum is a balanced tree ((r0 + r1) + (r2 + r3)) + ...
 * (a shorter last panel is summed in row order); a block's sum adds its panels in order, and
 * the result adds the blocks in order, starting from +0.0 as NumPy's add.reduce does (so a
 * column of -0.0 sums to +0.0). Each element thus passes through at most
 * log2(PANEL) + BLOCK/PANEL + nrows/BLOCK roundings, against NumPy's nrows for an axis-0 sum. */
typedef void (*rp_colsum_loop)(const char *in, int64_t row_stride, int64_t nrows, int64_t ncols,
                               char *out);

enum { RP_COLSUM_PANEL_ROWS = 8, RP_COLSUM_BLOCK_ROWS = 128 };

/* rp_binary_op and rp_unary_op, the row index of the binary and unary tables, are public: they
 * name the operations of raptors/compute.h. */

typedef enum rp_reduce_op {
    RP_RED_SUM = 0,
    RP_RED_PROD,
    RP_RED_MIN,             /* NaN propagates */
    RP_RED_MAX,
    RP_NREDUCE_OPS
} rp_reduce_op;

/* *index = position (0-based) of the first minimum/maximum of n >= 1 elements at byte stride;
 * a NaN counts as the extreme, so the first NaN wins, as in NumPy's argmin/argmax. */
typedef void (*rp_arg_reduce_loop)(const char *in, int64_t stride, int64_t n, int64_t *index);

typedef enum rp_arg_reduce_op {
    RP_ARG_MIN = 0,
    RP_ARG_MAX,
    RP_NARG_REDUCE_OPS
} rp_arg_reduce_op;

typedef struct rp_kernel_table {
    const char *isa_name;                               /* "scalar", "avx2", "avx512", "neon" */
    rp_cast_loop cast[RP_NTYPES][RP_NTYPES];            /* [from][to] */
    rp_binary_loop binary[RP_NBINARY_OPS][RP_NTYPES];   /* [op][input dtype]; NULL: unsupported */
    rp_unary_loop unary[RP_NUNARY_OPS][RP_NTYPES];
    rp_reduce_loop reduce[RP_NREDUCE_OPS][RP_NTYPES];
    rp_reduce_rows_loop reduce_rows[RP_NREDUCE_OPS][RP_NTYPES];  /* may be NULL */
    rp_arg_reduce_loop arg_reduce[RP_NARG_REDUCE_OPS][RP_NTYPES];
    rp_colsum_loop colsum[RP_NTYPES];                   /* [input dtype] */
    /* The longest forward input step (bytes) that binary[op][dtype] reads on vectors (as
     * a[::2]); 0 when it reads only contiguous inputs that way. Callers compact inputs read at
     * other steps (reversed ones included) first. */
    int64_t binary_step_bytes[RP_NBINARY_OPS][RP_NTYPES];
} rp_kernel_table;

/* The portable loops, for SIMD loops that hand them the cases they do not cover. */
rp_reduce_loop rp_portable_reduce(rp_reduce_op op, rp_dtype dtype);
rp_cast_loop rp_portable_cast(rp_dtype from, rp_dtype to);
rp_arg_reduce_loop rp_portable_arg_reduce(rp_arg_reduce_op op, rp_dtype dtype);

/* The table in use; filled once, on first call. Never NULL. */
const rp_kernel_table *rp_kernels(void);

/* The portable kernel sources are compiled twice on x86-64: plainly (the "scalar" table, for any
 * CPU of the architecture) and again with each SIMD target's flags and RP_WIDEN set to its name,
 * where the compiler vectorises the same loops at that target's width (the same operations per
 * element, so the same results and floating-point conditions). The second compilation's entry
 * points carry the target's suffix: RP_PORTABLE_FN(rp_kernels_fill_scalar) is
 * rp_kernels_fill_scalar_avx2 there. */
#define RP_PORTABLE_JOIN2(name, suffix) name##_##suffix
#define RP_PORTABLE_JOIN(name, suffix) RP_PORTABLE_JOIN2(name, suffix)
#ifdef RP_WIDEN
#define RP_PORTABLE_FN(name) RP_PORTABLE_JOIN(name, RP_WIDEN)
#else
#define RP_PORTABLE_FN(name) name
#endif

/* The portable loops every table starts from (defined in cast.c and friends). */
void RP_PORTABLE_FN(rp_kernels_fill_scalar)(rp_kernel_table *table);
/* The portable compute loops, one family per file; rp_kernels_fill_scalar calls each. */
void RP_PORTABLE_FN(rp_kernels_fill_scalar_binary)(rp_kernel_table *table);
void RP_PORTABLE_FN(rp_kernels_fill_scalar_divmod)(rp_kernel_table *table);
void RP_PORTABLE_FN(rp_kernels_fill_scalar_compare)(rp_kernel_table *table);
void RP_PORTABLE_FN(rp_kernels_fill_scalar_unary)(rp_kernel_table *table);
void RP_PORTABLE_FN(rp_kernels_fill_scalar_reduce)(rp_kernel_table *table);
void RP_PORTABLE_FN(rp_kernels_fill_scalar_colsum)(rp_kernel_table *table);

/* The table of one instruction set ("scalar", "avx2", "avx512", "neon"), or NULL when this
 * build or CPU lacks it; lets tests run every variant side by side. Selecting the active one is
 * rp_simd_select (raptors/runtime.h). */
const rp_kernel_table *rp_kernels_for_isa(const char *isa);

/* True when the active table's entry is an instruction-set-specific loop rather than the
 * portable one (for rp_stats_record's backend). */
bool rp_kernel_binary_is_simd(rp_binary_op op, rp_dtype dtype);
bool rp_kernel_unary_is_simd(rp_unary_op op, rp_dtype dtype);
bool rp_kernel_reduce_is_simd(rp_reduce_op op, rp_dtype dtype);
bool rp_kernel_colsum_is_simd(rp_dtype dtype);

/* Whether the active table's binary[op][dtype] reads an input at byte stride `stride` on
 * vectors: contiguous, or forward within its binary_step_bytes. */
bool rp_kernel_binary_reads_stride(rp_binary_op op, rp_dtype dtype, int64_t stride);

#endif
