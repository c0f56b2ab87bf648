/*
 * buffer.c — reference-counted memory blocks that arrays point into.
 *
 * An owned buffer is 64-byte aligned memory from this library; a wrapped buffer is someone
 * else's memory (a NumPy array, a DLPack tensor) with a release callback run when the last
 * reference goes. Counts are C11 atomics because arrays may be dropped from any thread.
 */
#include "raptors/raptors.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "alloc.h"

struct rp_buffer {
    atomic_long refcount;
    void *data;
    size_t nbytes;
    rp_release_fn release;   /* NULL for owned buffers */
    void *release_context;
    bool owned;
};

static atomic_llong live_owned_buffers;
static atomic_llong live_wrapped_buffers;

rp_status rp_buffer_new(size_t nbytes, rp_buffer **out)
{
    rp_buffer *buffer = malloc(sizeof *buffer);
    if (buffer == NULL) {
        return rp_error(RP_ERR_NOMEM, "cannot allocate a buffer header");
    }
    buffer->data = rp_alloc_data(nbytes);
    if (buffer->data == NULL) {
        free(buffer);
        return rp_error(RP_ERR_NOMEM, "Unable to allocate %zu bytes for an array", nbytes);
    }
    atomic_init(&buffer->refcount, 1);
    buffer->nbytes = nbytes;
    buffer->release = NULL;
    buffer->release_context = NULL;
    buffer->owned = true;
    atomic_fetch_add(&live_owned_buffers, 1);
    *out = buffer;
    return RP_OK;
}

rp_status rp_buffer_wrap(void *data, size_t nbytes, rp_release_fn release, void *context,
                         rp_buffer **out)
{
    rp_buffer *buffer = malloc(sizeof *buffer);
    if (buffer == NULL) {
        return rp_error(RP_ERR_NOMEM, "cannot allocate a buffer header");
    }
    atomic_init(&buffer->refcount, 1);
    buffer->data = data;
    buffer->nbytes = nbytes;
    buffer->release = release;
    buffer->release_context = context;
    buffer->owned = false;
    atomic_fetch_add(&live_wrapped_buffers, 1);
    *out = buffer;
    return RP_OK;
}

void rp_buffer_incref(rp_buffer *buffer) { atomic_fetch_add(&buffer->refcount, 1); }

void rp_buffer_decref(rp_buffer *buffer)
{
    if (buffer == NULL || atomic_fetch_sub(&buffer->refcount, 1) != 1) {
        return;
    }
    if (buffer->owned) {
        rp_free_data(buffer->data, buffer->nbytes);
        atomic_fetch_sub(&live_owned_buffers, 1);
    } else {
        if (buffer->release != NULL) {
            buffer->release(buffer->release_context);
        }
        atomic_fetch_sub(&live_wrapped_buffers, 1);
    }
    free(buffer);
}

void *rp_buffer_data(const rp_buffer *buffer) { return buffer->data; }

size_t rp_buffer_size(const rp_buffer *buffer) { return buffer->nbytes; }

int64_t rp_buffer_live_count(void) { return (int64_t)atomic_load(&live_owned_buffers); }

int64_t rp_buffer_wrapped_live_count(void) { return (int64_t)atomic_load(&live_wrapped_buffers); }
