"""Which backend ran (raptors.threading_info()'s counters) for elementwise operations and
reductions under each instruction set and thread count, and the GIL released while kernels run.

Every result is also checked against NumPy's, so a backend that is counted but wrong fails too.
"""

import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import raptors as rp

SIMD_ISAS = [isa for isa in rp.simd_available() if isa != "scalar"]
BIG = np.arange(1024 * 1024, dtype=np.float64).reshape(1024, 1024) % 1000  # 8 MiB


pytestmark = pytest.mark.usefixtures("engine_settings")


def runs(operation):
    """{backend: count} of one operation since the last reset (all zero if it never ran)."""
    counts = rp.threading_info()["operations"].get(operation, {})
    return {backend: counts.get(backend, 0)
            for backend in ("scalar", "simd", "parallel_scalar", "parallel_simd")}


def run_suite():
    """A full sum, an outer-axis mean, an inner-axis sum, a scale and a broadcast add."""
    a = rp.asarray(BIG)
    v = np.arange(1024.0)
    assert np.asarray(a.sum()) == BIG.sum()
    np.testing.assert_allclose(np.asarray(a.mean(axis=0)), BIG.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(a.sum(axis=1)), BIG.sum(axis=1), rtol=1e-13)
    np.testing.assert_array_equal(np.asarray(a * 1.0009765625), BIG * 1.0009765625)
    np.testing.assert_array_equal(np.asarray(a + v), BIG + v)


@pytest.mark.parametrize("isa", SIMD_ISAS)
def test_simd_backends_are_counted(isa):
    rp._config._select_simd(isa)
    with rp.threads(2):
        rp.reset_threading_info()
        run_suite()
        # sum: the full sum, the mean's column sums and the row sums, all split across threads
        assert runs("sum")["parallel_simd"] == 3
        assert runs("multiply")["parallel_simd"] == 1
        assert runs("add")["parallel_simd"] == 1
        # The mean's division of 1024 elements: one thread, on the portable loop compiled for
        # the target (x86-64) or the portable loop itself (NEON, aarch64's baseline).
        divided = runs("true_divide")
        assert divided["simd" if isa != "neon" else "scalar"] == 1
    with rp.threads(1):
        rp.reset_threading_info()
        run_suite()
        assert runs("sum") == {"scalar": 0, "simd": 3, "parallel_scalar": 0, "parallel_simd": 0}
        assert runs("multiply")["simd"] == 1 and runs("add")["simd"] == 1


def test_scalar_backends_are_counted():
    rp._config._select_simd("scalar")
    with rp.threads(2):
        rp.reset_threading_info()
        run_suite()
        assert runs("sum")["parallel_scalar"] == 3
        assert runs("multiply")["parallel_scalar"] == 1 and runs("add")["parallel_scalar"] == 1
        assert runs("sum")["simd"] + runs("sum")["parallel_simd"] == 0
    with rp.threads(1):
        rp.reset_threading_info()
        run_suite()
        assert runs("sum") == {"scalar": 3, "simd": 0, "parallel_scalar": 0, "parallel_simd": 0}


@pytest.mark.parametrize("simd", ["0", "avx2", None])
def test_environment_selects_the_backend_counted(simd):
    """RAPTORS_SIMD chosen at start-up shows in the counters of a large float64 sum."""
    if simd == "avx2" and "avx2" not in rp.simd_available():
        pytest.skip("no AVX2 here")
    code = ("import numpy as np, raptors as rp\n"
            "x = np.arange(2_000_000.0)\n"
            "assert rp.asarray(x).sum() == x.sum()\n"
            "runs = rp.threading_info()['operations']['sum']\n"
            "print(rp.simd_isa(), ' '.join(k for k, v in sorted(runs.items()) if v))\n")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("RAPTORS_")}
    environment["RAPTORS_THREADS"] = "2"
    if simd is not None:
        environment["RAPTORS_SIMD"] = simd
    output = subprocess.run([sys.executable, "-c", code], env=environment, check=True,
                            capture_output=True, text=True, timeout=120).stdout.split()
    best = rp.simd_available()[-1]
    expected_isa = {"0": "scalar", "avx2": "avx2", None: best}[simd]
    assert output[0] == expected_isa
    assert output[1:] == ["parallel_scalar" if expected_isa == "scalar" else "parallel_simd"]


