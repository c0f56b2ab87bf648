"""Zero-copy exchange with NumPy and any other library, in both directions: the buffer
protocol, __array_interface__, __array__, from_numpy/to_numpy and DLPack (versioned and legacy
capsules). Each route must share memory (writes visible on both sides), keep it alive while any
view lives, and carry the read-only flag."""

import ctypes
import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import raptors as rp
from array_strategies import assert_matches, assert_same_layout, layout, strided_views

SETTINGS = settings(max_examples=60, deadline=None)


def shares(a, b):
    return np.shares_memory(np.asarray(a), np.asarray(b))


def first_element_written_through(writer, reader):
    """Writes a distinctive value through `writer`'s first element and reads it via `reader`."""
    w, r = np.asarray(writer), np.asarray(reader)
    if w.size == 0:
        return True
    index = (0,) * w.ndim
    w[index] = not w[index] if w.dtype == bool else 7
    return r[index] == w[index]


# ----------------------------------------------------------------------------- buffer protocol

@SETTINGS
@given(strided_views())
def test_buffer_export_describes_the_view_exactly(views):
    x, r = views
    view = memoryview(r)
    assert view.shape == x.shape and view.ndim == x.ndim and view.itemsize == x.itemsize
    if x.size:
        assert [s for s, n in zip(view.strides, view.shape) if n > 1] == \
            [s for s, n in zip(x.strides, x.shape) if n > 1]
    y = np.asarray(r)
    assert_same_layout(r, y)
    assert y.base is not None and (np.shares_memory(y, x) or x.size == 0)
    assert first_element_written_through(y, x)


def test_buffer_export_of_read_only_arrays_is_read_only():
    x = np.arange(4.0)
    x.flags.writeable = False
    r = rp.asarray(x)
    view = memoryview(r)
    assert view.readonly
    y = np.asarray(r)
    assert not y.flags.writeable
    with pytest.raises(ValueError):
        y[0] = 1


def test_buffer_contiguity_requests():
    r = rp.arange(12.0).reshape(3, 4)
    assert memoryview(r).c_contiguous
    t = r.T
    assert memoryview(t).f_contiguous and not memoryview(t).c_contiguous
    # ctypes asks for a simple (C-contiguous, writable) buffer.
    raw = (ctypes.c_char * 96).from_buffer(r)
    raw[0:8] = np.float64(5.0).tobytes()
    assert r[0, 0] == 5.0
    for not_simple in (r[:, ::2], t, r[::-1]):
        with pytest.raises((BufferError, TypeError)):
            (ctypes.c_char * 8).from_buffer(not_simple)
    r.flags.writeable = False
    with pytest.raises((BufferError, TypeError)):  # ctypes turns BufferError into TypeError
        (ctypes.c_char * 96).from_buffer(r)


def test_buffer_import_of_zero_size_and_negative_strides():
    for x in (np.zeros((0, 3)), np.arange(10.0)[::-3], np.arange(24).reshape(2, 3, 4)[:, ::-1],
              np.zeros((2, 0, 4), np.int32)[::-1]):
        r = rp.asarray(x)
        assert_same_layout(r, x)
        assert first_element_written_through(r, x)


# ----------------------------------------------------------------------------- NumPy protocols

class InterfaceOnly:
    def __init__(self, obj):
        self.__array_interface__ = obj.__array_interface__
        self.keep = obj


@SETTINGS
@given(strided_views())
def test_array_interface_export_lets_numpy_share_memory(views):
    x, r = views
    interface = r.__array_interface__
    assert interface["version"] == 3
    assert interface["shape"] == x.shape
    assert np.dtype(interface["typestr"]) == x.dtype
    assert interface["data"] == (r._data_address, False)
    y = np.asarray(InterfaceOnly(r))
    assert_matches(r, y)
    assert np.shares_memory(y, x) or x.size == 0
    assert first_element_written_through(y, r)


