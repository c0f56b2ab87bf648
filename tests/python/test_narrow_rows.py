"""Operations on narrow non-contiguous rows (a[:, :7] of a wide array), which run as batches of
rows gathered into scratch: NumPy's values, dtypes and warnings for elementwise operations
(strided rows, adjacent rows, a broadcast row, a scalar; any output dtype) and for reductions
over the rows, at row widths around the batching limit and on several threads."""

import warnings

import numpy as np
import pytest

import raptors as rp

DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64]


def values(dtype, shape, seed):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind == "i":
        return rng.integers(-40, 40, shape).astype(dtype)
    x = (rng.standard_normal(shape) * 8).astype(dtype)
    x.flat[::13] = 0.0
    return x


def same(got, want):
    got = np.asarray(got)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("width", [1, 3, 7, 32, 33])
def test_binary_ops_on_narrow_rows(dtype, width):
    wide = values(dtype, (300, 80), 1)
    other = values(dtype, (300, 80), 2)
    x, y = wide[:, :width], other[::1, 5:5 + width]
    row = np.ascontiguousarray(other[0, :width])
    a, b, r = rp.asarray(x), rp.asarray(y), rp.asarray(row)
    with rp.threads(2):
        same(a + b, x + y)
        same(a * b, x * y)
        same(a + r, x + row)                      # a broadcast row
        same(a < b, x < y)                        # a bool output of another size
        same(a * 3, x * 3)                        # a scalar
        same(rp.asarray(np.ascontiguousarray(x)) * b, np.ascontiguousarray(x) * y)
        if dtype != np.bool_:
            same(a - b, x - y)
            same(-a, -x)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_narrow_rows_warn_as_numpy_does(dtype):
    x = np.ones((200, 64), dtype)[:, :5]
    y = np.zeros((200, 64), dtype)[:, :5]
    y[7, 2] = 1.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = rp.asarray(x) / rp.asarray(y)
    with np.errstate(divide="ignore"):
        want = x / y
    same(got, want)
    assert any("divide by zero" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning where NumPy gives none
        same(rp.asarray(x) / rp.asarray(x), x / x)


def test_narrow_rows_split_across_threads():
    wide = np.arange(5000 * 16, dtype=np.float64).reshape(5000, 16)
    x = wide[:, 1:4]
    with rp.threads(2):
        rp.reset_threading_info()
        same(rp.asarray(x) * 2.0, x * 2.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("width", [1, 7, 32, 33])
def test_reductions_over_narrow_rows(dtype, width):
    x = values(dtype, (700, 90), 3)[:, 2:2 + width]
    a = rp.asarray(x)
    with rp.threads(2):
        for axis in (None, 0):
            same(a.max(axis=axis), x.max(axis=axis))
            same(a.min(axis=axis), x.min(axis=axis))
            same(a.any(axis=axis), x.any(axis=axis))
            same(a.all(axis=axis), x.all(axis=axis))
            if np.dtype(dtype).kind == "f":
                # Sums add in another order than NumPy's: compare at the rounding of the
                # magnitudes summed, not of a result that cancellation made small.
                scale = np.abs(x).astype(np.float64).sum(axis=axis)
                eps = np.finfo(dtype).eps
                assert np.all(np.abs(np.asarray(a.sum(axis=axis)) - x.sum(axis=axis))
                              <= 4 * eps * scale)
            else:
                same(a.sum(axis=axis), x.sum(axis=axis))


def test_narrow_rows_reductions_propagate_nan():
    x = np.arange(500 * 40, dtype=np.float64).reshape(500, 40)
    x[321, 4] = np.nan
    view = x[:, :6]
    assert np.isnan(rp.asarray(view).max()) and np.isnan(rp.asarray(view).sum())
    same(rp.asarray(view).argmax(axis=None), np.int64(view.argmax()))
