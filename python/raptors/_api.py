"""Array creation, conversion and the NumPy-facing conveniences of raptors.ndarray.

Functions here only arrange arguments; every loop over data runs in the C core.
"""

import numpy as _np

from . import _core
from ._dtypes import DTYPES as _DTYPES

ndarray = _core.ndarray
empty = _core.empty
full = _core.full
asarray = _core.asarray
array = _core.array

__all__ = [
    "empty", "full", "asarray", "array", "zeros", "ones", "from_numpy", "to_numpy",
]


def zeros(shape, dtype=None, order="C"):
    return _core.full(shape, 0, _DTYPES[4] if dtype is None else dtype, order)


def ones(shape, dtype=None, order="C"):
    return _core.full(shape, 1, _DTYPES[4] if dtype is None else dtype, order)


def from_numpy(x):
    """A raptors array sharing memory with the NumPy array ``x``."""
    return _core.asarray(x)


def to_numpy(a):
    """A NumPy array sharing memory with the raptors array ``a``."""
    return _np.asarray(a)


def _repr(self):
    return repr(_np.asarray(self)).replace("array(", "array(", 1)


def _str(self):
    return str(_np.asarray(self))


ndarray.__repr__ = _repr
ndarray.__str__ = _str
