"""Allocations that cannot be satisfied raise MemoryError (or NumPy's ValueError for sizes that
overflow), never crash, and leave existing arrays and the process in working order.

Each check runs in a child process whose address space is capped with RLIMIT_AS a little above
what it already uses, so "out of memory" is real and fast, and a crash kills only the child. The
child runs every case through NumPy and Raptors and reports the exception each raised; the test
requires NumPy's exception family from Raptors. Under AddressSanitizer (scripts/sanitize.sh sets
RAPTORS_SANITIZER=1) RLIMIT_AS cannot be used, as ASan reserves terabytes of address space for its
shadow memory; there only requests too large for any allocator run (ASan returns NULL for them).
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

UNDER_SANITIZER = os.environ.get("RAPTORS_SANITIZER") == "1"
HEADROOM = 256 << 20

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    import numpy as np
    import raptors as rp

    limited = sys.argv[1] == "limited"
    kept_numpy = np.arange(1000.0)
    kept_view = rp.asarray(kept_numpy)               # wraps NumPy's memory
    kept_owned = rp.array(np.arange(1000, dtype=np.int32))  # memory owned by Raptors

    if limited:
        with open("/proc/self/status") as status:
            used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (used + HEADROOM, used + HEADROOM))

    def cases(lib):
        yield "empty 8 TiB", lambda: lib.empty(2**40)
        yield "zeros (2**20, 2**20)", lambda: lib.zeros((2**20, 2**20))
        yield "ones int32 2**42", lambda: lib.ones(2**42, dtype="int32")
        yield "full (2**21, 2**21)", lambda: lib.full((2**21, 2**21), 1.5)
        yield "full broadcast 8 TiB", lambda: lib.full((2**30, 1024), lib.zeros(1024))
        yield "empty overflowing shape", lambda: lib.empty((2**40, 2**40))
        yield "zeros overflowing bytes", lambda: lib.zeros((2**61, 8))
        yield "ones negative shape", lambda: lib.ones((3, -1))
        if limited:
            # Sizes only the lowered limit refuses: the ordinary allocation path, not a size check.
            yield "empty 2 GiB", lambda: lib.empty(2**28)
            yield "zeros bool 1 GiB", lambda: lib.zeros(2**30, dtype="bool")
            big = lib.empty(HEADROOM // 2 // 8 + 2**20)   # more than half the headroom
            yield "copy", big.copy
            yield "astype", lambda: big.astype("int64")
            yield "array copy", lambda: lib.array(big)

    def outcomes(lib):
        # A function, so that one library's big array is gone before the other's cases run.
        found = {}
        for name, attempt in cases(lib):
            try:
                attempt()
                found[name] = None
            except Exception as error:
                found[name] = [cls.__name__ for cls in type(error).__mro__]
        return found

    numpy_outcomes, raptors_outcomes = outcomes(np), outcomes(rp)
    results = {name: [numpy_outcomes[name], raptors_outcomes[name]] for name in numpy_outcomes}

    # Everything that existed is intact, and the process still allocates and computes.
    assert np.array_equal(np.asarray(kept_view), np.arange(1000.0))
    assert np.array_equal(np.asarray(kept_owned), np.arange(1000))
    fresh = rp.full((100, 10), 2.5)
    fresh[3, 4] = 1.0
    assert float(np.asarray(fresh).sum()) == 2.5 * 999 + 1.0
    assert np.array_equal(np.asarray(rp.asarray(np.arange(6)).reshape(2, 3).T),
                          np.arange(6).reshape(2, 3).T)
    print(json.dumps(results))
    """
).replace("HEADROOM", str(HEADROOM))


def run_child(mode):
    # The headroom must be spent by the cases alone. A thread's first malloc can make glibc
    # reserve a 64 MiB arena, and OpenBLAS starts threads of its own at import. Either may happen
    # after the child has read its size, at a moment set by scheduling. One arena and no BLAS
    # threads keep the address space the child measured the one it has.
    environment = dict(os.environ, MALLOC_ARENA_MAX="1", OPENBLAS_NUM_THREADS="1")
    process = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True,
                             text=True, timeout=300, env=environment)
    assert process.returncode == 0, (
        f"child exited with {process.returncode}\nstdout:\n{process.stdout}\n"
        f"stderr:\n{process.stderr[-4000:]}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def family(mro):
    """The built-in exception class a NumPy exception belongs to (its first builtin base)."""
    builtin = {"MemoryError", "ValueError", "TypeError", "OverflowError", "IndexError"}
    return next(name for name in mro if name in builtin)


@pytest.fixture(scope="module")
def outcomes():
    return run_child("unlimited" if UNDER_SANITIZER else "limited")


def test_child_survives_and_keeps_arrays(outcomes):
    # run_child asserted the exit status and the child's own checks of the kept arrays.
    assert outcomes


@pytest.mark.parametrize("expected", ["MemoryError", "ValueError"])
def test_unsatisfiable_allocations_raise_numpys_exception(outcomes, expected):
    checked = 0
    for name, (numpy_outcome, raptors_outcome) in outcomes.items():
        assert numpy_outcome is not None, f"{name}: NumPy succeeded, the case tests nothing"
        if family(numpy_outcome) != expected:
            continue
        assert raptors_outcome is not None, f"{name}: Raptors did not raise ({expected} expected)"
        assert expected in raptors_outcome, (
            f"{name}: NumPy raised {numpy_outcome[0]}, Raptors raised {raptors_outcome[0]}")
        checked += 1
    assert checked >= 2


@pytest.mark.skipif(UNDER_SANITIZER, reason="RLIMIT_AS cannot be lowered under AddressSanitizer")
def test_limit_refuses_ordinary_sizes(outcomes):
    for name in ("empty 2 GiB", "zeros bool 1 GiB", "copy", "astype", "array copy"):
        numpy_outcome, raptors_outcome = outcomes[name]
        assert raptors_outcome is not None and "MemoryError" in raptors_outcome, (
            f"{name}: NumPy {numpy_outcome and numpy_outcome[0]}, Raptors {raptors_outcome}")
