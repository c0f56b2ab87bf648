/*
 * runtime_info.c — diagnostics: the machine facts and thresholds behind the engine's choices,
 * and the bandwidth passes that give the benchmark its floor.
 *
 * A bandwidth pass is split across the pool with the same grain rule as an operation, so the
 * floor it measures is reachable by an operation of the same size on the same threads.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "kernels/kernels.h"
#include "machine.h"
#include "parallel.h"
#include "raptors/runtime.h"

void rp_get_runtime_info(rp_runtime_info *out)
{
    *out = (rp_runtime_info){
        .l1d_bytes = rp_machine_cache_bytes(1),
        .l2_bytes = rp_machine_cache_bytes(2),
        .l3_bytes = rp_machine_cache_bytes(3),
        .memory_bytes = rp_machine_memory_bytes(),
        .page_bytes = rp_machine_page_bytes(),
        .huge_page_bytes = rp_machine_huge_page_bytes(),
        .cpus = rp_machine_cpus(),
        .threads = rp_get_num_threads(),
        .grain_bytes = rp_parallel_grain_bytes(),
        .stream_bytes = rp_machine_stream_threshold(),
        .parallel_jobs = rp_parallel_jobs_run(),
    };
}

enum { PASS_CHUNK_BYTES = 64 * 1024, MAX_PARTIALS = RP_MAX_THREADS };

typedef struct pass {
    rp_bandwidth_kind kind;
    const char *source;
    char *destination;
    size_t nbytes;
    rp_reduce_loop sum;            /* the active float64 sum, or NULL */
    double partial[MAX_PARTIALS];  /* per worker, so the reads cannot be optimised away */
} pass;

/* Without a float64 sum kernel, an integer fold: associative, so the compiler vectorises it. */
static double fold_words(const char *p, size_t nbytes)
{
    uint64_t acc = 0;
    for (size_t i = 0; i + 8 <= nbytes; i += 8) {
        uint64_t word;
        memcpy(&word, p + i, sizeof word);
        acc ^= word;
    }
    return (double)acc;
}

static void run_chunks(int64_t begin, int64_t end, int worker, void *context)
{
    pass *job = context;
    size_t first = (size_t)begin * PASS_CHUNK_BYTES;
    size_t last = (size_t)end * PASS_CHUNK_BYTES < job->nbytes ? (size_t)end * PASS_CHUNK_BYTES
                                                                : job->nbytes;
    size_t length = last - first;
    if (job->kind == RP_BANDWIDTH_COPY) {
        memcpy(job->destination + first, job->source + first, length);
        return;
    }
    double sum = 0.0;
    if (job->sum != NULL) {
        job->sum(job->source + first, sizeof(double), (int64_t)(length / sizeof(double)),
                 (char *)&sum);
    } else {
        sum = fold_words(job->source + first, length);
    }
    job->partial[worker] += sum;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool valid_request(rp_bandwidth_kind kind, size_t nbytes, int repeats)
{
    return (int)kind >= 0 && kind < RP_NBANDWIDTH_KINDS && nbytes >= 8 && repeats >= 1;
}

rp_status rp_measure_bandwidth_of(rp_bandwidth_kind kind, const void *source, size_t nbytes,
                                  int repeats, double *median_seconds)
{
    if (!valid_request(kind, nbytes, repeats) || source == NULL) {
        return rp_error(RP_ERR_VALUE, "bandwidth: bad kind, source, size (>= 8 bytes) or repeats "
                                      "(>= 1)");
    }
    nbytes = nbytes / 8 * 8;
    pass *job = calloc(1, sizeof *job);
    double *times = malloc((size_t)repeats * sizeof *times);
    char *destination = kind == RP_BANDWIDTH_COPY ? rp_alloc_data(nbytes) : NULL;
    rp_status status = RP_OK;
    if (job == NULL || times == NULL || (kind == RP_BANDWIDTH_COPY && destination == NULL)) {
        status = rp_error(RP_ERR_NOMEM, "bandwidth: cannot allocate %zu bytes", nbytes);
        goto done;
    }
    job->kind = kind;
    job->source = source;
    job->destination = destination;
    job->nbytes = nbytes;
    job->sum = rp_kernels()->reduce[RP_RED_SUM][RP_FLOAT64];
    int64_t chunks = (int64_t)((nbytes + PASS_CHUNK_BYTES - 1) / PASS_CHUNK_BYTES);
    /* A copy moves each byte twice (read and write), as an operation with an output does. */
    int64_t traffic = kind == RP_BANDWIDTH_COPY ? 2 * PASS_CHUNK_BYTES : PASS_CHUNK_BYTES;
    int64_t min_chunks = rp_parallel_min_items(traffic);
    for (int i = -1; i < repeats; i++) {
        double start = now_seconds();
        rp_parallel_for(chunks, min_chunks, run_chunks, job);
        if (i >= 0) {
            times[i] = now_seconds() - start;
        }
    }
    qsort(times, (size_t)repeats, sizeof *times, compare_doubles);
    *median_seconds = repeats % 2 ? times[repeats / 2]
                                  : 0.5 * (times[repeats / 2 - 1] + times[repeats / 2]);
done:
    rp_free_data(destination, nbytes);
    free(times);
    free(job);
    return status;
}

rp_status rp_measure_bandwidth(rp_bandwidth_kind kind, size_t nbytes, int repeats,
                               double *median_seconds)
{
    if (!valid_request(kind, nbytes, repeats)) {
        return rp_error(RP_ERR_VALUE, "bandwidth: bad kind, size (>= 8 bytes) or repeats (>= 1)");
    }
    char *source = rp_alloc_data(nbytes);
    if (source == NULL) {
        return rp_error(RP_ERR_NOMEM, "bandwidth: cannot allocate %zu bytes", nbytes);
    }
    memset(source, 1, nbytes);
    rp_status status = rp_measure_bandwidth_of(kind, source, nbytes, repeats, median_seconds);
    rp_free_data(source, nbytes);
    return status;
}
