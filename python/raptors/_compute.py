"""Compute functions of raptors: NumPy-named ufuncs and reductions, and the original Raptors names.

Every function here is the C implementation itself (``raptors._core``), so calls such as
``raptors.sum(a)`` or ``raptors.broadcast_add(a, v)`` reach the core with no Python frame in
between; this module only chooses the public names. Operators (``a + b``, ``a < b``, ``-a``) and
methods (``a.sum(axis=0)``, ``a.mean_axis(0)``) are slots and methods of ``raptors.ndarray``.
"""

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
