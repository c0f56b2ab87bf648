/*
 * test_alloc.c — the data allocator and its cache of freed large blocks: reuse (exact size first, then a split larger block),
 * the byte limit and eviction order, clearing, alignment, the live-buffer count, many threads
 * allocating at once, a fork child using the inherited cache, and RAPTORS_CACHE_MB.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "raptors/raptors.h"

#include "check.h"
#include "env_probe.h"


#define MIB ((size_t)1 << 20)

static rp_cache_stats info(void)
{
    rp_cache_stats stats;
    rp_cache_info(&stats);
    return stats;
}

static int64_t cache_limit(void)
{
    return (int64_t)info().limit;
}

/* The limit a fresh process starts with under RAPTORS_CACHE_MB=value (NULL: unset). */
static size_t limit_in_child(const char *value)
{
    return (size_t)probe_in_child("RAPTORS_CACHE_MB", value, cache_limit);
}

static void test_environment_limit(void)
{
    size_t memory = (size_t)sysconf(_SC_PHYS_PAGES) * (size_t)sysconf(_SC_PAGESIZE);
    size_t expected_default = memory / 16 < 1024 * MIB ? memory / 16 : 1024 * MIB;
    CHECK(limit_in_child("5") == 5 * MIB);
    CHECK(limit_in_child("0") == 0);
    CHECK(limit_in_child(NULL) == expected_default);
    CHECK(limit_in_child("lots") == expected_default);
    CHECK(limit_in_child("-4") == expected_default);
}

static void test_reuse_and_classes(void)
{
    rp_cache_set_limit(64 * MIB);
    rp_cache_clear();
    rp_cache_stats before = info();
    CHECK(before.bytes_held == 0 && before.blocks_held == 0 && before.limit == 64 * MIB);

    char *block = rp_alloc_data(MIB);
    CHECK(block != NULL && (uintptr_t)block % 64 == 0);
    memset(block, 7, MIB);
    CHECK(info().misses == before.misses + 1);
    rp_free_data(block, MIB);
    CHECK(info().bytes_held == MIB && info().blocks_held == 1);

    /* Same class (1 MiB - 1000 rounds up to 1 MiB): the same block comes back. */
    char *again = rp_alloc_data(MIB - 1000);
    CHECK(again == block);
    CHECK(info().hits == before.hits + 1 && info().bytes_held == 0);
    /* A larger class misses even though a smaller block is free. */
    rp_free_data(again, MIB - 1000);
    char *bigger = rp_alloc_data(MIB + 1);
    CHECK(bigger != block && info().misses == before.misses + 2);
    memset(bigger, 1, MIB + 1);
    rp_free_data(bigger, MIB + 1);
    CHECK(info().blocks_held == 2);
    CHECK(info().bytes_held == MIB + MIB + MIB / 8); /* classes are eighths of a power of two */

    /* A smaller class is cut from the front of the smallest block that fits; a remainder
     * large enough to cache stays cached as a block of its own... */
    char *half = rp_alloc_data(MIB / 2);
    CHECK(half == block && info().hits == before.hits + 2);
    CHECK(info().blocks_held == 2 && info().bytes_held == MIB + MIB / 8 + MIB / 2);
    memset(half, 2, MIB / 2);
    rp_free_data(half, MIB / 2);
    CHECK(info().blocks_held == 3);
    /* ...and a remainder too small to cache goes back to the system. */
    size_t three_eighths = MIB / 4 + MIB / 8;
    char *front = rp_alloc_data(three_eighths);
    CHECK(front == half && info().blocks_held == 2);
    CHECK(info().bytes_held == MIB + MIB / 8 + MIB / 2);
    memset(front, 3, three_eighths);
    rp_free_data(front, three_eighths);

    /* Adjacent free blocks together serve a request none of them fits alone: split one block
     * in two, free both halves, and ask for the whole again. */
    rp_cache_clear();
    char *whole = rp_alloc_data(MIB);
    memset(whole, 4, MIB);
    rp_free_data(whole, MIB);
    char *first_half = rp_alloc_data(MIB / 2); /* the back half stays cached */
    CHECK(first_half == whole && info().blocks_held == 1);
    rp_free_data(first_half, MIB / 2);
    CHECK(info().blocks_held == 2 && info().bytes_held == MIB);
    rp_cache_stats before_run = info();
    char *joined = rp_alloc_data(MIB);
    CHECK(joined == whole && info().hits == before_run.hits + 1 && info().blocks_held == 0);
    memset(joined, 5, MIB);
    rp_free_data(joined, MIB);

    /* Small blocks never involve the cache. */
    rp_cache_stats mid = info();
    void *small = rp_alloc_data(1000);
    CHECK(small != NULL && (uintptr_t)small % 64 == 0);
    rp_free_data(small, 1000);
    void *empty = rp_alloc_data(0);
    CHECK(empty != NULL);
    rp_free_data(empty, 0);
    CHECK(info().hits == mid.hits && info().misses == mid.misses);

    rp_cache_clear();
    CHECK(info().bytes_held == 0 && info().blocks_held == 0);
    CHECK(info().hits == mid.hits); /* counters survive a clear */
}

