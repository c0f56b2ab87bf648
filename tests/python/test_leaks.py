"""Leak tests: views, NumPy round trips, DLPack exchanges (consumed and never-consumed capsules)
and raised errors must give back every buffer and every reference they take.

Three independent witnesses: the core's counters of live owned and wrapped buffers, the
reference count of the NumPy array that lends its memory, and tracemalloc's view of Python-side
allocations (NumPy's data and the Py_buffer records Raptors keeps) over many iterations.
"""

import gc
import sys
import tracemalloc

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
    ]
    for make in failing:
        with pytest.raises((ValueError, TypeError, IndexError, OverflowError, BufferError)):
            make()


@pytest.mark.parametrize("exercise", [exercise_views])
def test_views_and_copies_leak_nothing(exercise):
    before = live_buffers()
    for _ in range(ROUNDS):
        exercise()
    assert live_buffers() == before


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
