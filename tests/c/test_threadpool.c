/*
 * test_threadpool.c — rp_parallel_for and the pool behind it: every item exactly once, worker
 * numbers in range, real splitting, inline cases, many calling threads at once, fork children
 * that compute, thread-count control, the RAPTORS_THREADS default, and the backend counters.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/parallel.h"
#include "raptors/raptors.h"

#include "check.h"
#include "env_probe.h"


/* ----- coverage: each item visited once, workers in range */

typedef struct coverage {
    atomic_uchar *visits;
    int64_t n;
    int bound;                    /* worker must be below this */
    atomic_int bad_worker;
    atomic_int workers_seen;      /* bit per worker (first 31) */
} coverage;

static void count_visits(int64_t begin, int64_t end, int worker, void *context)
{
    coverage *c = context;
    if (begin < 0 || end > c->n || begin >= end || worker < 0 || worker >= c->bound) {
        atomic_store(&c->bad_worker, 1);
        return;
    }
    if (worker < 31) {
        atomic_fetch_or(&c->workers_seen, 1 << worker);
    }
    for (int64_t i = begin; i < end; i++) {
        atomic_fetch_add(&c->visits[i], 1);
    }
}

/* Runs one parallel_for over n items, counting visits in `visits` (n entries, cleared here), and
 * checks exactly-once coverage; returns its result. */
static int run_coverage_in(atomic_uchar *visits, int64_t n, int64_t min_items, int max_workers)
{
    bool plain = max_workers == RP_MAX_THREADS;
    coverage c = {.n = n, .bound = plain ? rp_parallel_threads() : max_workers, .visits = visits};
    for (int64_t i = 0; i < n; i++) {
        atomic_store_explicit(&visits[i], 0, memory_order_relaxed);
    }
    int used = plain ? rp_parallel_for(n, min_items, count_visits, &c)
                     : rp_parallel_for_upto(n, min_items, max_workers, count_visits, &c);
    CHECK(atomic_load(&c.bad_worker) == 0);
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; i++) {
        wrong += atomic_load(&c.visits[i]) != 1;
    }
    CHECK(wrong == 0);
    CHECK(used >= 1 && used <= rp_parallel_threads());
    return used;
}

static int run_coverage(int64_t n, int64_t min_items, int max_workers)
{
    atomic_uchar *visits = malloc((size_t)(n > 0 ? n : 1) * sizeof *visits);
    int used = run_coverage_in(visits, n, min_items, max_workers);
    free(visits);
    return used;
}

static void test_ranges(void)
{
    static const int64_t sizes[] = {0, 1, 2, 3, 7, 8, 9, 31, 64, 100, 1000, 4097, 100003};
    static const int64_t mins[] = {1, 2, 5, 1000, 1 << 20};
    for (int threads = 1; threads <= 5; threads++) {
        CHECK(rp_set_num_threads(threads) == RP_OK);
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
            for (size_t m = 0; m < sizeof mins / sizeof *mins; m++) {
                int used = run_coverage(sizes[s], mins[m], RP_MAX_THREADS);
                /* Split only when each thread gets min_items. */
                CHECK(used == 1 || sizes[s] / mins[m] >= used);
                CHECK(used <= threads);
            }
            run_coverage(sizes[s], 1, 2);
        }
    }
}

/* Many short jobs back to back on more threads than CPUs, with the thread count changing
 * between them: workers often arrive after their job is over, or see the next one being
 * written, and must then claim nothing (their shares taken by the caller or others). */
static void test_rapid_jobs(void)
{
    atomic_uchar visits[64];
    unsigned seed = 12345u;
    for (int round = 0; round < 100000; round++) {
        seed = seed * 1103515245u + 12345u;
        if (round % 100 == 0) {
            CHECK(rp_set_num_threads(2 + (int)(seed >> 16) % 4) == RP_OK);
        }
        run_coverage_in(visits, 1 + (int64_t)(seed >> 8) % 64, 1, RP_MAX_THREADS);
    }
}

/* ----- real splitting: the caller's first task waits until another worker has run a task */

typedef struct rendezvous {
    pthread_t caller;
    atomic_int other_ran;
    atomic_int timed_out;
    atomic_int caller_in_worker_slot;
    atomic_int signals_blocked;
    atomic_int signals_unblocked;
} rendezvous;

