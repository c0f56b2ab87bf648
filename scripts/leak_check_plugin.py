"""pytest plugin for the sanitizer run: a LeakSanitizer check when the session ends that fails the
run on memory leaked by Raptors' own code.

scripts/sanitize.sh loads it (`-p leak_check_plugin`) into a Python that has the ASan runtime
preloaded, with leak detection on but the at-exit check off. CPython and NumPy never free all of
their memory, so a whole-process leak report is always noisy; this check runs while the
interpreter is still alive (everything still referenced is reachable, so it is not reported) and
then keeps only the leaked blocks whose allocation stack passes through Raptors (the extension
module or the C sources under src/). Those are ours to fix; the rest is counted and ignored.
"""

import ctypes
import gc
import os
import re
import tempfile

import pytest

_OUR_FRAME = re.compile(r"_core\.cpython|/src/(core|ext|kernels)/")
_BLOCK_START = re.compile(r"^(Direct|Indirect) leak of ")

_result = {}


def _report_path():
    """Where the ASan runtime writes reports (its log_path option), or "stderr"."""
    for option in os.environ.get("ASAN_OPTIONS", "").split(":"):
        name, _, value = option.partition("=")
        if name == "log_path" and value:
            return value
    return "stderr"


def _run_leak_check():
    """LeakSanitizer's report as text ("" when nothing leaked), or None without the runtime."""
    runtime = ctypes.CDLL(None)
    try:
        check = runtime.__lsan_do_recoverable_leak_check
        set_report_fd = runtime.__sanitizer_set_report_fd
        set_report_path = runtime.__sanitizer_set_report_path
    except AttributeError:
        return None
    check.restype = ctypes.c_int
    set_report_fd.argtypes = [ctypes.c_void_p]
    set_report_path.argtypes = [ctypes.c_char_p]
    with tempfile.TemporaryFile() as capture:
        # The runtime closes the descriptor when the path is set back, so it gets its own copy.
        set_report_fd(os.dup(capture.fileno()))
        try:
            check()
        finally:
            set_report_path(_report_path().encode())
        capture.seek(0)
        return capture.read().decode(errors="replace")


def _leak_blocks(report):
    blocks, current = [], None
    for line in report.splitlines():
        if _BLOCK_START.match(line):
            current = [line]
            blocks.append(current)
        elif current is not None and line.strip():
            current.append(line)
        else:
            current = None
    return ["\n".join(block) for block in blocks]


def pytest_sessionfinish(session, exitstatus):
    gc.collect()
    report = _run_leak_check()
    if report is None:
        _result["error"] = ("leak_check_plugin: the LeakSanitizer runtime is not loaded "
                            "(run through scripts/sanitize.sh)")
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        return
    blocks = _leak_blocks(report)
    ours = [block for block in blocks if _OUR_FRAME.search(block)]
    _result["ours"] = ours
    _result["ignored"] = len(blocks) - len(ours)
    if ours and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    if "error" in _result:
        write(_result["error"], red=True)
        return
    if "ours" not in _result:
        return
    ours = _result["ours"]
    if ours:
        terminalreporter.section("LeakSanitizer: memory leaked by Raptors", red=True)
        for block in ours:
            write(block)
            write("")
    write(f"leak check: {len(ours)} leaked block(s) allocated by Raptors; "
          f"{_result['ignored']} block(s) leaked by CPython/NumPy/tools ignored",
          red=bool(ours), green=not ours)
