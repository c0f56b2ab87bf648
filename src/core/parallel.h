/*
 * parallel.h — how the core splits work across threads (internal to the core).
 *
 * Drivers describe work as a range of independent items (rows, blocks) and a function that
 * handles a sub-range; the pool decides whether and how to split it. Work below `min_items`
 * per thread or on a single-thread configuration runs inline on the calling thread.
 */
#ifndef RAPTORS_CORE_PARALLEL_H
#define RAPTORS_CORE_PARALLEL_H

#include <stdint.h>

/* Handles items [begin, end). `worker` is 0..threads-1, for per-thread scratch/partial results. */
typedef void (*rp_range_fn)(int64_t begin, int64_t end, int worker, void *context);

/* Runs fn over [0, n_items), in parallel when each thread would get at least `min_items`.
 * Returns when every item is done. Safe to call from several Python threads at once. */
void rp_parallel_for(int64_t n_items, int64_t min_items, rp_range_fn fn, void *context);

/* The number of threads rp_parallel_for may use (>= 1): the upper bound for `worker`. */
int rp_parallel_threads(void);

#endif
