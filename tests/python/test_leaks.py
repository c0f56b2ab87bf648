"""Leak tests: views, NumPy round trips, DLPack exchanges (consumed and never-consumed capsules),
casts with warnings, arithmetic and reductions (where raptors has them) and errors raised mid-way
must give back every buffer and every reference they take.

Four independent witnesses: the core's counters of live owned and wrapped buffers, the reference
count of the NumPy array that lends its memory, tracemalloc's view of Python-side allocations
(NumPy's data and the Py_buffer records Raptors keeps) over many iterations, and the process's
resident memory over a soak of every operation on arrays large enough that one lost temporary per
round would show (C-side memory that no counter sees: headers, scratch space, the pool).
"""

import gc
import os
import sys
import tracemalloc
import warnings

import numpy as np
import pytest

import raptors as rp

ROUNDS = 300


def live_buffers():
    gc.collect()
    return rp._core._live_buffers(), rp._core._live_wrapped_buffers()


class InterfaceOnly:
    """Exposes obj only through __array_interface__. The dict may be passed in: NumPy's own
    __array_interface__ getter grows its private caches now and then, which would blur the
    memory measurement below, so NumPy interfaces are read once, outside the loops."""

    def __init__(self, obj, interface=None):
        self.__array_interface__ = obj.__array_interface__ if interface is None else interface
        self.keep = obj


NUMPY_INTERFACES = {}


def numpy_interface_of(x):
    key = id(x)
    if key not in NUMPY_INTERFACES:
        NUMPY_INTERFACES[key] = (x, x.__array_interface__)
    return InterfaceOnly(*NUMPY_INTERFACES[key])


class ArrayMethodOnly:
    def __init__(self, obj):
        self.obj = obj

    def __array__(self, dtype=None, copy=None):
        return self.obj


def exercise_views():
    a = rp.arange(120.0).reshape(4, 5, 6)
    v = a[::2, ::-1, 1:].T[1:, None, ..., 0]
    w = v.reshape(-1)           # copies: v is not contiguous
    u = a.reshape(20, 6)[3]     # a view of a view
    f = a.transpose(2, 0, 1).ravel("K")
    g = a.flatten("F").astype("float32").copy(order="F")
    return [list(v.shape), w.size, u.tolist(), f.size, g.size, iter(a), list(a)]


def exercise_numpy(x):
    r = rp.from_numpy(x)
    views = [r[::3], r[1:-1].reshape(-1, 1), rp.asarray(x[::-1]), rp.array(x[::2], copy=None)]
    back = [rp.to_numpy(views[0]), np.asarray(r), r.__array__(), r.__array__(copy=True),
            np.asarray(InterfaceOnly(r))]
    via_protocols = [rp.asarray(numpy_interface_of(x)), rp.asarray(ArrayMethodOnly(x)),
                     rp.asarray(memoryview(x))]
    blocks = rp.array([x[:3], x[3:6]])  # arrays inside a list are read as blocks
    return views, back, via_protocols, blocks, repr(r[:3]), r.tolist()[:2]


def exercise_dlpack(x):
    r = rp.from_dlpack(x)                                   # consumed, versioned
    legacy = rp.from_dlpack(x.__dlpack__())                 # consumed, legacy
    y = np.from_dlpack(r[::2])                              # NumPy consumes ours
    own = rp.arange(10)
    z = rp.from_dlpack(own.__dlpack__(max_version=(1, 0)))  # raptors to raptors
    unconsumed = [own.__dlpack__(), own.__dlpack__(max_version=(1, 0)),
                  own.__dlpack__(copy=True), x.__dlpack__()]
    del unconsumed                                          # destructors free the tensors
    return r, legacy, y, z


def exercise_compute(x):
    """Arithmetic, reductions and casts with warnings, each where raptors has it."""
    a = rp.asarray(x)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spoiled = rp.asarray(np.array([np.nan, 1e300, 2.5]))
        results += [spoiled.astype("int32"), spoiled.astype("float32"), rp.full(2, np.inf, "int64")]
        if hasattr(rp, "add"):
            b = a[::-1].reshape(-1, 1)
            results += [a + 1, a * a[::-1], rp.maximum(a, 3.0), -a, a / 0.0, a // 0, a < 5,
                        b - a[:10], rp.add(a, a, out=rp.empty_like(a)), np.add(x, a)]
            in_place = a.copy()
            in_place *= 2
            in_place += a
            results.append(in_place)
        if hasattr(rp.ndarray, "sum"):
            m = a.reshape(4, -1)
            results += [a.sum(), m.sum(axis=0), m.T.mean(axis=1), m.var(), m.std(axis=0),
                        m.max(axis=1, keepdims=True), m.argmin(), m.prod(axis=1), m.any(),
                        rp.sum(m, axis=(0, 1)), rp.zeros((3, 0)).mean(axis=1)]
    return results


def compute_errors(x):
    """Compute calls that fail after parsing part of their arguments."""
    a = rp.asarray(x)
    failing = []
    if hasattr(rp, "add"):
        failing += [
            lambda: a + rp.zeros(7),
            lambda: rp.add(a, a, out=rp.zeros(3)),
            lambda: a.astype("int32").__iadd__(a),           # float into int: casting error
            lambda: rp.add(a, "x"),
            lambda: rp.multiply(a, a, out=np.zeros(3)),
        ]
    if hasattr(rp.ndarray, "sum"):
        failing += [
            lambda: a.sum(axis=3),
            lambda: a.reshape(4, -1).max(axis=(0, 0)),
            lambda: rp.zeros((2, 0)).max(axis=1),
            lambda: a.mean(dtype="complex64"),
        ]
    return failing


COMPLEX = np.zeros(2, np.complex64)


