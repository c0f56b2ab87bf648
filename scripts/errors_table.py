"""The table of bad inputs: runs each one against NumPy and Raptors and writes docs/errors.md.

Each row is a short program over `lib` (numpy or raptors). The table records what NumPy does
(the exception class, or the value and any warning) and what Raptors does now, so the document is
always what the code does: regenerate it with `python scripts/errors_table.py --write` (from the
repository root, with raptors installed). tests/python/test_errors_table.py runs every row whose
Raptors feature exists and requires NumPy's exception family (or equal values and warnings) from
Raptors, and checks that docs/errors.md is current. Rows carry:
  needs   - the raptors names the row uses; while one is missing the row is "pending".
  differs - a deliberate, documented difference (Raptors' exception and why), tested as such.
  known   - a known, reported bug (an id from fuzz/known_issues.py or the report); the test
            expects it to fail (strict xfail) so that the fix has to update this table.
"""

import gc
import sys
import warnings
from dataclasses import dataclass

import numpy as np

import raptors as rp


@dataclass(frozen=True)
class Row:
    code: str
    needs: tuple = ()
    differs: tuple = ()    # (Raptors' exception class name, reason)
    known: str = ""


SECTIONS = {
    "Wrong types": [
        Row("lib.zeros('3')"),
        Row("lib.zeros((2, 3.5))"),
        Row("lib.zeros(3, dtype='nonsense')"),
        Row("lib.zeros(3).reshape('a')"),
        Row("lib.zeros(3)['a']"),
        Row("lib.zeros(3)[0] = 1j"),
        Row("lib.zeros(3, dtype='complex128')",
            differs=("TypeError", "Raptors has bool, int32, int64, float32 and float64 only")),
        Row("lib.asarray(object())",
            differs=("TypeError", "no object dtype: only numbers become arrays")),
        Row("lib.array(['a', 'b'])",
            differs=("TypeError", "no string dtypes")),
        Row("a = lib.zeros(3); a[0] = 'x'",
            differs=("TypeError", "strings are not parsed as numbers")),
    ],
    "Ragged lists": [
        Row("lib.array([[1, 2], [3]])"),
        Row("lib.array([1, [2, 3]])"),
        Row("lib.array([[1], 2])"),
    ],
    "Mismatched shapes": [
        Row("a = lib.zeros((2, 3)); a[:] = [1, 2]"),
        Row("lib.full((2, 3), lib.ones(4))"),
        Row("lib.zeros(6).reshape(4, 2)"),
        Row("lib.zeros(6).reshape(-1, -1)"),
        Row("a = lib.zeros(3); a[...] = np.ones((1, 3)); result = a"),
        Row("a = lib.zeros(3); a[...] = [[1, 2, 3]]"),
        Row("a = lib.zeros(3); a[0] = np.ones(1)"),
        Row("a = lib.zeros((2, 3)); a[0] = np.ones((1, 1, 3)); result = a"),
        Row("result = lib.full((2, 3), np.ones((1, 1, 3)))"),
        Row("lib.zeros((2, 3)) + lib.zeros((3, 2))", needs=("ndarray.__add__",)),
        Row("a = lib.zeros((2, 3)); a += lib.zeros((3,1))", needs=("ndarray.__iadd__",)),
    ],
    "Bad axes": [
        Row("lib.zeros((2, 3)).transpose(0, 2)"),
        Row("lib.zeros((2, 3)).transpose(0, 0)"),
        Row("lib.zeros((2, 3)).transpose(0)"),
        Row("lib.zeros((2, 3)).transpose(())"),
        Row("lib.zeros((2, 3)).sum(axis=2)", needs=("ndarray.sum",)),
        Row("lib.zeros((2, 3)).sum(axis=-3)", needs=("ndarray.sum",)),
        Row("lib.zeros((2, 3)).sum(axis=(0, 0))", needs=("ndarray.sum",)),
        Row("lib.zeros((2, 0)).max(axis=1)", needs=("ndarray.max",)),
        Row("lib.zeros((2, 0)).argmin()", needs=("ndarray.argmin",)),
    ],
    "Out-of-range indices": [
        Row("lib.zeros(3)[3]"),
        Row("lib.zeros(3)[-4]"),
        Row("lib.zeros((2, 3))[0, 0, 0]"),
        Row("lib.zeros(3)[..., ...]"),
        Row("lib.zeros(3)[::0]"),
        Row("lib.zeros(3)[1.5]"),
        Row("lib.zeros(3)[2**63]"),
        Row("lib.zeros(3)[2**64]"),
        Row("lib.zeros(3).item(2**63)"),
        Row("a = lib.zeros(3); a[3] = 1"),
        Row("a = lib.zeros((2, 2)); a[0, 2] = 1"),
    ],
    "Overflowing and impossible shapes": [
        Row("lib.empty(-1)"),
        Row("lib.empty((2, -3))"),
        Row("lib.empty((2**62, 4))"),
        Row("lib.empty((2**40, 2**40))"),
        Row("lib.empty(2**63)"),
        Row("lib.empty((1,) * 65)"),
        Row("lib.empty((1,) * 40)",
            differs=("ValueError", "at most 32 dimensions (NumPy allows 64)")),
        Row("lib.zeros(0).reshape(2**62, -1)"),
        Row("lib.zeros(0).reshape(0, 2**62, 2**62)"),
        Row("result = lib.zeros((2**62, 0), dtype=bool).shape"),
        Row("lib.zeros((2**50, 3, 0)).max(axis=2)", needs=("ndarray.max",),
            known="empty-reduction-before-allocation"),
    ],
    "NaN and infinity": [
        Row("a = lib.zeros(3, dtype='int64'); a[0] = float('nan')"),
        Row("a = lib.zeros(3, dtype='int64'); a[0] = float('inf')"),
        Row("lib.full(3, float('nan'), dtype='int32')"),
        Row("result = lib.array([np.nan, np.inf]).astype('int64')"),
        Row("result = lib.array([1e300, np.inf]).astype('float32')"),
        Row("a = lib.zeros(3, dtype='int64'); a[:] = np.array([np.nan, 1, 2]); result = a"),
        Row("result = lib.full(2, [np.inf, 1.0], dtype='int64')"),
        Row("result = lib.array([np.nan, 1.0]).astype('bool')"),
        Row("result = lib.array([np.nan, 1.0]).sum()", needs=("ndarray.sum",)),
        Row("result = lib.array([1.0, np.nan]).max()", needs=("ndarray.max",)),
        Row("a = lib.array([1.0, np.inf]); result = a - a", needs=("ndarray.__sub__",)),
        Row("result = lib.array([1.0, 0.0]) / 0.0", needs=("ndarray.__truediv__",)),
    ],
    "Integer overflow": [
        Row("lib.full(3, 2**31, dtype='int32')"),
        Row("a = lib.zeros(3, dtype='int32'); a[0] = 2**40"),
        Row("a = lib.zeros(3, dtype='int64'); a[0] = 2**64"),
        Row("result = lib.full(2, 2**63, dtype='float64')"),
        Row("lib.array([2**64])",
            differs=("OverflowError", "no object dtype: an int beyond int64 cannot be stored")),
        Row("result = lib.array([2**63 - 1]) + 1", needs=("ndarray.__add__",)),
        Row("lib.zeros(3, dtype='int32') + 2**40", needs=("ndarray.__add__",)),
        Row("result = lib.array([7, -7]) // 0", needs=("ndarray.__floordiv__",)),
        Row("result = lib.array([7, -7]) % 0", needs=("ndarray.__mod__",)),
        Row("result = lib.array([2**62, 2**62]).sum()", needs=("ndarray.sum",)),
    ],
    "Read-only memory written to": [
        Row("x = np.arange(3.0); x.flags.writeable = False; a = lib.asarray(x); a[0] = 1"),
        Row("a = lib.asarray(memoryview(bytes(24)).cast('d')); a[0] = 1"),
        Row("a = lib.asarray(np.broadcast_to(np.arange(3.0), (2, 3))); a[0, 0] = 1"),
        Row("x = np.arange(3.0); x.flags.writeable = False; a = lib.asarray(x); a += 1",
            needs=("ndarray.__iadd__",)),
    ],
    "Views outliving their base": [
        Row("x = np.arange(6.0); v = lib.asarray(x)[::2]; del x; gc.collect(); result = v"),
        Row("b = lib.asarray(np.arange(6.0).reshape(2, 3)); v = b.T[1]; del b; gc.collect(); "
            "v[0] = 5; result = v"),
        Row("r = lib.asarray(np.arange(4.0)); n = np.asarray(r); del r; gc.collect(); "
            "result = n * 2"),
        Row("v = lib.zeros((3, 4))[1:, ::2].reshape(4); gc.collect(); v[3] = 1; result = v"),
        Row("x = lib.from_dlpack(np.arange(3.0)); gc.collect(); result = x",
            needs=("from_dlpack",)),
    ],
}


