/*
 * parallel.h — how the core splits work across threads (internal to the core).
 *
 * Drivers describe work as a range of independent items (rows, blocks) and a function that
 * handles a sub-range; the pool decides whether and how to split it. Work below `min_items`
 * per thread, on a single-thread configuration, from inside another job, or while another
 * thread's job holds the pool runs inline on the calling thread (as worker 0).
 */
#ifndef RAPTORS_CORE_PARALLEL_H
#define RAPTORS_CORE_PARALLEL_H

#include <stdint.h>

/* Handles items [begin, end). `worker` is 0..threads-1, for per-thread scratch/partial results. */
typedef void (*rp_range_fn)(int64_t begin, int64_t end, int worker, void *context);

/* Runs fn over [0, n_items), in parallel when each thread would get at least `min_items`.
 * Returns when every item is done (every item handled exactly once), with the number of
 * threads the work was offered to (1 when it ran inline; see rp_backend_for). Safe to call
 * from several threads at once and from inside fn (the inner call runs inline). `worker`
 * stays below the rp_parallel_threads() value current at the call; a driver that sized
 * per-worker state from an earlier rp_parallel_threads() must use rp_parallel_for_upto with
 * that value, since another thread may change the thread count in between.
 * Placement: split across T threads, worker t starts on the t-th of T equal contiguous parts of
 * [0, n_items) (give or take a task's rounding) and moves on to the others' parts only when its
 * own is done, so an operation repeated on the same data finds each part in the cache of the
 * thread that touched it last. */
int rp_parallel_for(int64_t n_items, int64_t min_items, rp_range_fn fn, void *context);

/* Same, using at most `max_workers` threads, so `worker` < max_workers (max_workers >= 1). */
int rp_parallel_for_upto(int64_t n_items, int64_t min_items, int max_workers, rp_range_fn fn,
                         void *context);

/* The number of threads rp_parallel_for may use now (>= 1): the bound for `worker`. */
int rp_parallel_threads(void);

/* The fewest items worth handing to one thread when each item moves `bytes_per_item` bytes of
 * memory (the split threshold drivers pass as min_items). Always >= 1. */
int64_t rp_parallel_min_items(int64_t bytes_per_item);

/* Bytes of memory traffic a thread must get before a split pays for waking it. */
int64_t rp_parallel_grain_bytes(void);

/* Jobs that ran split across the pool since start-up (for diagnostics and tests). */
uint64_t rp_parallel_jobs_run(void);

#endif
