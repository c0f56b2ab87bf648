/*
 * reduce_internal.h — the reduction engines behind rp_reduce (internal to the core).
 *
 * reduce.c resolves axes, dtypes, empty inputs and the statistics (mean, var, std); the engines
 * here only move data: reduce_rows.c for the accumulating reductions (handing sums over an
 * outer axis to reduce_columns.c, and blocks bound for reordered outputs to reduce_places.c),
 * reduce_arg.c for argmin and argmax.
 */
#ifndef RAPTORS_CORE_REDUCE_INTERNAL_H
#define RAPTORS_CORE_REDUCE_INTERNAL_H

#include "compute_internal.h"
#include "kernels/kernels.h"

/* How an accumulating reduction runs: the input is cast to `cast_to` (the dtype the reduce
 * kernel reads; no cast when equal), the kernel's partial results are in `acc`, and partials
 * and accumulator rows are merged with the binary loop `combine` of `acc`. */
typedef struct rp_reducer {
    rp_reduce_op kernel_op;
    rp_binary_op combine_op;
    rp_dtype cast_to;
    rp_dtype acc;
    bool watch_fp;               /* report float overflow/invalid ("... in reduce") */
    bool in_order;               /* one output's elements must be combined in order (float
                                  * products: inf * 0 depends on it), so never cut in pieces */
} rp_reducer;

/* Reduces the non-empty `a` over the axes marked in `reduced` (at least one element per
 * output) into `out`, an array of dtype reducer->acc whose shape is a's kept axes, with or
 * without the reduced axes kept as extent 1. ORs RP_LOOP_* flags into *flags. */
rp_status rp_reduce_rows(const rp_array *a, const bool *reduced, const rp_reducer *reducer,
                         rp_array *out, int *flags);

/* A sum over one reduced axis whose kept inner axis steps through the input by a whole number
 * of elements: out[kept][j] = sum over r < nrows of in[kept][r][j], for every position of the
 * kept walk. Column j of row r is at in + r * row_stride + j * col_step * (input itemsize), and
 * its sum goes to out + j * out_col_stride; col_step 1 with out_col_stride the acc itemsize is
 * the contiguous case (a.sum(axis=0) of C-ordered data). */
typedef struct rp_column_sum {
    const char *in;
    char *out;
    rp_axis_walk kept;           /* outer kept axes: strides[0] input, strides[1] output */
    int64_t nrows, row_stride;   /* the reduced axis: extent, input byte stride */
    int64_t ncols;               /* the inner kept axis: extent */
    int64_t col_step;            /* its input stride in elements (nonzero, any sign) */
    int64_t out_col_stride;      /* its output byte stride */
    rp_dtype dtype, acc;         /* input dtype; the sum's (int64 for bool and integers) */
    bool watch_fp;               /* report float overflow/invalid */
} rp_column_sum;

/* Runs `job` with the colsum kernel across the thread pool; ORs RP_LOOP_* flags into *flags
 * and counts the run in the backend statistics. Sets *done to false, leaving *flags alone and
 * the output to be overwritten, when the job is better run another way: its column step is too
 * long to read the rows whole, or (when watch_fp) reading them whole raised a floating-point
 * condition, which may belong to columns between the wanted ones. Errors: RP_ERR_NOMEM. */
rp_status rp_sum_columns(const rp_column_sum *job, int *flags, bool *done);

/* Where the accumulators of a row-accumulation block go: the row is `naxes` axes (innermost
 * first) that the input steps through as one, and out_strides are the output's byte strides
 * along them. Accumulators are `itemsize` bytes, moved by `copy` (the acc dtype's cast loop to
 * itself); `transposed` is rp_block_places_transposed's answer, set once per plan. */
typedef struct rp_block_places {
    int naxes;
    int64_t shape[RP_MAXDIMS], out_strides[RP_MAXDIMS];
    int64_t itemsize;
    rp_cast_loop copy;
    bool transposed;
} rp_block_places;

/* True when the output steps less along the row's second axis than along its first, so that
 * whole runs of a block are best copied across rather than one run at a time. */
bool rp_block_places_transposed(const rp_block_places *places);

/* Copies the `len` accumulators at `block` (contiguous) to the output places of row elements
 * [start, start + len), `out` being the place of the row's first element. */
void rp_copy_block_out(const rp_block_places *places, const char *block, int64_t start,
                       int64_t len, char *out);

/* argmin/argmax of `a` along `axis` into `out` (int64; a's shape without `axis`, or with it
 * as extent 1). The axis must be non-empty. */
rp_status rp_arg_reduce_axis(rp_arg_reduce_op op, const rp_array *a, int axis, rp_array *out);

/* Outputs below this count get their own reductions split into pieces so threads can share
 * them; with more outputs, threads take whole outputs. */
#define RP_REDUCE_MANY_OUTPUTS 64
/* Bytes of input per piece when one output's reduction is split. */
#define RP_REDUCE_PIECE_BYTES ((int64_t)64 * 1024)

#endif
