"""Fuzz harness for the Raptors Python API, with NumPy as the oracle: the drivers.

An input is a byte string that fuzz/programs.py decodes into a short program (array creation in
many layouts, then indexing, assignment, reshape/transpose, astype/copy, broadcasting, and the
arithmetic and reductions raptors has so far), and fuzz/oracle.py runs with `lib` = numpy and
`lib` = raptors and compares statement by statement. A mismatch raises an AssertionError whose
message is a standalone reproducer; a crash kills the process. scripts/fuzz.sh runs this for a
bounded time in CI. Drivers:

  python fuzz/fuzz_api.py CORPUS_DIR [SEED_DIR] [libFuzzer options]   atheris (coverage-guided)
  python fuzz/fuzz_api.py --hypothesis SECONDS [SEED_DIR...]          fallback: hypothesis' random
                                                                      bytes, when atheris is absent
  python fuzz/fuzz_api.py --replay FILE_OR_DIR...                     run inputs, print programs
                                                                      (-q: only the summary)
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from known_issues import KNOWN_ISSUES  # noqa: E402
from oracle import run_program  # noqa: E402


def input_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if not name.startswith(("README", ".")):
                    yield os.path.join(path, name)
        else:
            yield path


def print_known_summary(hits):
    for issue in KNOWN_ISSUES:
        count = hits.get(issue.id, 0)
        note = "" if count else "   <- not hit: fixed? then delete it from fuzz/known_issues.py"
        print(f"  known issue {issue.id}: {count} program(s){note}")


def replay(paths, quiet):
    hits, count = {}, 0
    for path in input_files(paths):
        with open(path, "rb") as handle:
            data = handle.read()
        if not quiet:
            print(f"# {path}")
        known = run_program(data, trace=None if quiet else print)
        if known:
            hits[known] = hits.get(known, 0) + 1
            if not quiet:
                print(f"# stopped at known issue {known}")
        count += 1
    print(f"replayed {count} input(s): no new mismatch")
    print_known_summary(hits)


def run_hypothesis(seconds, seed_dirs):
    """Random inputs from hypothesis for `seconds` (shrinks a failure to a small reproducer)."""
    from hypothesis import HealthCheck, Phase, given, settings, strategies as st

    replay(seed_dirs, quiet=True)
    hits, runs = {}, 0

    @settings(max_examples=300, deadline=None, database=None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(st.binary(min_size=1, max_size=120))
    def fuzz_batch(data):
        nonlocal runs
        runs += 1
        known = run_program(data)
        if known:
            hits[known] = hits.get(known, 0) + 1

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fuzz_batch()
    print(f"fuzz (hypothesis driver): {runs} programs in {seconds:.0f} s, no mismatch")
    print_known_summary(hits)


def run_atheris(argv):
    import atheris

    import oracle
    import programs

    # Coverage feedback comes from the harness' own branches (which statement kinds, faults and
    # outcomes a program reached); the C extension is not built for libFuzzer's coverage.
    for module in (programs, oracle):
        for name in dir(module):
            function = getattr(module, name)
            if callable(function) and getattr(function, "__module__", None) == module.__name__ \
                    and hasattr(function, "__code__"):
                setattr(module, name, atheris.instrument_func(function))
    atheris.Setup(argv, lambda data: oracle.run_program(data))
    atheris.Fuzz()


def main(argv):
    if len(argv) > 1 and argv[1] == "--replay":
        quiet = "-q" in argv[2:]
        replay([path for path in argv[2:] if path != "-q"], quiet)
    elif len(argv) > 2 and argv[1] == "--hypothesis":
        run_hypothesis(float(argv[2]), argv[3:])
    else:
        run_atheris(argv)


if __name__ == "__main__":
    main(sys.argv)
