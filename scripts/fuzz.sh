#!/usr/bin/env bash
# The fuzzing stage of CI: random programs over the Python API, checked against NumPy
# (fuzz/fuzz_api.py), because hand-written tests only try the inputs their authors thought of.
#   1. Replays the seed corpus fuzz/corpus/: every input there must still pass (regressions).
#   2. Fuzzes with atheris, coverage-guided, on the normal build in .venv: RAPTORS_FUZZ_RUNS
#      inputs (default 60000, about a minute here) from libFuzzer seed RAPTORS_FUZZ_SEED
#      (default 1), starting from fuzz/corpus/ alone, into a fresh build/fuzz/corpus/.
#   3. Replays every input found under the ASan+UBSan build (build/asan-venv, made by
#      scripts/sanitize.sh) when it exists, so a memory error that happens not to crash the normal
#      build still fails. (atheris' coverage feedback does not work with GCC's ASan runtime
#      preloaded, hence fuzzing unsanitized and replaying sanitized.)
# Guarantee: the same commit, seed and count explore the same inputs on every run, from any
# checkout (compare the corpus fingerprint printed at the end), so CI never meets a new
# difference by chance: it goes red only for a change in the code, the corpus or the tools
# (NumPy is the oracle: its version counts). This needs, and the script sees to:
#   - atheris pinned (its libFuzzer makes the mutations) and its coverage counters numbered the
#     same in every process (fuzz_api.py: atheris numbers them in memory-address order);
#   - no state carried between runs: build/fuzz/corpus/ is emptied first (left from an earlier
#     run, it seeded the next one, so local runs drifted away from CI's fresh clone);
#   - the seeds given as a sorted list of files (-seed_inputs), not as a directory, whose
#     listing order (filesystem-dependent) decided which of two equal-size seeds ran first;
#   - nothing driven by the clock: -reload=0 (libFuzzer otherwise re-reads its output directory
#     every second and re-runs inputs left there, at moments that depend on speed), a count of
#     inputs rather than a duration, Python's hash seed fixed, and a fixed thread count
#     (RAPTORS_THREADS, default 2 here) so that results do not depend on the number of cores.
# RAPTORS_FUZZ_SECONDS (default 120) only caps the time on a very slow machine: the run is then
# a prefix of the same sequence and says so. To fuzz further by hand, run with other seeds and
# more inputs, e.g. RAPTORS_FUZZ_SEED=7 RAPTORS_FUZZ_RUNS=500000 RAPTORS_FUZZ_SECONDS=3600, and
# copy any input worth keeping into fuzz/corpus/ (see its README) before the next run empties
# build/fuzz/.
# If atheris cannot be installed on this Python, the hypothesis driver (random inputs, same
# programs and checks, also seeded and counted) runs instead, and this script says so.
# A mismatch prints a standalone reproducer; the failing input is kept in build/fuzz/artifacts/
# and can be replayed with: .venv/bin/python fuzz/fuzz_api.py --replay FILE
# Usage: bash scripts/fuzz.sh   (after bash scripts/dev.sh test has built .venv)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${RAPTORS_FUZZ_SECONDS:-120}
runs=${RAPTORS_FUZZ_RUNS:-60000}
seed=${RAPTORS_FUZZ_SEED:-1}
atheris_version=3.0.0
export PYTHONHASHSEED=0
export RAPTORS_THREADS=${RAPTORS_THREADS:-2}
python=.venv/bin/python
work=build/fuzz

if [ ! -x "$python" ] || ! "$python" -c "import raptors" 2>/dev/null; then
    echo "fuzz: raptors is not installed in .venv; run 'bash scripts/dev.sh test' first" >&2
    exit 1
fi
rm -rf "$work/corpus" "$work/artifacts" "$work/seed_inputs"
mkdir -p "$work/corpus" "$work/artifacts"

echo "== fuzz: replaying the seed corpus"
"$python" fuzz/fuzz_api.py --replay -q fuzz/corpus

# The seeds as fuzz_api.py --replay reads them (every file but the README), in C-locale order,
# comma-separated in a file for -seed_inputs=@FILE.
printf '%s' "$(find fuzz/corpus -maxdepth 1 -type f ! -name 'README*' ! -name '.*' |
    LC_ALL=C sort | paste -sd, -)" >"$work/seed_inputs"

if "$python" -c "import importlib.metadata as m, sys
sys.exit(m.version('atheris') != '$atheris_version')" 2>/dev/null ||
        "$python" -m pip install -q --disable-pip-version-check "atheris==$atheris_version"; then
    echo "== fuzz: atheris $atheris_version, ${runs} inputs from seed ${seed} (at most ${seconds}s)"
    status=0
    "$python" fuzz/fuzz_api.py "$work/corpus" -seed_inputs="@$work/seed_inputs" \
        -runs="$runs" -seed="$seed" -reload=0 -max_total_time="$seconds" \
        -timeout=30 -rss_limit_mb=4096 -artifact_prefix="$work/artifacts/" \
        -print_final_stats=1 >"$work/atheris.log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        tail -n 80 "$work/atheris.log"
        echo "fuzz: atheris found a crash or a mismatch (above; input in $work/artifacts/)" >&2
        exit 1
    fi
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
        "$work/atheris.log"
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/atheris.log")
    if [ "$executed" -lt "$runs" ]; then
        echo "fuzz: stopped at the ${seconds}s bound after ${executed} of ${runs} inputs" \
            "(a prefix of the usual run; a slow or busy machine?)"
    fi
    # libFuzzer names each input by the SHA-1 of its content: this hashes the explored set.
    fingerprint=$(find "$work/corpus" -type f -printf '%f\n' | LC_ALL=C sort | sha1sum)
    echo "fuzz: corpus fingerprint ${fingerprint:0:16} (the same for this commit, seed and count)"
else
    echo "== fuzz: atheris could not be installed on this Python; hypothesis driver," \
        "${runs} inputs from seed ${seed} (at most ${seconds}s)"
    "$python" fuzz/fuzz_api.py --hypothesis "$runs" "$seed" "$seconds" fuzz/corpus
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
