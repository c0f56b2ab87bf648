/*
 * nditer.h — the N-dimensional loop under every elementwise operation (internal to the core).
 *
 * An operation describes its operands as (base pointer, byte strides) over one shared shape; the
 * layout step drops extent-1 axes, orders axes so the innermost is the one with the smallest
 * stride of operand 0 (the output, by convention), and merges axes that are contiguous in every
 * operand. The loop then calls a 1-D inner function once per innermost row.
 */
#ifndef RAPTORS_CORE_NDITER_H
#define RAPTORS_CORE_NDITER_H

#include "raptors/raptors.h"

#define RP_NDITER_MAXOPS 4

typedef struct rp_loop_layout {
    int nop;
    int ndim;                                     /* 0 means a single element */
    int64_t shape[RP_MAXDIMS];                    /* innermost axis last */
    int64_t strides[RP_NDITER_MAXOPS][RP_MAXDIMS];
    bool empty;                                   /* some extent is 0: nothing to do */
} rp_loop_layout;

/* Called for one innermost row: ptrs[k] is operand k's first element, strides[k] its step. */
typedef void (*rp_row_fn)(char *const *ptrs, const int64_t *strides, int64_t n, void *context);

/* Builds the layout for `nop` operands whose strides (one array of `ndim` each) all index the
 * same `shape`. */
void rp_loop_layout_init(rp_loop_layout *layout, int nop, int ndim, const int64_t *shape,
                         const int64_t *const *strides);

/* Runs `fn` over the rows of outer indices [row_begin, row_end) of the layout, where rows are
 * numbered in C order over all axes but the innermost. Lets a thread pool split the work. */
void rp_loop_run_rows(const rp_loop_layout *layout, char *const *base, int64_t row_begin,
                      int64_t row_end, rp_row_fn fn, void *context);

/* Number of innermost rows (product of all extents but the innermost; 1 for ndim <= 1). */
int64_t rp_loop_row_count(const rp_loop_layout *layout);
/* Extent of the innermost axis (1 for ndim 0). */
int64_t rp_loop_row_length(const rp_loop_layout *layout);

#endif
