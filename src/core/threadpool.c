/*
 * threadpool.c — persistent pthread workers that execute one job at a time.
 *
 * Not OpenMP: libgomp's pool hangs a child process that computes after fork(). This pool is
 * freed in a fork child (pthread_atfork, backed by a check of the creator's pid) and rebuilt
 * there on first use; the parent's pool is untouched. Workers block every signal so signal
 * handlers (Python's included) always run on application threads, and they poll briefly after a
 * job before sleeping, so back-to-back operations do not pay a wake-up each.
 *
 * Protocol. The caller, holding `submit`, publishes a job under `lock` and bumps `generation`.
 * A worker that sees a new generation joins under `lock` when it is one of the job's designated
 * workers and the job is still open, takes tasks until none are left (first from its own share,
 * a fixed contiguous range, then from the others' shares), then leaves under `lock`. When the
 * caller has run out of tasks it closes the job (later wake-ups join nothing) and waits for
 * every joined worker to leave; only then may the job, which lives on the caller's stack, go
 * away (the shares live in the pool, owned by the holder of `submit`). A caller that finds the pool busy runs its job
 * inline, so concurrent callers never wait for each other.
 */
#include "threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "raptors/runtime.h"

/* Tasks per thread: enough for dynamic balancing when one thread is descheduled, few enough
 * that each task is still a long streaming run. */
enum { TASKS_PER_THREAD = 8 };
/* How long an idle worker, or a caller waiting for workers, polls before sleeping. */
static const int64_t SPIN_NANOSECONDS = 200 * 1000;
/* How long polling goes on before it starts yielding the CPU between polls. */
static const int64_t YIELD_AFTER_NANOSECONDS = 20 * 1000;

/* One thread's share of a job's tasks: [next, end) are still unclaimed. Padded to a cache line
 * so that claims by different threads never contend for one line. */
typedef struct share {
    _Alignas(64) atomic_llong next;
    int64_t end;
} share;

typedef struct job {
    rp_range_fn fn;
    void *context;
    int64_t n_items, chunk;
    int threads;                  /* shares in use: the caller's (0) and its workers' */
    share *shares;                /* the pool's, one per thread */
    atomic_int joined;            /* workers inside the job; changed under pool.lock */
} job;

typedef struct pool {
    pid_t owner;                  /* the process these threads belong to */
    pthread_mutex_t submit;       /* held by the caller whose job is in the pool */
    pthread_mutex_t lock;         /* guards current, current_workers and joins/leaves */
    pthread_cond_t wake;          /* idle workers sleep here */
    pthread_cond_t left;          /* a caller waiting for workers to leave sleeps here */
    atomic_ulong generation;      /* bumped once per published job */
    job *current;                 /* the open job, or NULL */
    int current_workers;          /* workers 1..current_workers may join `current` */
    int n_workers;                /* threads started, ids 1..n_workers; changed under submit */
    share shares[RP_MAX_THREADS]; /* the current job's, used under submit */
} pool;

typedef struct worker_start {
    pool *pool;
    int id;
    unsigned long generation;     /* the generation at creation: jobs after it are new */
    int creator_cpu;              /* where the creating thread ran, or -1 if unknown */
} worker_start;

static _Atomic(pool *) the_pool;
static pthread_mutex_t create_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static atomic_ullong jobs_run;
static _Thread_local bool in_job;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Called now and then by a polling loop (`*started` is 0 at its first call): true once the loop
 * has polled for SPIN_NANOSECONDS. Past YIELD_AFTER_NANOSECONDS it also yields the CPU, because
 * a long wait often means the thread it waits for shares this CPU (the scheduler places a new
 * worker beside its creator for tens of milliseconds), and polling would then hold that thread
 * off for a whole time slice. Short waits never yield: a yield costs about a microsecond. */
static bool spin_expired(int64_t *started)
{
    int64_t now = now_ns();
    if (*started == 0) {
        *started = now;
        return false;
    }
    if (now - *started > YIELD_AFTER_NANOSECONDS) {
        sched_yield();
    }
    return now - *started > SPIN_NANOSECONDS;
}

/* Polls until *value differs from `seen` or the spin time is over; true if it changed. */
static bool spin_until_changed(atomic_ulong *value, unsigned long seen)
{
    int64_t started = 0;
    for (unsigned i = 0;; i++) {
        if (atomic_load_explicit(value, memory_order_acquire) != seen) {
            return true;
        }
        if ((i & 63) == 0 && spin_expired(&started)) {
            return false;
        }
        cpu_relax();
    }
}

