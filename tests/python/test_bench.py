"""The benchmark CLI's mechanics on tiny arrays: options, verification, JSON, validation.

Nothing here asserts a timing; the tiny runs only check that every case is verified against
NumPy (never a mismatch), that results are written, and that --validate catches regressions.
"""

import json

import numpy as np
import pytest

import raptors as rp
from raptors import bench


def run(tmp_path, *extra):
    out = tmp_path / "result.json"
    status = bench.main(["--shape", "64", "--repeats", "1", "--warmup", "0", "--no-peers",
                         "--json", str(out), *extra])
    return status, json.loads(out.read_text())


def test_suite_runs_and_writes_json(tmp_path, capsys):
    status, result = run(tmp_path, "--suite", "all", "--api", "both")
    assert status == 0
    cases = result["cases"]
    # 6 ops x 2 dtypes x 4 layouts x 2 APIs
    assert len(cases) == 96
    assert {c["status"] for c in cases} <= {"ok", "unavailable"}
    for case in cases:
        if case["status"] == "ok":
            assert case["numpy_ms"] > 0 and case["raptors_ms"] > 0 and case["floor_ms"] > 0
            assert (case["kept_speedup"] is not None) == (case["op"] in bench.WRITERS)
    table = capsys.readouterr().out
    assert "geometric mean speedup" in table and "floor ms" in table


def test_validate_flags_regressions(tmp_path):
    _, result = run(tmp_path, "--ops", "sum,scale", "--dtype", "float64")
    inflated = {"cases": [dict(c, speedup=1e9, kept_speedup=None) for c in result["cases"]]}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps(inflated))
    status, _ = run(tmp_path, "--ops", "sum,scale", "--dtype", "float64",
                    "--validate", str(baseline))
    assert status == 1
    modest = {"cases": [dict(c, speedup=1e-9, kept_speedup=None) for c in result["cases"]
                        if c["status"] == "ok"]}
    baseline.write_text(json.dumps(modest))
    status, _ = run(tmp_path, "--ops", "sum,scale", "--dtype", "float64",
                    "--validate", str(baseline))
    assert status == 0


def test_bad_options_are_rejected():
    for argv in (["--ops", "median"], ["--shape", "3x4"], ["--dtype", "int8"],
                 ["--repeats", "0"], ["--slack", "1.5"]):
        with pytest.raises(SystemExit):
            bench.parse_args(argv)
    args = bench.parse_args(["--shape", "128x128,256", "--ops", "sum,scale"])
    assert args.shape == [128, 256] and args.ops == ["sum", "scale"]


def test_floor_bytes_follow_memory_layout():
    x = np.zeros((256, 256))
    assert bench.bytes_touched(x) == x.nbytes
    assert bench.bytes_touched(x.T) == x.nbytes
    # Every other row, and within a row every cache line: half the array.
    assert bench.bytes_touched(x[::2, ::2]) == x.nbytes // 2
    # Elements 64+ bytes apart: one whole line each.
    assert bench.bytes_touched(x[:, ::16]) == x[:, ::16].size * 64


def test_floor_reads_the_case_input_or_a_block_of_its_bytes():
    base = np.arange(256 * 256, dtype=np.float64).reshape(256, 256)
    v = np.arange(256.0)
    for layout in ("C", "T", "F"):
        x = bench.layout_input(base, layout)
        floor = bench.Floor(bench.Case("sum", 256, "float64", layout, "numpy", x, v))
        assert floor.source is x and floor.kind == "read" and floor.nbytes == x.nbytes
    sliced = bench.layout_input(base, "sliced")
    floor = bench.Floor(bench.Case("sum", 256, "float64", "sliced", "numpy", sliced, v))
    assert floor.source.nbytes == bench.bytes_touched(sliced) == floor.nbytes
    writer = bench.Floor(bench.Case("scale", 256, "float64", "C", "numpy", base, v))
    assert writer.kind == "copy" and writer.nbytes == base.nbytes and writer.scale == 1.0
    assert writer.sample() > 0


def test_plot_without_matplotlib_says_so(tmp_path, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    path = tmp_path / "speedups.png"
    assert bench.plot([], str(path)) is False
    assert "matplotlib is not installed" in capsys.readouterr().err
    assert not path.exists()


def test_kept_alive_timing_allocates_in_another_process():
    # A 2 MiB output is a cacheable block: timed here, its allocations would show in this
    # process's cache counters.
    x, v = bench.suite_inputs(bench.suite_base(512, "float64"), "T")
    case = bench.Case("broadcast_add", 512, "float64", "T", "original", x, v)
    before = rp.cache_info()
    kept = bench.kept_alive_in_fresh_process(case, repeats=2)
    after = rp.cache_info()
    assert len(kept) == 2 and all(seconds > 0 for seconds in kept)
    assert (after["hits"], after["misses"]) == (before["hits"], before["misses"])
    broken = bench.Case("no_such_op", 512, "float64", "C", "numpy", x, v)
    with pytest.raises(RuntimeError, match="no_such_op"):
        bench.kept_alive_in_fresh_process(broken, repeats=1)
