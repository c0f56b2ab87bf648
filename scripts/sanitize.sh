#!/usr/bin/env bash
# The sanitizer stage of CI: runs every test again on builds instrumented with AddressSanitizer
# and UndefinedBehaviorSanitizer, because a memory error or undefined behaviour in a C extension
# often passes a normal test run and then corrupts a user's process later.
#
#   1. C unit tests on an ASan+UBSan build of the core (-Dpython=false), leak detection on.
#   2. C unit tests under valgrind (memcheck, full leak check, fork children included) on a plain
#      debug build, which also sees uninitialised reads that ASan does not. Valgrind does not
#      emulate the floating-point status flags, so the few checks of warnings read from them are
#      skipped there, with a note printed here (tests/c/fp_flags.h); every other stage runs them.
#   3. C unit tests on a ThreadSanitizer build (-Dpython=false): the pool, the allocator's cache,
#      concurrent callers and parallel copies, casts and compute run under TSan, and any data race
#      fails (about 15 s). TSan cannot follow threads started in a fork child, so test_threadpool
#      skips its fork children there with a note; the other stages run them. Python is not run
#      under TSan: CPython itself would have to be instrumented.
#   4. The whole pytest suite against an ASan+UBSan build of the extension, installed into its own
#      venv (build/asan-venv) so the normal .venv stays uninstrumented; twice, as configured and
#      then with RAPTORS_GRAIN_BYTES=1 RAPTORS_THREADS=4 so that the threaded plans run too. Python itself is not
#      instrumented, so the ASan runtime is preloaded. PYTHONMALLOC=malloc makes every Python
#      object a malloc block that ASan and LeakSanitizer can see. Leaks are checked once, at the
#      end of the session, by scripts/leak_check_plugin.py: CPython's own allocations are never
#      all freed, so it fails only on leaked blocks allocated from Raptors' code.
#
# Any sanitizer report stops the process (halt_on_error=1 for ASan and UBSan) and fails this
# script and CI. UBSan checks are compiled recoverable (no -fno-sanitize-recover) only so that
# scripts/ubsan_known_bugs.supp can hide a known, reported bug; halt_on_error still makes every
# other report fatal. pytest runs with --capture=sys, because capturing file descriptor 2 would
# swallow the report of a process that dies. ASan reports, from pytest and from any subprocess a
# test starts, also go to build/sanitizer-logs/ and are printed from there (GCC's separate UBSan
# runtime ignores log_path; its reports appear on stderr). Tests read RAPTORS_SANITIZER=1 to skip
# what cannot run under ASan (RLIMIT_AS: ASan reserves terabytes of address space for shadow;
# resident-memory bounds: its quarantine keeps freed memory resident).
# Usage: bash scripts/sanitize.sh [pytest options]
#   RAPTORS_SANITIZE_STAGES="c-asan c-valgrind c-tsan python-asan" (the default) picks the stages.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=build/asan-venv
python=$venv/bin/python
sanitize_args=(-Db_sanitize=address,undefined -Dbuildtype=debugoptimized
               "-Dc_args=-fno-omit-frame-pointer")
logs=$PWD/build/sanitizer-logs

# Options shared by every stage. allocator_may_return_null lets an impossible allocation return
# NULL (Raptors must turn that into MemoryError) instead of ASan aborting on it.
asan_common=halt_on_error=1:abort_on_error=0:allocator_may_return_null=1:detect_stack_use_after_return=1
ubsan_common=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan_known_bugs.supp
export UBSAN_OPTIONS=$ubsan_common
export RAPTORS_SANITIZER=1

section() { printf '\n== sanitize: %s\n' "$1"; }

c_tests_asan() {
    section "C unit tests under ASan+UBSan with leak detection"
    local dir=build/asan-c
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" -Dpython=false "${sanitize_args[@]}" >/dev/null
    fi
    ASAN_OPTIONS=$asan_common:detect_leaks=1 meson test -C "$dir" --print-errorlogs
}

