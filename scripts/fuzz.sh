#!/usr/bin/env bash
# The fuzzing stage of CI: random programs over the Python API, checked against NumPy
# (fuzz/fuzz_api.py), for a bounded time, because hand-written tests only try the inputs their
# authors thought of.
#   1. Replays the seed corpus fuzz/corpus/: every input there must still pass (regressions).
#   2. Fuzzes with atheris, coverage-guided, on the normal build in .venv, growing
#      build/fuzz/corpus/ from the seeds: RAPTORS_FUZZ_RUNS inputs (default 60000, about a
#      minute here) from the fixed libFuzzer seed RAPTORS_FUZZ_SEED (default 1) with Python's
#      hash seed fixed, so that CI explores the same inputs on every run and a red CI always
#      reproduces; RAPTORS_FUZZ_SECONDS (default 120) bounds the time on a slow machine (a
#      prefix of the same sequence). Set another seed to explore further by hand. If atheris
#      cannot be installed on this Python, the hypothesis driver (random inputs, same programs
#      and checks) runs instead, and this script says so.
#   3. Replays every input found under the ASan+UBSan build (build/asan-venv, made by
#      scripts/sanitize.sh) when it exists, so a memory error that happens not to crash the normal
#      build still fails. (atheris' coverage feedback does not work with GCC's ASan runtime
#      preloaded, hence fuzzing unsanitized and replaying sanitized.)
# A mismatch prints a standalone reproducer; the failing input is kept in build/fuzz/artifacts/
# and can be replayed with: .venv/bin/python fuzz/fuzz_api.py --replay FILE
# Usage: bash scripts/fuzz.sh   (after bash scripts/dev.sh test has built .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${RAPTORS_FUZZ_SECONDS:-120}
runs=${RAPTORS_FUZZ_RUNS:-60000}
seed=${RAPTORS_FUZZ_SEED:-1}
export PYTHONHASHSEED=0
python=.venv/bin/python
work=build/fuzz

if [ ! -x "$python" ] || ! "$python" -c "import raptors" 2>/dev/null; then
    echo "fuzz: raptors is not installed in .venv; run 'bash scripts/dev.sh test' first" >&2
    exit 1
fi
rm -rf "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"

echo "== fuzz: replaying the seed corpus"
"$python" fuzz/fuzz_api.py --replay -q fuzz/corpus

if "$python" -c "import atheris" 2>/dev/null ||
        "$python" -m pip install -q --disable-pip-version-check atheris; then
    echo "== fuzz: atheris, ${runs} inputs from seed ${seed} (at most ${seconds}s)"
    status=0
    "$python" fuzz/fuzz_api.py "$work/corpus" fuzz/corpus -runs="$runs" -seed="$seed" \
        -max_total_time="$seconds" \
        -timeout=30 -rss_limit_mb=4096 -artifact_prefix="$work/artifacts/" \
        -print_final_stats=1 >"$work/atheris.log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -n 80 "$work/atheris.log"
        echo "fuzz: atheris found a crash or a mismatch (above; input in $work/artifacts/)" >&2
        exit 1
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
        "$work/atheris.log"
else
    echo "== fuzz: atheris could not be installed on this Python; hypothesis driver for ${seconds}s"
    "$python" fuzz/fuzz_api.py --hypothesis "$seconds" fuzz/corpus
fi

echo "== fuzz: replaying $(find "$work/corpus" -type f | wc -l) found inputs and the seeds"
"$python" fuzz/fuzz_api.py --replay -q "$work/corpus" fuzz/corpus

asan_python=build/asan-venv/bin/python
# (Importing the ASan-built extension needs the runtime preloaded, so only look for the package.)
if [ -x "$asan_python" ] && "$asan_python" -c \
        "import importlib.util, sys; sys.exit(importlib.util.find_spec('raptors') is None)"; then
    echo "== fuzz: replaying them on the ASan+UBSan build"
    # ASan warns on each impossible allocation it refuses (allocator_may_return_null); drop those.
    LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
    PYTHONMALLOC=malloc RAPTORS_SANITIZER=1 \
    ASAN_OPTIONS=halt_on_error=1:allocator_may_return_null=1:detect_leaks=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan_known_bugs.supp \
        "$asan_python" fuzz/fuzz_api.py --replay -q "$work/corpus" fuzz/corpus 2>&1 |
        sed '/AddressSanitizer failed to allocate/d'
else
    echo "== fuzz: no ASan build (run scripts/sanitize.sh first) - sanitized replay skipped"
fi
