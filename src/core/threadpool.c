/*
 * threadpool.c — persistent pthread workers that execute one job at a time.
 *
 * Not OpenMP: libgomp's pool hangs a child process that computes after fork(). This pool is
 * freed in a fork child (pthread_atfork, backed by a check of the creator's pid) and rebuilt
 * there on first use; the parent's pool is untouched. Workers block every signal so signal
 * handlers (Python's included) always run on application threads, and they poll briefly after a
 * job before sleeping, so back-to-back operations do not pay a wake-up each.
 *
 * Protocol. Every step that the caller or a worker waits on is one cache line moving between
 * cores, and on a machine whose cores sit on different dies each move costs hundreds of
 * nanoseconds, so the protocol keeps them few and takes no lock on the fast path:
 *   - The caller (holding `submit`) writes the job into the pool's job line, seqlock-style: the
 *     sequence is odd while it writes, then 2 * g for job g. Workers poll that one line.
 *   - Each thread t owns a fixed contiguous share of the tasks and a slot line whose claim word
 *     holds (job tag, next task of the share). A task is claimed by compare-and-swap: a word
 *     tagged with an older job counts as the share untouched, one tagged with a newer job means
 *     this job is over. So a late worker claims nothing, and the caller can take a sleeping
 *     worker's whole share without waiting for it to wake.
 *   - A worker counts the tasks it finished in its slot (tag, count); the job is done when the
 *     caller's own count plus the workers' counts for its tag reach the number of tasks. Only
 *     then may the job's context (on the caller's stack) go away; a worker touches it only
 *     while running a task it claimed.
 * Sleeping (a worker between jobs, the caller waiting for the last task) goes through `lock` and
 * condition variables, with seq_cst flags that tell the other side to signal.
 * A caller that finds the pool busy runs its job inline, so concurrent callers never wait for
 * each other.
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

/* One thread's line: the claim word of its share and its count of finished tasks, each as
 * (job tag << 32) | number. The caller reads both at the end of a job: one line to move. */
typedef struct slot {
    _Alignas(64) atomic_ullong claim;   /* written by whoever claims from this share */
    atomic_ullong finished;             /* written by the owner only (workers; the caller counts
                                         * its own in a local) */
} slot;

/* The published job, one line. The fields are atomics because a late worker may read them while
 * the next job is written; it then sees the sequence change and drops what it read. */
typedef struct job_line {
    _Alignas(64) atomic_ulong sequence; /* odd while written; 2 * g once job g is published */
    _Atomic(rp_range_fn) fn;
    _Atomic(void *) context;
    atomic_llong n_items, chunk, n_tasks;
    atomic_int threads;                 /* the caller (0) and workers 1..threads-1 */
} job_line;

/* A thread's private copy of a job. */
typedef struct job {
    uint32_t tag;                       /* g's low 32 bits */
    rp_range_fn fn;
    void *context;
    int64_t n_items, chunk, n_tasks;
    int threads;
} job;

typedef struct pool {
    job_line published;
    slot slots[RP_MAX_THREADS];         /* [0] is the caller's */
    pid_t owner;                        /* the process these threads belong to */
    pthread_mutex_t submit;             /* held by the caller whose job is in the pool */
    unsigned long jobs;                 /* jobs published; changed under submit */
    int n_workers;                      /* threads started, ids 1..n_workers; under submit */
    pthread_mutex_t lock;               /* for the sleeps below */
    pthread_cond_t wake;                /* idle workers sleep here */
    pthread_cond_t finished;            /* a caller waiting for the last tasks sleeps here */
    _Alignas(64) atomic_int sleepers;   /* workers inside the sleep on `wake` */
    atomic_int caller_sleeping;         /* 1 while the caller sleeps on `finished` */
} pool;

