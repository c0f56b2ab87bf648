/*
 * parallel.c — serial stand-in for the thread pool: runs every range inline.
 *
 * Keeps the driver code written against rp_parallel_for from day one.
 */
#include "parallel.h"

void rp_parallel_for(int64_t n_items, int64_t min_items, rp_range_fn fn, void *context)
{
    (void)min_items;
    if (n_items > 0) {
        fn(0, n_items, 0, context);
    }
}

int rp_parallel_threads(void) { return 1; }
