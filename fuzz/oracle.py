"""Runs a decoded fuzz program against NumPy and Raptors side by side and judges each statement.

Every statement runs twice, with `lib` bound to numpy and to raptors, in separate namespaces:
  - NumPy raises: Raptors must raise an exception of the same family (the nearest built-in class
    of NumPy's exception, or AxisError) and leave every array exactly as it was.
  - NumPy succeeds: Raptors must succeed; every variable must then hold equal values, shapes and
    dtypes on both sides, and a Raptors array must share memory with `base` exactly when the
    NumPy one does (views stay views, copies stay copies).
A difference raises Mismatch, whose message ends with a standalone reproducer, unless it is a
known, reported issue (fuzz/known_issues.py): then the program stops there and the issue's id is
returned, so the run goes on looking for new problems.
"""

import math
import warnings

import numpy as np

import raptors as rp

from known_issues import match_known_issue
from programs import MAX_STATEMENTS, Reader, make_array, statement

TRACKED = ("base", "a", "b", "r")


class Mismatch(AssertionError):
    """Raptors and NumPy disagree on a statement (the message is a reproducer)."""


def exception_family(error):
    """The class a Raptors exception must be an instance of to match NumPy's `error`."""
    for cls in type(error).__mro__:
        if cls is np.exceptions.AxisError or cls.__module__ == "builtins":
            return cls
    return Exception


def outcome_text(error):
    return "ok" if error is None else f"{type(error).__name__}: {error}"


def _describe(value):
    if isinstance(value, (np.ndarray, rp.ndarray)):
        return f"{type(value).__name__} shape={value.shape} dtype={value.dtype}"
    return f"{type(value).__name__} {value!r}"


def relative_tolerance(dtype):
    """Rounding may differ between reduction orders and pow implementations: this much."""
    return 1e-4 if dtype == np.float32 else 1e-10


def magnitude_tolerance(statement, a):
    """The absolute error a sum, mean, variance or standard deviation of `a` may carry whatever
    the summation order: a few roundings at the data's magnitude (times the count for a sum,
    squared for a variance). Relative to the result this is unbounded under cancellation (values
    9.2e18 apart by 100, float32 values of 8e7 that cancel to 0.1, values near 1e300 whose
    deviations square past the overflow threshold), so relative tolerance alone would call two
    correct results different. Other statements get 0 (relative tolerance only)."""
    values = np.asarray(a)
    reduction = statement[len("r = a."):].split("(")[0]
    # Integer sums are exact; integer means, variances and deviations are float64 computations.
    float_math = values.dtype.kind == "f" or reduction in ("mean", "var", "std")
    if not float_math or values.size == 0 or reduction not in ("sum", "mean", "var", "std"):
        return 0.0
    values = values.astype(np.float64) if values.dtype.kind != "f" else values
    finite = values[np.isfinite(values)]
    scale = np.float64(np.max(np.abs(finite))) if finite.size else np.float64(0.0)
    eps = np.finfo(np.float32 if values.dtype == np.float32 else np.float64).eps
    with np.errstate(over="ignore"):
        variance = 1e4 * eps * scale ** 2  # inf where the squares themselves overflow
        bounds = {"sum": 64 * eps * values.size * scale, "mean": 64 * eps * scale,
                  "var": variance, "std": np.sqrt(variance)}
    return float(bounds[reduction])


def _close(got, expected, absolute):
    """Elementwise closeness with an absolute floor that may be infinite (anything goes then)."""
    if math.isinf(absolute):
        return True
    rtol = relative_tolerance(np.asarray(expected).dtype)
    return bool(np.allclose(got, expected, rtol=rtol, atol=max(absolute, rtol), equal_nan=True))


def same_value(expected, actual, tolerance):
    """None if `actual` (Raptors' side) matches `expected` (NumPy's side), else why not;
    `tolerance` is None (exact) or the absolute error allowed on top of the relative one."""
    tolerant = tolerance is not None
    if isinstance(expected, np.ndarray):
        if not isinstance(actual, rp.ndarray):
            return f"expected a raptors.ndarray, got {_describe(actual)}"
        if actual.shape != expected.shape or str(actual.dtype) != str(expected.dtype) and not (
                expected.dtype == np.int8 and str(actual.dtype) == "int32"):
            # (The one allowed dtype difference is documented in src/core/promote.c: Raptors has
            # no int8, so bool // bool, bool % bool and bool ** bool are int32 there.)
            return f"expected {_describe(expected)}, got {_describe(actual)}"
        got = np.asarray(actual)
        if tolerant and expected.dtype.kind == "f":
            ok = _close(got, expected, tolerance)
        else:
            ok = np.array_equal(got, expected, equal_nan=expected.dtype.kind == "f")
        return None if ok else f"values differ:\n  numpy:   {expected!r}\n  raptors: {got!r}"
    if isinstance(expected, (np.generic, bool, int, float)):
        # Raptors may return Python scalars where NumPy returns NumPy scalars; the kind and the
        # value must agree.
        if not isinstance(actual, (np.generic, bool, int, float)):
            return f"expected a scalar {_describe(expected)}, got {_describe(actual)}"
        kind, actual_kind = np.asarray(expected).dtype.kind, np.asarray(actual).dtype.kind
        if kind != actual_kind and not (kind in "iu" and actual_kind in "iu"):
            return f"expected a scalar {_describe(expected)}, got {_describe(actual)}"
        if kind == "f" and math.isnan(expected):
            return None if math.isnan(actual) else f"expected nan, got {actual!r}"
        if tolerant and kind == "f":
            close = _close(actual, expected, max(tolerance, 1e-4)) or math.isclose(
                actual, expected, rel_tol=1e-4, abs_tol=1e-4)
            return None if close else f"expected {expected!r}, got {actual!r}"
        return None if actual == expected else f"expected {expected!r}, got {actual!r}"
    return None if expected == actual else f"expected {expected!r}, got {actual!r}"


