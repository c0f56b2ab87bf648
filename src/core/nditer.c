/*
 * nditer.c — axis ordering, merging and the outer loop for elementwise operations.
 *
 * Keeping the innermost loop unit-stride (when any order allows it) is what lets the 1-D
 * kernels run at full speed on transposed and Fortran-ordered inputs, as NumPy's iterator does.
 */
#include "nditer.h"

#include <stdlib.h>

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

void rp_loop_layout_init(rp_loop_layout *layout, int nop, int ndim, const int64_t *shape,
                         const int64_t *const *strides)
{
    layout->nop = nop;
    layout->empty = false;
    int axes[RP_MAXDIMS], kept = 0;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) {
            layout->empty = true;
        }
        if (shape[i] != 1) {
            axes[kept++] = i;
        }
    }
    /* Stable insertion sort: larger |stride| of operand 0 goes outward; ties are broken by the
     * other operands in turn, and full ties keep C order. */
    for (int i = 1; i < kept; i++) {
        int axis = axes[i], j = i - 1;
        while (j >= 0) {
            int other = axes[j], cmp = 0;
            for (int k = 0; k < nop && cmp == 0; k++) {
                int64_t sa = abs64(strides[k][axis]), so = abs64(strides[k][other]);
                if (sa != so) {
                    cmp = sa > so ? -1 : 1; /* -1: axis belongs before other */
                }
            }
            if (cmp >= 0) {
                break;
            }
            axes[j + 1] = axes[j];
            j--;
        }
        axes[j + 1] = axis;
    }
    /* Merge axis pairs (outer, inner) that step like one longer axis in every operand. */
    int out = 0;
    for (int i = 0; i < kept; i++) {
        int axis = axes[i];
        if (out > 0) {
            bool mergeable = true;
            for (int k = 0; k < nop && mergeable; k++) {
                int64_t inner_stride = strides[k][axis];
                mergeable = layout->strides[k][out - 1] == inner_stride * shape[axis];
            }
            if (mergeable) {
                layout->shape[out - 1] *= shape[axis];
                for (int k = 0; k < nop; k++) {
                    layout->strides[k][out - 1] = strides[k][axis];
                }
                continue;
            }
        }
        layout->shape[out] = shape[axis];
        for (int k = 0; k < nop; k++) {
            layout->strides[k][out] = strides[k][axis];
        }
        out++;
    }
    layout->ndim = out;
}

int64_t rp_loop_row_count(const rp_loop_layout *layout)
{
    int64_t rows = 1;
    for (int i = 0; i + 1 < layout->ndim; i++) {
        rows *= layout->shape[i];
    }
    return rows;
}

int64_t rp_loop_row_length(const rp_loop_layout *layout)
{
    return layout->ndim > 0 ? layout->shape[layout->ndim - 1] : 1;
}

void rp_loop_run_rows(const rp_loop_layout *layout, char *const *base, int64_t row_begin,
                      int64_t row_end, rp_row_fn fn, void *context)
{
    if (layout->empty || row_begin >= row_end) {
        return;
    }
    int nop = layout->nop, outer = layout->ndim - 1;
    int64_t inner_strides[RP_NDITER_MAXOPS];
    char *ptrs[RP_NDITER_MAXOPS];
    int64_t counter[RP_MAXDIMS];
    int64_t n = rp_loop_row_length(layout);
    for (int k = 0; k < nop; k++) {
        inner_strides[k] = layout->ndim > 0 ? layout->strides[k][layout->ndim - 1] : 0;
    }
    /* Decompose row_begin into a multi-index over the outer axes. */
    int64_t rest = row_begin;
    for (int d = outer - 1; d >= 0; d--) {
        counter[d] = rest % layout->shape[d];
        rest /= layout->shape[d];
    }
    for (int k = 0; k < nop; k++) {
        ptrs[k] = base[k];
        for (int d = 0; d < outer; d++) {
            ptrs[k] += counter[d] * layout->strides[k][d];
        }
    }
    for (int64_t row = row_begin; row < row_end; row++) {
        fn(ptrs, inner_strides, n, context);
        for (int d = outer - 1; d >= 0; d--) {
            if (++counter[d] < layout->shape[d]) {
                for (int k = 0; k < nop; k++) {
                    ptrs[k] += layout->strides[k][d];
                }
                break;
            }
            counter[d] = 0;
            for (int k = 0; k < nop; k++) {
                ptrs[k] -= (layout->shape[d] - 1) * layout->strides[k][d];
            }
        }
    }
}
