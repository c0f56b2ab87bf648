"""Fork safety: after the thread pool and the buffer cache have been used, a forked child (by
os.fork or multiprocessing's fork start method) computes correctly (copies, casts, and arithmetic
and reductions where raptors has them, all split across the child's own pool), and so does the
parent."""

import multiprocessing
import os
import signal

import numpy as np
import pytest

import raptors as rp

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def parallel_work(seed):
    """A large copy (split across the pool) and a cached temporary, checked against NumPy; and
    arithmetic and reductions, split across the pool too, where raptors has them."""
    x = np.arange(1024 * 1024, dtype=np.float64).reshape(1024, 1024) + seed
    a = rp.asarray(x)
    ok = np.array_equal(np.asarray(a.copy()), x)
    ok = ok and np.array_equal(np.asarray(rp.asarray(x.T).copy()), x.T)  # reuses the freed block
    ok = ok and np.array_equal(np.asarray(a.astype("int64")), x.astype("int64"))
    if hasattr(rp, "add"):
        ok = ok and np.array_equal(np.asarray(a * 2 - a.T), x * 2 - x.T)
        ok = ok and np.array_equal(np.asarray(rp.maximum(a, a[::-1])), np.maximum(x, x[::-1]))
    if hasattr(rp.ndarray, "sum"):
        ok = ok and np.array_equal(np.asarray(a.sum(axis=0)), x.sum(axis=0))
        ok = ok and float(a.sum()) == float(x.sum())  # integer-valued: exact in any order
        ok = ok and np.array_equal(np.asarray(a.T.max(axis=1)), x.T.max(axis=1))
        ok = ok and float(a.mean()) == float(x.mean())
    return ok


def warm_up_pool():
    rp.set_num_threads(2)
    jobs = rp.threading_info()["parallel_jobs"]
    assert parallel_work(0)
    assert rp.threading_info()["parallel_jobs"] > jobs  # the pool really ran


def test_os_fork_child_computes():
    warm_up_pool()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        status = 1
        try:
            signal.alarm(60)  # a hang fails the test instead of blocking it
            jobs = rp.threading_info()["parallel_jobs"]
            ok = parallel_work(1) and parallel_work(2)
            ok = ok and rp.threading_info()["parallel_jobs"] > jobs
            rp.clear_cache()
            status = 0 if ok else 1
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert parallel_work(3)  # the parent's pool still works


def test_multiprocessing_fork_children_compute():
    warm_up_pool()
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as pool:
        results = pool.map_async(parallel_work, range(6)).get(timeout=120)
    assert results == [True] * 6
    assert parallel_work(4)


def test_fork_while_other_thread_computes():
    import threading

    warm_up_pool()
    stop = threading.Event()
    failures = []

    def keep_computing():
        while not stop.is_set():
            if not parallel_work(5):
                failures.append(True)

    busy = threading.Thread(target=keep_computing)
    busy.start()
    try:
        for _ in range(3):
            pid = os.fork()
            if pid == 0:
                status = 1
                try:
                    signal.alarm(60)
                    status = 0 if parallel_work(6) else 1
                finally:
                    os._exit(status)
            _, status = os.waitpid(pid, 0)
            assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        stop.set()
        busy.join()
    assert not failures
