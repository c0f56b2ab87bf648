"""Compute functions of raptors: NumPy-named ufuncs and reductions, and the original Raptors names.

Every function here is the C implementation itself (``raptors._core``), so calls such as
``raptors.sum(a)`` or ``raptors.broadcast_add(a, v)`` reach the core with no Python frame in
between; this module only chooses the public names. Operators (``a + b``, ``a < b``, ``-a``) and
methods (``a.sum(axis=0)``, ``a.mean_axis(0)``) are slots and methods of ``raptors.ndarray``.

NumPy's ufuncs called on raptors arrays (``np.add(x, a)``, ``x + a`` with ``x`` a NumPy array)
reach ``ndarray.__array_ufunc__`` below: the ufuncs Raptors implements run in Raptors and give
raptors arrays; any other ufunc or method runs in NumPy on zero-copy NumPy views.
"""

import numpy as _np

from . import _core

_UFUNCS = (
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "mod",
    "power", "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_not", "bitwise_and", "bitwise_or",
    "bitwise_xor", "invert", "negative", "absolute", "abs", "isnan", "isfinite",
)
_REDUCTIONS = ("sum", "prod", "min", "max", "argmin", "argmax", "mean", "std", "var", "any", "all")
_ORIGINAL = ("broadcast_add", "scale_inplace", "broadcast_add_inplace")

globals().update({name: getattr(_core, name) for name in _UFUNCS + _REDUCTIONS + _ORIGINAL})

# NumPy's other names for the same reductions.
amin = _core.min
amax = _core.max

__all__ = list(_UFUNCS + _REDUCTIONS + _ORIGINAL) + ["amin", "amax"]

_OWN_UFUNCS = {getattr(_np, name): getattr(_core, name) for name in _UFUNCS
               if isinstance(getattr(_np, name, None), _np.ufunc)}


def _as_numpy(value):
    return _np.asarray(value) if isinstance(value, _core.ndarray) else value


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    own = _OWN_UFUNCS.get(ufunc) if method == "__call__" else None
    out = kwargs.get("out")
    if own is not None and set(kwargs) <= {"out"} and (
            out is None or (len(out) == 1 and isinstance(out[0], _core.ndarray))):
        return own(*inputs, out=None if out is None else out[0])
    if out is not None:
        kwargs["out"] = tuple(_as_numpy(o) for o in out)
    return getattr(ufunc, method)(*map(_as_numpy, inputs), **kwargs)


_core.ndarray.__array_ufunc__ = _array_ufunc