/* Polls until *count is zero or the spin time is over; true if it reached zero. */
static bool spin_until_zero(atomic_int *count)
{
    int64_t started = 0;
    for (unsigned i = 0;; i++) {
        if (atomic_load_explicit(count, memory_order_acquire) == 0) {
            return true;
        }
        if ((i & 63) == 0 && spin_expired(&started)) {
            return false;
        }
        cpu_relax();
    }
}

/* Runs the tasks of thread `worker`'s own share, then helps with the others' in turn. Shares
 * are the same contiguous ranges on every call of the same size, so a thread that repeats an
 * operation finds its part of the data still in its own cache; taking from the others' shares
 * keeps a descheduled or late thread from holding up the job. */
static void run_tasks(job *j, int worker)
{
    for (int k = 0; k < j->threads; k++) {
        share *own = &j->shares[(worker + k) % j->threads];
        for (;;) {
            int64_t task = atomic_fetch_add_explicit(&own->next, 1, memory_order_relaxed);
            if (task >= own->end) {
                break;
            }
            int64_t begin = task * j->chunk;
            int64_t end = j->n_items - begin < j->chunk ? j->n_items : begin + j->chunk;
            j->fn(begin, end, worker, j->context);
        }
    }
}

static void wait_for_new_generation(pool *p, unsigned long seen)
{
    if (spin_until_changed(&p->generation, seen)) {
        return;
    }
    pthread_mutex_lock(&p->lock);
    while (atomic_load(&p->generation) == seen) {
        pthread_cond_wait(&p->wake, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
}

/* Moves the calling thread off `cpu` once, leaving its affinity as it was. A new worker often
 * starts on its creator's CPU, and the scheduler is slow to separate two threads that both keep
 * running (each stays "cache hot"): for tens of milliseconds they would share one CPU while the
 * others idle. Narrowing the mask for a moment moves the worker now; restoring it afterwards
 * lets the scheduler place it freely from then on. */
static void leave_cpu(int cpu)
{
    cpu_set_t allowed;
    if (cpu < 0 || sched_getaffinity(0, sizeof allowed, &allowed) != 0 ||
        !CPU_ISSET(cpu, &allowed) || CPU_COUNT(&allowed) < 2 || sched_getcpu() != cpu) {
        return;
    }
    cpu_set_t others = allowed;
    CPU_CLR(cpu, &others);
    if (sched_setaffinity(0, sizeof others, &others) == 0) {
        sched_setaffinity(0, sizeof allowed, &allowed);
    }
}

static void *worker_main(void *argument)
{
    worker_start start = *(worker_start *)argument;
    free(argument);
    pool *p = start.pool;
    unsigned long seen = start.generation;
    pthread_setname_np(pthread_self(), "raptors-worker");
    leave_cpu(start.creator_cpu);
    in_job = true; /* anything a task calls runs inline: workers never wait on the pool */
    for (;;) {
        wait_for_new_generation(p, seen);
        pthread_mutex_lock(&p->lock);
        seen = atomic_load(&p->generation);
        job *j = p->current;
        bool joins = j != NULL && start.id <= p->current_workers;
        if (joins) {
            atomic_fetch_add(&j->joined, 1);
        }
        pthread_mutex_unlock(&p->lock);
        if (!joins) {
            continue;
        }
        run_tasks(j, start.id);
        pthread_mutex_lock(&p->lock);
        if (atomic_fetch_sub(&j->joined, 1) == 1) {
            pthread_cond_broadcast(&p->left);
        }
        pthread_mutex_unlock(&p->lock);
    }
    return NULL;
}

/* Starts workers until there are `wanted` (caller holds submit); returns how many exist. */
static int ensure_workers(pool *p, int wanted)
{
    if (p->n_workers >= wanted) {
        return p->n_workers;
    }
    /* New threads inherit the creator's signal mask: block everything while creating them. */
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    while (p->n_workers < wanted) {
        worker_start *start = malloc(sizeof *start);
        if (start == NULL) {
            break;
        }
        start->pool = p;
        start->id = p->n_workers + 1;
        start->generation = atomic_load(&p->generation);
        start->creator_cpu = sched_getcpu();
        pthread_t thread;
        if (pthread_create(&thread, &attributes, worker_main, start) != 0) {
            free(start);
            break;
        }
        p->n_workers++;
    }
    pthread_attr_destroy(&attributes);
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    return p->n_workers;
}

/* Fork handlers: the child must not inherit a locked create_lock nor a pool whose threads do
 * not exist there. The child frees its copy of the parent's pool object without destroying its
 * mutexes and condition variables (another parent thread may have held them at the fork, and
 * nothing in the child waits on them); glibc makes malloc usable before child handlers run. The
 * parent keeps using its own pool. */
static void before_fork(void) { pthread_mutex_lock(&create_lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&create_lock); }
static void after_fork_child(void)
{
    free(atomic_exchange(&the_pool, NULL));
    pthread_mutex_unlock(&create_lock);
}

static void register_fork_handlers(void)
{
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

static pool *create_pool(void)
{
    /* aligned_alloc: the shares are cache-line aligned (sizeof(pool) is a multiple of 64). */
    pool *p = aligned_alloc(_Alignof(pool), sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    memset(p, 0, sizeof *p);
    p->owner = getpid();
    pthread_mutex_init(&p->submit, NULL);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->left, NULL);
    atomic_init(&p->generation, 0);
    return p;
}

/* This process's pool, created on first use (also the first use after a fork); NULL if even the
 * pool object cannot be allocated. */
static pool *get_pool(void)
{
    pool *p = atomic_load_explicit(&the_pool, memory_order_acquire);
    if (p != NULL && p->owner == getpid()) {
        return p;
    }
    pthread_once(&atfork_once, register_fork_handlers);
    pthread_mutex_lock(&create_lock);
    p = atomic_load(&the_pool);
    if (p == NULL || p->owner != getpid()) {
        /* A pool from another pid came through a fork that bypassed the handlers: forget it
         * (not free: such a child may share the parent's memory, e.g. clone with CLONE_VM). */
        p = create_pool();
        atomic_store_explicit(&the_pool, p, memory_order_release);
    }
    pthread_mutex_unlock(&create_lock);
    return p;
}

int rp_pool_run(int threads, int64_t n_items, rp_range_fn fn, void *context)
{
    pool *p = get_pool();
    if (p == NULL || pthread_mutex_trylock(&p->submit) != 0) {
        return 0;
    }
    int workers = ensure_workers(p, threads - 1);
    if (workers < 1) {
        pthread_mutex_unlock(&p->submit);
        return 0;
    }
    if (threads - 1 > workers) {
        threads = workers + 1;
    }
    job j = {.fn = fn, .context = context, .n_items = n_items, .threads = threads,
             .shares = p->shares};
    int64_t most_tasks = (int64_t)threads * TASKS_PER_THREAD;
    int64_t n_tasks = n_items < most_tasks ? n_items : most_tasks;
    j.chunk = (n_items + n_tasks - 1) / n_tasks;
    n_tasks = (n_items + j.chunk - 1) / j.chunk;
    for (int t = 0; t < threads; t++) { /* thread t owns tasks [t*n/T, (t+1)*n/T) */
        atomic_store_explicit(&p->shares[t].next, n_tasks * t / threads, memory_order_relaxed);
        p->shares[t].end = n_tasks * (t + 1) / threads;
    }
    atomic_init(&j.joined, 0);

    pthread_mutex_lock(&p->lock);
    p->current = &j;
    p->current_workers = threads - 1;
    atomic_fetch_add(&p->generation, 1);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);

    in_job = true;
    run_tasks(&j, 0);
    in_job = false;

    pthread_mutex_lock(&p->lock);
    p->current = NULL; /* closed: a worker waking from now on joins nothing */
    pthread_mutex_unlock(&p->lock);
    if (!spin_until_zero(&j.joined)) {
        pthread_mutex_lock(&p->lock);
        while (atomic_load(&j.joined) > 0) {
            pthread_cond_wait(&p->left, &p->lock);
        }
        pthread_mutex_unlock(&p->lock);
    }
    atomic_fetch_add_explicit(&jobs_run, 1, memory_order_relaxed);
    pthread_mutex_unlock(&p->submit);
    return threads;
}

bool rp_pool_in_job(void) { return in_job; }

uint64_t rp_pool_jobs_run(void) { return atomic_load_explicit(&jobs_run, memory_order_relaxed); }
