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


# Empty: every difference the fuzzer has found so far is fixed, each with a regression test
# (tests/python/test_regressions.py) and its input kept in fuzz/corpus/.
KNOWN_ISSUES = ()


def match_known_issue(statement, program, numpy_outcome, raptors_outcome, problem):
    """The id of the known issue this difference is, or None."""
    for issue in KNOWN_ISSUES:
        if (re.search(issue.statement, statement) and re.search(issue.program, program)
                and re.match(issue.numpy, numpy_outcome)
                and re.match(issue.raptors, raptors_outcome)
                and re.search(issue.problem, problem)):
            return issue.id
    return None
