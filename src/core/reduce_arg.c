/*
 * reduce_arg.c — argmin/argmax along one axis: one arg-reduce kernel call per output.
 *
 * Threads take whole outputs. With few outputs (a flattened argmax is a single one), each
 * output's row is cut into pieces; every piece reports its own first extreme, and the winning
 * piece is found by running the same kernel over the pieces' extreme values gathered side by
 * side — ties resolve to the earliest piece, and the earliest NaN wins, exactly as in one pass.
 */
#include <string.h>

#include "compute_internal.h"
#include "reduce_internal.h"

typedef struct arg_plan {
    rp_arg_reduce_loop kernel;
    const char *in_data;
    char *out_data;
    rp_axis_walk outputs;            /* the other axes: strides[0] input, strides[1] output */
    int64_t row_len, row_stride;
    int64_t pieces_per_output, piece_len;
    int64_t *piece_index;            /* pieces_per_output > 1: index found by each item */
} arg_plan;

static void arg_items(int64_t begin, int64_t end, int worker, void *context)
{
    (void)worker;
    arg_plan *plan = context;
    rp_axis_walk walk;
    rp_axis_walk_start(&walk, &plan->outputs, begin / plan->pieces_per_output);
    for (int64_t item = begin; item < end; item++) {
        int64_t piece = item % plan->pieces_per_output;
        if (item != begin && piece == 0) {
            rp_axis_walk_next(&walk);
        }
        int64_t start = piece * plan->piece_len;
        int64_t len = plan->row_len - start < plan->piece_len ? plan->row_len - start
                                                              : plan->piece_len;
        int64_t index;
        plan->kernel(plan->in_data + walk.offset[0] + start * plan->row_stride, plan->row_stride,
                     len, &index);
        if (plan->pieces_per_output == 1) {
            memcpy(plan->out_data + walk.offset[1], &index, sizeof index);
        } else {
            plan->piece_index[item] = start + index;
        }
    }
}

/* Picks each output's winning piece (see the top of the file). */
static rp_status merge_pieces(arg_plan *plan, size_t itemsize)
{
    int64_t pieces = plan->pieces_per_output;
    char *values = malloc((size_t)pieces * itemsize);
    if (values == NULL) {
        return rp_error(RP_ERR_NOMEM, "cannot allocate argmin/argmax partials");
    }
    rp_axis_walk walk;
    rp_axis_walk_start(&walk, &plan->outputs, 0);
    int64_t outputs = rp_axis_walk_size(&walk);
    for (int64_t o = 0; o < outputs; o++) {
        rp_axis_walk_seek(&walk, o);
        const int64_t *found = plan->piece_index + o * pieces;
        for (int64_t p = 0; p < pieces; p++) {
            memcpy(values + p * (int64_t)itemsize,
                   plan->in_data + walk.offset[0] + found[p] * plan->row_stride, itemsize);
        }
        int64_t winner;
        plan->kernel(values, (int64_t)itemsize, pieces, &winner);
        memcpy(plan->out_data + walk.offset[1], &found[winner], sizeof(int64_t));
    }
    free(values);
    return RP_OK;
}

rp_status rp_arg_reduce_axis(rp_arg_reduce_op op, const rp_array *a, int axis, rp_array *out)
{
    arg_plan plan = {.kernel = rp_kernels()->arg_reduce[op][a->dtype],
                     .in_data = a->data,
                     .out_data = out->data};
    for (int i = 0, j = 0; i < a->ndim; i++) {
        if (i == axis) {
            if (out->ndim == a->ndim) {
                j++; /* keepdims: skip the extent-1 output axis */
            }
            continue;
        }
        rp_axis_walk_add(&plan.outputs, a->shape[i], a->strides[i], out->strides[j++]);
    }
    plan.row_len = a->ndim > 0 ? a->shape[axis] : 1;
    plan.row_stride = a->ndim > 0 ? a->strides[axis] : 0;
    int64_t outputs = rp_axis_walk_size(&plan.outputs);
    int64_t itemsize = (int64_t)rp_dtype_size(a->dtype);
    int64_t piece_len = RP_REDUCE_PIECE_BYTES / itemsize;
    plan.pieces_per_output = 1;
    plan.piece_len = plan.row_len;
    if (outputs < RP_REDUCE_MANY_OUTPUTS && plan.row_len > piece_len) {
        plan.pieces_per_output = rp_ceil_div(plan.row_len, piece_len);
        plan.piece_len = piece_len;
        plan.piece_index = malloc((size_t)(outputs * plan.pieces_per_output) * sizeof(int64_t));
        if (plan.piece_index == NULL) {
            return rp_error(RP_ERR_NOMEM, "cannot allocate argmin/argmax partials");
        }
    }
    int64_t items = outputs * plan.pieces_per_output;
    rp_parallel_for(items, rp_parallel_min_items(plan.piece_len * itemsize), arg_items, &plan);
    rp_status status = RP_OK;
    if (plan.pieces_per_output > 1) {
        status = merge_pieces(&plan, (size_t)itemsize);
        free(plan.piece_index);
    }
    return status;
}
