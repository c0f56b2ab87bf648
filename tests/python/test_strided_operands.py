"""Unary and binary operations whose inputs step through memory other than one element at a
time (a[::-1], a[:, ::2], a[:, ::5]), against NumPy, on every instruction set and several thread
counts.

Inputs at steps that the operation's own loop cannot read on vectors (every step of a unary
operation; for float add and multiply, steps other than 2 to 4 elements forward) are read
through a scratch copy made by the copy loop (on vectors for steps of 2 to 4 and for
reversed rows). The values, the result dtype and the warnings must stay NumPy's: the copy moves
bits only, so NaN payloads, signed zeros and the floating-point conditions of the elements' own
operations are unchanged, and elements a view skips never take part.
"""

import numpy as np
import pytest

import raptors as rp
from array_strategies import with_warnings

ISAS = rp.simd_available()
OPS = ["subtract", "divide", "maximum", "minimum", "less", "equal", "floor_divide", "remainder",
       "add", "multiply"]

pytestmark = pytest.mark.usefixtures("engine_settings")


def operands(dtype, rows=37, cols=301, seed=3):
    """A base array with zeros, infinities and NaNs among ordinary values (floats), or small
    integers with zeros (ints)."""
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        return rng.integers(-4, 5, size=(rows, cols)).astype(dtype)
    values = rng.uniform(-3, 3, size=(rows, cols)).astype(dtype)
    values.flat[::17] = 0.0
    values.flat[5::41] = np.inf
    values.flat[9::53] = -0.0
    values.flat[11::59] = np.nan
    return values


def views(base):
    yield "reversed rows", base[:, ::-1]
    yield "reversed both axes", base[::-1, ::-1]
    for step in (2, 3, 4, 5):
        yield f"every {step}th column", base[:, 1::step]
    yield "backwards by three", base[:, ::-3]


def same_result(got, expected):
    got = np.asarray(got)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    if np.issubdtype(expected.dtype, np.floating):
        assert np.array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_strided_operands_match_numpy(isa, threads, dtype):
    rp._config._select_simd(isa)
    rp.set_num_threads(threads)
    base = operands(dtype)
    other = operands(dtype, seed=4)
    before = base.copy()
    for name, view in views(base):
        partner = np.ascontiguousarray(other[: view.shape[0], : view.shape[1]])
        for op in OPS:
            for x, y in ((view, partner), (partner, view), (view, view)):
                expected, numpy_warnings = with_warnings(lambda: getattr(np, op)(x, y))
                got, raptors_warnings = with_warnings(lambda: getattr(rp, op)(x, y))
                try:
                    same_result(got, expected)
                    assert raptors_warnings == numpy_warnings
                except AssertionError as failure:
                    raise AssertionError(f"{op} with {name}") from failure
    np.testing.assert_array_equal(base, before)


@pytest.mark.parametrize("isa", ISAS)
def test_strided_operand_into_an_output_that_overlaps_it(isa):
    # The output is the input's own memory, read backwards: NumPy reads every input element
    # before its place is written.
    rp._config._select_simd(isa)
    for dtype in (np.float64, np.int32):
        base = operands(dtype, rows=4, cols=200)
        expected = base.copy()
        np.maximum(expected[:, ::-1], expected[:, :1], out=expected)
        got = base.copy()
        target = rp.asarray(got)
        rp.maximum(target[:, ::-1], target[:, :1], out=target)
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_strided_unary_operands_match_numpy(isa, dtype):
    rp._config._select_simd(isa)
    base = operands(dtype)
    ops = ["negative", "absolute", "logical_not"] + (
        ["isnan", "isfinite"] if np.issubdtype(dtype, np.floating) else ["invert"])
    for name, view in views(base):
        for op in ops:
            expected, numpy_warnings = with_warnings(lambda: getattr(np, op)(view))
            got, raptors_warnings = with_warnings(lambda: getattr(rp, op)(view))
            try:
                same_result(got, expected)
                assert raptors_warnings == numpy_warnings
            except AssertionError as failure:
                raise AssertionError(f"{op} of {name}") from failure
