"""Creation functions against NumPy: array/asarray from every kind of input (with NumPy 2 copy
semantics), the shape-filled family, arange, linspace, eye, and the errors bad input raises."""

import array as pyarray
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import raptors as rp
from array_strategies import (DTYPE_NAMES, assert_matches, assert_same_layout, dtype_names,
                              layout, numpy_arrays, shapes, strided_views)

SETTINGS = settings(max_examples=60, deadline=None)


def shares(r, x):
    return np.shares_memory(np.asarray(r), x)


# ----------------------------------------------------------------------------- nested lists

scalars = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1),
                    st.floats(allow_nan=True, allow_infinity=True))


@st.composite
def nested_lists(draw):
    """A rectangular nested list (lists and tuples) of Python scalars, with its NumPy array."""
    x = draw(numpy_arrays(shape=draw(shapes)))
    leaves = draw(st.sampled_from(["same", "mixed"]))
    value = x.tolist()
    if leaves == "mixed" and x.ndim > 0 and x.size > 0:
        value[0] = tuple(value[0]) if isinstance(value[0], list) else value[0]
    return value


@SETTINGS
@given(nested_lists())
def test_array_from_nested_lists_matches_numpy(value):
    assert_matches(rp.array(value), np.array(value))
    assert_matches(rp.asarray(value), np.asarray(value))


@SETTINGS
@given(st.lists(scalars, max_size=6))
def test_dtype_inference_from_mixed_python_scalars(values):
    assert_matches(rp.array(values), np.array(values))


@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
@SETTINGS
@given(nested_lists(), dtype_names)
def test_array_with_dtype_matches_numpy(value, dtype):
    try:
        expected = np.array(value, dtype=dtype)
    except (ValueError, OverflowError) as error:  # NaN/inf/out-of-range into an integer dtype
        with pytest.raises(type(error)):
            rp.array(value, dtype=dtype)
        return
    assert_matches(rp.array(value, dtype=dtype), expected)


@pytest.mark.parametrize("value", [True, 0, -7, 2**63 - 1, -2**63, 1.5, float("nan"), -0.0,
                                   np.float32(2.5), np.int32(-3), np.bool_(True), np.int64(9),
                                   np.float64(1e300)])
def test_array_from_scalars_is_0d(value):
    r, x = rp.array(value), np.array(value)
    assert_matches(r, x)
    assert r.ndim == 0 and r._writeable


def test_array_mixes_numpy_scalars_like_numpy():
    for value in ([np.int32(1), 2], [np.float32(1), 2], [np.float32(1), True],
                  [np.int32(1), np.int32(2)], [np.float32(1.5), np.float32(2)]):
        assert_matches(rp.array(value), np.array(value))


def test_sequences_of_arrays_are_blocks():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    value = [x, x[::-1], rp.asarray(x * 2)]
    assert_matches(rp.array(value), np.array([x, x[::-1], x * 2]))
    assert_matches(rp.array([x[0], [7, 8, 9]]), np.array([x[0], [7, 8, 9]]))
    assert_matches(rp.array(range(5)), np.array(range(5)))


@pytest.mark.parametrize("value", [[[1, 2], [3]], [1, [2]], [[1], 2], [[], [1]],
                                   [np.zeros(2), np.zeros(3)], [[[1]], [[1, 2]]]])
def test_ragged_input_raises_value_error(value):
    with pytest.raises(ValueError):
        np.array(value)
    with pytest.raises(ValueError, match="inhomogeneous"):
        rp.array(value)


@pytest.mark.parametrize("value", ["abc", b"abc", None, 1 + 2j, [1, "a"], [None], object(),
                                   [1, 2j], np.zeros(3, np.int16), np.zeros(2, np.complex128),
                                   np.array(["a"]), np.zeros(2, np.uint8), np.array([object()]),
                                   pyarray.array("h", [1, 2]), np.zeros(2, ">f8")])
def test_unsupported_data_raises_type_error(value):
    with pytest.raises(TypeError):
        rp.array(value)
    with pytest.raises(TypeError):
        rp.asarray(value)


def test_out_of_range_python_ints_raise_overflow_error():
    for value in (2**63, -2**63 - 1, [1, 2**64], [[2**70]]):
        with pytest.raises(OverflowError):
            rp.array(value)
    for value, dtype in ((2**31, "int32"), ([-2**31 - 1], "int32"), ([2**63], "int64")):
        with pytest.raises(OverflowError):
            np.array(value, dtype=dtype)
        with pytest.raises(OverflowError):
            rp.array(value, dtype=dtype)
    # A float dtype takes any Python int, as NumPy's does.
    assert_matches(rp.array([2**64], dtype="float64"), np.array([2**64], dtype="float64"))


