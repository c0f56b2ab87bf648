"""The five Raptors dtypes as Python objects, and the parser for every dtype-like argument.

The C core knows dtypes as small integer codes; this module gives each code the object users see
(``raptors.float32``), which prints and compares like NumPy's dtype of the same name.
"""

import numpy as _np

_NAMES = ("bool", "int32", "int64", "float32", "float64")


class dtype:
    """A Raptors element type. Compares equal to its NumPy counterpart and to its name."""

    __slots__ = ("name", "code", "itemsize", "kind")

    def __init__(self, name, code):
        self.name = name
        self.code = code
        self.itemsize = _np.dtype(name).itemsize
        self.kind = _np.dtype(name).kind

    def __repr__(self):
        return f"dtype('{self.name}')"

    def __str__(self):
        return self.name

    def __eq__(self, other):
        if isinstance(other, dtype):
            return other is self
        try:
            return normalize(other) == self.code
        except TypeError:
            return False

    def __hash__(self):
        return hash(self.name)

    def __reduce__(self):
        return (_from_name, (self.name,))

    @property
    def type(self):
        return getattr(_np, self.name if self.name != "bool" else "bool_")

    @property
    def dtype(self):
        """The NumPy dtype; lets ``numpy.dtype(raptors.float32)`` and NumPy functions' dtype
        arguments accept raptors dtypes."""
        return _np.dtype(self.name)

    def to_numpy(self):
        return _np.dtype(self.name)


DTYPES = tuple(dtype(name, code) for code, name in enumerate(_NAMES))
_BY_NAME = {d.name: d for d in DTYPES}
# Native-order NumPy dtypes to codes. Looked up by the dtype object itself: reading a NumPy
# dtype's .name builds a new string on every call (and NumPy keeps some of them), which showed
# up as slow memory growth in the leak tests.
_CODE_BY_NUMPY = {_np.dtype(d.name): d.code for d in DTYPES}


def _from_name(name):
    return _BY_NAME[name]


def normalize(obj):
    """Any dtype-like (raptors dtype, NumPy dtype or scalar type, name, Python type) -> code."""
    if isinstance(obj, dtype):
        return obj.code
    if obj is bool:
        return 0
    if obj is int:
        return 2
    if obj is float:
        return 4
    try:
        numpy_dtype = _np.dtype(obj)
    except (TypeError, ValueError) as error:
        raise TypeError(f"data type {obj!r} not understood") from error
    code = _CODE_BY_NUMPY.get(numpy_dtype)
    if code is not None:
        return code
    # Named by the scalar type's (static) name rather than NumPy's str(dtype), which builds the
    # name anew each time, for the same reason as _CODE_BY_NUMPY.
    name = numpy_dtype.type.__name__
    if numpy_dtype.newbyteorder("=") in _CODE_BY_NUMPY:
        raise TypeError(f"raptors supports native byte order only, not {name} with byte order "
                        f"{numpy_dtype.byteorder!r}")
    raise TypeError(f"raptors does not support the dtype {name} (supported: {', '.join(_NAMES)})")
