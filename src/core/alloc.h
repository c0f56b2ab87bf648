/*
 * alloc.h — where array data memory comes from (internal to the core).
 *
 * One pair of functions so that the allocation policy (alignment, the cache of freed large
 * blocks, huge pages, parallel first touch) lives in one place. The cache's public controls
 * are in raptors/runtime.h.
 */
#ifndef RAPTORS_CORE_ALLOC_H
#define RAPTORS_CORE_ALLOC_H

#include <stddef.h>

/* 64-byte aligned, uninitialised memory for `nbytes` of array data (0 gives a valid, unique
 * pointer); NULL when the system refuses. Thread-safe. */
void *rp_alloc_data(size_t nbytes);
/* Gives back memory from rp_alloc_data; `nbytes` must be the size it was asked for (large
 * blocks are found a size class by it). NULL is ignored. Thread-safe. */
void rp_free_data(void *data, size_t nbytes);

#endif