c_tests_valgrind() {
    section "C unit tests under valgrind"
    if ! command -v valgrind >/dev/null; then
        install_valgrind
    fi
    local dir=build/valgrind-c
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" -Dpython=false -Dbuildtype=debugoptimized >/dev/null
    fi
    meson test -C "$dir" --print-errorlogs --timeout-multiplier=10 \
        --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-origins=yes"
    # The checks valgrind cannot run faithfully (tests/c/fp_flags.h) say so in the test output.
    grep -h '^note: valgrind' "$dir/meson-logs/testlog-valgrind.txt" | sort -u || true
}

c_tests_tsan() {
    section "C unit tests under ThreadSanitizer"
    local dir=build/tsan-c
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" -Dpython=false -Db_sanitize=thread -Dbuildtype=debugoptimized \
            "-Dc_args=-fno-omit-frame-pointer" >/dev/null
    fi
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        meson test -C "$dir" --print-errorlogs --timeout-multiplier=5
    grep -h '^note: ' "$dir/meson-logs/testlog.txt" | sort -u || true
}

install_valgrind() {
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "sanitize: valgrind is missing and cannot be installed (needs root and apt-get)" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends valgrind >/dev/null
}

python_tests_asan() {
    section "pytest on the ASan+UBSan build of the extension"
    if [ ! -x "$python" ]; then
        python3 -m venv "$venv"
    fi
    "$python" -m pip install -q --disable-pip-version-check -r scripts/dev-requirements.txt
    local setup_args=()
    for arg in "${sanitize_args[@]}"; do
        setup_args+=("-Csetup-args=$arg")
    done
    "$python" -m pip install -q --disable-pip-version-check --no-build-isolation \
        -Cbuild-dir=build/asan "${setup_args[@]}" .
    local preload status=0
    preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
    rm -rf "$logs"
    mkdir -p "$logs"
    # Twice: as configured, then with every splittable operation on 4 pool threads, so the
    # threaded plans' indexing runs under ASan too.
    local threaded
    for threaded in "" "RAPTORS_GRAIN_BYTES=1 RAPTORS_THREADS=4"; do
        echo "pytest under ASan+UBSan${threaded:+ with $threaded}"
        (cd tests && \
            env $threaded LD_PRELOAD="$preload" PYTHONMALLOC=malloc \
            ASAN_OPTIONS=$asan_common:detect_leaks=1:leak_check_at_exit=0:log_path=$logs/asan \
            PYTHONPATH="$PWD/../scripts${PYTHONPATH:+:$PYTHONPATH}" \
            "../$python" -m pytest -q --capture=sys -p leak_check_plugin -p no:cacheprovider \
            "$@") || status=$?
    done
    # allocator_may_return_null makes ASan log a warning for each impossible allocation; only
    # real reports count.
    local reports
    reports=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$logs"/* 2>/dev/null || true)
    if [ -n "$reports" ]; then
        for report in $reports; do
            printf '\n---- sanitizer report %s\n' "$report"
            cat "$report"
        done
        echo "sanitize: the sanitizers reported errors (above)" >&2
        exit 1
    fi
    return "$status"
}

PATH="$PWD/.venv/bin:$PATH"
if [ ! -x .venv/bin/meson ]; then
    # Standalone use before `bash scripts/dev.sh test` ever ran: the C stages need meson.
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check meson ninja
fi
for stage in ${RAPTORS_SANITIZE_STAGES:-c-asan c-valgrind c-tsan python-asan}; do
    case "$stage" in
        c-asan) c_tests_asan ;;
        c-valgrind) c_tests_valgrind ;;
        c-tsan) c_tests_tsan ;;
        python-asan) python_tests_asan "$@" ;;
        *) echo "sanitize: unknown stage '$stage'" >&2; exit 2 ;;
    esac
done