static void wait_for_other_worker(int64_t begin, int64_t end, int worker, void *context)
{
    (void)begin;
    (void)end;
    rendezvous *r = context;
    bool on_caller = pthread_equal(pthread_self(), r->caller);
    if (on_caller != (worker == 0)) {
        atomic_store(&r->caller_in_worker_slot, 1);
    }
    if (!on_caller) {
        sigset_t mask;
        pthread_sigmask(SIG_BLOCK, NULL, &mask);
        bool blocked = sigismember(&mask, SIGINT) && sigismember(&mask, SIGTERM) &&
                       sigismember(&mask, SIGCHLD);
        atomic_fetch_add(blocked ? &r->signals_blocked : &r->signals_unblocked, 1);
        atomic_store(&r->other_ran, 1);
        return;
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!atomic_load(&r->other_ran)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 10) {
            atomic_store(&r->timed_out, 1);
            return;
        }
        sched_yield();
    }
}

/* True when a 2-thread job really ran part of its work on a pool worker. */
static bool pool_participates(void)
{
    rendezvous r = {.caller = pthread_self()};
    int used = rp_parallel_for(64, 1, wait_for_other_worker, &r);
    CHECK(used == 2);
    CHECK(atomic_load(&r.caller_in_worker_slot) == 0);
    CHECK(atomic_load(&r.signals_unblocked) == 0 && atomic_load(&r.signals_blocked) > 0);
    return used == 2 && atomic_load(&r.other_ran) && !atomic_load(&r.timed_out);
}

static void test_workers_participate(void)
{
    CHECK(rp_set_num_threads(2) == RP_OK);
    uint64_t jobs_before = rp_parallel_jobs_run();
    CHECK(pool_participates());
    CHECK(rp_parallel_jobs_run() == jobs_before + 1);
    /* Again after the workers have gone to sleep. */
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
    CHECK(pool_participates());
}

/* ----- placement: each worker starts on its own contiguous part */

typedef struct placement {
    pthread_t caller;
    atomic_llong first_begin[2];  /* per worker: the begin of its first task, or -1 */
    atomic_int worker_ran;
} placement;

/* The caller's first task waits for worker 1's first task, so neither can have taken the
 * other's part before starting on its own. */
static void record_first_task(int64_t begin, int64_t end, int worker, void *context)
{
    (void)end;
    placement *p = context;
    long long unset = -1;
    bool first = atomic_compare_exchange_strong(&p->first_begin[worker], &unset, begin);
    if (worker == 1) {
        atomic_store(&p->worker_ran, 1);
        return;
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (first && !atomic_load(&p->worker_ran)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 10) {
            return;
        }
        sched_yield();
    }
}

static void test_placement(void)
{
    CHECK(rp_set_num_threads(2) == RP_OK);
    for (int round = 0; round < 3; round++) {
        placement p = {.caller = pthread_self()};
        atomic_init(&p.first_begin[0], -1);
        atomic_init(&p.first_begin[1], -1);
        int used = rp_parallel_for(1000, 1, record_first_task, &p);
        CHECK(used == 2);
        CHECK(atomic_load(&p.worker_ran) == 1);
        CHECK(atomic_load(&p.first_begin[0]) == 0);
        /* Worker 1's part starts half way, rounded to the task size. */
        long long second = atomic_load(&p.first_begin[1]);
        CHECK(second >= 400 && second <= 600);
    }
}

/* ----- nested calls run inline on the same thread */

typedef struct nested {
    atomic_int inner_threads_wrong;
    atomic_llong inner_items;
} nested;

static void inner_fn(int64_t begin, int64_t end, int worker, void *context)
{
    nested *n = context;
    if (worker != 0) {
        atomic_store(&n->inner_threads_wrong, 1);
    }
    atomic_fetch_add(&n->inner_items, end - begin);
}

static void outer_fn(int64_t begin, int64_t end, int worker, void *context)
{
    (void)worker;
    for (int64_t i = begin; i < end; i++) {
        int used = rp_parallel_for(1000, 1, inner_fn, context);
        if (used != 1) {
            atomic_store(&((nested *)context)->inner_threads_wrong, 1);
        }
    }
}