typedef struct worker_start {
    pool *pool;
    int id;
    unsigned long sequence;       /* the job sequence at creation: jobs after it are new */
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

/* ----- the job line */

/* Writes job j as the pool's next job (caller, holding submit), then wakes sleeping workers. */
static void publish(pool *p, const job *j, unsigned long sequence)
{
    job_line *line = &p->published;
    atomic_store_explicit(&line->sequence, sequence - 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release); /* a reader of any field below sees it odd */
    atomic_store_explicit(&line->fn, j->fn, memory_order_relaxed);
    atomic_store_explicit(&line->context, j->context, memory_order_relaxed);
    atomic_store_explicit(&line->n_items, j->n_items, memory_order_relaxed);
    atomic_store_explicit(&line->chunk, j->chunk, memory_order_relaxed);
    atomic_store_explicit(&line->n_tasks, j->n_tasks, memory_order_relaxed);
    atomic_store_explicit(&line->threads, j->threads, memory_order_relaxed);
    /* seq_cst, as is the sleepers load: a worker either sees this job before sleeping or is
     * counted in sleepers (it counts itself before its last look). */
    atomic_store(&line->sequence, sequence);
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
}

/* Copies the job published as `sequence`; false if another was published meanwhile. */
static bool read_job(pool *p, unsigned long sequence, job *j)
{
    job_line *line = &p->published;
    j->tag = (uint32_t)(sequence / 2);
    j->fn = atomic_load_explicit(&line->fn, memory_order_relaxed);
    j->context = atomic_load_explicit(&line->context, memory_order_relaxed);
    j->n_items = atomic_load_explicit(&line->n_items, memory_order_relaxed);
    j->chunk = atomic_load_explicit(&line->chunk, memory_order_relaxed);
    j->n_tasks = atomic_load_explicit(&line->n_tasks, memory_order_relaxed);
    j->threads = atomic_load_explicit(&line->threads, memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&line->sequence, memory_order_relaxed) == sequence;
}

static bool is_new_job(unsigned long sequence, unsigned long seen)
{
    return sequence != seen && sequence % 2 == 0;
}

/* The sequence of the first job published after `seen`: polled for a while, then slept for. */
static unsigned long wait_for_job(pool *p, unsigned long seen)
{
    int64_t started = 0;
    for (unsigned i = 0;; i++) {
        unsigned long now = atomic_load_explicit(&p->published.sequence, memory_order_acquire);
        if (is_new_job(now, seen)) {
            return now;
        }
        if ((i & 63) == 0 && spin_expired(&started)) {
            break;
        }
        cpu_relax();
    }
    atomic_fetch_add(&p->sleepers, 1);
    pthread_mutex_lock(&p->lock);
    unsigned long now;
    while (!is_new_job(now = atomic_load(&p->published.sequence), seen)) {
        pthread_cond_wait(&p->wake, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    atomic_fetch_sub(&p->sleepers, 1);
    return now;
}

/* ----- tasks */

static uint32_t word_tag(unsigned long long word) { return (uint32_t)(word >> 32); }
static int64_t word_number(unsigned long long word) { return (int64_t)(word & 0xffffffffu); }
static unsigned long long make_word(uint32_t tag, int64_t number)
{
    return (unsigned long long)tag << 32 | (unsigned long long)number;
}

/* Claims the next task of a share whose tasks are [first, last) in job `tag`; -1 if none is
 * left or the job is over. */
static int64_t claim_task(atomic_ullong *claim, uint32_t tag, int64_t first, int64_t last)
{
    if (first >= last) {
        return -1;
    }
    unsigned long long seen = atomic_load_explicit(claim, memory_order_relaxed);
    for (;;) {
        int64_t next;
        if (word_tag(seen) == tag) {
            next = word_number(seen);
            if (next >= last) {
                return -1;
            }
        } else if ((int32_t)(word_tag(seen) - tag) > 0) {
            return -1; /* a later job's word: every task of ours was done */
        } else {
            next = first; /* an earlier job's word: nobody has started this share */
        }
        if (atomic_compare_exchange_weak_explicit(claim, &seen, make_word(tag, next + 1),
                                                  memory_order_relaxed, memory_order_relaxed)) {
            return next;
        }
    }
}

/* A worker's count of the job's tasks it finished, published after each (seq_cst: ordered
 * before the caller_sleeping load, the mirror of the caller's store-then-check). */
static void count_finished(pool *p, int worker, uint32_t tag)
{
    slot *own = &p->slots[worker];
    unsigned long long seen = atomic_load_explicit(&own->finished, memory_order_relaxed);
    int64_t count = word_tag(seen) == tag ? word_number(seen) : 0;
    atomic_store(&own->finished, make_word(tag, count + 1));
    if (atomic_load(&p->caller_sleeping)) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->finished);
        pthread_mutex_unlock(&p->lock);
    }
}

/* Runs the tasks of thread `worker`'s own share, then helps with the others' in turn. Shares
 * are the same contiguous ranges on every call of the same size, so a thread that repeats an
 * operation finds its part of the data still in its own cache; taking from the others' shares
 * keeps a descheduled or late thread from holding up the job. Returns the tasks it ran. */
static int64_t run_tasks(pool *p, const job *j, int worker)
{
    int64_t ran = 0;
    for (int k = 0; k < j->threads; k++) {
        int share = (worker + k) % j->threads;
        int64_t first = j->n_tasks * share / j->threads;
        int64_t last = j->n_tasks * (share + 1) / j->threads;
        int64_t task;
        while ((task = claim_task(&p->slots[share].claim, j->tag, first, last)) >= 0) {
            int64_t begin = task * j->chunk;
            int64_t end = j->n_items - begin < j->chunk ? j->n_items : begin + j->chunk;
            j->fn(begin, end, worker, j->context);
            ran++;
            if (worker != 0) {
                count_finished(p, worker, j->tag);
            }
        }
    }
    return ran;
}

/* True once every task of j is finished: the caller's `own` plus the workers' counts. */
static bool job_finished(pool *p, const job *j, int64_t own)
{
    int64_t total = own;
    for (int w = 1; w < j->threads; w++) {
        unsigned long long finished = atomic_load(&p->slots[w].finished);
        if (word_tag(finished) == j->tag) {
            total += word_number(finished);
        }
    }
    return total == j->n_tasks;
}

/* The caller's wait for the tasks that workers claimed; after it the job's context is free. */
static void wait_until_finished(pool *p, const job *j, int64_t own)
{
    int64_t started = 0;
    for (unsigned i = 0;; i++) {
        if (job_finished(p, j, own)) {
            return;
        }
        if ((i & 63) == 0 && spin_expired(&started)) {
            break;
        }
        cpu_relax();
    }
    atomic_store(&p->caller_sleeping, 1);
    pthread_mutex_lock(&p->lock);
    while (!job_finished(p, j, own)) {
        pthread_cond_wait(&p->finished, &p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    atomic_store(&p->caller_sleeping, 0);
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
    unsigned long seen = start.sequence;
    pthread_setname_np(pthread_self(), "raptors-worker");
    leave_cpu(start.creator_cpu);
    in_job = true; /* anything a task calls runs inline: workers never wait on the pool */
    for (;;) {
        seen = wait_for_job(p, seen);
        job j;
        if (read_job(p, seen, &j) && start.id < j.threads) {
            run_tasks(p, &j, start.id);
        }
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
        start->sequence = atomic_load(&p->published.sequence);
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
    /* aligned_alloc: the slots are cache-line aligned (sizeof(pool) is a multiple of 64). */
    pool *p = aligned_alloc(_Alignof(pool), sizeof *p);
    if (p == NULL) {
        return NULL;
    }
    memset(p, 0, sizeof *p);
    p->owner = getpid();
    pthread_mutex_init(&p->submit, NULL);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->finished, NULL);
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
    job j = {.fn = fn, .context = context, .n_items = n_items, .threads = threads};
    int64_t most_tasks = (int64_t)threads * TASKS_PER_THREAD;
    int64_t n_tasks = n_items < most_tasks ? n_items : most_tasks;
    j.chunk = (n_items + n_tasks - 1) / n_tasks;
    j.n_tasks = (n_items + j.chunk - 1) / j.chunk;
    p->jobs++;
    j.tag = (uint32_t)p->jobs;
    publish(p, &j, 2 * p->jobs);

    in_job = true;
    int64_t own = run_tasks(p, &j, 0);
    in_job = false;
    wait_until_finished(p, &j, own);
    atomic_fetch_add_explicit(&jobs_run, 1, memory_order_relaxed);
    pthread_mutex_unlock(&p->submit);
    return threads;
}

bool rp_pool_in_job(void) { return in_job; }

uint64_t rp_pool_jobs_run(void) { return atomic_load_explicit(&jobs_run, memory_order_relaxed); }