def _shares(x, y):
    try:
        return np.shares_memory(np.asarray(x), np.asarray(y))
    except (TypeError, ValueError, np.exceptions.TooHardError):
        return None


def compare_namespaces(np_ns, rp_ns, r_tolerance):
    for name in TRACKED:
        if name not in np_ns:
            continue
        if name not in rp_ns:
            return f"`{name}` is missing on the raptors side"
        problem = same_value(np_ns[name], rp_ns[name], r_tolerance if name == "r" else None)
        if problem:
            return f"`{name}`: {problem}"
    base = np_ns.get("base")
    for name in ("a", "r"):
        value = np_ns.get(name)
        if isinstance(value, np.ndarray) and value.size and isinstance(base, np.ndarray) and base.size:
            numpy_shares = _shares(value, base)
            raptors_shares = _shares(rp_ns[name], rp_ns["base"])
            if None not in (numpy_shares, raptors_shares) and numpy_shares != raptors_shares:
                what = "a view of" if numpy_shares else "a copy, independent of"
                return f"`{name}` should be {what} `base` (as in NumPy)"
    return None


def snapshot(namespace):
    return {name: np.array(namespace[name], copy=True) for name in TRACKED
            if isinstance(namespace.get(name), (np.ndarray, rp.ndarray))}


def unchanged(before, namespace):
    return all(np.array_equal(np.asarray(namespace[name]), value, equal_nan=value.dtype.kind == "f")
               for name, value in before.items())


def run_statement(compiled, namespace):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compiled, namespace)  # noqa: S102 - the fuzzer's own generated statements
        except Exception as error:  # noqa: BLE001 - any exception is an outcome to compare
            return error
    return None


def judge(np_error, rp_error, np_ns, rp_ns, np_before, rp_before, r_tolerance):
    """Why this statement's outcomes differ, or None; "stop" when the program cannot go on."""
    if np_error is not None:
        if rp_error is None:
            return f"NumPy raised {outcome_text(np_error)}; raptors raised nothing"
        if not isinstance(rp_error, exception_family(np_error)):
            return f"NumPy raised {outcome_text(np_error)}; raptors raised {outcome_text(rp_error)}"
        if not unchanged(rp_before, rp_ns):
            return f"raptors raised {outcome_text(rp_error)} but modified an array on the way"
        # NumPy itself may have written part of a value before failing; then the sides differ.
        return None if unchanged(np_before, np_ns) else "stop"
    if rp_error is not None:
        return f"NumPy succeeded; raptors raised {outcome_text(rp_error)}"
    return compare_namespaces(np_ns, rp_ns, r_tolerance)


def reproducer(lines, problem):
    body = "\n".join(lines)
    return (f"{problem}\n--- reproducer (run with lib = numpy and lib = raptors) ---\n"
            f"import numpy as np\nimport raptors as lib\n{body}\n---")


def run_program(data, trace=None):
    """Decodes `data` and runs it; returns the id of a known issue it stopped at, or None.
    Raises Mismatch on any other difference."""
    r = Reader(data)
    np_ns = {"np": np, "lib": np}
    rp_ns = {"np": np, "lib": rp}
    lines = []
    r_tolerance = None  # the tolerance of the value `r` holds (see below); None: exact
    for count in range(MAX_STATEMENTS + 2):
        if count == 0:
            code = make_array(r, "base")
        elif count == 1:
            code = "a = base"
        elif r.exhausted():
            break
        else:
            code = statement(r, np_ns)
        lines.append(code)
        if trace is not None:
            trace(code)
        compiled = compile(code, "<fuzz>", "exec")
        np_before, rp_before = snapshot(np_ns), snapshot(rp_ns)
        np_error = run_statement(compiled, np_ns)
        rp_error = run_statement(compiled, rp_ns)
        # Reductions may sum in another order, and pow may round differently: a tolerance for
        # the `r` they make (relative_tolerance, and magnitude_tolerance for sums), kept
        # while `r` holds that value, since every later statement compares it again; everything
        # else must be exact.
        if code.startswith("r = ") and np_error is None:
            r_tolerance = None
            if code.startswith("r = a.") or "**" in code:
                r_tolerance = 0.0
                if code.startswith("r = a."):
                    r_tolerance = magnitude_tolerance(code, np_ns["a"])
        problem = judge(np_error, rp_error, np_ns, rp_ns, np_before, rp_before, r_tolerance)
        if problem == "stop":
            return None
        if problem:
            known = match_known_issue(code, "\n".join(lines), outcome_text(np_error),
                                      outcome_text(rp_error), problem)
            if known:
                return known
            raise Mismatch(reproducer(lines, problem))
    return None
