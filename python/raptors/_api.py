"""Array creation, NumPy conversion and the compatibility names of the original Raptors API.

Functions here only arrange arguments (NumPy's signatures and defaults); every loop over data
runs in the C core.
"""

import math as _math
import operator as _operator
import sys as _sys

import numpy as _np

from . import _core
from ._dtypes import DTYPES as _DTYPES

ndarray = _core.ndarray
empty = _core.empty
full = _core.full
empty_like = _core.empty_like
asarray = _core.asarray
array = _core.array
eye = _core.eye
from_dlpack = _core.from_dlpack

_FLOAT64 = _DTYPES[4]
_INT64 = _DTYPES[2]

__all__ = [
    "empty", "full", "asarray", "array", "zeros", "ones", "from_numpy", "to_numpy",
    "empty_like", "zeros_like", "ones_like", "full_like", "arange", "linspace", "eye",
    "from_dlpack", "array2d", "index_array",
]


def zeros(shape, dtype=None, order="C"):
    """A new array of zeros (float64 unless ``dtype`` says otherwise)."""
    return _core.full(shape, 0, _FLOAT64 if dtype is None else dtype, order)


def ones(shape, dtype=None, order="C"):
    """A new array of ones (float64 unless ``dtype`` says otherwise)."""
    return _core.full(shape, 1, _FLOAT64 if dtype is None else dtype, order)


def zeros_like(a, dtype=None, order="K", shape=None):
    """Zeros with the shape and dtype of ``a`` (each overridable), in a's memory order."""
    result = _core.empty_like(a, dtype, order, shape)
    result.fill(0)
    return result


def ones_like(a, dtype=None, order="K", shape=None):
    """Ones with the shape and dtype of ``a`` (each overridable), in a's memory order."""
    result = _core.empty_like(a, dtype, order, shape)
    result.fill(1)
    return result


def full_like(a, fill_value, dtype=None, order="K", shape=None):
    """``fill_value`` (broadcast) with the shape and dtype of ``a``, in a's memory order."""
    result = _core.empty_like(a, dtype, order, shape)
    result[...] = fill_value
    return result


def _real_kind(value, name):
    """'int' or 'float' for a real scalar argument; TypeError for anything else."""
    if isinstance(value, (bool, int, _np.bool_, _np.integer)):
        return "int"
    if isinstance(value, (float, _np.floating)):
        return "float"
    raise TypeError(f"arange() {name} must be a real number, not {type(value).__name__!r}")


def arange(start_or_stop, stop=None, step=None, dtype=None):
    """arange([start,] stop[, step], dtype=None): evenly spaced values in [start, stop).

    As NumPy: integer arguments give int64 and any float argument gives float64; the length is
    ceil((stop - start) / step); element i is start + i * delta where delta is the difference of
    the first two values as stored in the dtype.
    """
    if stop is None:
        start, stop = 0, start_or_stop
    else:
        start = start_or_stop
    if step is None:
        step = 1
    kinds = {_real_kind(start, "start"), _real_kind(stop, "stop"), _real_kind(step, "step")}
    if dtype is None:
        dtype = _FLOAT64 if "float" in kinds else _INT64
    if step == 0:
        raise ZeroDivisionError("arange() step must not be zero")
    span = (stop - start) / step
    if _math.isnan(span):
        raise ValueError("arange: cannot compute length")
    if _math.isinf(span) or span >= _sys.maxsize:
        raise ValueError("Maximum allowed size exceeded")
    length = max(_math.ceil(span), 0)
    second = start + step if length >= 2 else start
    return _core._arange(start, second, length, dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None):
    """``num`` evenly spaced values from start to stop (stop included when ``endpoint``).

    Values are computed in float64 exactly as NumPy does (start + i * step, the last one set to
    stop), then floored for integer dtypes and cast. With ``retstep`` returns (array, step).
    Start and stop must be scalars.
    """
    num = _operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, (bool, _np.bool_)) or not isinstance(
                value, (int, float, _np.integer, _np.floating)):
            raise TypeError(f"raptors.linspace() {name} must be a real scalar, "
                            f"not {type(value).__name__!r}")
    start, stop = float(start), float(stop)
    result = _core._linspace(start, stop, num, bool(endpoint),
                             _FLOAT64 if dtype is None else dtype)
    if not retstep:
        return result
    div = num - 1 if endpoint else num
    return result, (stop - start) / div if div > 0 else _math.nan


def from_numpy(x):
    """A raptors array sharing memory with the NumPy array ``x`` (no copy)."""
    if not isinstance(x, _np.ndarray):
        raise TypeError(f"from_numpy() expects a numpy.ndarray, not {type(x).__name__!r}")
    return _core.asarray(x)


def to_numpy(a):
    """A NumPy array sharing memory with the raptors array ``a`` (no copy)."""
    if not isinstance(a, ndarray):
        raise TypeError(f"to_numpy() expects a raptors.ndarray, not {type(a).__name__!r}")
    return _np.asarray(a)


def array2d(rows, dtype=None):
    """A new 2-D array from a sequence of equal-length rows (the original Raptors API).

    ValueError when ``rows`` does not describe 2-D data (ragged rows, 1-D or 3-D input).
    """
    result = _core.array(rows, dtype)
    if result.ndim != 2:
        raise ValueError(f"array2d() expects a sequence of equal-length rows (2-D data), "
                         f"got {result.ndim}-D data of shape {result.shape}")
    return result


def index_array(a, *indices):
    """Element ``a[i, j, ...]`` as a Python scalar (the original Raptors API).

    ``indices`` holds exactly one integer per axis of ``a`` (given separately or as one tuple);
    negative integers count from the end of their axis. IndexError when the count of indices
    differs from ``a.ndim``, when one is not an integer, or when one is out of range.
    """
    a = asarray(a)
    if len(indices) == 1 and isinstance(indices[0], tuple):
        indices = indices[0]
    if len(indices) != a.ndim:
        raise IndexError(f"index_array() needs {a.ndim} indices for a {a.ndim}-dimensional "
                         f"array, got {len(indices)}")
    try:
        indices = tuple(_operator.index(i) for i in indices)
    except TypeError:
        raise IndexError("index_array() indices must be integers") from None
    return a[indices]
