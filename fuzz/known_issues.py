"""Known, reported differences between Raptors and NumPy that the fuzzer tolerates.

Each entry was found by fuzz/fuzz_api.py, is reported with the reproducer it carries, and matches
only its own symptom (the statement, NumPy's and Raptors' outcomes, the kind of difference), so
every other difference still fails the run. A program that hits one stops there (the two sides may
differ from then on) and the run counts the hit. Delete an entry in the commit that fixes it; the
fuzz summary names the entries that were never hit, the sign that one may have been fixed.
"""

import re
from dataclasses import dataclass

# Python int literals outside int64, as the generator writes them.
_BEYOND_INT64 = r"(?<![\d.e])-?(9223372036854775808|9223372036854775809|18446744073709551616)\b"
_HUGE_EXTENT = r"\b(1125899906842624|4611686018427387904|9223372036854775807)\b"


@dataclass(frozen=True)
class KnownIssue:
    id: str
    reproducer: str
    statement: str = ""   # regex searched in the statement's source
    program: str = ""     # regex searched in the whole program up to this statement
    numpy: str = ""       # regex matched at the start of NumPy's outcome ("ok" or "Type: msg")
    raptors: str = ""     # regex matched at the start of Raptors' outcome
    problem: str = ""     # regex searched in the description of the difference


KNOWN_ISSUES = (
    KnownIssue(
        "unchecked-int-conversion",
        "a = raptors.zeros(3, dtype='int64'); a[0] = np.nan   # also np.inf, 1e300, and "
        "raptors.full(2, 2**31, dtype='int32'): NumPy raises ValueError/OverflowError, "
        "Raptors stores a wrapped or undefined value",
        numpy=r"(ValueError: cannot convert float NaN|OverflowError)", raptors=r"ok"),
    KnownIssue(
        "python-int-beyond-int64",
        "raptors.full((), 2**63, dtype='float64')   # NumPy gives 9.223372036854776e18; Raptors "
        "raises OverflowError (Python ints are converted through int64 even for float targets)",
        statement=_BEYOND_INT64, raptors=r"OverflowError: Python integer .* out of bounds for int64"),
    KnownIssue(
        "mixed-list-int64-precision",
        "a = raptors.zeros(2, dtype='int64'); a[...] = [2**63 - 1, 2.75]   # NumPy stores "
        "9223372036854775807; Raptors goes through float64 and stores -9223372036854775808",
        statement=r"\[.*9223372036854775807", numpy=r"ok", raptors=r"ok", problem=r"values differ"),
    KnownIssue(
        "reshape-order-A",
        "raptors.asarray(np.arange(4.0).reshape(2, 2).T).reshape(-1, order='A')   # NumPy reads an "
        "F-contiguous array in F order ([0, 2, 1, 3]... as a view); Raptors reads C order (copy)",
        program=r"reshape\(.*order='A'\)", numpy=r"ok", raptors=r"ok",
        problem=r"(values differ|view of|copy, independent of)"),
    KnownIssue(
        "astype-ignores-layout",
        "raptors.asarray(np.ones((2, 3)).T).astype('int64').is_f_contiguous() is False   # NumPy's "
        "astype keeps the layout (order='K'), so a later reshape is a copy in NumPy and a view "
        "in Raptors, and writes through it differ",
        program=r"astype\([\s\S]*reshape\(", numpy=r"ok", raptors=r"ok",
        problem=r"(values differ|view of|copy, independent of)"),
    KnownIssue(
        "reshape-order-K",
        "raptors.zeros(2).reshape(2, order='K')   # NumPy: ValueError (order 'K' is not permitted "
        "for reshaping); Raptors accepts it",
        statement=r"reshape\(.*order='K'\)", numpy=r"ValueError", raptors=r"ok"),
    KnownIssue(
        "leading-unit-dims-in-assignment",
        "a = raptors.zeros(3); a[...] = np.ones((1, 3))   # NumPy drops leading length-1 axes of "
        "the value; Raptors: ValueError (could not broadcast (1, 3) into (3,))",
        statement=r"\] = ", numpy=r"ok", raptors=r"ValueError: could not broadcast input array "
                                                  r"from shape \(1,"),
    KnownIssue(
        "huge-extent-of-empty-array",
        "raptors.zeros(0).reshape(2**62, -1) is accepted (NumPy: ValueError, array is too big); "
        "raptors.full((2**62, 0), raptors.zeros(0, bool)) raises ValueError (NumPy accepts it)",
        program=_HUGE_EXTENT, numpy=r"(ok|ValueError: array is too big)",
        raptors=r"(ok|ValueError: array is too big)"),
    KnownIssue(
        "index-beyond-int64",
        "raptors.zeros(3)[2**63]   # NumPy 2.x: OverflowError; Raptors: IndexError (cannot fit "
        "'int' into an index-sized integer)",
        statement=r"\b(9223372036854775808|10{30})\b", numpy=r"OverflowError",
        raptors=r"IndexError"),
)


def match_known_issue(statement, program, numpy_outcome, raptors_outcome, problem):
    """The id of the known issue this difference is, or None."""
    for issue in KNOWN_ISSUES:
        if (re.search(issue.statement, statement) and re.search(issue.program, program)
                and re.match(issue.numpy, numpy_outcome)
                and re.match(issue.raptors, raptors_outcome)
                and re.search(issue.problem, problem)):
            return issue.id
    return None