def test_nan_and_infinity_into_integers_raise_like_numpy():
    for value, error in ((float("nan"), ValueError), (float("inf"), OverflowError),
                         (1e20, OverflowError)):
        with pytest.raises(error):
            np.array([value], dtype=np.int64)
        with pytest.raises(error):
            rp.array([value], dtype=rp.int64)


# ----------------------------------------------------------------------------- copy semantics

@SETTINGS
@given(strided_views())
def test_asarray_of_numpy_views_shares_memory(views):
    x, _ = views
    r = rp.asarray(x)
    assert_same_layout(r, x)
    assert shares(r, x) or x.size == 0


@SETTINGS
@given(strided_views())
def test_array_copies_by_default_and_keeps_layout_with_order_k(views):
    x, _ = views
    r = rp.array(x)
    assert_matches(r, x)
    assert not shares(r, x)
    assert r._owndata and r._writeable
    # order='K' keeps the memory order of the source, as NumPy's copy does.
    assert layout(r) == layout(np.array(x, order="K"))


@SETTINGS
@given(strided_views(), st.sampled_from(["C", "F", "A", "K"]))
def test_array_order_argument(views, order):
    x, _ = views
    r, expected = rp.array(x, order=order), np.array(x, order=order)
    assert_matches(r, expected)
    assert layout(r) == layout(expected)


def test_copy_none_and_false_share_when_possible():
    x = np.arange(12.0).reshape(3, 4)
    for copy in (None, False):
        r = rp.array(x, copy=copy)
        assert shares(r, x)
    r = rp.asarray(x)
    assert rp.array(r, copy=None) is r and rp.array(r, copy=False) is r
    assert rp.asarray(r) is r and rp.asarray(r, dtype="float64") is r
    assert rp.array(r) is not r and not np.shares_memory(np.asarray(rp.array(r)), x)
    assert not shares(rp.asarray(x, copy=True), x)


@pytest.mark.parametrize("make", [
    lambda: [1, 2, 3],
    lambda: 5.0,
    lambda: np.arange(4.0),  # with a dtype change below
])
def test_copy_false_raises_when_a_copy_is_needed(make):
    obj = make()
    dtype = "int32" if isinstance(obj, np.ndarray) else None
    with pytest.raises(ValueError):
        np.array(obj, dtype=dtype, copy=False)
    with pytest.raises(ValueError, match="copy"):
        rp.array(obj, dtype=dtype, copy=False)
    with pytest.raises(ValueError, match="copy"):
        rp.asarray(obj, dtype=dtype, copy=False)


def test_copy_false_with_incompatible_order_raises():
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError):
        rp.array(x, order="F", copy=False)
    assert rp.array(x.T, order="F", copy=False).is_f_contiguous()


def test_ndmin():
    for value in (3, [1, 2], np.zeros((2, 2))):
        for ndmin in range(4):
            assert_matches(rp.array(value, ndmin=ndmin), np.array(value, ndmin=ndmin))


# ----------------------------------------------------------------------------- other inputs

@pytest.mark.parametrize("code,dtype", [("d", "float64"), ("f", "float32"), ("i", "int32"),
                                        ("q", "int64"), ("l", "int64")])
def test_python_array_module_buffers_are_shared(code, dtype):
    buffer = pyarray.array(code, [1, 2, 3])
    r = rp.asarray(buffer)
    assert str(r.dtype) == dtype and r.tolist() == [1, 2, 3]
    r[1] = 9
    assert buffer[1] == 9


def test_memoryview_of_bytes_is_read_only():
    data = bytes(16)
    r = rp.asarray(memoryview(data).cast("d"))
    assert r.shape == (2,) and not r._writeable and not r.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        r[0] = 1.0
    assert data == bytes(16)


class InterfaceOnly:
    """Exposes memory only through __array_interface__ (like many third-party libraries)."""

    def __init__(self, x):
        self.keep = x
        self.__array_interface__ = x.__array_interface__


class ArrayMethodOnly:
    def __init__(self, x):
        self.x = x

    def __array__(self, dtype=None, copy=None):
        return self.x


@SETTINGS
@given(strided_views())
def test_array_interface_import_shares_memory(views):
    x, _ = views
    r = rp.asarray(InterfaceOnly(x))
    assert_same_layout(r, x)
    assert shares(r, x) or x.size == 0


def test_array_interface_keeps_exporter_alive_and_is_read_only_when_it_says_so():
    x = np.arange(5.0)
    r = rp.asarray(InterfaceOnly(x))
    del x
    assert r.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    y = np.arange(3)
    y.flags.writeable = False
    r = rp.asarray(InterfaceOnly(y))
    with pytest.raises(ValueError, match="read-only"):
        r[0] = 5
    assert y[0] == 0