static void test_nested(void)
{
    CHECK(rp_set_num_threads(4) == RP_OK);
    nested n = {0};
    rp_parallel_for(40, 1, outer_fn, &n);
    CHECK(atomic_load(&n.inner_threads_wrong) == 0);
    CHECK(atomic_load(&n.inner_items) == 40 * 1000);
}

/* ----- many calling threads at once */

static void *hammer(void *argument)
{
    unsigned seed = (unsigned)(uintptr_t)argument;
    for (int round = 0; round < 300; round++) {
        seed = seed * 1103515245u + 12345u;
        int64_t n = (int64_t)(seed >> 8) % 5000;
        int64_t min_items = 1 + (int64_t)(seed >> 20) % 64;
        run_coverage(n, min_items, RP_MAX_THREADS);
    }
    return NULL;
}

static void test_concurrent_callers(void)
{
    CHECK(rp_set_num_threads(3) == RP_OK);
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) {
        CHECK(pthread_create(&threads[i], NULL, hammer, (void *)(uintptr_t)(i + 1)) == 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
    }
}

/* ----- fork: the child computes with its own pool; the parent's keeps working */

static atomic_int keep_hammering;
/* Static, not heap: a fork child inherits the hammering thread's memory but not the thread, so a
 * heap block it was using would be an unreachable block (a leak report under valgrind) there. */
static atomic_uchar hammer_visits[20000];

static void *hammer_until_told(void *argument)
{
    (void)argument;
    while (atomic_load(&keep_hammering)) {
        run_coverage_in(hammer_visits, 20000, 16, RP_MAX_THREADS);
    }
    return NULL;
}

/* Forks; the child checks that its pool splits work and covers every item, exiting 0 on
 * success. The parent waits for it. */
