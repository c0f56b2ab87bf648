"""Hypothesis strategies and comparison helpers shared by the array test modules.

Arrays are drawn as NumPy arrays (the reference) over every Raptors dtype and over shapes with
0-size, 1-element and up to 5-D extents; `strided_views` turns them into non-contiguous,
negative-stride and transposed views, which is where layout bugs live.
"""

import warnings

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import raptors as rp

DTYPE_NAMES = ("bool", "int32", "int64", "float32", "float64")
dtype_names = st.sampled_from(DTYPE_NAMES)
shapes = hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4)


def _elements(dtype_name):
    if dtype_name == "float32":
        return st.floats(width=32, allow_nan=True, allow_infinity=True)
    if dtype_name == "float64":
        return st.floats(allow_nan=True, allow_infinity=True)
    return None  # hypothesis' defaults cover the full integer range and both booleans


@st.composite
def numpy_arrays(draw, dtype=None, shape=None):
    """A C-contiguous NumPy array of a Raptors dtype."""
    name = draw(dtype_names) if dtype is None else dtype
    shape = draw(shapes) if shape is None else shape
    return draw(hnp.arrays(name, shape, elements=_elements(name)))


@st.composite
def index_items(draw, extent):
    """One basic index item for an axis of `extent`: an in-range integer or any slice."""
    if extent > 0 and draw(st.booleans()):
        return draw(st.integers(-extent, extent - 1))
    bound = st.none() | st.integers(-extent - 2, extent + 2)
    step = st.none() | st.integers(-3, 3).filter(lambda s: s != 0)
    return slice(draw(bound), draw(bound), draw(step))


@st.composite
def basic_indices(draw, shape):
    """A tuple index of integers, slices (any step), at most one Ellipsis and some None."""
    items = [draw(index_items(extent)) for extent in shape[:draw(st.integers(0, len(shape)))]]
    if draw(st.booleans()):
        # Anywhere when every axis is named (it then stands for no axes), else last, so that
        # each item still indexes the axis it was drawn for.
        position = draw(st.integers(0, len(items))) if len(items) == len(shape) else len(items)
        items.insert(position, Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@st.composite
def strided_views(draw, dtype=None):
    """(numpy_view, raptors_view) of the same memory: sliced with any steps, maybe transposed.

    The raptors view is taken from a raptors array that shares the NumPy base's memory, so the
    two sides describe the very same bytes through independent index arithmetic.
    """
    base = draw(numpy_arrays(dtype=dtype, shape=draw(
        hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5))))
    shared = rp.from_numpy(base)
    index = draw(basic_indices(base.shape))
    x, r = base[index], shared[index]
    if not isinstance(x, np.ndarray):  # a full integer index selects a scalar
        x, r = base[...], shared[...]
    if x.ndim > 1 and draw(st.booleans()):
        axes = draw(st.permutations(range(x.ndim)))
        x, r = x.transpose(axes), r.transpose(axes)
    return x, r


def assert_matches(r, x):
    """r (raptors) has x's (NumPy) shape, dtype and values; NaNs compare equal."""
    assert isinstance(r, rp.ndarray), type(r)
    assert r.shape == x.shape
    assert str(r.dtype) == x.dtype.name
    np.testing.assert_array_equal(np.asarray(r), x, strict=True)


def layout(a):
    """The strides that matter: those of axes longer than 1, in a non-empty array. (NumPy 2
    zeroes the strides of empty arrays and the buffer protocol may rewrite those of length-1
    axes; neither changes which bytes are addressed.)"""
    if a.size == 0:
        return None
    return tuple(stride if extent > 1 else None for stride, extent in zip(a.strides, a.shape))


def assert_same_layout(r, x):
    """Beyond values: r describes memory exactly as x does."""
    assert_matches(r, x)
    assert layout(r) == layout(x)
    assert r.is_c_contiguous() == x.flags.c_contiguous
    assert r.is_f_contiguous() == x.flags.f_contiguous


def with_warnings(fn):
    """fn()'s result and the set of warnings it gave, as sorted (category, message) pairs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, sorted({(w.category, str(w.message)) for w in caught})