def test_array_method_fallback():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    r = rp.asarray(ArrayMethodOnly(x))
    assert_matches(r, x)
    assert shares(r, x)


def test_bad_array_interface_raises():
    class Bad:
        __array_interface__ = {"shape": (2,), "typestr": "<c16", "data": (0, False),
                               "version": 3}
    with pytest.raises(TypeError):
        rp.asarray(Bad())
    Bad.__array_interface__ = {"shape": (2,), "typestr": "<f8", "data": (0, False)}
    with pytest.raises(ValueError):
        rp.asarray(Bad())


# ----------------------------------------------------------------------------- shape-filled

@SETTINGS
@given(shapes, dtype_names, st.sampled_from(["C", "F"]))
def test_zeros_ones_full_empty(shape, dtype, order):
    assert_same_layout(rp.zeros(shape, dtype, order), np.zeros(shape, dtype, order))
    assert_same_layout(rp.ones(shape, dtype, order), np.ones(shape, dtype, order))
    assert_same_layout(rp.full(shape, 3, dtype, order), np.full(shape, 3, dtype, order))
    empty = rp.empty(shape, dtype, order)
    assert empty.shape == shape and layout(empty) == layout(np.empty(shape, dtype, order))


def test_default_dtypes_follow_numpy():
    assert str(rp.zeros(3).dtype) == "float64" and str(rp.empty(3).dtype) == "float64"
    for fill in (True, 7, 2.5, np.float32(1.5), np.int32(4)):
        assert_matches(rp.full((2, 2), fill), np.full((2, 2), fill))
    assert_matches(rp.full((2, 3), [1, 2, 3]), np.full((2, 3), [1, 2, 3]))
    assert_matches(rp.full(4, 2**40, dtype="float32"), np.full(4, 2**40, dtype="float32"))


def test_full_checks_python_integers_against_the_dtype():
    with pytest.raises(OverflowError):
        np.full(3, 2**40, dtype=np.int32)
    with pytest.raises(OverflowError):
        rp.full(3, 2**40, dtype=rp.int32)


@SETTINGS
@given(strided_views(), st.none() | dtype_names, st.sampled_from(["K", "C", "F", "A"]))
def test_like_functions(views, dtype, order):
    x, r = views
    for name, args in (("zeros_like", ()), ("ones_like", ()), ("full_like", (7,))):
        expected = getattr(np, name)(x, *args, dtype=dtype, order=order)
        got = getattr(rp, name)(r, *args, dtype=dtype, order=order)
        assert_same_layout(got, expected)
    empty = rp.empty_like(r, dtype=dtype, order=order)
    assert layout(empty) == layout(np.empty_like(x, dtype=dtype, order=order))


def test_like_functions_shape_override_and_other_inputs():
    x = np.arange(6).reshape(2, 3)
    assert_matches(rp.zeros_like(x, shape=(4, 1)), np.zeros_like(x, shape=(4, 1)))
    assert_matches(rp.ones_like([[1.5, 2]]), np.ones_like([[1.5, 2]]))
    assert_matches(rp.full_like(x, 2.7), np.full_like(x, 2.7))
    assert_matches(rp.full_like(x, [1, 2, 3], dtype="float32"),
                   np.full_like(x, [1, 2, 3], dtype="float32"))


@pytest.mark.parametrize("shape", [-1, (2, -3), (-1, 0)])
def test_negative_shapes_raise_value_error(shape):
    for make in (rp.zeros, rp.ones, rp.empty, lambda s: rp.full(s, 1)):
        with pytest.raises(ValueError, match="negative"):
            make(shape)


@pytest.mark.parametrize("shape", [(2**40, 2**40), 2**62, (2**31, 2**31, 4), (0, 2**62, 8)])
def test_overflowing_shapes_raise_value_error(shape):
    with pytest.raises(ValueError):
        np.zeros(shape)
    with pytest.raises(ValueError, match="too big"):
        rp.zeros(shape)


def test_bad_shape_types_raise_type_error():
    for shape in (2.5, (2, 2.0), "3", None):
        with pytest.raises(TypeError):
            rp.zeros(shape)


@pytest.mark.parametrize("bad", ["int16", "complex128", "U5", object, "foo", np.uint8, "S3",
                                 np.complex64, "f2", ">f8"])
def test_unsupported_or_unknown_dtypes_raise_type_error(bad):
    for make in (lambda: rp.zeros(3, bad), lambda: rp.array([1], dtype=bad),
                 lambda: rp.arange(3, dtype=bad), lambda: rp.ones(2).astype(bad)):
        with pytest.raises(TypeError):
            make()


