"""Decodes fuzz inputs (byte strings) into short Python programs over `lib` (numpy or raptors).

A program makes an array `base`, sets `a = base`, then runs statements on `a` (and a second array
`b`): indexing, assignment, reshape, transpose, astype, copy, broadcasting through full(), and,
when raptors has them, arithmetic, comparisons, unary functions and reductions. One byte is read
per choice, from the front, so a mutation changes one choice and inputs stay short; reads past
the end give 0, so every input decodes.

Each statement is valid or carries exactly ONE deliberate fault (an out-of-range index, a zero
step, a bad axis, a wrong size, NaN or a huge integer into an integer array, ...). With a single
fault the exception NumPy raises is well defined, so Raptors can be held to the same family.
Generation looks at NumPy's namespace (shapes, dtypes) to make mostly-valid arguments.
"""

import math

import numpy as np

import raptors as rp

DTYPES = ("bool", "int32", "int64", "float32", "float64")
INT_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
# Extents whose byte size overflows int64 or exceeds any x86-64/aarch64 address space (2**50 bytes
# and up), so an allocation of them fails at once: a program never really allocates much.
HUGE_EXTENTS = (2**50, 2**62, 2**63 - 1)
MAX_STATEMENTS = 12


class Reader:
    """The input as a stream of choices."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def byte(self):
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def exhausted(self):
        return self.pos >= len(self.data)

    def below(self, n):
        return self.byte() % n if n > 0 else 0

    def choice(self, options):
        return options[self.below(len(options))]

    def chance(self, one_in):
        return self.below(one_in) == 0


def implemented(name):
    """Whether raptors has `name` ("sum" or "ndarray.__add__"); slots every class inherits from
    object (__eq__, __lt__, ...) do not count."""
    if name.startswith("ndarray."):
        attribute = name.split(".", 1)[1]
        return any(attribute in vars(cls) for cls in rp.ndarray.__mro__ if cls is not object)
    return hasattr(rp, name)


BINARY_OPERATORS = [symbol for symbol, dunder in (
    ("+", "__add__"), ("-", "__sub__"), ("*", "__mul__"), ("/", "__truediv__"),
    ("//", "__floordiv__"), ("%", "__mod__"), ("**", "__pow__"), ("==", "__eq__"),
    ("!=", "__ne__"), ("<", "__lt__"), ("<=", "__le__"), (">", "__gt__"), (">=", "__ge__"),
    ("&", "__and__"), ("|", "__or__"), ("^", "__xor__"),
) if implemented("ndarray." + dunder)]
INPLACE_OPERATORS = [symbol for symbol, dunder in (
    ("+=", "__iadd__"), ("-=", "__isub__"), ("*=", "__imul__"), ("/=", "__itruediv__"),
) if implemented("ndarray." + dunder)]
UNARY_EXPRESSIONS = [expr for expr, needs in (
    ("-a", "ndarray.__neg__"), ("abs(a)", "ndarray.__abs__"), ("~a", "ndarray.__invert__"),
    ("lib.isnan(a)", "isnan"), ("lib.isfinite(a)", "isfinite"),
    ("lib.logical_not(a)", "logical_not"),
) if implemented(needs)]
BINARY_FUNCTIONS = [name for name in (
    "add", "subtract", "multiply", "divide", "maximum", "minimum", "logical_and", "logical_or",
) if implemented(name)]
REDUCTIONS = [name for name in (
    "sum", "prod", "mean", "min", "max", "argmin", "argmax", "std", "var", "any", "all",
) if implemented("ndarray." + name)]


def tuple_literal(values):
    return "(" + ", ".join(map(str, values)) + ("," if len(values) == 1 else "") + ")"


def small_shape(r, max_ndim=4):
    return tuple(r.choice((0, 1, 1, 2, 2, 3, 3, 4, 5)) for _ in range(r.below(max_ndim + 1)))


# ===================================================================== values

def values_expr(r, dtype, shape):
    """A NumPy expression for an array of `shape` and `dtype` (NaN and infinities for floats)."""
    size = math.prod(shape)
    if dtype == "bool":
        flat = f"(np.arange({size}) % {r.choice((2, 3))} == 0)"
    elif dtype.startswith("float") and r.chance(3):
        flat = (f"np.resize(np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -2.5, 3.0]), "
                f"{size}).astype('{dtype}')")
    else:
        scale = r.choice(("1", "3", "-7", "0.5", "-1.25", "1000003"))
        flat = f"(np.arange({size}) * {scale} - {r.below(10)}).astype('{dtype}')"
    return f"{flat}.reshape({tuple_literal(shape)})"


def valid_scalar(r, dtype):
    """A Python or NumPy scalar NumPy converts to `dtype` without an error."""
    if dtype == "bool":
        return r.choice(("True", "False", "0", "1", "np.True_", "2.5", "np.nan"))
    if dtype in INT_BOUNDS:
        low, high = INT_BOUNDS[dtype]
        return r.choice(("0", "1", "-3", "7", "2.75", "-0.0", "True", "np.int32(-4)",
                         "np.int64(9)", "np.float32(1.5)", str(low), str(high)))
    return r.choice(("0", "-3", "0.5", "-2.75", "1e10", "np.nan", "np.inf", "-np.inf", "True",
                     "np.float32(1.5)", "np.int64(9)", str(2**63), str(-(2**64)), "1e300"))


def bad_scalar(r, dtype):
    """A scalar NumPy refuses for `dtype` (or a valid one where it refuses none, as for bool)."""
    if dtype in INT_BOUNDS:
        low, high = INT_BOUNDS[dtype]
        return r.choice(("np.nan", "np.inf", "-np.inf", str(high + 1), str(low - 1), "1j",
                         "1e300", str(2**64)))
    if dtype.startswith("float"):
        return "1j"
    return valid_scalar(r, dtype)


def scalar(r, dtype, bad):
    return bad_scalar(r, dtype) if bad else valid_scalar(r, dtype)


def array_like(r, dtype, target, bad):
    """A value of a shape that broadcasts to `target` (or, if bad, one that does not)."""
    kind = r.below(4)
    if kind == 0 and target:
        # A (nested) list of exactly the trailing extents.
        extents = list(target[-r.below(min(len(target), 2)) - 1:])
        if bad:
            extents[-1] += 1
        return nested_list(r, dtype, extents)
    shape = list(target[len(target) - r.below(len(target) + 1):])
    shape = [n if r.below(3) else 1 for n in shape]
    if r.chance(4):
        shape.insert(0, 1)  # NumPy drops leading unit dimensions of an assigned value
    if bad:
        if shape and target:
            shape[r.below(len(shape))] += 1 + (max(target) or 1)
        else:
            shape = [2, 3]
    source_dtype = r.choice(DTYPES + (dtype,) * 3)
    expr = values_expr(r, source_dtype, tuple(shape))
    return expr if r.chance(2) else f"lib.asarray({expr})"


def nested_list(r, dtype, extents):
    if not extents:
        return valid_scalar(r, dtype)
    return "[" + ", ".join(nested_list(r, dtype, extents[1:]) for _ in range(extents[0])) + "]"


# ===================================================================== arrays

def make_array(r, name):
    """`name = ...`: a valid array in one of several memory layouts."""
    dtype = r.choice(DTYPES)
    shape = small_shape(r)
    layout = r.below(8)
    if layout == 0:
        return f"{name} = lib.array({values_expr(r, dtype, shape)}.tolist(), dtype='{dtype}')"
    if layout == 1:
        return f"{name} = lib.full({tuple_literal(shape)}, {valid_scalar(r, dtype)}, dtype='{dtype}')"
    if layout == 2 and shape:
        # A NumPy view with steps (negative too), taken over without a copy.
        bigger = tuple(n * 2 + 1 for n in shape)
        steps = ", ".join(r.choice(("::2", "1::2", "::-2", "-2::-2")) for _ in shape)
        return f"{name} = lib.asarray({values_expr(r, dtype, bigger)}[{steps}])"
    if layout == 3:
        return f"{name} = lib.asarray(np.asfortranarray({values_expr(r, dtype, shape)}))"
    if layout == 4:
        return f"{name} = lib.asarray({values_expr(r, dtype, shape[::-1])}.T)"
    if layout == 5:
        return f"{name} = lib.array({values_expr(r, dtype, shape)})"
    return f"{name} = lib.asarray({values_expr(r, dtype, shape)})"


# ===================================================================== indices and shapes

def index_key(r, shape, bad):
    """A basic index for an array of `shape`: valid, or with one fault."""
    items = []
    for extent in shape[:r.below(len(shape) + 1)]:
        if extent and r.chance(3):
            items.append(str(r.below(extent) - (extent if r.chance(2) else 0)))
        else:
            start = "None" if r.chance(3) else str(r.below(2 * extent + 5) - extent - 2)
            stop = "None" if r.chance(3) else str(r.below(2 * extent + 5) - extent - 2)
            items.append(f"slice({start}, {stop}, {r.choice(('None', '1', '2', '-1', '-2', '3'))})")
    # New axes anywhere; an ellipsis only at the end, where it shifts no item to another axis.
    for _ in range(r.below(3) if r.chance(3) else 0):
        items.insert(r.below(len(items) + 1), "None")
    if r.chance(4):
        items.append("...")
    if bad:
        fault = r.below(6)
        position = r.below(len(items) + 1)
        if fault == 0 and shape:
            axis = r.below(len(shape))
            items = [s for s in items if s not in ("None", "...")][:axis]
            items += ["slice(None)"] * (axis - len(items))
            items.append(str(r.choice((shape[axis], -shape[axis] - 1))))
        elif fault == 1:
            items = ["0"] * (len(shape) + 1)
        elif fault == 2 and any(item.startswith("slice(") for item in items):
            slices = [i for i, item in enumerate(items) if item.startswith("slice(")]
            items[slices[r.below(len(slices))]] = "slice(None, None, 0)"
        elif fault == 3 and "..." not in items:
            items += ["...", "..."]
        elif fault == 4 and position < len(shape):
            items.insert(position, r.choice(("1.5", "'a'")))
        elif position < len(shape):
            items.insert(position, str(r.choice((2**63, 10**30))))
    if len(items) == 1 and r.chance(2):
        return items[0]
    return tuple_literal(items)


def new_shape(r, size, bad):
    """A factorisation of `size` with one or no -1 (or, if bad, one fault)."""
    dims, remaining = [], size
    for _ in range(r.below(4)):
        factor = r.choice((1, 2, 3, 5))
        if remaining % factor == 0:
            dims.append(factor)
            remaining //= factor
    dims.append(remaining)
    if r.chance(2):
        dims[r.below(len(dims))] = -1
    if bad:
        fault = r.below(3)
        if fault == 0:
            dims.append(2 if size else 3)
            dims = [d for d in dims if d != -1]
        elif fault == 1:
            dims += [-1, -1]
        else:
            dims = [r.choice(HUGE_EXTENTS) for _ in range(r.below(2) + 1)] + dims
    return tuple_literal(dims)


def axes_values(r, ndim, bad):
    """A permutation of the axes (some written negative), or with one fault."""
    remaining = list(range(ndim))
    axes = [remaining.pop(r.below(len(remaining))) - (ndim if r.chance(3) else 0)
            for _ in range(ndim)]
    if bad:
        fault = r.below(3)
        if fault == 0 and axes:
            axes[r.below(len(axes))] = r.choice((ndim, -ndim - 1))
        elif fault == 1 and len(axes) > 1:
            axes[-1] = axes[0]
        else:
            axes.append(r.choice((0, ndim)))
    return axes


def axis_argument(r, ndim, bad):
    """axis= for a reduction: None, an int or a tuple of distinct axes (one fault if bad)."""
    if not bad and r.chance(4):
        return "None"
    axes = axes_values(r, ndim, bad)[:r.below(ndim + 1) + (1 if bad else 0)]
    if len(axes) == 1 and r.chance(2):
        return str(axes[0])
    return tuple_literal(axes)


# ===================================================================== statements

def statement(r, np_namespace):
    """The next statement, generated against NumPy's side of the program."""
    a = np_namespace.get("a")
    if not isinstance(a, np.ndarray):
        return "a = base"  # an integer index made `a` a scalar; NumPy scalars are not tested here
    shape, ndim, dtype = a.shape, a.ndim, str(a.dtype)
    bad = r.chance(4)
    ops = ["index", "index", "assign", "assign", "assign", "reshape", "transpose", "astype",
           "copy", "full", "second", "restart"]
    if BINARY_OPERATORS or BINARY_FUNCTIONS:
        ops += ["binary", "binary"]
    if INPLACE_OPERATORS:
        ops.append("inplace")
    if UNARY_EXPRESSIONS:
        ops.append("unary")
    if REDUCTIONS:
        ops += ["reduce", "reduce"]
    op = r.choice(ops)
    if op == "index":
        return f"{'a' if r.below(3) else 'r'} = a[{index_key(r, shape, bad)}]"
    if op == "assign":
        return assignment(r, a, bad)
    if op == "reshape":
        bad_order = bad and r.chance(3)
        order = ", order='K'" if bad_order else r.choice(("", "", ", order='F'", ", order='C'",
                                                          ", order='A'"))
        return f"a = a.reshape({new_shape(r, a.size, bad and not bad_order)}{order})"
    if op == "transpose":
        if not bad and r.chance(3):
            return r.choice(("a = a.T", "a = a.transpose()"))
        axes = axes_values(r, ndim, bad)
        if r.chance(2):
            return f"a = a.transpose({tuple_literal(axes)})"
        return f"a = a.transpose({', '.join(map(str, axes))})" if axes else "a = a.transpose(())"
    if op == "astype":
        return f"a = a.astype('{r.choice(DTYPES)}')"
    if op == "copy":
        order = "'X'" if bad else r.choice(("", "'C'", "'F'", "'A'", "'K'"))
        return f"a = a.copy({'order=' + order if order else ''})"
    if op == "full":
        # A shape `a` broadcasts to: new leading extents, unit extents stretched.
        target = [r.below(3) + 1 for _ in range(r.below(3))]
        target += [r.choice((1, 3)) if n == 1 else n for n in shape]
        if bad:
            if shape and shape[-1] != 1 and r.chance(2):
                target[-1] = shape[-1] + 2
            else:
                target.insert(0, r.choice(HUGE_EXTENTS))
        return f"a = lib.full({tuple_literal(target)}, a)"
    if op == "second":
        return make_array(r, "b")
    if op == "restart":
        return make_array(r, "base") if r.chance(2) else "a = base"
    if op == "binary":
        other = r.choice(("b", "a", "a.T", "a[::-1]", valid_scalar(r, dtype), valid_scalar(r, "float64")))
        if BINARY_FUNCTIONS and (not BINARY_OPERATORS or r.chance(2)):
            return f"r = lib.{r.choice(BINARY_FUNCTIONS)}(a, {other})"
        symbol = r.choice(BINARY_OPERATORS)
        return f"r = a {symbol} {other}" if r.below(3) else f"r = {other} {symbol} a"
    if op == "inplace":
        return f"a {r.choice(INPLACE_OPERATORS)} {r.choice(('b', 'a[::-1]', valid_scalar(r, dtype)))}"
    if op == "unary":
        return f"r = {r.choice(UNARY_EXPRESSIONS)}"
    name = r.choice(REDUCTIONS)
    args = [f"axis={axis_argument(r, ndim, bad)}"] if bad or r.below(3) else []
    if r.chance(3):
        args.append("keepdims=True")
    if name in ("std", "var") and r.chance(3):
        args.append(f"ddof={r.below(3)}")
    return f"r = a.{name}({', '.join(args)})"


def assignment(r, a, bad):
    """`a[key] = value` with the fault, if any, in the key or in the value, never both."""
    bad_key = bad and r.chance(2)
    key = index_key(r, a.shape, bad_key)
    try:
        target = a[eval(key, {"np": np})].shape  # noqa: S307 - the generator's own index text
    except Exception:  # noqa: BLE001 - a faulty key: any value will do
        target = a.shape
    # Scalars only into arrays with huge (empty) extents: the generator must not build huge lists.
    kind = r.below(6) if max(target, default=0) <= 64 else 0
    bad_value = bad and not bad_key
    if kind < 3:
        value = scalar(r, str(a.dtype), bad_value)
    elif kind == 3 and not bad_value:
        # Overlapping memory: `a` itself, reversed, assigned to the whole of `a`.
        key = "..."
        value = r.choice(("a[::-1]", "a[..., ::-1]", "a", "a.copy()"))
    else:
        value = array_like(r, str(a.dtype), target, bad_value)
    return f"a[{key}] = {value}"
