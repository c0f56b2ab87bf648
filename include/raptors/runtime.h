/*
 * runtime.h — the public controls and diagnostics of the Raptors performance engine.
 *
 * Three process-wide facilities sit under every computation: the thread pool, the cache of freed
 * large data buffers, and the choice of SIMD kernels. This header lets a C program size, inspect
 * and reset them, and read the counters of which backend ran each operation. All functions here
 * are safe to call from any thread. Included by raptors.h.
 */
#ifndef RAPTORS_RUNTIME_H
#define RAPTORS_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "raptors/raptors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== threads */

/* The most threads the pool will run; larger requests are an error. */
#define RP_MAX_THREADS 1024

/* Sets how many threads (the caller included) later operations may use. Takes effect for the
 * next operation; worker threads are started lazily. Errors: RP_ERR_VALUE unless
 * 1 <= n <= RP_MAX_THREADS. */
rp_status rp_set_num_threads(int n);
/* The current thread count (>= 1). Before any rp_set_num_threads it is RAPTORS_THREADS from the
 * environment when that is a valid count, otherwise the number of CPUs this process may run on
 * (its affinity mask). */
int rp_get_num_threads(void);

/* ===================================================================== buffer cache */

/* A snapshot of the cache of freed large data buffers. */
typedef struct rp_cache_stats {
    size_t bytes_held;     /* bytes of free blocks waiting in the cache */
    size_t blocks_held;    /* number of those blocks */
    size_t limit;          /* the most bytes it may hold; 0 disables the cache */
    size_t min_block;      /* requests at least this large are served and kept by the cache */
    uint64_t hits;         /* large allocations served from the cache */
    uint64_t misses;       /* large allocations that needed fresh memory */
    uint64_t evictions;    /* blocks returned to the system to respect the limit */
} rp_cache_stats;

/* Fills *out with the current counters. */
void rp_cache_info(rp_cache_stats *out);
/* Returns every cached block to the system (the counters are kept). */
void rp_cache_clear(void);
/* Sets the cache's capacity in bytes (0 disables it), evicting blocks beyond it. The initial
 * limit is RAPTORS_CACHE_MB mebibytes when set, else min(1 GiB, physical memory / 16). */
void rp_cache_set_limit(size_t bytes);

/* ===================================================================== SIMD kernels */

/* The instruction set whose kernels run now: "scalar", "avx2", "avx512" or "neon". */
const char *rp_simd_isa(void);
/* Writes up to `capacity` names of the instruction sets this build carries and this CPU runs,
 * best last ("scalar" always first), and returns how many there are. */
int rp_simd_available(const char **names, int capacity);
/* Switches every later operation to the kernels of `isa` (a name as above). Meant for tests and
 * diagnostics; operations already running finish with the kernels they started with. Errors:
 * RP_ERR_VALUE for an unknown name or an instruction set this build or CPU lacks. */
rp_status rp_simd_select(const char *isa);
/* RP_OK when this CPU runs the build's baseline code (plain x86-64 or aarch64); otherwise
 * RP_ERR_INTERNAL naming the missing feature. The Python module refuses to import then. */
rp_status rp_simd_check_baseline(void);

/* ===================================================================== machine and thresholds */

/* What the engine knows about the machine and the thresholds it derives from it. */
typedef struct rp_runtime_info {
    int64_t l1d_bytes, l2_bytes, l3_bytes;  /* per-CPU data cache sizes; 0 when unknown */
    int64_t memory_bytes;                   /* physical memory; 0 when unknown */
    int64_t page_bytes, huge_page_bytes;    /* huge_page_bytes 0: no transparent huge pages */
    int cpus;                               /* CPUs in this process's affinity mask */
    int threads;                            /* rp_get_num_threads() */
    int64_t grain_bytes;                    /* memory traffic a thread needs before a split */
    int64_t stream_bytes;                   /* working sets above this bypass the cache */
    uint64_t parallel_jobs;                 /* jobs split across the pool so far */
} rp_runtime_info;

/* Fills *out. */
void rp_get_runtime_info(rp_runtime_info *out);

/* What a bandwidth pass does with its working set. */
typedef enum rp_bandwidth_kind {
    RP_BANDWIDTH_READ = 0,   /* stream-read nbytes (a float64 sum) */
    RP_BANDWIDTH_COPY,       /* read nbytes and write them to a second buffer */
    RP_NBANDWIDTH_KINDS
} rp_bandwidth_kind;

/* Times `repeats` passes over a working set of `nbytes` (after one untimed pass that maps and
 * warms it), split across the pool exactly as an operation of that size would be, and writes
 * the median seconds per pass. The buffers are allocated once per call, so passes reuse them.
 * This is the floor an operation that moves the same bytes cannot beat. Errors: RP_ERR_VALUE
 * (unknown kind, nbytes < 8, repeats < 1), RP_ERR_NOMEM. */
rp_status rp_measure_bandwidth(rp_bandwidth_kind kind, size_t nbytes, int repeats,
                               double *median_seconds);
/* The same passes over the caller's `source` (nbytes readable bytes; a copy writes to a buffer
 * of its own): a benchmark can time the very memory an operation reads, in the cache state it
 * is in. */
rp_status rp_measure_bandwidth_of(rp_bandwidth_kind kind, const void *source, size_t nbytes,
                                  int repeats, double *median_seconds);

/* ===================================================================== backend counters */

/* How an operation ran. */
typedef enum rp_backend {
    RP_BACKEND_SCALAR = 0,        /* portable loop, one thread */
    RP_BACKEND_SIMD,              /* ISA-specific loop, one thread */
    RP_BACKEND_PARALLEL_SCALAR,   /* portable loop, split across the pool */
    RP_BACKEND_PARALLEL_SIMD,     /* ISA-specific loop, split across the pool */
    RP_NBACKENDS
} rp_backend;

/* The family an operation's number belongs to (the op enums of the kernel interface). */
typedef enum rp_stats_family {
    RP_STATS_BINARY = 0,          /* op is an rp_binary_op */
    RP_STATS_UNARY,               /* op is an rp_unary_op */
    RP_STATS_REDUCE,              /* op is an rp_reduce_op */
    RP_STATS_COPY,                /* copies and casts; op is ignored */
    RP_NSTATS_FAMILIES
} rp_stats_family;

/* Counts one run of operation `op` of `family` on `backend`. Lock-free; out-of-range arguments
 * are ignored. */
void rp_stats_record(rp_stats_family family, int op, rp_backend backend);
/* The backend of a run that used an ISA-specific loop or not (`simd`) on `threads_used` threads
 * (what rp_parallel_for returned). */
rp_backend rp_backend_for(bool simd, int threads_used);

/* One operation's counters, as reported by rp_stats_snapshot. */
typedef struct rp_stats_entry {
    const char *name;             /* NumPy's name for the operation ("add", "sum", "copy") */
    uint64_t runs[RP_NBACKENDS];  /* indexed by rp_backend */
} rp_stats_entry;

/* Writes up to `capacity` entries for the operations that ran at least once and returns how
 * many such operations there are. */
int rp_stats_snapshot(rp_stats_entry *out, int capacity);
/* The name of a backend ("scalar", "simd", "parallel_scalar", "parallel_simd"). */
const char *rp_backend_name(rp_backend backend);
/* Sets every counter to zero. */
void rp_stats_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* RAPTORS_RUNTIME_H */
