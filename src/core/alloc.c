/*
 * alloc.c — where array data memory comes from.
 *
 * Small blocks come from the C heap, 64-byte aligned so every SIMD width loads aligned from the
 * start of a fresh array. Large blocks (at least CACHE_MIN_BYTES) are private mappings, rounded
 * up to a size class, and freed ones wait in a bounded cache: an expression that makes a large
 * temporary on every call then reuses pages that are already mapped instead of page-faulting
 * (and zeroing) fresh ones each time, which is most of the cost of a streaming operation on
 * fresh memory. Fresh mappings are aligned to and advised for transparent huge pages, and
 * touched in parallel by the pool so the page faults are spread over all threads.
 *
 * The cache is a list of free blocks, most recently freed first, whose link lives in the first
 * bytes of each free block itself; it is guarded by one mutex that is held across fork(), so a
 * child starts with a consistent cache. Evicted and declined blocks are unmapped outside the
 * lock.
 */
#include "alloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "machine.h"
#include "parallel.h"
#include "raptors/runtime.h"

enum { DATA_ALIGNMENT = 64 };
/* Below this, the heap allocator already recycles blocks cheaply and nothing gets page-faulted
 * on reuse. */
#define CACHE_MIN_BYTES ((size_t)256 * 1024)
#define DEFAULT_CACHE_LIMIT ((size_t)1 << 30)

typedef struct free_block {
    struct free_block *newer, *older;
    size_t size;
} free_block;

