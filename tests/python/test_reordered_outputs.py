"""Reductions whose kept axes run through the output in another order than through the input:
transposed and Fortran-ordered 3-D arrays reduced over one axis, reversed views, mixed
transposes. Their rows accumulate in a contiguous buffer, read in the input's memory order
(several kept axes as one row where the input allows it), and the buffer is copied out to the
output's places; these tests hold every such result to NumPy's, on each thread count and with
the work cut as finely as the engine allows.
"""

import warnings

import numpy as np
import pytest

import raptors as rp

pytestmark = pytest.mark.usefixtures("engine_settings")

SHAPES = [(6, 40, 33), (3, 5, 4, 7), (2, 300, 17)]
OPS = ["sum", "prod", "min", "max", "mean", "any", "all"]


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-3, 4, size=shape).astype(dtype)
    # Near 1 in magnitude, so long products stay finite in float32 in any order.
    signs = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return (signs * rng.uniform(0.97, 1.03, size=shape)).astype(dtype)


def layouts(base):
    """(name, view) pairs whose kept axes are reordered or reversed against the input."""
    nd = base.ndim
    return [
        ("T", base.T),
        ("F", np.asfortranarray(base)),
        ("reversed", base[::-1, ..., ::-1]),
        ("reversed T", base[::-1].T),
        ("rolled", base.transpose(*range(1, nd), 0)),
        ("rolled reversed", base.transpose(*range(1, nd), 0)[..., ::-1]),
        ("swapped", base.swapaxes(0, 1)),
    ]


def axis_choices(ndim):
    return list(range(ndim)) + [(0, ndim - 1)]


def assert_matches(op, expected, got, dtype):
    got = np.asarray(got)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    if op in ("sum", "mean", "prod") and np.issubdtype(dtype, np.floating):
        tolerance = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("shape", SHAPES)
def test_reordered_outputs_match_numpy(shape, dtype, threads):
    rp.set_num_threads(threads)
    base = data(shape, dtype)
    for name, view in layouts(base):
        for axis in axis_choices(view.ndim):
            for op in OPS:
                if op == "mean" and dtype == np.bool_:
                    continue
                expected = getattr(np, op)(view, axis=axis)
                got = getattr(rp, op)(view, axis=axis)
                try:
                    assert_matches(op, expected, got, dtype)
                except AssertionError as failure:
                    raise AssertionError(f"{op} of the {name} view, axis {axis}") from failure


@pytest.mark.parametrize("keepdims", [False, True])
def test_reordered_outputs_keep_dims(keepdims):
    view = data((4, 64, 9), np.float64).T
    for op in ["min", "max", "sum"]:
        expected = getattr(np, op)(view, axis=1, keepdims=keepdims)
        got = getattr(rp, op)(view, axis=1, keepdims=keepdims)
        assert_matches(op, expected, got, np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reordered_extremes_propagate_nan(dtype):
    base = data((5, 48, 36), dtype)
    base[2, 7, 3] = np.nan
    base[4, 40, 35] = np.nan
    for _, view in layouts(base):
        for axis in axis_choices(view.ndim):
            for op in ["min", "max"]:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    got = np.asarray(getattr(rp, op)(view, axis=axis))
                np.testing.assert_array_equal(got, getattr(np, op)(view, axis=axis))


def test_reordered_outputs_leave_the_input_intact():
    base = data((6, 40, 33), np.float32)
    before = base.copy()
    for _, view in layouts(base):
        rp.max(view, axis=0)
        rp.sum(view, axis=1)
    np.testing.assert_array_equal(base, before)
