"""Basic indexing against NumPy: integers, slices with any step, ..., None give views sharing
memory; assignment broadcasts and casts with NumPy's checks; bad indices and read-only
destinations raise and leave the data intact."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import raptors as rp
from array_strategies import (assert_matches, assert_same_layout, basic_indices, numpy_arrays,
                              strided_views)

SETTINGS = settings(max_examples=80, deadline=None)


def shares(r, x):
    return np.shares_memory(np.asarray(r), x)


@SETTINGS
@given(strided_views(), st.data())
def test_getitem_matches_numpy_and_shares_memory(views, data):
    x, r = views
    index = data.draw(basic_indices(x.shape))
    expected, got = x[index], r[index]
    if isinstance(expected, np.ndarray):
        assert_same_layout(got, expected)
        assert shares(got, x) or expected.size == 0
    else:  # every axis named by an integer: a NumPy scalar of the array's dtype, as in NumPy
        assert type(got) is type(expected)
        assert got == expected or expected != expected


@SETTINGS
@given(strided_views(), st.data())
def test_setitem_scalar_matches_numpy(views, data):
    x, r = views
    index = data.draw(basic_indices(x.shape))
    value = data.draw(st.booleans() | st.integers(-1000, 1000) | st.floats(-1e3, 1e3))
    expected = x.copy()
    expected[index] = value
    r[index] = value
    np.testing.assert_array_equal(x, expected)  # r wrote through to x's memory
    assert_matches(r, expected)


@SETTINGS
@given(strided_views(), st.data())
def test_setitem_array_like_broadcasts_like_numpy(views, data):
    x, r = views
    index = data.draw(basic_indices(x.shape))
    target_shape = np.shape(x[index])
    # A source that broadcasts: some trailing axes of the target, some of them of length 1.
    trailing = target_shape[len(target_shape) - data.draw(st.integers(0, len(target_shape))):]
    source_shape = tuple(1 if data.draw(st.booleans()) else n for n in trailing)
    source = data.draw(numpy_arrays(shape=source_shape))
    as_list = data.draw(st.booleans())
    value = source.tolist() if as_list else source
    expected = x.copy()
    try:
        with warnings.catch_warnings(record=True) as numpy_warnings:
            warnings.simplefilter("always")
            expected[index] = value
    except (ValueError, OverflowError) as error:  # NaN or big ints stored through a list
        with pytest.raises(type(error)):
            r[index] = value
        return
    with warnings.catch_warnings(record=True) as raptors_warnings:
        warnings.simplefilter("always")
        r[index] = value
    np.testing.assert_array_equal(x, expected)
    # The same cast warnings ("invalid value encountered in cast" for NaN into integers).
    assert {str(w.message) for w in raptors_warnings} == {str(w.message) for w in numpy_warnings}


def test_setitem_from_raptors_arrays_and_overlapping_views():
    x = np.arange(10)
    r = rp.asarray(x)
    r[1:] = r[:-1]
    expected = np.arange(10)
    expected[1:] = expected[:-1].copy()
    np.testing.assert_array_equal(x, expected)
    r[::-1] = r
    np.testing.assert_array_equal(x, expected[::-1])
    m = rp.zeros((3, 4))
    m[...] = rp.arange(4)
    m[:, 1] = [7, 8, 9]
    m[None, 0] = 5
    assert m.tolist() == [[5, 5, 5, 5], [0, 8, 2, 3], [0, 9, 2, 3]]


def test_zero_dimensional_indexing():
    r, x = rp.array(4.5), np.array(4.5)
    assert r[()] == x[()] and type(r[()]) is np.float64
    assert_matches(r[...], x[...])
    assert_matches(r[None], x[None])
    assert_matches(r[..., None], x[..., None])
    r[()] = 2
    assert r.item() == 2.0
    r[...] = 3
    assert r.item() == 3.0
    with pytest.raises(IndexError):
        r[0]


@pytest.mark.parametrize("index", [5, -6, (0, 5), (1, 2, 3), (0, 0, 0, 0), (..., 0, ...)])
def test_bad_indices_raise_index_error(index):
    x = np.arange(15.0).reshape(5, 3)
    r = rp.array(x)
    with pytest.raises(IndexError):
        x[index]
    with pytest.raises(IndexError):
        r[index]
    with pytest.raises(IndexError):
        r[index] = 1.0
    assert_matches(r, x)


@pytest.mark.parametrize("index", [1.0, "a", [0, 1], np.array([0]), True, (0, 1.5),
                                   2**70])
def test_unsupported_index_types_raise_index_error(index):
    r = rp.zeros((3, 3))
    with pytest.raises(IndexError):
        r[index]


def test_zero_step_raises_value_error():
    r = rp.zeros(4)
    with pytest.raises(ValueError, match="step"):
        r[::0]


def test_numpy_integer_indices():
    r, x = rp.arange(12).reshape(3, 4), np.arange(12).reshape(3, 4)
    assert r[np.int32(1), np.int64(-1)] == x[1, -1]
    assert_matches(r[np.int64(2)], x[2])


@pytest.mark.parametrize("value,error", [
    (2**40, OverflowError), (float("nan"), ValueError), (float("inf"), OverflowError),
    ([1, 2**40, 3], OverflowError), ([1.0, float("nan")], ValueError), (None, TypeError), ([1, 2], ValueError), (np.zeros(5), ValueError), (1 + 2j, TypeError),
])
def test_bad_assignments_raise_numpys_error_and_leave_data_intact(value, error):
    x = np.arange(3, dtype=np.int32)
    with pytest.raises(error):
        x[:] = value
    r = rp.arange(3, dtype="int32")
    with pytest.raises(error):
        r[:] = value
    assert r.tolist() == [0, 1, 2]


def test_strings_are_not_parsed_as_numbers():
    # NumPy parses numeric strings on assignment; raptors has no string dtype and refuses them.
    r = rp.arange(3, dtype="int32")
    for value in ("1", "abc", ["1", "2", "3"], b"1"):
        with pytest.raises(TypeError):
            r[:] = value
    assert r.tolist() == [0, 1, 2]


def test_assignment_conversions_match_numpy():
    for dtype, value in (("int32", 2.9), ("int32", -2.9), ("int64", True), ("bool", 2.5),
                         ("bool", float("nan")), ("float32", 2**100), ("int32", np.int64(7)),
                         ("int32", np.float32(-3.5)), ("float64", 2**64), ("bool", 2**70)):
        x, r = np.zeros(2, dtype), rp.zeros(2, dtype)
        x[0] = value
        r[0] = value
        assert_matches(r, x)


def test_read_only_destinations_raise_and_stay_intact():
    x = np.arange(6.0)
    x.flags.writeable = False
    r = rp.asarray(x)
    for key in (0, slice(None), (Ellipsis,), slice(None, None, -1)):
        with pytest.raises(ValueError, match="assignment destination is read-only"):
            r[key] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        r.fill(1.0)
    view = r[::2]
    with pytest.raises(ValueError, match="read-only"):
        view[0] = 99.0
    np.testing.assert_array_equal(x, np.arange(6.0))
    data = bytes(range(8))
    b = rp.asarray(memoryview(data).cast("q"))
    with pytest.raises(ValueError, match="read-only"):
        b[0] = 1
    assert data == bytes(range(8))


def test_deleting_elements_raises():
    r = rp.zeros(3)
    with pytest.raises(ValueError):
        del r[0]


@pytest.mark.parametrize("dtype", ["bool", "int32", "int64", "float32", "float64"])
def test_elements_are_numpy_scalars(dtype):
    x = np.arange(6).astype(dtype).reshape(2, 3)
    r = rp.asarray(x)
    for got, expected in ((r[1, 2], x[1, 2]), (r[1][2], x[1][2]), (r[-1, 0], x[-1, 0])):
        assert type(got) is type(expected) and got == expected
    # Iterating a 1-D array yields scalars too; their arithmetic keeps the dtype as NumPy's does.
    assert [type(v) for v in r[0]] == [type(v) for v in x[0]]
    if dtype == "float32":
        assert type(r[0, 1] * 3) is np.float32
    assert r.item(0) == x.item(0) and type(r.item(0)) is type(x.item(0))
