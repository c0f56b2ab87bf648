"""Regression tests for the bugs the fuzzer (fuzz/fuzz_api.py), the sanitizers and the bad-input
table found, one group per bug, each against NumPy's behaviour. Two of them were undefined
behaviour that only the sanitizer stage of CI sees (scripts/sanitize.sh runs this file on the
UBSan build with no suppressions): the 0-d creation and the huge-extent reshape below.
"""

import warnings

import numpy as np
import pytest

import raptors as rp


def outcome(lib, make):
    """("ok", value as a NumPy array, warning messages) or ("error", class) for make(lib)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = make(lib)
        except Exception as error:  # noqa: BLE001 - the exception is the outcome
            return ("error", type(error))
    if isinstance(value, rp.ndarray):
        value = np.array(value, copy=True)
    return ("ok", value, sorted({str(w.message) for w in caught}))


def same_as_numpy(make):
    expected, got = outcome(np, make), outcome(rp, make)
    if expected[0] == "error":
        assert got[0] == "error" and issubclass(got[1], expected[1]), (expected, got)
        return
    assert got[0] == "ok", f"NumPy succeeded, Raptors raised {got[1].__name__}"
    if isinstance(expected[1], np.ndarray):
        assert got[1].dtype == expected[1].dtype and got[1].shape == expected[1].shape
        np.testing.assert_array_equal(got[1], expected[1])
    else:
        assert got[1] == expected[1]
    assert got[2] == expected[2]


# ----- 0-d arrays were created with memcpy from a NULL shape (UBSan: nonnull-attribute)

def test_zero_dimensional_creation():
    a = rp.zeros(3)
    a[0] = 1.0  # the scalar goes through a 0-d array
    np.testing.assert_array_equal(np.asarray(a), [1.0, 0.0, 0.0])
    assert np.asarray(rp.full((), 2.5)).shape == ()
    assert rp.full((), 7, dtype="int32").item() == 7


# ----- reshape of an empty array to a huge extent overflowed strides (UBSan: signed overflow)

@pytest.mark.parametrize("dtype", ["bool", "float64"])
@pytest.mark.parametrize("shape", [(2**62, -1), (-1, 2**62), (0, 2**62, 2**62), (2**60, 0, 4)])
def test_empty_reshape_to_huge_extent(dtype, shape):
    same_as_numpy(lambda lib: lib.zeros(0, dtype=dtype).reshape(shape))
    expected = outcome(np, lambda lib: lib.zeros(0, dtype=dtype).reshape(shape).strides)
    assert outcome(rp, lambda lib: lib.zeros(0, dtype=dtype).reshape(shape).strides) == expected


def test_huge_extent_of_empty_array_creation():
    assert rp.zeros((2**62, 0), dtype=bool).shape == (2**62, 0)
    with pytest.raises(ValueError, match="too big"):
        rp.zeros((2**62, 0))
    same_as_numpy(lambda lib: lib.full((2**62, 0), lib.zeros(0, dtype=bool)).shape)


# ----- reshape order='A' and order='K', astype's layout

def test_reshape_order_a_reads_fortran_arrays_in_fortran_order():
    x = np.arange(6.0).reshape(2, 3).T
    a = rp.asarray(x)
    r = a.reshape(-1, order="A")
    np.testing.assert_array_equal(np.asarray(r), x.reshape(-1, order="A"))
    assert np.shares_memory(np.asarray(r), x)  # a view, as in NumPy


def test_reshape_order_k_is_refused():
    same_as_numpy(lambda lib: lib.zeros(2).reshape(2, order="K"))


def test_astype_keeps_the_memory_layout():
    x = np.ones((2, 3)).T
    cast = rp.asarray(x).astype("int64")
    assert cast.flags.f_contiguous == x.astype("int64").flags.f_contiguous is True
    # So a later reshape copies in both libraries and writes do not reach the cast array.
    flat = cast.reshape(-1)
    flat[0] = 5
    assert cast[0, 0] == 1


# ----- assignment: leading extent-1 axes of the value are dropped; element assignment

@pytest.mark.parametrize("target_shape, key, value_shape", [
    ((3,), Ellipsis, (1, 3)),
    ((3,), slice(None), (1, 1, 3)),
    ((2, 3), 0, (1, 1, 3)),
    ((2, 3), Ellipsis, (1, 2, 1)),
    ((), Ellipsis, (1, 1)),
    ((0,), Ellipsis, (1, 0)),
    ((3,), slice(0, 1), (1, 1)),
    ((2, 3), 0, (2, 3)),          # not leading ones: ValueError
    ((3,), 0, (1,)),              # one element from an array: ValueError
    ((2, 2), (0, 0), (1, 1)),
    ((), (), (1,)),
    ((3,), 0, ()),
])
def test_assignment_drops_leading_unit_axes(target_shape, key, value_shape):
    def assign(lib):
        a = lib.zeros(target_shape)
        a[key] = np.arange(1.0, 1.0 + np.prod(value_shape)).reshape(value_shape)
        return a
    same_as_numpy(assign)


ELEMENT_VALUES = {
    "array (1,)": lambda lib, dtype: lib.ones(1, dtype=dtype),
    "array (1, 1)": lambda lib, dtype: lib.zeros((1, 1), dtype=dtype),
    "array (2,)": lambda lib, dtype: lib.ones(2, dtype=dtype),
    "array (0,)": lambda lib, dtype: lib.ones(0, dtype=dtype),
    "array ()": lambda lib, dtype: lib.zeros((), dtype=dtype),
    "list [0]": lambda lib, dtype: [0],
    "list [1, 2]": lambda lib, dtype: [1, 2],
    "list []": lambda lib, dtype: [],
    "tuple ()": lambda lib, dtype: (),
    "numpy array (1,)": lambda lib, dtype: np.ones(1, dtype=dtype),
}


@pytest.mark.parametrize("target", ["bool", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("source", ["bool", "int64", "float64"])
@pytest.mark.parametrize("value", ELEMENT_VALUES)
def test_element_assignment_from_sequences_and_arrays(target, source, value):
    """a[i] = <array or sequence>: NumPy reads it the way the element's dtype reads a scalar: a
    bool takes its truth (bool([0]) is True), integers refuse lists with TypeError, and arrays
    with axes are refused otherwise."""
    def assign(lib):
        a = lib.zeros((2, 3), dtype=target)
        a[1, 0] = ELEMENT_VALUES[value](lib, source)
        return a
    same_as_numpy(assign)


@pytest.mark.parametrize("key, value", [(Ellipsis, [[1, 2, 3]]), (0, [5]), (0, [[5]])])
def test_sequences_deeper_than_the_target_are_refused(key, value):
    def assign(lib):
        a = lib.zeros(3)
        a[key] = value
    same_as_numpy(assign)


def test_full_takes_a_fill_array_with_leading_unit_axes():
    same_as_numpy(lambda lib: lib.full((2, 3), np.arange(3.0).reshape(1, 1, 3)))
    same_as_numpy(lambda lib: lib.full(3, np.ones((2, 3))))


# ----- transpose(()) names no axes

@pytest.mark.parametrize("shape", [(2, 3), (4,), ()])
@pytest.mark.parametrize("axes", [((),), ([],), (None,), ()])
def test_transpose_with_empty_axes(shape, axes):
    same_as_numpy(lambda lib: lib.zeros(shape).transpose(*axes))


# ----- integer indices beyond int64

@pytest.mark.parametrize("index", [2**63, 2**64 - 1, 2**64, 10**30, -2**63 - 1,
                                   np.uint64(2**63), (0, 2**63), (2**63, 0)])
def test_huge_integer_index(index):
    def read(lib):
        return lib.zeros((3, 3))[index]

    def write(lib):
        lib.zeros((3, 3))[index] = 1
    same_as_numpy(read)
    same_as_numpy(write)


@pytest.mark.parametrize("args", [(2**63,), (10**30,), (0, 2**63)])
def test_item_with_huge_index(args):
    same_as_numpy(lambda lib: lib.zeros((3, 3)).item(*args))


# ----- casts that meet a value with no representation warn as NumPy does

CAST_CASES = [
    (np.array([np.nan, np.inf, 1.5, -np.inf]), "int64"),
    (np.array([1e10, 2.5, -3e9]), "int32"),
    (np.array([3e9, 1.0], dtype=np.float32), "int32"),
    (np.array([1e300, -1e300, np.inf, np.nan]), "float32"),
    (np.array([2.0**63, -2.0**63]), "int64"),     # 2**63 does not fit, -2**63 does
    (np.array([np.nan, 0.0]), "bool"),            # no warning: NaN is True
    (np.array([2**62, -1]), "int32"),             # integers wrap silently
    (np.array([1.5, -2.5]), "int64"),             # in range: no warning
]


@pytest.mark.parametrize("values, dtype", CAST_CASES)
def test_cast_warnings(values, dtype):
    same_as_numpy(lambda lib: lib.asarray(values).astype(dtype))
    same_as_numpy(lambda lib: lib.asarray(values, dtype=dtype))

    def assign(lib):
        a = lib.zeros(values.shape, dtype=dtype)
        a[...] = values
        return a
    same_as_numpy(assign)


@pytest.mark.parametrize("threads", [1, 2])
def test_cast_warning_from_any_thread(threads):
    """A large cast is split into tasks across the pool; an invalid value in any one of them,
    whichever thread converts it, must give the warning."""
    values = np.arange(4_000_000, dtype=np.float64)
    with rp.threads(threads):
        jobs = rp.threading_info()["parallel_jobs"]
        for position in range(0, values.size, values.size // 16):
            spoiled = values.copy()
            spoiled[position] = np.nan
            with pytest.warns(RuntimeWarning, match="invalid value encountered in cast"):
                cast = rp.asarray(spoiled).astype("int64")
            assert cast[position] == np.iinfo(np.int64).min
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            clean = rp.asarray(values).astype("int64")  # no warning without the NaN
        assert (rp.threading_info()["parallel_jobs"] > jobs) == (threads > 1)
    np.testing.assert_array_equal(np.asarray(clean), values.astype("int64"))


def test_cast_warning_as_error_leaves_nothing_behind():
    a = rp.asarray(np.array([1.0, np.nan]))
    before = rp._core._live_buffers()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            a.astype("int64")
        target = rp.zeros(2, dtype="int64")
        with pytest.raises(RuntimeWarning):
            target[...] = a
    del target
    assert rp._core._live_buffers() == before
    np.testing.assert_array_equal(np.asarray(a), [1.0, np.nan])


@pytest.mark.parametrize("fill, dtype", [
    (float("nan"), "int32"), (np.inf, "int64"), (1e300, "int64"), (1e300, "float32"),
    (np.float32("nan"), "int64"), (np.array(np.nan), "int64"), ([np.inf, 1.0, 2.0], "int64"),
    ([2**63 - 1, 2.75, 1], "int64"), (2**31, "int32"), (2**63, "int64"), (2.5, "int32"),
    (-1, "bool"), (2**200, "float32"),
])
def test_full_casts_like_numpy(fill, dtype):
    same_as_numpy(lambda lib: lib.full(3, fill, dtype=dtype))


def test_scalar_assignment_keeps_setitem_checks():
    for value in (float("nan"), np.float64("nan")):
        same_as_numpy(lambda lib: lib.zeros(3, dtype="int64").__setitem__(0, value))
    same_as_numpy(lambda lib: lib.zeros(3, dtype="int64").__setitem__(0, np.array(np.nan)))
    same_as_numpy(lambda lib: lib.zeros(3, dtype="int64").fill(np.nan))


# ----- Python ints: mixed lists and values beyond int64

def test_mixed_list_keeps_int64_precision():
    def assign(lib):
        a = lib.zeros(2, dtype="int64")
        a[...] = [2**63 - 1, 2.75]
        return a
    same_as_numpy(assign)
    same_as_numpy(lambda lib: lib.array([2**63 - 1, 2.75], dtype="int64"))


def test_python_int_beyond_int64_into_float():
    same_as_numpy(lambda lib: lib.full((), 2**63, dtype="float64"))
    same_as_numpy(lambda lib: lib.full(2, -2**70, dtype="float32"))


# ----- float32 means and variances divide as NumPy does: by the count as a float64

def test_float32_var_with_fractional_ddof_divides_in_float64():
    # The squared deviations sum exactly to 20; 20 / 3.9 rounds differently in float32.
    x = np.array([0, 2, 4, 6], dtype=np.float32)
    for ddof in (0.1, 0.3, 1.5):
        got = rp.asarray(x).var(ddof=ddof)
        assert np.asarray(got).dtype == np.float32
        assert np.float32(got) == np.var(x, ddof=ddof)


def test_float32_mean_over_more_than_2_to_the_24_elements():
    # The count 2**24 + 1 is not a float32; the sum (2**24) is exact.
    x = np.zeros(2**24 + 1, dtype=np.float32)
    x[0] = 2**24
    assert np.float32(rp.asarray(x).mean()) == x.mean() == np.float32(2**24 / (2**24 + 1))


# ----- signed zeros: maximum/minimum give the second operand on ties, as NumPy does

def test_maximum_minimum_ties_between_signed_zeros_follow_numpy():
    x = np.array([0.0, -0.0, -0.0, 0.0, 1.0, -1.0])
    y = np.array([-0.0, 0.0, -0.0, 0.0, 1.0, -1.0])
    for f in (np.maximum, np.minimum):
        got = np.asarray(getattr(rp, f.__name__)(rp.asarray(x), rp.asarray(y)))
        np.testing.assert_array_equal(np.signbit(got), np.signbit(f(x, y)))
    # A short row reduces like NumPy's running maximum(acc, v): the later zero wins.
    for row in ([0.0, -0.0], [-0.0, 0.0], [-0.0, 0.0, -0.0]):
        z = np.array(row)
        assert np.signbit(rp.asarray(z).max()) == np.signbit(z.max())
        assert np.signbit(rp.asarray(z).min()) == np.signbit(z.min())