def implemented(name):
    if name.startswith("ndarray."):
        attribute = name.split(".", 1)[1]
        return any(attribute in vars(cls) for cls in rp.ndarray.__mro__ if cls is not object)
    return hasattr(rp, name)


def missing_features(row):
    return [name for name in row.needs if not implemented(name)]


@dataclass
class Outcome:
    error: BaseException = None
    value: object = None
    warnings: tuple = ()


def run(row, lib):
    namespace = {"np": np, "lib": lib, "gc": gc}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(row.code, namespace)  # noqa: S102 - the table's own rows
        except Exception as error:  # noqa: BLE001 - the exception is the outcome
            return Outcome(error=error, warnings=_categories(caught))
    value = namespace.get("result")
    if isinstance(value, rp.ndarray):
        value = np.array(value, copy=True)
    return Outcome(value=value, warnings=_categories(caught))


def _categories(caught):
    return tuple(sorted({w.category.__name__ for w in caught}))


def exception_family(error):
    """The class a Raptors exception must be an instance of to match NumPy's `error`."""
    for cls in type(error).__mro__:
        if cls is np.exceptions.AxisError or cls.__module__ == "builtins":
            return cls
    return Exception


def _value_text(value):
    if value is None:
        return "accepted"
    text = np.array2string(np.asarray(value), separator=", ") if isinstance(
        value, np.ndarray) else repr(value)
    return f"`{' '.join(text.split())}`"


