"""min, max, prod, any and all over an outer axis of views whose kept axis steps a few elements
at a time (a[::2, ::2], a[:, ::3]), against NumPy, on every instruction set and several thread
counts.

Those rows are compacted (the copy loop's de-interleaving loads) before the combine loop when
that loop cannot read them at a step itself, and read in place when it can (add, multiply):
either way every element must be the one NumPy combines, NaNs must propagate without warnings
NumPy does not give, and the input must stay as it was.
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
