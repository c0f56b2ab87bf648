"""min, max, prod, any and all of views whose rows step a few elements at a time or run
backwards (a[::2, ::2], a[:, ::3], a[::-1, ::-1]), over the outer axis and along the rows,
against NumPy, on every instruction set and several thread counts.

Such rows are compacted (the copy loop's de-interleaving loads and lane permutes) before a
kernel that cannot read them on vectors itself (min/max, and the combine loops of outer-axis
reductions other than add and multiply), and read in place otherwise: either way every element
must be the one NumPy uses, NaNs must propagate without warnings NumPy does not give, and the
input must stay as it was.
"""

import warnings

import numpy as np
import pytest

import raptors as rp

ISAS = rp.simd_available()
OPS = ["min", "max", "prod", "any", "all"]

pytestmark = pytest.mark.usefixtures("engine_settings")


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-5, 6, size=shape).astype(dtype)
    # Near 1 in magnitude, so products of a column stay finite in float32.
    return (rng.uniform(0.9, 1.1, size=shape) * np.where(rng.random(shape) < 0.5, -1, 1)).astype(
        dtype)


def stepped(base):
    """(name, view) pairs whose innermost kept axis steps 2 to 5 elements, or backwards."""
    yield "every other row and column", base[::2, ::2]
    for step in (2, 3, 4, 5):
        yield f"every {step}th column", base[:, 1::step]
    yield "backwards by two", base[:, ::-2]
    yield "3-d, kept middle axes stepped", base[: base.shape[0] // 4 * 4].reshape(
        4, -1, base.shape[1])[:, ::2, ::3]


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("shape", [(7, 33), (64, 515), (300, 97)])
def test_stepped_outer_reductions_match_numpy(isa, threads, dtype, shape):
    rp._config._select_simd(isa)
    rp.set_num_threads(threads)
    base = data(shape, dtype)
    before = base.copy()
    for name, view in stepped(base):
        for op in OPS:
            expected = getattr(np, op)(view, axis=0)
            got = np.asarray(getattr(rp, op)(view, axis=0))
            assert got.dtype == expected.dtype, (name, op)
            if op == "prod" and np.issubdtype(dtype, np.floating):
                np.testing.assert_allclose(got, expected, rtol=1e-5, err_msg=f"{name} {op}")
            else:
                np.testing.assert_array_equal(got, expected, err_msg=f"{name} {op}")
    np.testing.assert_array_equal(base, before)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nans_in_stepped_columns_propagate_without_warnings(isa, dtype):
    rp._config._select_simd(isa)
    base = data((200, 301), dtype)
    base[17, ::6] = np.nan       # every third wanted column of base[:, ::2] gets one NaN
    base[150, 1::2] = np.inf     # columns the view skips: must never show
    view = base[:, ::2]
    for op in ("min", "max"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = np.asarray(getattr(rp, op)(view, axis=0))
        np.testing.assert_array_equal(got, getattr(np, op)(view, axis=0))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_stepped_rows_reduce_like_numpy(isa, threads, dtype):
    # Rows read backwards or a few elements apart, reduced along themselves or whole: min/max
    # compact them in chunks before the vector kernels.
    rp._config._select_simd(isa)
    rp.set_num_threads(threads)
    base = data((40, 3000), dtype, seed=2)
    if np.issubdtype(dtype, np.floating):
        base[3, 2001] = np.inf
        base[5, 1500] = -np.inf
    views = [("reversed", base[::-1, ::-1]), ("reversed rows", base[:, ::-1]),
             ("every other", base[::2, ::2]), ("every third", base[:, 1::3]),
             ("every fifth", base[:, ::5])]
    for name, view in views:
        for op in ("min", "max"):
            for axis in (None, 1, -1):
                expected = getattr(np, op)(view, axis=axis)
                got = np.asarray(getattr(rp, op)(view, axis=axis))
                np.testing.assert_array_equal(got, expected, err_msg=f"{op} {name} {axis}")


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_nans_in_stepped_rows_propagate_without_warnings(isa, dtype):
    rp._config._select_simd(isa)
    base = data((6, 5000), dtype, seed=4)
    base[1, 4321] = np.nan   # found by the reversed rows, late in the row's order
    base[2, 10] = np.nan     # early in a reversed row's order, in one chunk of many
    base[4, 1::2] = np.nan   # skipped by base[:, ::2]
    for view in (base[:, ::-1], base[:, ::2], base[::-1, ::-3]):
        for op in ("min", "max"):
            for axis in (None, 1):
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    got = np.asarray(getattr(rp, op)(view, axis=axis))
                np.testing.assert_array_equal(got, getattr(np, op)(view, axis=axis))
