"""Fuzz harness for the Raptors Python API, with NumPy as the oracle: the drivers.

An input is a byte string that fuzz/programs.py decodes into a short program (array creation in
many layouts, then indexing, assignment, reshape/transpose, astype/copy, broadcasting, and the
arithmetic and reductions raptors has so far), and fuzz/oracle.py runs with `lib` = numpy and
`lib` = raptors and compares statement by statement. A mismatch raises an AssertionError whose
message is a standalone reproducer; a crash kills the process. scripts/fuzz.sh runs this in CI:
a fixed count of inputs from a fixed seed, the same inputs on every run (why, and what that
takes, is said there and in number_counters_in_a_fixed_order below). Drivers:

  python fuzz/fuzz_api.py CORPUS_DIR [SEED_DIR] [libFuzzer options]
      atheris, coverage-guided, growing CORPUS_DIR
  python fuzz/fuzz_api.py --hypothesis RUNS SEED SECONDS [SEED_DIR...]
      the fallback when atheris is absent: hypothesis' random bytes in seeded batches
  python fuzz/fuzz_api.py --replay [-q] FILE_OR_DIR...
      runs the inputs and prints their programs (-q: only the summary)
"""

import itertools
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


HYPOTHESIS_BATCH = 300


def run_hypothesis(runs, seed, seconds, seed_dirs):
    """About `runs` random inputs from hypothesis, in batches each seeded from `seed` and its
    number, so that a seed and a count give the same inputs on every run; stops early after
    `seconds` (a prefix of the same batches). Shrinks a failure to a small reproducer."""
    from hypothesis import HealthCheck, Phase, given, settings, strategies as st
    from hypothesis import seed as fixed_seed

    replay(seed_dirs, quiet=True)
    hits, done = {}, 0

    @settings(max_examples=HYPOTHESIS_BATCH, deadline=None, database=None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(st.binary(min_size=1, max_size=120))
    def fuzz_batch(data):
        nonlocal done
        done += 1
        known = run_program(data)
        if known:
            hits[known] = hits.get(known, 0) + 1

    started = time.monotonic()
    for batch in range(-(-runs // HYPOTHESIS_BATCH)):
        if time.monotonic() - started >= seconds:
            print(f"fuzz (hypothesis driver): stopped at the time bound after {batch} batches")
            break
        fixed_seed(f"{seed}-{batch}")(fuzz_batch)()
    print(f"fuzz (hypothesis driver): {done} programs from seed {seed} in "
          f"{time.monotonic() - started:.0f} s, no mismatch")
    print_known_summary(hits)


def number_counters_in_a_fixed_order():
    """atheris (3.0) gathers the basic blocks of a function it instruments in a set of its
    Instruction objects, which hash by id(), and numbers their coverage counters in that set's
    order: an order that follows memory addresses, different in every process. libFuzzer's
    choices depend on the numbering (the order it meets features decides which rare features it
    keeps and so which input it mutates next), so two runs with the same seed and count explored
    different inputs. Hashing instructions by creation order instead makes the numbering, and
    so the whole run, the same in every process."""
    from atheris import instrument_bytecode

    instruction = instrument_bytecode.Instruction
    if "__hash__" not in vars(instruction):  # a different atheris: this may no longer apply
        raise RuntimeError("atheris' Instruction class changed: review fuzz_api.py's "
                           "number_counters_in_a_fixed_order for this atheris version")
    created = itertools.count()
    original_init = instruction.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.creation_index = next(created)

    instruction.__init__ = init
    instruction.__hash__ = lambda self: self.creation_index


def run_atheris(argv):
    import atheris

    import oracle
    import programs

    number_counters_in_a_fixed_order()

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
    elif len(argv) > 4 and argv[1] == "--hypothesis":
        run_hypothesis(int(argv[2]), int(argv[3]), float(argv[4]), argv[5:])
    else:
        run_atheris(argv)


if __name__ == "__main__":
    main(sys.argv)
