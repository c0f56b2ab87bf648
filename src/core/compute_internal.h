/*
 * compute_internal.h — what the elementwise and reduction drivers share (internal to the core):
 * per-worker warning flags, the floating-point status probe, and a small odometer over a subset
 * of an array's axes. When to split work is parallel.h's rp_parallel_min_items, in bytes of data
 * touched, never in shapes, so one rule serves every dtype and layout.
 */
#ifndef RAPTORS_CORE_COMPUTE_INTERNAL_H
#define RAPTORS_CORE_COMPUTE_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "fp_status.h"
#include "kernels/kernels.h"
#include "parallel.h"

static inline int64_t rp_ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* ----- warnings: each worker ORs into its own slot; the caller merges after the join */

_Static_assert((int)RP_LOOP_DIVIDE_BY_ZERO == (int)RP_WARN_DIVIDE_BY_ZERO &&
                   (int)RP_LOOP_OVERFLOW == (int)RP_WARN_OVERFLOW &&
                   (int)RP_LOOP_INVALID == (int)RP_WARN_INVALID,
               "loop flags and public warning bits share values");

#define RP_INLINE_WORKER_SLOTS 64

/* The slots are sized from the thread count when the operation starts; the driver must pass
 * `count` as max_workers to rp_parallel_for_upto, since another thread may change the count
 * before the work is split. */
typedef struct rp_worker_flags {
    int *slots;                              /* one per worker */
    int count;
    int inline_slots[RP_INLINE_WORKER_SLOTS];
} rp_worker_flags;

static inline rp_status rp_worker_flags_init(rp_worker_flags *flags)
{
    flags->count = rp_parallel_threads();
    flags->slots = flags->inline_slots;
    if (flags->count > RP_INLINE_WORKER_SLOTS) {
        flags->slots = calloc((size_t)flags->count, sizeof(int));
        if (flags->slots == NULL) {
            return rp_error(RP_ERR_NOMEM, "cannot allocate per-thread warning flags");
        }
    } else {
        for (int i = 0; i < flags->count; i++) {
            flags->slots[i] = 0;
        }
    }
    return RP_OK;
}

/* Adds a worker's flags to its slot. The slots share cache lines and usually stay zero, so a
 * worker with nothing to report leaves the line alone rather than pulling it from the caller's
 * core at the end of every task. */
static inline void rp_worker_flags_add(rp_worker_flags *flags, int worker, int bits)
{
    if (bits != 0) {
        flags->slots[worker] |= bits;
    }
}

/* Merges every worker's flags and releases the slots. */
static inline int rp_worker_flags_finish(rp_worker_flags *flags)
{
    int merged = 0;
    for (int i = 0; i < flags->count; i++) {
        merged |= flags->slots[i];
    }
    if (flags->slots != flags->inline_slots) {
        free(flags->slots);
    }
    return merged;
}

/* ----- gathering narrow rows into a contiguous scratch buffer */

/* rows x len elements of `size` bytes from src (byte strides: row_stride between rows, stride
 * within one) to dst, row after row: plain copies, which raise no floating-point condition. */
#define RP_GATHER_SIZED(size)                                                                  \
    for (int64_t r = 0; r < rows; r++) {                                                       \
        for (int64_t j = 0; j < len; j++) {                                                    \
            memcpy(dst + (r * len + j) * (size), src + r * row_stride + j * stride, (size));   \
        }                                                                                      \
    }
static inline void rp_gather_rows(char *dst, const char *src, int64_t row_stride, int64_t stride,
                                  int64_t rows, int64_t len, int64_t size)
{
    switch (size) {
    case 8: RP_GATHER_SIZED(8) break;
    case 4: RP_GATHER_SIZED(4) break;
    default: RP_GATHER_SIZED(size) break;
    }
}

/* Rows at most this many elements long are gathered into batches rather than handed to a
 * kernel one by one: the call would cost more than the row's work. */
#define RP_GATHER_MAX_ROW 32

/* ----- an odometer over some axes of an array (C order: the last listed axis moves fastest) */

typedef struct rp_axis_walk {
    int naxes;
    int64_t shape[RP_MAXDIMS];
    int64_t strides[2][RP_MAXDIMS];    /* byte strides of two operands */
    int64_t counter[RP_MAXDIMS];
    int64_t offset[2];                 /* byte offsets of the current position */
} rp_axis_walk;

/* Number of positions the walk covers (1 for no axes). */
static inline int64_t rp_axis_walk_size(const rp_axis_walk *walk)
{
    int64_t size = 1;
    for (int i = 0; i < walk->naxes; i++) {
        size *= walk->shape[i];
    }
    return size;
}

/* Moves to flat position `index`. */
static inline void rp_axis_walk_seek(rp_axis_walk *walk, int64_t index)
{
    walk->offset[0] = walk->offset[1] = 0;
    for (int i = walk->naxes - 1; i >= 0; i--) {
        walk->counter[i] = index % walk->shape[i];
        index /= walk->shape[i];
        walk->offset[0] += walk->counter[i] * walk->strides[0][i];
        walk->offset[1] += walk->counter[i] * walk->strides[1][i];
    }
}

/* *walk = `from` moved to flat position `index`, copying only the axes in use: a whole
 * rp_axis_walk is over a kilobyte, and each task of a parallel loop starts its own. */
static inline void rp_axis_walk_start(rp_axis_walk *walk, const rp_axis_walk *from, int64_t index)
{
    walk->naxes = from->naxes;
    for (int i = 0; i < from->naxes; i++) {
        walk->shape[i] = from->shape[i];
        walk->strides[0][i] = from->strides[0][i];
        walk->strides[1][i] = from->strides[1][i];
    }
    rp_axis_walk_seek(walk, index);
}

/* Moves to the next position (wrapping to the first after the last). */
static inline void rp_axis_walk_next(rp_axis_walk *walk)
{
    for (int i = walk->naxes - 1; i >= 0; i--) {
        walk->offset[0] += walk->strides[0][i];
        walk->offset[1] += walk->strides[1][i];
        if (++walk->counter[i] < walk->shape[i]) {
            return;
        }
        walk->counter[i] = 0;
        walk->offset[0] -= walk->shape[i] * walk->strides[0][i];
        walk->offset[1] -= walk->shape[i] * walk->strides[1][i];
    }
}

static inline void rp_axis_walk_add(rp_axis_walk *walk, int64_t extent, int64_t stride0,
                                    int64_t stride1)
{
    walk->shape[walk->naxes] = extent;
    walk->strides[0][walk->naxes] = stride0;
    walk->strides[1][walk->naxes] = stride1;
    walk->naxes++;
}

#endif
