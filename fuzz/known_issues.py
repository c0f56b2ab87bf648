"""Known, reported differences between Raptors and NumPy that the fuzzer tolerates.

Each entry was found by fuzz/fuzz_api.py, is reported with the reproducer it carries, and matches
only its own symptom (the statement, NumPy's and Raptors' outcomes, the kind of difference), so
every other difference still fails the run. A program that hits one stops there (the two sides may
differ from then on) and the run counts the hit. Delete an entry in the commit that fixes it; the
fuzz summary names the entries that were never hit, the sign that one may have been fixed.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KnownIssue:
    id: str
    reproducer: str
    statement: str = ""   # regex searched in the statement's source
    program: str = ""     # regex searched in the whole program up to this statement
    numpy: str = ""       # regex matched at the start of NumPy's outcome ("ok" or "Type: msg")
    raptors: str = ""     # regex matched at the start of Raptors' outcome
    problem: str = ""     # regex searched in the description of the difference


# Every other difference the fuzzer has found so far is fixed, each with a regression test
# (tests/python/test_regressions.py) and its input kept in fuzz/corpus/.
KNOWN_ISSUES = (
    KnownIssue(
        "bool-arith-int32-size-check",
        "a = raptors.zeros((2**63 - 1, 1, 1, 0), dtype='bool'); a ** False   # NumPy's result is "
        "int8, Raptors' int32 (no int8, documented): the empty result's extents times 4 bytes "
        "overflow the size check, so Raptors raises 'array is too big' where NumPy's 1-byte "
        "items fit",
        statement=r"(\*\*|//|%)", numpy=r"ok",
        raptors=r"ValueError: array is too big"),
    KnownIssue(
        "empty-reduction-before-allocation",
        "raptors.zeros((2**50, 3, 0)).max(axis=2)   # NumPy allocates the (2**50, 3) result "
        "first and raises MemoryError; Raptors checks for an empty identity-less reduction first "
        "and raises ValueError (src/core/reduce.c, the compute engine)",
        statement=r"\.(max|min|argmax|argmin)\(", numpy=r"MemoryError",
        raptors=r"ValueError: (zero-size array|attempt to get arg)"),
    KnownIssue(
        "count-overflow-before-duplicate-axis",
        "raptors.zeros((2**50, 2, 0, 2)).var(axis=(0, -1, -3, 0))   # NumPy's mean/var/std "
        "multiply the reduced extents (axis 0 twice) into an intp first and raise OverflowError; "
        "Raptors rejects the repeated axis first (ValueError: duplicate value in 'axis')",
        statement=r"\.(mean|var|std)\(", numpy=r"OverflowError",
        raptors=r"ValueError: duplicate value in 'axis'"),
    KnownIssue(
        "prod-order-on-fortran-arrays",
        "x = np.asfortranarray(np.resize([1e300, 0.0, 1e300], 16).reshape(2, 4, 2)); "
        "raptors.asarray(x).prod(axis=(0, 2))   # [nan, nan, 0, nan]; NumPy's [nan, 0, 0, nan]: "
        "NumPy's order meets the 0 before two 1e300 overflow, Raptors multiplies a "
        "Fortran-ordered input in memory order, overflows to inf first, and inf * 0 is nan "
        "(src/core/reduce_rows.c, the compute engine; C-ordered inputs agree)",
        statement=r"\.prod\(", numpy=r"ok", raptors=r"ok",
        problem=r"values differ[\s\S]*\b(nan|inf)\b"),
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
