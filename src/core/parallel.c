/*
 * parallel.c — when to split work, and how many threads the process uses.
 *
 * The policy half of rp_parallel_for: the thread count (RAPTORS_THREADS, the affinity mask, or
 * rp_set_num_threads), the size threshold below which splitting does not pay, and the cases
 * that must run inline. threadpool.c does the splitting itself.
 */
#include "parallel.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <threads.h>

#include "machine.h"
#include "raptors/runtime.h"
#include "threadpool.h"

static atomic_int configured_threads; /* 0 until first read */
static int64_t grain_bytes;
static once_flag grain_once = ONCE_FLAG_INIT;

/* RAPTORS_THREADS when it is a whole number in range, else the CPUs we may run on. */
static int default_threads(void)
{
    const char *text = getenv("RAPTORS_THREADS");
    if (text != NULL && *text != '\0') {
        char *end;
        long value = strtol(text, &end, 10);
        if (*end == '\0' && value >= 1 && value <= RP_MAX_THREADS) {
            return (int)value;
        }
    }
    int cpus = rp_machine_cpus();
    return cpus < RP_MAX_THREADS ? cpus : RP_MAX_THREADS;
}

int rp_get_num_threads(void)
{
    int threads = atomic_load_explicit(&configured_threads, memory_order_relaxed);
    if (threads == 0) {
        int expected = 0;
        threads = default_threads();
        if (!atomic_compare_exchange_strong(&configured_threads, &expected, threads)) {
            threads = expected;
        }
    }
    return threads;
}

rp_status rp_set_num_threads(int n)
{
    if (n < 1 || n > RP_MAX_THREADS) {
        return rp_error(RP_ERR_VALUE, "number of threads must be between 1 and %d, got %d",
                        RP_MAX_THREADS, n);
    }
    atomic_store(&configured_threads, n);
    return RP_OK;
}

int rp_parallel_threads(void) { return rp_get_num_threads(); }

/* RAPTORS_GRAIN_BYTES when it is a positive whole number, else 0. A testing knob: a tiny grain
 * sends even the small arrays of a test suite through the pool, so the threaded path can be
 * checked against NumPy as thoroughly as the single-threaded one. */
static int64_t grain_from_environment(void)
{
    const char *text = getenv("RAPTORS_GRAIN_BYTES");
    if (text == NULL || *text == '\0') {
        return 0;
    }
    char *end;
    long long value = strtoll(text, &end, 10);
    return *end == '\0' && value >= 1 ? (int64_t)value : 0;
}

/* Waking a thread and handing it a task costs a few microseconds; a thread's share must be long
 * enough to hide that. An eighth of the per-core L2 streams in about that time on current
 * machines, and scales with how much a core is built to keep near. */
static void compute_grain(void)
{
    grain_bytes = grain_from_environment();
    if (grain_bytes > 0) {
        return;
    }
    int64_t l2 = rp_machine_cache_bytes(2);
    int64_t grain = l2 > 0 ? l2 / 8 : 128 * 1024;
    if (grain < 32 * 1024) {
        grain = 32 * 1024;
    }
    if (grain > 256 * 1024) {
        grain = 256 * 1024;
    }
    grain_bytes = grain;
}

int64_t rp_parallel_grain_bytes(void)
{
    call_once(&grain_once, compute_grain);
    return grain_bytes;
}

int64_t rp_parallel_min_items(int64_t bytes_per_item)
{
    int64_t grain = rp_parallel_grain_bytes();
    if (bytes_per_item <= 0) {
        return grain;
    }
    return bytes_per_item >= grain ? 1 : (grain + bytes_per_item - 1) / bytes_per_item;
}

int rp_parallel_for_upto(int64_t n_items, int64_t min_items, int max_workers, rp_range_fn fn,
                         void *context)
{
    if (n_items <= 0) {
        return 1;
    }
    int threads = rp_get_num_threads();
    if (max_workers < threads) {
        threads = max_workers;
    }
    if (min_items < 1) {
        min_items = 1;
    }
    int64_t worthwhile = n_items / min_items; /* threads that each get min_items */
    if (worthwhile < threads) {
        threads = (int)worthwhile;
    }
    if (threads >= 2 && !rp_pool_in_job()) {
        int used = rp_pool_run(threads, n_items, fn, context);
        if (used > 0) {
            return used;
        }
    }
    fn(0, n_items, 0, context);
    return 1;
}

int rp_parallel_for(int64_t n_items, int64_t min_items, rp_range_fn fn, void *context)
{
    return rp_parallel_for_upto(n_items, min_items, RP_MAX_THREADS, fn, context);
}

uint64_t rp_parallel_jobs_run(void) { return rp_pool_jobs_run(); }