def test_array_interface_reports_strides_only_when_not_c_contiguous():
    r = rp.zeros((3, 4), dtype="int32")
    assert r.__array_interface__["strides"] is None
    assert r.__array_interface__["typestr"] == np.dtype("int32").str
    assert r.T.__array_interface__["strides"] == (4, 16)
    assert rp.zeros(2, dtype="bool").__array_interface__["typestr"] == "|b1"
    x = np.arange(3.0)
    x.flags.writeable = False
    assert rp.asarray(x).__array_interface__["data"][1] is True


def test_array_interface_keeps_memory_alive():
    r = rp.arange(5.0)
    y = np.asarray(InterfaceOnly(r))
    del r
    gc.collect()
    np.testing.assert_array_equal(y, np.arange(5.0))


def test_dunder_array_protocol():
    r = rp.arange(6.0).reshape(2, 3)
    plain = r.__array__()
    assert isinstance(plain, np.ndarray) and shares(plain, r)
    assert shares(r.__array__(copy=False), r) and shares(r.__array__(copy=None), r)
    copied = r.__array__(copy=True)
    assert not shares(copied, r)
    np.testing.assert_array_equal(copied, plain)
    cast = r.__array__(dtype=np.float32)
    assert cast.dtype == np.float32 and not shares(cast, r)
    with pytest.raises(ValueError):
        r.__array__(dtype=np.float32, copy=False)
    assert shares(r.__array__(dtype=np.float64, copy=False), r)
    np.testing.assert_array_equal(np.array(r, dtype=np.int32), np.arange(6).reshape(2, 3))


# ----------------------------------------------------------------------------- from/to numpy

@SETTINGS
@given(strided_views())
def test_from_numpy_and_to_numpy_share_memory(views):
    x, _ = views
    r = rp.from_numpy(x)
    assert_same_layout(r, x)
    back = rp.to_numpy(r)
    assert isinstance(back, np.ndarray)
    assert_same_layout(r, back)
    assert np.shares_memory(back, x) or x.size == 0
    assert first_element_written_through(r, x)
    assert first_element_written_through(back, r)


def test_from_numpy_and_to_numpy_type_checks():
    with pytest.raises(TypeError):
        rp.from_numpy([1, 2])
    with pytest.raises(TypeError):
        rp.to_numpy(np.zeros(2))


def test_memory_outlives_the_numpy_source():
    x = np.arange(1000.0)
    r = rp.from_numpy(x)[10:20]
    del x
    gc.collect()
    assert r.tolist() == [float(v) for v in range(10, 20)]


# ----------------------------------------------------------------------------- DLPack

def test_dlpack_device():
    assert rp.zeros(3).__dlpack_device__() == (1, 0)


@SETTINGS
@given(strided_views(), st.sampled_from([None, (1, 0), (1, 5), (0, 8)]))
def test_numpy_consumes_raptors_dlpack(views, max_version):
    x, r = views
    if max_version is None:
        y = np.from_dlpack(r)
    else:
        y = np.from_dlpack(_Producer(r, max_version))
    assert_same_layout(r, y)
    assert np.shares_memory(y, x) or x.size == 0
    assert first_element_written_through(r, y)
    if y.flags.writeable:  # NumPy marks arrays from legacy capsules read-only
        assert first_element_written_through(y, r)


class _Producer:
    """Forwards __dlpack__ with a fixed max_version, to test both capsule kinds."""

    def __init__(self, array, max_version):
        self.array, self.max_version = array, max_version

    def __dlpack__(self, **kwargs):
        kwargs.pop("max_version", None)
        kwargs.pop("copy", None)
        kwargs.pop("dl_device", None)
        return self.array.__dlpack__(max_version=self.max_version, **kwargs)

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


