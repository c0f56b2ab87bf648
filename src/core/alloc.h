/*
 * alloc.h — where array data memory comes from (internal to the core).
 *
 * One pair of functions so that the allocation policy (alignment now; a cache of freed large
 * blocks and huge pages later) changes in one place.
 */
#ifndef RAPTORS_CORE_ALLOC_H
#define RAPTORS_CORE_ALLOC_H

#include <stddef.h>

/* 64-byte aligned memory for `nbytes` of array data (0 gives a valid, unique pointer);
 * NULL when the system refuses. */
void *rp_alloc_data(size_t nbytes);
/* Gives back memory from rp_alloc_data; `nbytes` must be the size it was asked for. */
void rp_free_data(void *data, size_t nbytes);

#endif
