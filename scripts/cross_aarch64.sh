#!/usr/bin/env bash
# The portability stage of CI: cross-compiles the C core, the kernels and the C unit tests for
# aarch64 (Linux, glibc) with Debian's gcc-aarch64-linux-gnu and runs the tests under qemu-user,
# so code that only works on x86-64 (x86 intrinsics outside their ISA files, unaligned loads,
# assumptions about char signedness or long double) fails CI. Zero warnings there too (-Dwerror).
# It also runs cross/print_isa.c to print which kernel table the dispatch chose under qemu, and
# requires "neon" as soon as the tree has NEON kernels (a file under src/kernels/ with "neon" in
# its name or including arm_neon.h), so a dispatch bug that falls back to scalar loops fails too.
# The toolchain comes from apt (root needed); without apt the stage is skipped with a message.
# Usage: bash scripts/cross_aarch64.sh
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build/aarch64
sysroot=/usr/aarch64-linux-gnu

have_toolchain() {
    command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null &&
        [ -d "$sysroot/lib" ]
}

if ! have_toolchain; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        echo "cross_aarch64: SKIPPED - gcc-aarch64-linux-gnu/qemu-user are missing and cannot be" \
             "installed here (needs root and apt-get)."
        exit 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends \
        gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
fi

PATH="$PWD/.venv/bin:$PATH"
if [ ! -x .venv/bin/meson ]; then
    python3 -m venv .venv
    .venv/bin/python -m pip install -q --disable-pip-version-check meson ninja
fi

if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" --cross-file cross/aarch64-linux-gnu.ini \
        -Dpython=false -Dwerror=true >/dev/null
else
    meson setup "$dir" --cross-file cross/aarch64-linux-gnu.ini \
        -Dpython=false -Dwerror=true >/dev/null
fi
meson compile -C "$dir"
# RAPTORS_TEST_EMULATOR tells the tests that a failure of the platform itself may be qemu's:
# qemu-user 7.2 aborts a fork child of a multi-threaded process that starts a thread (plain
# pthreads, no Raptors code), so test_threadpool skips its fork children here, with a note, when
# its own probe of exactly that fails. Native stages run them.
RAPTORS_TEST_EMULATOR=qemu-user meson test -C "$dir" --print-errorlogs --timeout-multiplier=5
grep -h '^note: ' "$dir/meson-logs/testlog.txt" | sort -u || true

# Link the probe against every static library the build made, whatever their layout.
mapfile -t libraries < <(find "$dir/src" -name '*.a' | sort)
aarch64-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -Werror -Iinclude -Isrc cross/print_isa.c \
    -Wl,--start-group "${libraries[@]}" -Wl,--end-group -lm -pthread -o "$dir/print_isa"
isa=$(qemu-aarch64 -L "$sysroot" "$dir/print_isa")
echo "cross_aarch64: the kernel dispatch chose the '$isa' table under qemu-aarch64"
neon_sources=$( (find src/kernels -iname '*neon*'; grep -rl arm_neon.h src/kernels || true) | sort -u)
if [ -z "$neon_sources" ]; then
    echo "cross_aarch64: no NEON kernels in src/kernels/ yet, so the '$isa' table is expected"
elif [ "$isa" != neon ]; then
    echo "cross_aarch64: NEON kernels exist ($neon_sources) but were not selected" >&2
    exit 1
fi