static void fork_and_compute_in_child(void)
{
    fflush(stderr);
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        alarm(20); /* a hang in the child fails the test instead of blocking it */
        int before = atomic_load(&failures);
        bool participates = pool_participates();
        run_coverage(100003, 7, RP_MAX_THREADS);
        _exit(participates && atomic_load(&failures) == before ? 0 : 1);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void *do_nothing(void *argument) { return argument; }

/* Whether a fork child of this multi-threaded process can start a thread at all, Raptors aside.
 * ThreadSanitizer refuses by design (it cannot follow threads started after such a fork), and
 * qemu-user 7.2 cannot (an assertion in its plugin code aborts the child). So in a
 * -fsanitize=thread build the fork tests are skipped with a note, and under an emulator
 * (RAPTORS_TEST_EMULATOR, set by scripts/cross_aarch64.sh) a failed probe skips them with a
 * note; anywhere else nothing is consulted and the tests run. */
static bool fork_children_can_run_threads(void)
{
#if defined(__SANITIZE_THREAD__)
    printf("note: ThreadSanitizer cannot follow threads started in a fork child; skipping the "
           "fork tests\n");
    return false;
#endif
    if (getenv("RAPTORS_TEST_EMULATOR") == NULL) {
        return true;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    if (child == 0) {
        pthread_t thread;
        bool ok = pthread_create(&thread, NULL, do_nothing, NULL) == 0 &&
                  pthread_join(thread, NULL) == 0;
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    bool ok = child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0;
    if (!ok) {
        printf("note: a fork child cannot start threads under %s; skipping the fork tests\n",
               getenv("RAPTORS_TEST_EMULATOR"));
    }
    return ok;
}

static void test_fork(void)
{
    CHECK(rp_set_num_threads(2) == RP_OK);
    CHECK(pool_participates()); /* the parent's pool exists and has run */
    if (!fork_children_can_run_threads()) {
        return;
    }
    fork_and_compute_in_child();
    CHECK(pool_participates());

    /* Fork while another thread keeps submitting jobs. */
    atomic_store(&keep_hammering, 1);
    pthread_t busy;
    CHECK(pthread_create(&busy, NULL, hammer_until_told, NULL) == 0);
    for (int i = 0; i < 5; i++) {
        fork_and_compute_in_child();
    }
    atomic_store(&keep_hammering, 0);
    pthread_join(busy, NULL);
    CHECK(pool_participates());
}

/* ----- backend counters: exact under concurrent recording */

static void *record_many(void *argument)
{
    (void)argument;
    for (int i = 0; i < 10000; i++) {
        rp_stats_record(RP_STATS_BINARY, 0, RP_BACKEND_PARALLEL_SIMD); /* op 0 is "add" */
    }
    return NULL;
}

static void test_counters(void)
{
    rp_stats_reset();
    rp_stats_entry entries[8];
    CHECK(rp_stats_snapshot(entries, 8) == 0);
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_create(&threads[i], NULL, record_many, NULL) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
    }
    rp_stats_record(RP_STATS_REDUCE, 0, rp_backend_for(true, 1));
    rp_stats_record(RP_STATS_COPY, 99, rp_backend_for(false, 3));
    rp_stats_record(RP_STATS_BINARY, 1000, RP_BACKEND_SIMD);          /* ignored */
    rp_stats_record(RP_STATS_BINARY, 0, (rp_backend)RP_NBACKENDS);    /* ignored */
    int count = rp_stats_snapshot(entries, 8);
    CHECK(count == 3);
    for (int i = 0; i < count && i < 8; i++) {
        uint64_t total = 0;
        for (int b = 0; b < RP_NBACKENDS; b++) {
            total += entries[i].runs[b];
        }
        if (strcmp(entries[i].name, "add") == 0) {
            CHECK(entries[i].runs[RP_BACKEND_PARALLEL_SIMD] == 40000 && total == 40000);
        } else if (strcmp(entries[i].name, "sum") == 0) {
            CHECK(entries[i].runs[RP_BACKEND_SIMD] == 1 && total == 1);
        } else {
            CHECK(strcmp(entries[i].name, "copy") == 0);
            CHECK(entries[i].runs[RP_BACKEND_PARALLEL_SCALAR] == 1 && total == 1);
        }
    }
    CHECK(strcmp(rp_backend_name(RP_BACKEND_PARALLEL_SIMD), "parallel_simd") == 0);
    CHECK(rp_stats_snapshot(entries, 1) == 3); /* the count even when capacity is short */
    rp_stats_reset();
    CHECK(rp_stats_snapshot(entries, 8) == 0);
}

/* ----- thread count control and the environment default */

static void test_thread_count(void)
{
    CHECK(rp_set_num_threads(0) == RP_ERR_VALUE);
    CHECK(rp_set_num_threads(-3) == RP_ERR_VALUE);
    CHECK(rp_set_num_threads(RP_MAX_THREADS + 1) == RP_ERR_VALUE);
    CHECK(rp_set_num_threads(7) == RP_OK && rp_get_num_threads() == 7);
    CHECK(rp_parallel_threads() == 7);
    CHECK(rp_set_num_threads(1) == RP_OK && rp_get_num_threads() == 1);
    CHECK(run_coverage(1000000, 1, RP_MAX_THREADS) == 1);
    CHECK(rp_parallel_min_items(8) * 8 >= rp_parallel_grain_bytes());
    CHECK(rp_parallel_min_items(1 << 30) == 1);
}

static int64_t thread_count(void)
{
    return rp_get_num_threads();
}

/* The thread count a fresh process starts with under RAPTORS_THREADS=env_value (NULL: unset):
 * a forked child sets the variable before anything reads the count (so this test runs first). */
static int threads_in_child(const char *env_value)
{
    return (int)probe_in_child("RAPTORS_THREADS", env_value, thread_count);
}

static void test_environment_default(void)
{
    cpu_set_t set;
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    int cpus = CPU_COUNT(&set);
    CHECK(threads_in_child("3") == 3);
    CHECK(threads_in_child("1") == 1);
    CHECK(threads_in_child(NULL) == cpus);
    CHECK(threads_in_child("zero") == cpus);
    CHECK(threads_in_child("0") == cpus);
    CHECK(threads_in_child("4x") == cpus);
}

int main(void)
{
    test_environment_default(); /* first: it needs a process that has not read the count */
    test_thread_count();
    test_ranges();
    test_rapid_jobs();
    test_workers_participate();
    test_placement();
    test_nested();
    test_concurrent_callers();
    test_fork();
    test_counters();
    return check_report("test_threadpool");
}
