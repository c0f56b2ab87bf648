"""Methods against NumPy over strided views: reshape, transpose, astype, copy, ravel, flatten,
tolist, item, fill, len, iteration, repr/str, pickling and copying, and the compatibility names
of the original Raptors API."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import raptors as rp
from array_strategies import (assert_matches, assert_same_layout, dtype_names, layout,
                              numpy_arrays, strided_views)

SETTINGS = settings(max_examples=60, deadline=None)
orders = st.sampled_from(["C", "F", "A", "K"])


def shares(r, x):
    return np.shares_memory(np.asarray(r), x)


def new_shapes(size):
    """Shapes with `size` elements, some with a -1 placeholder."""
    factors = st.lists(st.integers(1, 4), max_size=4).filter(
        lambda f: size % max(1, int(np.prod(f))) == 0)

    def build(f):
        rest = size // max(1, int(np.prod(f))) if size else 0
        return tuple(f) + (rest,)
    return factors.map(build).flatmap(
        lambda shape: st.sampled_from([shape, tuple(-1 if i == 0 else n for i, n in
                                                    enumerate(shape))]))


# ----------------------------------------------------------------------------- reshape

@SETTINGS
@given(strided_views(), st.data(), st.sampled_from(["C", "F", "A"]))
def test_reshape_matches_numpy_and_is_a_view_when_numpy_views(views, data, order):
    x, r = views
    shape = data.draw(new_shapes(x.size))
    assume(not (x.size == 0 and -1 in shape))
    expected = x.reshape(shape, order=order)
    got = r.reshape(shape, order=order)
    assert_matches(got, expected)
    if x.size > 1:
        assert shares(got, x) == np.shares_memory(expected, x)
    assert_matches(r.reshape(*shape, order=order), expected)


def test_reshape_arguments_and_errors():
    r, x = rp.arange(12), np.arange(12)
    assert_matches(r.reshape((3, 4)), x.reshape((3, 4)))
    assert_matches(r.reshape([2, -1, 3]), x.reshape([2, -1, 3]))
    assert_matches(r.reshape(shape=(4, 3)), np.reshape(x, shape=(4, 3)))
    assert_matches(rp.array(5).reshape(()), np.array(5).reshape(()))
    assert_matches(rp.array(5).reshape(1, 1), np.array(5).reshape(1, 1))
    assert shares(r.reshape(3, 4, copy=False), np.asarray(r))
    assert not shares(r.reshape(3, 4, copy=True), np.asarray(r))
    with pytest.raises(ValueError):
        r.reshape(3, 4).T.reshape(12, copy=False)
    for bad in ((5,), (-1, -1), (3, -2), (0, -1)):
        with pytest.raises(ValueError):
            r.reshape(bad)
    with pytest.raises(ValueError, match="order 'K'"):
        r.reshape(12, order="K")
    with pytest.raises(TypeError):
        r.reshape(3.0, 4)
    with pytest.raises(TypeError):
        r.reshape()


# ----------------------------------------------------------------------------- transpose

@SETTINGS
@given(strided_views(), st.data())
def test_transpose_matches_numpy(views, data):
    x, r = views
    assert_same_layout(r.transpose(), x.transpose())
    axes = data.draw(st.permutations(range(x.ndim)))
    negative = [a - x.ndim if data.draw(st.booleans()) else a for a in axes]
    assert_same_layout(r.transpose(negative), x.transpose(axes))
    assert_same_layout(r.transpose(*axes), x.transpose(*axes))
    assert shares(r.transpose(axes), x) or x.size == 0


def test_transpose_errors():
    r = rp.zeros((2, 3, 4))
    with pytest.raises(ValueError):
        r.transpose(0, 1)
    with pytest.raises(ValueError):
        r.transpose(0, 1, 1)
    with pytest.raises(np.exceptions.AxisError):
        r.transpose(0, 1, 3)
    with pytest.raises(IndexError):  # AxisError is both ValueError and IndexError
        r.transpose(0, -4, 1)


# ----------------------------------------------------------------------------- copies

@SETTINGS
@given(strided_views(), dtype_names, orders)
def test_astype_matches_numpy(views, dtype, order):
    x, r = views
    with warnings.catch_warnings(record=True) as numpy_warnings:
        warnings.simplefilter("always")
        expected = x.astype(dtype, order=order)
    with warnings.catch_warnings(record=True) as raptors_warnings:
        warnings.simplefilter("always")
        got = r.astype(dtype, order=order)
    # The same cast warnings: "invalid value" (NaN, inf, out of range into integers), "overflow".
    assert {str(w.message) for w in raptors_warnings} == {str(w.message) for w in numpy_warnings}
    assert_matches(got, expected)
    assert layout(got) == layout(expected)
    assert not shares(got, x)


def test_astype_copy_false_returns_self_only_when_nothing_changes():
    r = rp.arange(6.0).reshape(2, 3)
    assert r.astype("float64", copy=False) is r
    assert r.astype(float, copy=False) is r
    assert r.astype("float32", copy=False) is not r
    assert r.astype("float64") is not r
    assert r.T.astype("float64", order="C", copy=False).is_c_contiguous()


@SETTINGS
@given(strided_views(), orders)
def test_copy_matches_numpy(views, order):
    x, r = views
    expected, got = x.copy(order=order), r.copy(order=order)
    assert_matches(got, expected)
    assert layout(got) == layout(expected)
    assert not shares(got, x)
    assert got.flags.owndata and got.flags.writeable
    assert_matches(r.copy(), x.copy())


@SETTINGS
@given(strided_views(), orders)
def test_ravel_and_flatten_match_numpy(views, order):
    x, r = views
    expected = x.ravel(order)
    got = r.ravel(order)
    assert_matches(got, expected)
    if x.size > 1:
        assert shares(got, x) == np.shares_memory(expected, x)
    flat = r.flatten(order)
    assert_matches(flat, x.flatten(order))
    assert not shares(flat, x) and flat.flags.owndata


def test_copy_module_and_dunder_copies():
    r = rp.arange(12.0).reshape(3, 4).T
    for duplicate in (copy.copy(r), copy.deepcopy(r), copy.deepcopy([r])[0]):
        assert_matches(duplicate, np.arange(12.0).reshape(3, 4).T)
        assert duplicate.is_f_contiguous()  # memory order kept, as NumPy's __copy__
        duplicate[0, 0] = -1
        assert r[0, 0] == 0


# ----------------------------------------------------------------------------- elements

@SETTINGS
@given(strided_views())
def test_tolist_matches_numpy(views):
    x, r = views
    assert r.tolist() == x.tolist() or (x.dtype.kind == "f" and np.isnan(x).any())
    assert r.to_list() == r.tolist() or (x.dtype.kind == "f" and np.isnan(x).any())
    if x.size:
        kinds = {type(v) for v in np.asarray(x).reshape(-1).tolist()}
        assert kinds == {type(v) for v in np.asarray(r.ravel()).tolist()}


@SETTINGS
@given(strided_views(), st.data())
def test_item_matches_numpy(views, data):
    x, r = views
    if x.size == 1:
        assert r.item() == x.item() or x.item() != x.item()
    if x.size:
        flat = data.draw(st.integers(-x.size, x.size - 1))
        assert r.item(flat) == x.item(flat) or x.item(flat) != x.item(flat)
        assert type(r.item(flat)) is type(x.item(flat))
        index = tuple(data.draw(st.integers(-n, n - 1)) for n in x.shape)
        assert r.item(*index) == x.item(*index) or x.item(*index) != x.item(*index)
        assert r.item(index) == r.item(*index) or x.item(*index) != x.item(*index)


def test_item_errors_match_numpy():
    r, x = rp.zeros((2, 3)), np.zeros((2, 3))
    for args, error in (((), ValueError), ((6,), IndexError), ((-7,), IndexError),
                        ((1, 3), IndexError), ((1, 2, 0), ValueError), ((1.5,), TypeError)):
        with pytest.raises(error):
            x.item(*args)
        with pytest.raises(error):
            r.item(*args)
    assert rp.array(3.5).item() == 3.5 and rp.array(3.5).item(0) == 3.5
    assert rp.array(7).item(()) == 7


@SETTINGS
@given(strided_views(), st.data())
def test_fill_matches_numpy(views, data):
    x, r = views
    value = data.draw(st.booleans() | st.integers(-100, 100) | st.floats(-1e3, 1e3))
    expected = x.copy()
    expected.fill(value)
    r.fill(value)
    assert_matches(r, expected)
    np.testing.assert_array_equal(x, expected)  # written through to the shared memory


def test_fill_checks_like_numpy():
    for dtype, value, error in (("int32", 2**40, OverflowError), ("int64", float("nan"),
                                                                   ValueError),
                                ("int64", 2**64, OverflowError), ("float64", 2**1030,
                                                                   OverflowError),
                                ("int32", "1", TypeError), ("float64", None, TypeError)):
        r = rp.arange(3, dtype=dtype)
        with pytest.raises(error):
            r.fill(value)
        assert r.tolist() == [0, 1, 2]  # left intact
    r = rp.zeros(3, dtype="int32")
    r.fill(np.float32(2.9))
    r.fill(rp.array(4))
    assert r.tolist() == [4, 4, 4]
    with pytest.raises(ValueError):
        r.fill(rp.zeros(2))


@SETTINGS
@given(strided_views())
def test_len_and_iteration_follow_the_first_axis(views):
    x, r = views
    if x.ndim == 0:
        with pytest.raises(TypeError, match="len"):
            len(r)
        with pytest.raises(TypeError, match="iteration over a 0-d array"):
            iter(r)
        return
    assert len(r) == len(x)
    items = list(r)
    assert len(items) == len(x)
    for got, expected in zip(items, x):
        if isinstance(expected, np.ndarray):
            assert_matches(got, expected)
            assert shares(got, x) or x.size == 0
        else:
            assert got == expected or expected != expected


# ----------------------------------------------------------------------------- printing

@SETTINGS
@given(strided_views())
def test_repr_and_str_are_numpys(views):
    x, r = views
    assert repr(r) == repr(x)
    assert str(r) == str(x)


@pytest.mark.parametrize("x", [np.array(3, np.int32), np.array(True), np.array(2.5),
                               np.zeros((0, 3), np.int32), np.zeros(0), np.zeros((2, 0)),
                               np.array([True, False]), np.arange(5, dtype=np.int32),
                               np.array([1.5, np.nan, -np.inf], np.float32),
                               np.arange(2000.0)])
def test_repr_special_cases(x):
    r = rp.array(x)
    assert repr(r) == repr(x)
    assert str(r) == str(x)


# ----------------------------------------------------------------------------- pickling

@SETTINGS
@given(strided_views(), st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_pickle_round_trip(views, protocol):
    x, r = views
    restored = pickle.loads(pickle.dumps(r, protocol=protocol))
    assert_matches(restored, x)
    assert restored.flags.writeable and restored.is_c_contiguous()
    assert not shares(restored, x)


def test_pickle_of_read_only_array_restores_a_writeable_copy():
    x = np.arange(4)
    x.flags.writeable = False
    restored = pickle.loads(pickle.dumps(rp.asarray(x)))
    restored[0] = 9
    assert restored.tolist() == [9, 1, 2, 3] and x[0] == 0


# ----------------------------------------------------------------------------- compatibility

def test_array2d():
    rows = [[1, 2, 3], [4, 5, 6]]
    assert_matches(rp.array2d(rows), np.array(rows))
    assert_matches(rp.array2d([[1.5], [2]], dtype="float32"),
                   np.array([[1.5], [2]], dtype="float32"))
    assert rp.array2d([[], []]).shape == (2, 0)
    for bad in ([1, 2, 3], [[[1]]], 5, [[1, 2], [3]]):
        with pytest.raises(ValueError):
            rp.array2d(bad)


def test_index_array():
    x = np.arange(24).reshape(2, 3, 4)
    r = rp.asarray(x)
    assert rp.index_array(r, 1, 2, 3) == x[1, 2, 3] == r.index_array(1, 2, 3)
    assert rp.index_array(r, -1, -3, 0) == x[-1, -3, 0]
    assert rp.index_array(r, (0, 1, 2)) == x[0, 1, 2]
    assert rp.index_array(x[::-1], 0, 0, 0) == 12
    assert rp.index_array(rp.array(5.5)) == 5.5
    assert rp.index_array([[1, 2], [3, 4]], 1, 0) == 3
    for bad in ((1, 2), (1, 2, 3, 0), (2, 0, 0), (0, -4, 0), (0, 1, 1.0)):
        with pytest.raises(IndexError):
            rp.index_array(r, *bad)
