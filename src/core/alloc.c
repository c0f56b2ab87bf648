/*
 * alloc.c — aligned allocation of array data.
 *
 * 64-byte alignment lets every SIMD width load aligned from the start of a fresh array.
 */
#include "alloc.h"

#include <stdlib.h>

enum { DATA_ALIGNMENT = 64 };

void *rp_alloc_data(size_t nbytes)
{
    /* aligned_alloc wants a multiple of the alignment; round up, and give 0-byte arrays one
     * block so each array still has a distinct, dereferenceable address. */
    size_t rounded = (nbytes + DATA_ALIGNMENT - 1) / DATA_ALIGNMENT * DATA_ALIGNMENT;
    if (rounded < nbytes) {
        return NULL; /* catch size_t overflow */
    }
    if (rounded == 0) {
        rounded = DATA_ALIGNMENT;
    }
    return aligned_alloc(DATA_ALIGNMENT, rounded);
}

void rp_free_data(void *data, size_t nbytes)
{
    (void)nbytes;
    free(data);
}
