"""Operations whose operands cross each other's rows (a + a.T, a copy of a.T, a 3-D array plus
a transposed view of itself), against NumPy, on every instruction set and several thread counts.

There the loop runs in tiles of rows x columns (nditer.h) instead of whole rows, so an operand
read across its own rows reuses each cache line while it is still near. Every element must
still be computed once, from the right operands, with NumPy's dtypes and warnings; sizes that
are not multiples of the tile check its edges, and the inputs must stay as they were.
"""

import numpy as np
import pytest

import raptors as rp
from array_strategies import with_warnings

ISAS = rp.simd_available()
SHAPES = [(129, 257), (300, 131), (17, 1000), (1000, 70)]

pytestmark = pytest.mark.usefixtures("engine_settings")


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-50, 50, size=shape).astype(dtype)
    values = rng.standard_normal(shape).astype(dtype)
    values.flat[::97] = np.nan
    return values


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_operand_crossing_the_output_matches_numpy(isa, threads, dtype):
    rp._config._select_simd(isa)
    rp.set_num_threads(threads)
    for shape in SHAPES:
        base = data(shape, dtype)
        square = data((shape[0], shape[0]), dtype, seed=1)
        before = base.copy()
        cases = [("a.T + b", base.T, data(base.T.shape, dtype, seed=2)),
                 ("b - a.T", data(base.T.shape, dtype, seed=3), base.T),
                 ("s + s.T", square, square.T)]
        for name, x, y in cases:
            for op in ("add", "subtract", "multiply", "maximum", "less"):
                expected, numpy_warnings = with_warnings(lambda: getattr(np, op)(x, y))
                got, raptors_warnings = with_warnings(lambda: getattr(rp, op)(x, y))
                got = np.asarray(got)
                assert got.dtype == expected.dtype, (name, op)
                np.testing.assert_array_equal(got, expected, err_msg=f"{op}: {name} {shape}")
                assert raptors_warnings == numpy_warnings, (name, op)
        np.testing.assert_array_equal(base, before)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 3])
def test_mixed_dtypes_and_three_dimensions_cross_alike(isa, threads):
    rp._config._select_simd(isa)
    rp.set_num_threads(threads)
    ints = data((150, 300), np.int32)
    floats = data((300, 150), np.float64, seed=5)
    np.testing.assert_array_equal(np.asarray(rp.add(ints.T, floats)), ints.T + floats)
    cube = data((6, 140, 200), np.float32, seed=6)
    for axes in ((0, 2, 1), (2, 1, 0), (1, 2, 0)):
        other = np.ascontiguousarray(np.transpose(cube, axes))
        view = np.transpose(cube, axes)
        np.testing.assert_array_equal(np.asarray(rp.add(view, other)), view + other)
        np.testing.assert_array_equal(np.asarray(rp.asarray(view).copy()), view.copy())


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_copies_and_assignments_of_transposed_views(isa, threads, dtype):
    rp._config._select_simd(isa)
    rp.set_num_threads(threads)
    base = data((333, 210), np.int64) > 0 if dtype == np.bool_ else data((333, 210), dtype)
    view = rp.asarray(base).T
    np.testing.assert_array_equal(np.asarray(view.copy()), base.T.copy())
    target = rp.zeros(view.shape, dtype=np.float64)
    target[...] = view
    np.testing.assert_array_equal(np.asarray(target), base.T.astype(np.float64))
    half = rp.asarray(base)[:, ::-1].T
    np.testing.assert_array_equal(np.asarray(half.copy()), base[:, ::-1].T.copy())


def test_overflow_in_a_crossed_float32_sum_warns_like_numpy():
    big = np.full((200, 300), 3e38, dtype=np.float32)
    big[::7] = 1.0
    other = np.full((300, 200), 3e38, np.float32)
    expected, numpy_warnings = with_warnings(lambda: big.T + other)
    got, raptors_warnings = with_warnings(lambda: rp.add(big.T, other))
    np.testing.assert_array_equal(np.asarray(got), expected)
    assert raptors_warnings == numpy_warnings and numpy_warnings