def test_small_operations_stay_single_threaded():
    # Integer loops are the portable ones, compiled for the target on x86-64 ("simd" there).
    widened = "simd" if rp.simd_isa() in ("avx2", "avx512") else "scalar"
    with rp.threads(2):
        rp.reset_threading_info()
        x = np.arange(1000, dtype=np.int32).reshape(10, 100)
        a = rp.asarray(x)
        np.testing.assert_array_equal(np.asarray(a.sum(axis=0)), x.sum(axis=0))
        np.testing.assert_array_equal(np.asarray(-a), -x)
        assert runs("sum")[widened] == 1 and runs("negative")[widened] == 1
        y = rp.asarray(np.arange(10.0))
        np.testing.assert_array_equal(np.asarray(y * 2.0), np.arange(10.0) * 2.0)
        expected = "scalar" if rp.simd_isa() == "scalar" else "simd"
        assert runs("multiply")[expected] == 1


def test_streamed_outputs_are_exact():
    """Operations whose working set exceeds the streaming threshold write their output with
    non-temporal stores; the values must be exactly NumPy's."""
    threshold = rp.show_config(mode="dicts")["thresholds"]["stream_working_set_bytes"]
    if threshold > 256 << 20:
        pytest.skip("no streaming threshold within a test-sized working set on this machine")
    rows = threshold // (2 * 8 * 1000) + 1  # input plus output above the threshold
    x = np.arange(rows * 1000, dtype=np.float64).reshape(rows, 1000) % 1013 - 500.25
    v = np.linspace(-3, 3, 1000)
    a = rp.asarray(x)
    for isa in rp.simd_available():
        rp._config._select_simd(isa)
        np.testing.assert_array_equal(np.asarray(a * 1.0009765625), x * 1.0009765625)
        np.testing.assert_array_equal(np.asarray(a + v), x + v)
        np.testing.assert_array_equal(np.asarray(rp.asarray(x[:, 1:]) * 3.0), x[:, 1:] * 3.0)


@pytest.mark.parametrize("isa", rp.simd_available())
def test_short_rows_raise_only_their_elements_warnings(isa):
    """A partial vector's idle lanes must not compute 0 * inf: 1 * inf warns nowhere."""
    rp._config._select_simd(isa)
    for dtype in (np.float32, np.float64):
        for n in range(1, 40):
            x = np.arange(1, n + 1, dtype=dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                np.testing.assert_array_equal(np.asarray(rp.asarray(x) * dtype(np.inf)),
                                              x * dtype(np.inf))
                np.testing.assert_array_equal(np.asarray(dtype(-np.inf) * rp.asarray(x)),
                                              dtype(-np.inf) * x)
                np.testing.assert_array_equal(np.asarray(rp.asarray(x) + dtype(np.inf)),
                                              x + dtype(np.inf))


def test_other_threads_run_while_a_reduction_computes():
    """With the GIL released inside the kernels, a second thread runs Python code while the
    first is inside a large reduction. The switch interval is made huge, so a thread holding the
    GIL never hands it over on its own: the second thread can only run if the call releases
    it. Each attempt's results are checked too."""
    x = np.arange(2048 * 4096, dtype=np.float64).reshape(2048, 4096) % 977
    a = rp.asarray(x)
    expected = x.sum(axis=0)
    interval = sys.getswitchinterval()
    ran_during_call = []
    try:
        sys.setswitchinterval(1000.0)
        for attempt in range(20):
            started = threading.Event()
            flag = []
            other = threading.Thread(target=lambda: (started.wait(), flag.append(True)))
            other.start()
            started.set()
            result = a.sum(axis=0)  # the other thread can take the GIL only inside this call
            ran_during_call.append(bool(flag))
            other.join()
            np.testing.assert_array_equal(np.asarray(result), expected)
            if ran_during_call[-1]:
                break
    finally:
        sys.setswitchinterval(interval)
    assert any(ran_during_call)


def test_two_threads_reduce_large_arrays_concurrently():
    x = np.arange(1536 * 1024, dtype=np.float64).reshape(1536, 1024) % 1013
    y = (x * 0.5).astype(np.float32)
    expected = {"sum": x.sum(), "rows": x.sum(axis=1), "columns": y.sum(axis=0),
                "mean": y.mean(axis=0), "scaled": (x * 3.0).sum(axis=0)}
    errors = []

    def work(seed):
        try:
            a, b = rp.asarray(x), rp.asarray(y)
            for _ in range(15):
                got = {"sum": a.sum(), "rows": a.sum(axis=1), "columns": b.sum(axis=0),
                       "mean": b.mean(axis=0), "scaled": (a * 3.0).sum(axis=0)}
                for key, value in got.items():
                    np.testing.assert_allclose(np.asarray(value), expected[key], rtol=2e-6)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append((seed, error))

    with rp.threads(2):
        pool = [threading.Thread(target=work, args=(seed,)) for seed in range(2)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    assert errors == []
