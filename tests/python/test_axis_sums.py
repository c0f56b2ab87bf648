"""Sums and means over an outer axis (a.sum(axis=0) of C data and its relatives), which run on
the column-sum kernels, against NumPy, on every instruction set and several thread counts.

The column sums add rows in one fixed order (kernels.h), so their float results must be
bit-identical across instruction sets and thread counts; against NumPy (which adds the rows of
an axis-0 sum one after another) they must agree to within NumPy's own rounding error, and for
float32 be at least as accurate.

Views whose columns are a few elements apart (a[::2, ::2]) are summed by reading each row's
whole span; their wanted columns must come out bit-identical to the sums of a contiguous copy,
and the columns in between must never show in the results or the warnings.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import raptors as rp

ISAS = rp.simd_available()
THREADS = [1, 2, 3, 8]
DTYPES = [np.bool_, np.int32, np.int64, np.float32, np.float64]


pytestmark = pytest.mark.usefixtures("engine_settings")


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.4
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-1000, 1000, size=shape).astype(dtype)
    return (rng.standard_normal(shape) * 100).astype(dtype)


def views(dtype):
    """(name, array, axis) cases of `dtype`: outer reductions of many shapes and layouts (views
    keep their strides: they are taken from a base array of the dtype)."""
    values = np.arange(300 * 2100).reshape(300, 2100) % 977 - 488
    base = values % 3 == 0 if dtype == np.bool_ else values.astype(dtype)
    yield "one row", base[:1], 0
    yield "one column", base[:, :1], 0
    yield "no rows", base[:0], 0
    yield "no columns", base[:, :0], 0
    for rows, cols in [(2, 3), (7, 16), (9, 17), (129, 33), (257, 1025), (300, 2100)]:
        yield f"{rows}x{cols}", np.ascontiguousarray(base[:rows, :cols]), 0
    for rows, cols in [(1000, 5), (40_000, 3)]:
        yield f"{rows}x{cols}", np.resize(base[:, :cols], (rows, cols)), 0
    yield "every other row", base[::2, :500], 0
    yield "rows reversed", base[::-1, :77], 0
    yield "column window", base[:, 5:300], 0
    yield "3-d middle axis", base.reshape(300, 30, 70)[:50], 1
    yield "3-d first axis", base.reshape(300, 30, 70), 0
    yield "3-d two outer axes", base.reshape(300, 30, 70), (0, 1)
    yield "broadcast rows", np.broadcast_to(base[0, :100], (1000, 100)), 0
    yield from stepped_views(base)
    yield "column step past a cache line", base[:, ::20], 0
    yield "column step of four", base[::3, 2::4], 0
    # The kept inner axis is contiguous in the input but not in the output.
    yield "3-d transposed", base.reshape(300, 30, 70).transpose(2, 1, 0), 2


def stepped_views(base):
    """(name, view, axis) cases whose kept inner axis steps 1 to 3 elements at a time, backwards
    included: those the column sums read whole whatever the dtype and instruction set."""
    yield "every other row and column", base[::2, ::2], 0
    yield "every third column", base[:, 1::3], 0
    yield "every other column reversed", base[::-1, ::-2], 0
    yield "columns reversed", base[:40, ::-1], 0
    yield "every third column reversed", base[7:200, -2::-3], 0
    yield "3-d stepped, kept outer axis", base.reshape(300, 30, 70)[:50, :, ::2], 1
    yield "3-d stepped, first axis", base.reshape(300, 30, 70)[:, ::3, ::2], 0
    yield "many rows stepped", np.resize(base[:, :40], (40_000, 40))[:, ::2], 0
    yield "one row stepped", base[:1, ::2], 0
    yield "no rows stepped", base[:0, ::3], 0


def exact_sum(x, axis):
    return np.asarray(x, dtype=np.float64).sum(axis=axis, dtype=np.longdouble)


def check_sum(x, axis, keepdims=False):
    got = rp.asarray(x).sum(axis=axis, keepdims=keepdims)
    expected = x.sum(axis=axis, keepdims=keepdims)
    got = np.asarray(got)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if x.dtype.kind != "f":
        np.testing.assert_array_equal(got, expected)
        return
    exact = exact_sum(x, axis)
    if keepdims:
        exact = np.expand_dims(exact, axis)
    magnitude = np.abs(x).astype(np.float64).sum(axis=axis, keepdims=keepdims)
    eps = np.finfo(x.dtype).eps
    rows = x.size // max(got.size, 1)
    # kernels.h's bound: log2(8) + 128/8 + rows/128 roundings (plus the final one).
    bound = (3 + 16 + rows / 128 + 2) * eps * magnitude
    assert np.all(np.abs(got - exact) <= bound)
    numpy_error = np.abs(expected - exact).max(initial=0)
    assert np.abs(got - exact).max(initial=0) <= numpy_error + 2 * eps * magnitude.max(initial=0)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_outer_sums_match_numpy(isa, threads, dtype):
    rp._config._select_simd(isa)
    with rp.threads(threads):
        for name, x, axis in views(dtype):
            check_sum(x, axis)
        x = data((130, 40), dtype)
        check_sum(x, 0, keepdims=True)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.bool_])
def test_outer_means_match_numpy(isa, dtype):
    rp._config._select_simd(isa)
    for name, x, axis in views(dtype):
        expected = x.mean(axis=axis) if x.shape[0] else None
        if expected is None:
            continue  # the empty mean's warning and NaN are test_compute_semantics' business
        got = np.asarray(rp.asarray(x).mean(axis=axis))
        assert got.dtype == expected.dtype and got.shape == expected.shape
        rtol = 1e-5 if x.dtype == np.float32 else 1e-12
        scale = np.abs(x).astype(np.float64).mean(axis=axis) if x.size else 0
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * np.max(scale, initial=0))


def test_results_are_identical_on_every_isa_and_thread_count():
    x = data((1031, 517), np.float32, seed=3)
    y = data((3000, 70), np.float64, seed=4)
    stepped = data((2000, 900), np.float32, seed=5)[::2, ::3]
    reference = None
    for isa in ISAS:
        rp._config._select_simd(isa)
        for threads in THREADS:
            with rp.threads(threads):
                results = [np.asarray(rp.asarray(x).sum(axis=0)),
                           np.asarray(rp.asarray(y).sum(axis=0)),
                           np.asarray(rp.asarray(x).mean(axis=0)),
                           np.asarray(rp.asarray(stepped).sum(axis=0))]
            if reference is None:
                reference = results
            for got, want in zip(results, reference):
                assert got.tobytes() == want.tobytes(), (isa, threads)


def test_float32_columns_are_at_least_as_accurate_as_numpy():
    for x in (np.full((100_003, 6), 0.1, np.float32),
              (np.random.default_rng(5).random((20_000, 33)) * 1000).astype(np.float32)):
        exact = exact_sum(x, 0)
        ours = np.abs(np.asarray(rp.asarray(x).sum(axis=0), np.float64) - exact).max()
        numpys = np.abs(x.sum(axis=0).astype(np.float64) - exact).max()
        assert ours <= numpys
        exact_mean = exact / x.shape[0]
        ours = np.abs(np.asarray(rp.asarray(x).mean(axis=0), np.float64) - exact_mean).max()
        numpys = np.abs(x.mean(axis=0).astype(np.float64) - exact_mean).max()
        assert ours <= numpys + np.finfo(np.float32).eps * np.abs(exact_mean).max()


def test_negative_zero_columns_sum_to_positive_zero():
    x = np.full((20, 37), -0.0)
    for isa in ISAS:
        rp._config._select_simd(isa)
        got = np.asarray(rp.asarray(x).sum(axis=0))
        expected = x.sum(axis=0)
        assert np.array_equal(np.signbit(got), np.signbit(expected))


def test_overflow_warns_like_numpy():
    x = np.full((300, 50), 3e38, np.float32)
    with pytest.warns(RuntimeWarning, match="overflow"):
        expected = x.sum(axis=0)
    with pytest.warns(RuntimeWarning, match="overflow"):
        got = rp.asarray(x).sum(axis=0)
    np.testing.assert_array_equal(np.asarray(got), expected)


# ----------------------------------------------------------------------------- stepped columns

def raptors_sum_bytes(x, axis):
    return np.asarray(rp.asarray(x).sum(axis=axis)).tobytes()


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_stepped_columns_sum_like_a_contiguous_copy(isa, threads, dtype):
    rp._config._select_simd(isa)
    base = data((300, 2100), dtype, seed=7)
    with rp.threads(threads):
        for name, x, axis in stepped_views(base):
            copy = np.ascontiguousarray(x)
            assert raptors_sum_bytes(x, axis) == raptors_sum_bytes(copy, axis), name
            check_sum(x, axis)
            if x.shape[axis] == 0:
                continue  # the empty mean's warning and NaN are test_compute_semantics' business
            expected = copy.mean(axis=axis)
            got = np.asarray(rp.asarray(x).mean(axis=axis))
            assert got.tobytes() == np.asarray(rp.asarray(copy).mean(axis=axis)).tobytes()
            np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-12,
                                       atol=1e-3)


# Rows narrower than 20 bytes are summed column by column, whose float results may depend on
# the column's stride, so the columns start at five.
@settings(max_examples=150, deadline=None)
@given(dtype=st.sampled_from(DTYPES), rows=st.integers(1, 300), cols=st.integers(5, 90),
       row_step=st.sampled_from([1, 2, -1, -3]), col_step=st.sampled_from([1, 2, 3, -1, -2, -3]),
       offset=st.integers(0, 2), outer=st.integers(0, 3), threads=st.sampled_from(THREADS))
def test_stepped_columns_property(dtype, rows, cols, row_step, col_step, offset, outer, threads):
    base = data((max(outer, 1), rows * abs(row_step), cols * abs(col_step) + offset), dtype,
                seed=rows * cols)
    x = base[:, ::row_step, offset if col_step > 0 else -1 - offset::col_step]
    assert x.shape[1:] == (rows, cols)
    x, axis = (x[0], 0) if outer == 0 else (x, 1)
    with rp.threads(threads):
        assert raptors_sum_bytes(x, axis) == raptors_sum_bytes(np.ascontiguousarray(x), axis)
        check_sum(x, axis)


def sum_and_warnings(f):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = np.asarray(f())
    return result, sorted(str(w.message) for w in caught)


def float_views_with_trouble_between(dtype):
    """(name, view) pairs whose skipped columns overflow or turn invalid, wanted ones not."""
    big = np.finfo(dtype).max / 4
    x = np.ones((300, 100), dtype)
    x[:, 1::2] = big
    yield "overflow between", x[:, ::2]
    y = np.ones((300, 100), dtype)
    y[0, 1::2], y[1, 1::2] = np.inf, -np.inf
    yield "inf - inf between", y[::-1, ::2]
    z = np.ones((20, 3, 100), dtype)
    z[:, :, ::3] = big
    yield "3-d overflow between", z[:, :, 1::3]
    nans = np.ones((300, 100), dtype)
    nans[:, 1::2] = np.nan
    yield "NaN between", nans[:, ::2]


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_skipped_columns_raise_no_warning(isa, threads, dtype):
    rp._config._select_simd(isa)
    with rp.threads(threads):
        for name, x in float_views_with_trouble_between(dtype):
            axis = x.ndim - 2
            expected, numpy_warnings = sum_and_warnings(lambda: x.sum(axis=axis))
            got, raptors_warnings = sum_and_warnings(lambda: rp.asarray(x).sum(axis=axis))
            assert numpy_warnings == [] and raptors_warnings == [], name
            np.testing.assert_array_equal(got, expected)
            mean, mean_warnings = sum_and_warnings(lambda: rp.asarray(x).mean(axis=axis))
            assert mean_warnings == [], name
            np.testing.assert_array_equal(mean, x.mean(axis=axis))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_wanted_columns_warn_like_numpy(isa, threads, dtype):
    rp._config._select_simd(isa)
    big = np.finfo(dtype).max / 4
    overflow = np.ones((300, 100), dtype)
    overflow[:, 2::4] = big          # some wanted columns of [:, ::2] overflow
    invalid = np.ones((300, 100), dtype)
    invalid[0, 4::6], invalid[2, 4::6] = np.inf, -np.inf
    both = np.ones((300, 100), dtype)
    both[:, 1::4] = big              # wanted columns of [:, ::-2] overflow,
    both[0, ::2], both[1, ::2] = np.inf, -np.inf  # skipped ones turn invalid
    with rp.threads(threads):
        for x in (overflow[:, ::2], invalid[::2, ::2], both[:, ::-2]):
            expected, numpy_warnings = sum_and_warnings(lambda: x.sum(axis=0))
            got, raptors_warnings = sum_and_warnings(lambda: rp.asarray(x).sum(axis=0))
            assert numpy_warnings and raptors_warnings == numpy_warnings
            np.testing.assert_array_equal(got, expected)
