"""The parts of raptors.ndarray that are easiest through NumPy: printing, tolist, pickling,
``__array__`` and the ``flags`` object.

Each goes through a zero-copy NumPy view of the array's memory (the buffer protocol), so the
output is NumPy's own, character for character; nothing here copies data element by element.
"""

import numpy as _np

from . import _core

ndarray = _core.ndarray


def _numpy_view(a):
    """A NumPy array over a's memory (read-only when a is)."""
    return _np.asarray(memoryview(a))


def _repr(self):
    return repr(_numpy_view(self))


def _str(self):
    return str(_numpy_view(self))


def _tolist(self):
    """The array as nested Python lists of Python scalars (a scalar for a 0-d array)."""
    return _numpy_view(self).tolist()


def _array(self, dtype=None, copy=None):
    """NumPy's ``__array__`` protocol (NumPy 2): a view unless a copy or cast is required."""
    view = _numpy_view(self)
    if dtype is None and not copy:
        return view
    return _np.array(view, dtype=dtype, copy=copy)


def _reconstruct(data, dtype_name, shape):
    """Unpickles an array: a fresh, writeable, C-ordered copy of the pickled bytes."""
    return _core.array(_np.frombuffer(data, dtype=dtype_name).reshape(shape))


def _reduce(self):
    # memoryview.tobytes() reads any strided layout in C order.
    return (_reconstruct, (memoryview(self).tobytes(), self.dtype.name, self.shape))


def _index_array(self, *indices):
    """Element ``self[i, j, ...]`` as a Python scalar; see raptors.index_array."""
    from ._api import index_array
    return index_array(self, *indices)


class flagsobj:
    """Memory-layout flags of an array, read like NumPy's ``ndarray.flags``.

    Attributes and NumPy's keys: c_contiguous ('C_CONTIGUOUS', 'C'), f_contiguous
    ('F_CONTIGUOUS', 'F'), owndata ('OWNDATA', 'O'), writeable ('WRITEABLE', 'W'), aligned
    ('ALIGNED', 'A'), writebackifcopy ('WRITEBACKIFCOPY', 'X', always False). Only writeable can
    be set: to False always, to True only on an array that allocated its memory.
    """

    __slots__ = ("_array",)

    _KEYS = {
        "C_CONTIGUOUS": "c_contiguous", "C": "c_contiguous", "CONTIGUOUS": "c_contiguous",
        "F_CONTIGUOUS": "f_contiguous", "F": "f_contiguous", "FORTRAN": "f_contiguous",
        "OWNDATA": "owndata", "O": "owndata",
        "WRITEABLE": "writeable", "W": "writeable",
        "ALIGNED": "aligned", "A": "aligned",
        "WRITEBACKIFCOPY": "writebackifcopy", "X": "writebackifcopy",
    }
    _SHOWN = ("C_CONTIGUOUS", "F_CONTIGUOUS", "OWNDATA", "WRITEABLE", "ALIGNED",
              "WRITEBACKIFCOPY")

    def __init__(self, array):
        self._array = array

    @property
    def c_contiguous(self):
        return self._array.is_c_contiguous()

    @property
    def f_contiguous(self):
        return self._array.is_f_contiguous()

    contiguous = c_contiguous
    fortran = f_contiguous

    @property
    def owndata(self):
        return self._array._owndata

    @property
    def writeable(self):
        return self._array._writeable

    @writeable.setter
    def writeable(self, value):
        self._array._writeable = value

    @property
    def aligned(self):
        a = self._array
        itemsize = a.itemsize
        if a._data_address % itemsize:
            return False
        return all(stride % itemsize == 0 for stride, extent in zip(a.strides, a.shape)
                   if extent > 1)

    @property
    def writebackifcopy(self):
        return False

    def _attribute(self, key):
        try:
            return self._KEYS[key]
        except (KeyError, TypeError):
            raise KeyError("Unknown flag") from None

    def __getitem__(self, key):
        return getattr(self, self._attribute(key))

    def __setitem__(self, key, value):
        if self._attribute(key) != "writeable":
            raise KeyError(f"cannot set flag {key!r}")
        self.writeable = value

    def __repr__(self):
        return "".join(f"  {key} : {self[key]}\n" for key in self._SHOWN)


ndarray.__repr__ = _repr
ndarray.__str__ = _str
ndarray.tolist = _tolist
ndarray.to_list = _tolist
ndarray.__array__ = _array
ndarray.__reduce__ = _reduce
ndarray.index_array = _index_array
ndarray.flags = property(flagsobj, doc="Memory-layout flags (see raptors._ndarray.flagsobj).")