@SETTINGS
@given(strided_views())
def test_raptors_consumes_numpy_dlpack(views):
    x, _ = views
    r = rp.from_dlpack(x)
    assert_same_layout(r, x)
    assert np.shares_memory(np.asarray(r), x) or x.size == 0
    assert first_element_written_through(r, x)


def test_capsule_kinds_and_read_only_flag():
    r = rp.arange(4.0)
    assert "dltensor_versioned" in repr(r.__dlpack__(max_version=(1, 0)))
    assert '"dltensor"' in repr(r.__dlpack__())
    assert '"dltensor"' in repr(r.__dlpack__(max_version=(0, 8)))
    x = np.arange(4.0)
    x.flags.writeable = False
    read_only = rp.asarray(x)
    with pytest.raises(BufferError):
        read_only.__dlpack__()  # a legacy capsule cannot say "read-only"
    y = np.from_dlpack(read_only)  # NumPy asks for a versioned capsule
    assert not y.flags.writeable and np.shares_memory(y, x)
    back = rp.from_dlpack(x)  # NumPy marks its versioned export read-only
    assert not back.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        back[0] = 1.0


def test_raw_capsules_are_accepted_once():
    r = rp.arange(6, dtype="int32")
    for capsule in (r.__dlpack__(), r.__dlpack__(max_version=(1, 0))):
        imported = rp.from_dlpack(capsule)
        assert_matches(imported, np.arange(6, dtype=np.int32))
        assert shares(imported, r)
        with pytest.raises(TypeError):
            rp.from_dlpack(capsule)  # consumed


def test_dlpack_arguments():
    r = rp.arange(3.0)
    with pytest.raises(RuntimeError):
        r.__dlpack__(stream=1)
    with pytest.raises(ValueError):
        r.__dlpack__(dl_device=(2, 0))
    assert r.__dlpack__(dl_device=(1, 0)) is not None
    copied = rp.from_dlpack(_CopyProducer(r))
    assert not shares(copied, r) and copied.tolist() == [0.0, 1.0, 2.0]
    assert not shares(rp.from_dlpack(r, copy=True), r)
    assert shares(rp.from_dlpack(r, copy=False), r)
    assert shares(rp.from_dlpack(r, device="cpu"), r)
    with pytest.raises(TypeError):
        r.__dlpack__(max_version=3)
    with pytest.raises(TypeError):
        rp.from_dlpack([1, 2, 3])
    with pytest.raises(BufferError):
        rp.from_dlpack(_GpuProducer())


class _CopyProducer:
    def __init__(self, array):
        self.array = array

    def __dlpack__(self, **kwargs):
        return self.array.__dlpack__(copy=True, max_version=kwargs.get("max_version"))

    def __dlpack_device__(self):
        return (1, 0)


class _GpuProducer:
    def __dlpack__(self, **kwargs):
        raise AssertionError("a consumer must check the device first")

    def __dlpack_device__(self):
        return (2, 0)


def test_old_producers_without_keyword_arguments():
    class Old:
        def __init__(self, x):
            self.x = x

        def __dlpack__(self, stream=None):
            return self.x.__dlpack__()

        def __dlpack_device__(self):
            return (1, 0)
    x = np.arange(5.0)
    r = rp.from_dlpack(Old(x))
    assert_matches(r, x)
    assert shares(r, x)


def test_unsupported_dlpack_dtypes_raise_buffer_error():
    for x in (np.zeros(3, np.int16), np.zeros(2, np.complex128), np.zeros(2, np.uint8)):
        with pytest.raises(BufferError):
            rp.from_dlpack(x)


def test_dlpack_memory_outlives_both_producers():
    r = rp.arange(100.0)
    y = np.from_dlpack(r[50:])
    del r
    gc.collect()
    np.testing.assert_array_equal(y, np.arange(50.0, 100.0))
    x = np.arange(10)
    z = rp.from_dlpack(x)[::2]
    del x
    gc.collect()
    assert z.tolist() == [0, 2, 4, 6, 8]