def describe(outcome, with_message):
    if outcome.error is not None:
        name = type(outcome.error).__name__
        family = exception_family(outcome.error).__name__
        text = f"`{family}`" if with_message else f"`{name}`" if name == family else \
            f"`{name}` ({family})"
        if with_message:
            message = " ".join(str(outcome.error).split())
            message = message if len(message) <= 70 else message[:67] + "..."
            text += f": {message}".replace("|", "\\|")
    else:
        text = _value_text(outcome.value)
    if outcome.warnings:
        text += " + " + ", ".join(outcome.warnings)
    return text


def raptors_cell(row):
    missing = missing_features(row)
    if missing:
        return "pending (needs " + ", ".join(f"`{name}`" for name in missing) + ")"
    text = describe(run(row, rp), with_message=True)
    if row.differs:
        text += f" — by design: {row.differs[1]}"
    if row.known:
        text += f" — **differs: known bug `{row.known}`**"
    return text


def markdown():
    lines = [
        "# Bad inputs and what they get",
        "",
        "Generated by `python scripts/errors_table.py --write`, which runs every input below",
        "against NumPy and against Raptors; do not edit by hand. `lib` is `numpy` in the NumPy",
        "column and `raptors` in the Raptors one. Raptors raises NumPy's exception family",
        "(`AxisError` is both a `ValueError` and an `IndexError`) and leaves every array intact.",
        "\"pending\" rows wait for a feature still being written; \"by design\" rows are documented",
        "differences; \"known bug\" rows are reported and tested as expected failures, so fixing",
        "one means regenerating this table. tests/python/test_errors_table.py checks all of it.",
        f"NumPy {np.__version__}.",
        "",
    ]
    for section, rows in SECTIONS.items():
        lines += [f"## {section}", "", "| input | NumPy | Raptors |", "| --- | --- | --- |"]
        for row in rows:
            numpy_cell = describe(run(row, np), with_message=False)
            code = row.code.replace("|", "\\|")
            lines.append(f"| `{code}` | {numpy_cell} | {raptors_cell(row)} |")
        lines.append("")
    return "\n".join(lines)


def main(argv):
    text = markdown()
    if "--write" in argv:
        with open("docs/errors.md", "w") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
