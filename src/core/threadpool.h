/*
 * threadpool.h — the persistent worker threads under rp_parallel_for (internal to the core).
 *
 * The pool runs one job at a time; parallel.c decides whether a job is worth splitting and how
 * many threads it gets, the pool only executes it.
 */
#ifndef RAPTORS_CORE_THREADPOOL_H
#define RAPTORS_CORE_THREADPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "parallel.h"

/* Runs fn over [0, n_items) cut into tasks that `threads` threads (the caller as worker 0, pool
 * workers as 1..threads-1) take dynamically, and returns when all are done with the number of
 * threads offered the job (fewer than asked when threads could not be started). Returns 0,
 * having run nothing, when the pool is busy with another caller's job or no worker can be
 * started: the caller then runs the job inline. threads >= 2. */
int rp_pool_run(int threads, int64_t n_items, rp_range_fn fn, void *context);

/* True while the calling thread executes part of a job (as a pool worker or as the caller). */
bool rp_pool_in_job(void);

/* Jobs run through the pool since start-up (this process). */
uint64_t rp_pool_jobs_run(void);

#endif