static struct {
    pthread_mutex_t lock;
    free_block *newest, *oldest;
    size_t bytes, blocks, limit;
    uint64_t hits, misses, evictions;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void before_fork(void) { pthread_mutex_lock(&cache.lock); }
static void after_fork(void) { pthread_mutex_unlock(&cache.lock); }

/* RAPTORS_CACHE_MB when it is a whole number, else min(1 GiB, physical memory / 16). */
static size_t default_limit(void)
{
    const char *text = getenv("RAPTORS_CACHE_MB");
    if (text != NULL && *text != '\0') {
        char *end;
        unsigned long long mebibytes = strtoull(text, &end, 10);
        if (*end == '\0' && text[0] != '-' && mebibytes <= (SIZE_MAX >> 20)) {
            return (size_t)mebibytes << 20;
        }
    }
    size_t sixteenth = (size_t)(rp_machine_memory_bytes() / 16);
    return sixteenth > 0 && sixteenth < DEFAULT_CACHE_LIMIT ? sixteenth : DEFAULT_CACHE_LIMIT;
}

static void init_cache(void)
{
    cache.limit = default_limit();
    pthread_atfork(before_fork, after_fork, after_fork);
}

static void lock_cache(void)
{
    pthread_once(&cache_once, init_cache);
    pthread_mutex_lock(&cache.lock);
}

/* Rounds a large request up to its size class: 8 classes per power of two, whole pages, so a
 * block fits any later request of its class with at most 1/8 left over. 0 on overflow. */
static size_t size_class(size_t nbytes)
{
    size_t page = (size_t)rp_machine_page_bytes();
    int top_bit = 63 - __builtin_clzll((unsigned long long)nbytes);
    size_t step = top_bit >= 3 ? (size_t)1 << (top_bit - 3) : 1;
    if (step < page) {
        step = page;
    }
    size_t rounded = (nbytes + step - 1) / step * step;
    return rounded < nbytes ? 0 : rounded;
}

static void unlink_block(free_block *block)
{
    if (block->newer != NULL) {
        block->newer->older = block->older;
    } else {
        cache.newest = block->older;
    }
    if (block->older != NULL) {
        block->older->newer = block->newer;
    } else {
        cache.oldest = block->newer;
    }
    cache.bytes -= block->size;
    cache.blocks--;
}

/* Takes blocks off the old end until the cache fits `limit`; returns them as a chain through
 * `older` for the caller to unmap after unlocking. Caller holds the lock. */
static free_block *evict_to(size_t limit)
{
    free_block *evicted = NULL;
    while (cache.bytes > limit && cache.oldest != NULL) {
        free_block *victim = cache.oldest;
        unlink_block(victim);
        victim->older = evicted;
        evicted = victim;
        cache.evictions++;
    }
    return evicted;
}

static void unmap_chain(free_block *chain)
{
    while (chain != NULL) {
        free_block *next = chain->older;
        munmap(chain, chain->size);
        chain = next;
    }
}

/* Puts `block` of `size` bytes at the new end of the cache. Caller holds the lock. */
static void push_block(free_block *block, size_t size)
{
    block->size = size;
    block->newer = NULL;
    block->older = cache.newest;
    if (cache.newest != NULL) {
        cache.newest->newer = block;
    } else {
        cache.oldest = block;
    }
    cache.newest = block;
    cache.bytes += size;
    cache.blocks++;
}

/* Cuts `size` bytes from the front of the free range [start, start + span) that the caller has
 * taken out of the cache: a remainder large enough to cache goes back, a smaller one is returned
 * in *spare / *spare_size for the caller to unmap after unlocking. Caller holds the lock. */
static void *cut_front(char *start, size_t span, size_t size, char **spare, size_t *spare_size)
{
    size_t rest = span - size;
    if (rest >= CACHE_MIN_BYTES) {
        push_block((free_block *)(start + size), rest);
    } else if (rest > 0) {
        *spare = start + size;
        *spare_size = rest;
    }
    cache.hits++;
    return start;
}

static int compare_addresses(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (free_block *const *)a, y = (uintptr_t) * (free_block *const *)b;
    return x < y ? -1 : x > y;
}

/* The start of the shortest run of address-adjacent cached blocks that together hold `size`
 * bytes, with its length in *span, or NULL. Separate mappings made one after another are
 * usually adjacent, so blocks freed at one size can serve a larger one without fresh page
 * faults, as the C heap coalesces freed chunks. The run's blocks are taken out of the cache.
 * Caller holds the lock. */
static char *take_adjacent_run(size_t size, size_t *span)
{
    if (cache.blocks < 2) {
        return NULL;
    }
    free_block **blocks = malloc(cache.blocks * sizeof *blocks);
    if (blocks == NULL) {
        return NULL;
    }
    size_t n = 0;
    for (free_block *block = cache.newest; block != NULL; block = block->older) {
        blocks[n++] = block;
    }
    qsort(blocks, n, sizeof *blocks, compare_addresses);
    size_t best_first = 0, best_count = 0, best_span = 0;
    for (size_t first = 0; first < n; first++) {
        size_t total = blocks[first]->size, count = 1;
        while (total < size && first + count < n &&
               (char *)blocks[first + count - 1] + blocks[first + count - 1]->size ==
                   (char *)blocks[first + count]) {
            total += blocks[first + count]->size;
            count++;
        }
        if (total >= size && (best_count == 0 || total < best_span)) {
            best_first = first;
            best_count = count;
            best_span = total;
        }
    }
    char *start = NULL;
    if (best_count > 0) {
        start = (char *)blocks[best_first];
        for (size_t k = 0; k < best_count; k++) {
            unlink_block(blocks[best_first + k]);
        }
        *span = best_span;
    }
    free(blocks);
    return start;
}

/* Cached memory for `size` bytes, or NULL (counted as a hit or a miss). An exact size wins;
 * otherwise the smallest larger block, then the shortest run of adjacent blocks, is cut at a
 * page boundary, because those pages are already faulted in whatever size they were freed at
 * (the way the C heap reuses freed memory for any request). A remainder too small to cache is
 * returned in *spare / *spare_size for the caller to unmap after unlocking. */
static void *take_cached(size_t size, char **spare, size_t *spare_size)
{
    *spare = NULL;
    *spare_size = 0;
    lock_cache();
    free_block *best = NULL;
    for (free_block *block = cache.newest; block != NULL; block = block->older) {
        if (block->size >= size && (best == NULL || block->size < best->size)) {
            best = block;
            if (block->size == size) {
                break;
            }
        }
    }
    void *result = NULL;
    if (best != NULL) {
        unlink_block(best);
        result = cut_front((char *)best, best->size, size, spare, spare_size);
    } else {
        size_t span;
        char *run = take_adjacent_run(size, &span);
        if (run != NULL) {
            result = cut_front(run, span, size, spare, spare_size);
        } else {
            cache.misses++;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    return result;
}

typedef struct touch_job {
    char *base;
    int64_t item_bytes, page_bytes, size;
} touch_job;

/* Writes one byte per page of items [begin, end): each thread faults in its own share. */
static void touch_pages(int64_t begin, int64_t end, int worker, void *context)
{
    (void)worker;
    const touch_job *job = context;
    int64_t stop = end * job->item_bytes < job->size ? end * job->item_bytes : job->size;
    for (int64_t offset = begin * job->item_bytes; offset < stop; offset += job->page_bytes) {
        ((volatile char *)job->base)[offset] = 0;
    }
}

/* A fresh private mapping of `size` bytes (a whole number of pages); huge-page aligned and
 * advised when it spans at least one huge page. NULL when the system refuses. */
static void *map_fresh(size_t size)
{
    size_t huge = (size_t)rp_machine_huge_page_bytes();
    /* A block of a single huge page gains least from being one and is the likeliest to stall
     * in the kernel's compaction on a fragmented machine, so advise only from two up. */
    bool use_huge = huge > 0 && size >= 2 * huge;
    size_t span = use_huge ? size + huge : size;
    if (span < size) {
        return NULL;
    }
    char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        return NULL;
    }
    char *start = raw;
    if (use_huge) {
        /* Trim the over-allocation so the block starts on a huge-page boundary. */
        start = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
        if (start > raw) {
            munmap(raw, (size_t)(start - raw));
        }
        size_t tail = (size_t)(raw + span - (start + size));
        if (tail > 0) {
            munmap(start + size, tail);
        }
        madvise(start, size, MADV_HUGEPAGE);
    }
    touch_job job = {.base = start, .page_bytes = rp_machine_page_bytes(), .size = (int64_t)size};
    job.item_bytes = use_huge ? (int64_t)huge : job.page_bytes;
    int64_t items = ((int64_t)size + job.item_bytes - 1) / job.item_bytes;
    rp_parallel_for(items, rp_parallel_min_items(job.item_bytes), touch_pages, &job);
    return start;
}

static void *alloc_large(size_t nbytes)
{
    size_t size = size_class(nbytes);
    if (size == 0) {
        return NULL;
    }
    char *spare;
    size_t spare_size;
    void *block = take_cached(size, &spare, &spare_size);
    if (spare != NULL) {
        munmap(spare, spare_size);
    }
    if (block != NULL) {
        return block;
    }
    block = map_fresh(size);
    if (block == NULL) {
        /* Memory held by the cache may be what the system is missing. */
        rp_cache_clear();
        block = map_fresh(size);
    }
    return block;
}

static void free_large(void *data, size_t nbytes)
{
    size_t size = size_class(nbytes);
    free_block *block = data, *evicted = NULL;
    lock_cache();
    if (size <= cache.limit) {
        push_block(block, size);
        evicted = evict_to(cache.limit);
        block = NULL;
    }
    pthread_mutex_unlock(&cache.lock);
    if (block != NULL) {
        munmap(block, size); /* larger than the whole cache */
    }
    unmap_chain(evicted);
}

void *rp_alloc_data(size_t nbytes)
{
    if (nbytes >= CACHE_MIN_BYTES) {
        return alloc_large(nbytes);
    }
    /* aligned_alloc wants a multiple of the alignment; 0-byte arrays get one block so each
     * array still has a distinct, dereferenceable address. */
    size_t rounded = (nbytes + DATA_ALIGNMENT - 1) / DATA_ALIGNMENT * DATA_ALIGNMENT;
    if (rounded == 0) {
        rounded = DATA_ALIGNMENT;
    }
    return aligned_alloc(DATA_ALIGNMENT, rounded);
}

void rp_free_data(void *data, size_t nbytes)
{
    if (data == NULL) {
        return;
    }
    if (nbytes >= CACHE_MIN_BYTES) {
        free_large(data, nbytes);
    } else {
        free(data);
    }
}

void rp_cache_info(rp_cache_stats *out)
{
    lock_cache();
    *out = (rp_cache_stats){
        .bytes_held = cache.bytes,
        .blocks_held = cache.blocks,
        .limit = cache.limit,
        .min_block = CACHE_MIN_BYTES,
        .hits = cache.hits,
        .misses = cache.misses,
        .evictions = cache.evictions,
    };
    pthread_mutex_unlock(&cache.lock);
}

void rp_cache_clear(void)
{
    lock_cache();
    free_block *all = cache.newest;
    cache.newest = cache.oldest = NULL;
    cache.bytes = cache.blocks = 0;
    pthread_mutex_unlock(&cache.lock);
    while (all != NULL) {
        free_block *next = all->older;
        munmap(all, all->size);
        all = next;
    }
}

void rp_cache_set_limit(size_t bytes)
{
    lock_cache();
    cache.limit = bytes;
    free_block *evicted = evict_to(bytes);
    pthread_mutex_unlock(&cache.lock);
    unmap_chain(evicted);
}
