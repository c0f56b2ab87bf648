"""Concurrency: many Python threads run Raptors operations at the same time, with the thread pool
on (2 threads), on shared read-only arrays and on arrays of their own, and every result equals the
one the same operations give when run alone. Large operations release the GIL and submit jobs to
the one pool, so the threads really overlap in C: one caller's job runs on the pool while the
others run theirs inline. Arithmetic and reductions join in where raptors has them.
"""

import threading

import numpy as np
import pytest

import raptors as rp

THREADS = 8
ROUNDS = 4
ROWS, COLS = 600, 500  # 2.4 MB of float64: large enough to be split across the pool


def shared_inputs():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((ROWS, COLS))
    x.flags.writeable = False  # shared and read-only, as NumPy arrays lent to many readers
    return x, rp.asarray(x)


def workload(x, shared, seed):
    """Every kind of operation raptors has, on the shared arrays and on private ones; returns the
    results as NumPy arrays (copies, so later rounds cannot change them)."""
    results = []

    def keep(value):
        results.append(np.array(value, copy=True))

    # creation
    keep(rp.arange(seed, seed + 50_000, dtype="int64"))
    keep(rp.full((300, 300), float(seed)))
    keep(rp.linspace(0.0, seed, 10_001))
    keep(rp.eye(200, k=seed % 5))
    # copies and casts of shared data, in every layout
    keep(shared.copy(order="F"))
    keep(shared.T.copy())
    keep(shared.astype("float32"))
    keep(shared[::-2, 1::3].astype("int64"))
    keep(rp.array(x[::3], dtype="float32"))
    # views: indexing, reshape, transpose, ravel
    keep(shared[seed % ROWS])
    keep(shared[10:-10:7, ::-5][..., None].transpose(2, 1, 0))
    keep(shared.reshape(COLS, ROWS)[::4])
    keep(shared.T.ravel())
    # a private array written through views
    private = rp.zeros((ROWS, COLS))
    private[...] = shared[::-1]
    private[::2, ::3] = seed
    private[1::2] = shared[1::2, ::-1]
    keep(private)
    private_int = rp.full((ROWS, COLS), seed, dtype="int32")
    private_int[:, :10] = rp.asarray(x[:, :10]).astype("int32")
    keep(private_int)
    # arithmetic and reductions, where raptors has them
    if hasattr(rp, "add"):
        keep(shared + private)
        keep(rp.multiply(shared, seed))
        keep(shared.T - shared.T[::-1])
        keep(private_int * 3 + 1)
        in_place = rp.ones((ROWS, COLS))
        in_place += shared
        keep(in_place)
    if hasattr(rp.ndarray, "sum"):
        keep(shared.sum())
        keep(shared.sum(axis=0))
        keep(shared.T.sum(axis=1))
        keep(private.mean(axis=1))
        keep(shared.max(axis=0))
        keep(shared.argmin())
        keep(shared.var())
        keep(private_int.sum(axis=0))
    return results


def assert_same_results(got, expected):
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and g.shape == e.shape
        np.testing.assert_array_equal(g, e)


def run_in_threads(target, count):
    """Runs target(index) in `count` threads started together; re-raises the first failure."""
    barrier = threading.Barrier(count)
    failures = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


@pytest.fixture
def pool_of_two():
    with rp.threads(2):
        yield


def test_threads_on_shared_and_private_arrays_match_single_threaded(pool_of_two):
    x, shared = shared_inputs()
    expected = {seed: workload(x, shared, seed) for seed in range(THREADS)}  # one at a time
    jobs = rp.threading_info()["parallel_jobs"]
    got = {}

    def work(seed):
        for _ in range(ROUNDS):
            got[seed] = workload(x, shared, seed)
            assert_same_results(got[seed], expected[seed])

    run_in_threads(work, THREADS)
    assert rp.threading_info()["parallel_jobs"] > jobs  # the pool ran during the storm
    np.testing.assert_array_equal(np.asarray(shared), shared_inputs()[0])  # readers wrote nothing


def test_threads_writing_disjoint_rows_of_one_array(pool_of_two):
    rows_each = 64
    target = rp.zeros((THREADS * rows_each, 4096))
    source = np.arange(rows_each * 4096, dtype=np.float64).reshape(rows_each, 4096)

    def write(index):
        mine = target[index * rows_each:(index + 1) * rows_each]
        for _ in range(ROUNDS):
            mine[...] = -1.0
            mine[:, 1::2] = source[:, 1::2] + index
            even = source[:, ::2]
            mine[:, ::2] = rp.asarray(even) + index if hasattr(rp, "add") else even + index

    run_in_threads(write, THREADS)
    result = np.asarray(target).reshape(THREADS, rows_each, 4096)
    for index in range(THREADS):
        np.testing.assert_array_equal(result[index], source + index)


def test_thread_count_changes_while_others_compute():
    x, shared = shared_inputs()
    with rp.threads(2):
        expected = workload(x, shared, 3)
    stop = threading.Event()

    def toggle():
        counts = [1, 2, 3, 2]
        i = 0
        while not stop.is_set():
            rp.set_num_threads(counts[i % len(counts)])
            i += 1

    with rp.threads(2):
        toggler = threading.Thread(target=toggle)
        toggler.start()
        try:
            run_in_threads(lambda _: assert_same_results(workload(x, shared, 3), expected), 4)
        finally:
            stop.set()
            toggler.join()