static void test_limit_and_eviction(void)
{
    rp_cache_clear();
    rp_cache_set_limit(3 * MIB);
    uint64_t evictions = info().evictions;
    char *blocks[4];
    for (int i = 0; i < 4; i++) {
        blocks[i] = rp_alloc_data(MIB);
        blocks[i][0] = (char)i;
    }
    for (int i = 0; i < 4; i++) {
        rp_free_data(blocks[i], MIB);
    }
    CHECK(info().blocks_held == 3 && info().bytes_held == 3 * MIB);
    CHECK(info().evictions == evictions + 1);
    /* The least recently freed block went; the newest comes back first. */
    char *reused = rp_alloc_data(MIB);
    CHECK(reused == blocks[3]);
    rp_free_data(reused, MIB);

    /* A block larger than the whole limit is not kept. */
    char *huge = rp_alloc_data(4 * MIB);
    CHECK(huge != NULL);
    huge[4 * MIB - 1] = 1;
    rp_free_data(huge, 4 * MIB);
    CHECK(info().bytes_held <= 3 * MIB);

    /* Lowering the limit evicts; 0 disables. */
    rp_cache_set_limit(MIB);
    CHECK(info().bytes_held <= MIB);
    rp_cache_set_limit(0);
    CHECK(info().bytes_held == 0);
    char *block = rp_alloc_data(MIB);
    rp_free_data(block, MIB);
    CHECK(info().bytes_held == 0);
    rp_cache_set_limit(64 * MIB);
}

static void test_huge_alignment_and_buffers(void)
{
    rp_cache_clear();
    char *block = rp_alloc_data(8 * MIB);
    CHECK(block != NULL && (uintptr_t)block % (2 * MIB) == 0);
    memset(block, 3, 8 * MIB); /* every byte writable */
    rp_free_data(block, 8 * MIB);

    /* Cached blocks are not live buffers. */
    int64_t live = rp_buffer_live_count();
    rp_buffer *buffer = NULL;
    CHECK(rp_buffer_new(8 * MIB, &buffer) == RP_OK);
    CHECK(rp_buffer_data(buffer) == block); /* served from the cache */
    CHECK(rp_buffer_live_count() == live + 1);
    rp_buffer_decref(buffer);
    CHECK(rp_buffer_live_count() == live);
    CHECK(info().blocks_held == 1);
}

/* Threads allocate, fill with their own pattern, yield, and verify: a block handed to two
 * threads at once would show the other's pattern. */
static void *churn(void *argument)
{
    unsigned seed = (unsigned)(uintptr_t)argument;
    for (int round = 0; round < 200; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t size = (256 * 1024) + (seed >> 12) % (3 * MIB);
        unsigned char *block = rp_alloc_data(size);
        if (block == NULL) {
            CHECK(block != NULL);
            continue;
        }
        unsigned char mark = (unsigned char)(uintptr_t)argument;
        memset(block, mark, size);
        sched_yield();
        bool intact = block[0] == mark && block[size / 2] == mark && block[size - 1] == mark;
        CHECK(intact);
        rp_free_data(block, size);
    }
    return NULL;
}

static void test_threads(void)
{
    rp_cache_set_limit(16 * MIB);
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) {
        CHECK(pthread_create(&threads[i], NULL, churn, (void *)(uintptr_t)(i + 1)) == 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK(info().bytes_held <= 16 * MIB);
    rp_cache_set_limit(64 * MIB);
}

static void test_fork(void)
{
    rp_cache_clear();
    char *block = rp_alloc_data(2 * MIB);
    memset(block, 9, 2 * MIB);
    rp_free_data(block, 2 * MIB);
    rp_cache_stats parent = info();
    pid_t child = fork();
    if (child == 0) {
        alarm(20);
        char *reused = rp_alloc_data(2 * MIB); /* the inherited cache serves the child */
        bool ok = reused == block && info().hits == parent.hits + 1;
        memset(reused, 1, 2 * MIB);
        rp_free_data(reused, 2 * MIB);
        rp_cache_clear();
        ok = ok && info().bytes_held == 0;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The parent's cache is untouched, and its block still holds the parent's bytes. */
    CHECK(info().blocks_held == parent.blocks_held && info().hits == parent.hits);
    char *mine = rp_alloc_data(2 * MIB);
    CHECK(mine == block && mine[12345] == 9);
    rp_free_data(mine, 2 * MIB);
}

int main(void)
{
    test_environment_limit(); /* first: it needs processes that have not set up the cache */
    test_reuse_and_classes();
    test_limit_and_eviction();
    test_huge_alignment_and_buffers();
    test_threads();
    test_fork();
    return check_report("test_alloc");
}
