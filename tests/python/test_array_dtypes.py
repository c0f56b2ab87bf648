"""The dtype objects: names, comparisons, and every spelling a dtype argument accepts."""

import pickle

import numpy as np
import pytest

import raptors as rp
from array_strategies import DTYPE_NAMES

RAPTORS_DTYPES = (rp.bool, rp.int32, rp.int64, rp.float32, rp.float64)


@pytest.mark.parametrize("dtype,name", list(zip(RAPTORS_DTYPES, DTYPE_NAMES)))
def test_dtype_objects_print_and_compare_like_numpy(dtype, name):
    numpy_dtype = np.dtype(name)
    assert str(dtype) == str(numpy_dtype) == name
    assert repr(dtype) == repr(numpy_dtype)
    assert dtype.itemsize == numpy_dtype.itemsize and dtype.kind == numpy_dtype.kind
    assert dtype == name and dtype == numpy_dtype and dtype == numpy_dtype.type
    assert np.dtype(dtype) == numpy_dtype  # NumPy reads raptors dtypes too
    assert dtype != "int16" and dtype != object() and dtype != "nonsense"
    assert pickle.loads(pickle.dumps(dtype)) is dtype


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_array_dtype_attribute(name):
    a = rp.zeros(3, dtype=name)
    assert a.dtype is getattr(rp, name)
    assert str(a.dtype) == name
    assert a.dtype == np.dtype(name).type and a.dtype == name
    assert a.itemsize == np.dtype(name).itemsize


@pytest.mark.parametrize("spelling,name", [
    (rp.float32, "float32"), ("float32", "float32"), ("f4", "float32"), (np.float32, "float32"),
    (np.dtype("float32"), "float32"), ("f", "float32"),
    (float, "float64"), ("float", "float64"), ("d", "float64"), ("<f8", "float64"),
    (int, "int64"), ("int", "int64"), ("i8", "int64"), (np.int64, "int64"), ("=i8", "int64"),
    ("i4", "int32"), (np.int32, "int32"), ("int32", "int32"),
    (bool, "bool"), ("bool", "bool"), ("?", "bool"), (np.bool_, "bool"), ("b1", "bool"),
])
def test_dtype_arguments_accept_every_numpy_spelling(spelling, name):
    for make in (lambda d: rp.zeros(2, dtype=d), lambda d: rp.array([1, 0], dtype=d),
                 lambda d: rp.ones(2).astype(d), lambda d: rp.arange(2, dtype=d)):
        assert str(make(spelling).dtype) == name


@pytest.mark.parametrize("bad", ["int16", "uint8", "complex128", "U3", "S2", "O", "float16",
                                 "nonsense", np.complex64, np.uint32, object, str, 3.5,
                                 ">f8", "M8[s]"])
def test_bad_dtypes_raise_type_error(bad):
    with pytest.raises(TypeError):
        rp.zeros(2, dtype=bad)
    with pytest.raises(TypeError):
        rp.array([1.0], dtype=bad)