def exercise_errors(x, read_only):
    failing = [
        lambda: rp.array([[1, 2], [3]]),
        lambda: rp.array([1, 2**64]),
        lambda: rp.array([1.0, float("nan")], dtype="int64"),
        lambda: rp.zeros(3, dtype="int16"),
        lambda: rp.zeros((2, -1)),
        lambda: rp.zeros((2**40, 2**40)),
        lambda: rp.from_numpy(x)[10**6],
        lambda: rp.from_numpy(x).reshape(7, 7),
        lambda: rp.from_numpy(x).__setitem__(slice(None), [1, 2]),
        lambda: rp.asarray(read_only).__setitem__(0, 1.0),
        lambda: rp.asarray(read_only).__dlpack__(),
        lambda: rp.from_dlpack(np.zeros(3, np.int16)),      # capsule refused, not consumed
        lambda: rp.array(x, dtype="int32", copy=False),
        lambda: rp.arange(3, dtype=bool),
        lambda: rp.asarray(numpy_interface_of(COMPLEX)),
        lambda: rp.array([x[:2], x[:3]]),
        lambda: rp.zeros(3).__setitem__(0, np.ones(2)),
        lambda: rp.zeros(3, dtype="int64").__setitem__(0, [1]),
        lambda: rp.zeros((2, 3)).transpose(()),
        lambda: rp.zeros(3)[2**63],
        lambda: rp.zeros(0).reshape(2**62, -1),
    ] + compute_errors(x)
    for make in failing:
        with pytest.raises((ValueError, TypeError, IndexError, OverflowError, BufferError)):
            make()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a warning raised as an error mid-cast
        with pytest.raises(RuntimeWarning):
            rp.asarray(np.array([np.nan])).astype("int64")


@pytest.mark.parametrize("exercise", [exercise_views])
def test_views_and_copies_leak_nothing(exercise):
    before = live_buffers()
    for _ in range(ROUNDS):
        exercise()
    assert live_buffers() == before


def test_compute_and_casts_leak_nothing():
    x = np.arange(100.0)
    exercise_compute(x)
    before, references = live_buffers(), sys.getrefcount(x)
    for _ in range(ROUNDS):
        exercise_compute(x)
    assert live_buffers() == before
    assert sys.getrefcount(x) == references


def test_numpy_round_trips_release_the_source():
    x = np.arange(100.0)
    exercise_numpy(x)  # warm up caches
    before, references = live_buffers(), sys.getrefcount(x)
    for _ in range(ROUNDS):
        exercise_numpy(x)
    assert live_buffers() == before
    assert sys.getrefcount(x) == references


def test_dlpack_exchanges_leak_nothing():
    x = np.arange(100.0)
    exercise_dlpack(x)
    before, references = live_buffers(), sys.getrefcount(x)
    for _ in range(ROUNDS):
        exercise_dlpack(x)
    assert live_buffers() == before
    assert sys.getrefcount(x) == references


def test_errors_leak_nothing_and_leave_arrays_intact():
    x = np.arange(10.0)
    read_only = np.arange(4.0)
    read_only.flags.writeable = False
    exercise_errors(x, read_only)
    before = live_buffers()
    references = sys.getrefcount(x), sys.getrefcount(read_only)
    for _ in range(ROUNDS // 3):
        exercise_errors(x, read_only)
    assert live_buffers() == before
    assert (sys.getrefcount(x), sys.getrefcount(read_only)) == references
    np.testing.assert_array_equal(x, np.arange(10.0))
    np.testing.assert_array_equal(read_only, np.arange(4.0))


def test_python_side_memory_stays_flat():
    x = np.arange(1000.0)
    read_only = x.copy()
    read_only.flags.writeable = False

    def everything():
        exercise_views()
        exercise_numpy(x)
        exercise_dlpack(x)
        exercise_compute(x[:100])
        exercise_errors(x, read_only)

    for _ in range(20):  # warm up allocator pools and caches
        everything()
    gc.collect()
    iterations = 400
    tracemalloc.start()
    try:
        for _ in range(10):
            everything()
        gc.collect()
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(iterations):
            everything()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    # The smallest leak (one 32-byte object per iteration) would grow by 12.8 KiB; allocator
    # and cache noise stays within a few KiB whatever the iteration count.
    assert grown < 24 * iterations, f"grew by {grown} bytes over {iterations} iterations"


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux /proc")
@pytest.mark.skipif(os.environ.get("RAPTORS_SANITIZER") == "1",
                    reason="ASan's quarantine and shadow memory make RSS meaningless; "
                           "LeakSanitizer checks leaks in that stage")
def test_soak_resident_memory_stays_flat():
    """Every operation above, on 512 KiB arrays (so a lost data block, scratch buffer or copy
    per round would add at least 512 KiB), many rounds: resident memory after the soak is
    within a generous bound of what it was after a warm-up. The buffer cache is emptied before
    both readings, so blocks it keeps on purpose do not count."""
    big = np.arange(64 * 1024, dtype=np.float64)
    read_only = big.copy()
    read_only.flags.writeable = False

    def everything():
        exercise_views()
        exercise_numpy(big)
        exercise_dlpack(big)
        exercise_compute(big)
        exercise_errors(big, read_only)

    def settled_rss():
        gc.collect()
        rp.clear_cache()
        return resident_bytes()

    for _ in range(30):  # warm-up: allocator arenas, NumPy caches, the pool's threads
        everything()
    before, buffers = settled_rss(), live_buffers()
    rounds = 200
    for _ in range(rounds):
        everything()
    grown = settled_rss() - before
    assert live_buffers() == buffers
    # One lost 512 KiB block per round would be 100 MiB; allocator noise stays within a few MiB.
    assert grown < 16 * 1024 * 1024, f"resident memory grew by {grown / 2**20:.1f} MiB"