# ----------------------------------------------------------------------------- arange

numbers = st.one_of(st.integers(-50, 50), st.floats(-50, 50, allow_nan=False).map(
    lambda v: round(v, 3)))


@SETTINGS
@given(numbers, numbers | st.none(), (numbers | st.none()).filter(lambda s: s != 0),
       st.none() | dtype_names.filter(lambda d: d != "bool"))
def test_arange_matches_numpy_exactly(start, stop, step, dtype):
    args = (start,) if stop is None else (start, stop) if step is None else (start, stop, step)
    try:
        expected = np.arange(*args, dtype=dtype)
    except (ValueError, OverflowError) as error:
        with pytest.raises(type(error)):
            rp.arange(*args, dtype=dtype)
        return
    assert_matches(rp.arange(*args, dtype=dtype), expected)


def test_arange_special_cases():
    assert_matches(rp.arange(0.1, 100, 0.3, dtype="float32"),
                   np.arange(0.1, 100, 0.3, dtype="float32"))
    assert_matches(rp.arange(0, 5, 0.5, dtype=int), np.arange(0, 5, 0.5, dtype=int))
    assert_matches(rp.arange(2**31 - 3, 2**31 + 3, dtype="int64"),
                   np.arange(2**31 - 3, 2**31 + 3, dtype="int64"))
    assert_matches(rp.arange(True, 5), np.arange(True, 5))
    assert_matches(rp.arange(2, dtype=bool), np.arange(2, dtype=bool))
    assert_matches(rp.arange(10, 0), np.arange(10, 0))
    assert_matches(rp.arange(np.int32(4)), np.arange(np.int32(4)))
    with pytest.raises(TypeError):
        rp.arange(3, dtype=bool)
    with pytest.raises(ZeroDivisionError):
        rp.arange(0, 10, 0)
    with pytest.raises(ValueError):
        rp.arange(float("nan"))
    with pytest.raises(ValueError):
        rp.arange(0, float("inf"))
    with pytest.raises(TypeError):
        rp.arange("5")
    with pytest.raises(OverflowError):
        rp.arange(2**40, 2**40 + 2, dtype="int32")


# ----------------------------------------------------------------------------- linspace

@SETTINGS
@given(st.floats(-1e6, 1e6) | st.integers(-1000, 1000), st.floats(-1e6, 1e6) | st.integers(-1000, 1000),
       st.integers(0, 60), st.booleans(), st.none() | dtype_names)
def test_linspace_matches_numpy_exactly(start, stop, num, endpoint, dtype):
    assert_matches(rp.linspace(start, stop, num, endpoint=endpoint, dtype=dtype),
                   np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_linspace_special_cases():
    for args in ((0, 1e-320, 3), (5, 5, 4), (0, 1, 1), (0, 1, 0), (1, 0, 7),
                 (0.1, 0.7, 7), (float("nan"), 1, 3), (0, float("inf"), 3), (-1, 0, 3)):
        assert_matches(rp.linspace(*args), np.linspace(*args))
        if all(math.isfinite(a) for a in args[:2]):
            assert_matches(rp.linspace(*args, dtype="int64"), np.linspace(*args, dtype="int64"))
    r, step = rp.linspace(0, 1, 5, retstep=True)
    x, expected_step = np.linspace(0, 1, 5, retstep=True)
    assert_matches(r, x)
    assert step == expected_step
    assert math.isnan(rp.linspace(0, 1, 1, retstep=True)[1])
    with pytest.raises(ValueError, match="non-negative"):
        rp.linspace(0, 1, -1)
    with pytest.raises(TypeError):
        rp.linspace(0, 1, 2.5)
    with pytest.raises(TypeError):
        rp.linspace([0, 1], 2)


# ----------------------------------------------------------------------------- eye

@SETTINGS
@given(st.integers(0, 6), st.none() | st.integers(0, 6), st.integers(-8, 8),
       st.sampled_from(DTYPE_NAMES), st.sampled_from(["C", "F"]))
def test_eye_matches_numpy(n, m, k, dtype, order):
    assert_same_layout(rp.eye(n, m, k, dtype=dtype, order=order),
                       np.eye(n, m, k, dtype=dtype, order=order))


def test_eye_defaults_and_errors():
    assert_matches(rp.eye(3), np.eye(3))
    assert_matches(rp.eye(2, k=2**62), np.eye(2, k=2**62))
    with pytest.raises(ValueError):
        rp.eye(-1)
    with pytest.raises(TypeError):
        rp.eye(2.5)
