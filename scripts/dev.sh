#!/usr/bin/env bash
# The project's one entry point: sets everything up on a fresh clone (a .venv with the build and
# test tools, then Raptors built and installed into it) and runs the benchmark or the tests.
#   bash scripts/dev.sh bench [bench options]   - Raptors vs NumPy on the 2-D suite
#   bash scripts/dev.sh test  [pytest options]  - C unit tests, then the Python test suite
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
python=$venv/bin/python

setup() {
    if [ ! -x "$python" ]; then
        python3 -m venv "$venv"
    fi
    "$python" -m pip install -q --disable-pip-version-check -r scripts/dev-requirements.txt
    # Rebuilds only what changed: meson-python keeps its build directory under build/.
    "$python" -m pip install -q --disable-pip-version-check --no-build-isolation \
        -Cbuild-dir=build/python .
}

c_tests() {
    local dir=build/ctest
    if [ ! -f "$dir/build.ninja" ]; then
        "$venv/bin/meson" setup "$dir" -Dpython=false >/dev/null
    fi
    "$venv/bin/meson" test -C "$dir" --print-errorlogs
}

command=${1:-}
shift || true
case "$command" in
    bench)
        setup
        exec "$python" -m raptors.bench "$@"
        ;;
    test)
        setup
        PATH="$PWD/$venv/bin:$PATH" c_tests
        cd tests && exec "../$python" -m pytest -q "$@"
        ;;
    *)
        echo "usage: bash scripts/dev.sh bench|test [options]" >&2
        exit 2
        ;;
esac
