"""The engine's controls from Python: thread count, SIMD selection, buffer cache, counters.

Large copies (``a.copy()``, ``astype``) run through the thread pool, so they exercise it here;
every result is compared with NumPy's.
"""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import raptors as rp

MIB = 1 << 20


pytestmark = pytest.mark.usefixtures("engine_settings")


def run_python(code, **env):
    """Runs `code` in a fresh interpreter with extra environment variables; returns stdout."""
    environment = dict(os.environ)
    for name in ("RAPTORS_THREADS", "RAPTORS_SIMD", "RAPTORS_SIMD_MAX", "RAPTORS_CACHE_MB",
                 "RAPTORS_GRAIN_BYTES"):
        environment.pop(name, None)
    environment.update(env)
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                            text=True, timeout=120, check=True)
    return result.stdout.strip()


def big_copy_matches(rows=1024, cols=1024, dtype=np.float64):
    x = np.arange(rows * cols, dtype=dtype).reshape(rows, cols)
    a = rp.asarray(x)
    copies = [a.copy(), rp.asarray(x.T).copy(), a.astype(np.float32), a[::2, 1::3].copy()]
    expected = [x, x.T, x.astype(np.float32), x[::2, 1::3]]
    return all(np.array_equal(np.asarray(c), e) for c, e in zip(copies, expected))


# ----- threads

def test_thread_count_control():
    rp.set_num_threads(3)
    assert rp.get_num_threads() == 3
    rp.set_num_threads(np.int64(1))
    assert rp.get_num_threads() == 1
    for bad in (0, -1, 10**6):
        with pytest.raises(ValueError):
            rp.set_num_threads(bad)
    for bad in (2.0, "2", None, True):
        with pytest.raises(TypeError):
            rp.set_num_threads(bad)
    assert rp.get_num_threads() == 1  # failed calls change nothing


def test_threads_context_restores():
    rp.set_num_threads(2)
    with rp.threads(5) as n:
        assert n == 5 and rp.get_num_threads() == 5
        with rp.threads(1):
            assert rp.get_num_threads() == 1
        assert rp.get_num_threads() == 5
    assert rp.get_num_threads() == 2
    with pytest.raises(KeyError):
        with rp.threads(4):
            raise KeyError("inside")
    assert rp.get_num_threads() == 2
    with pytest.raises(ValueError):
        with rp.threads(0):
            pass
    assert rp.get_num_threads() == 2


def test_threads_from_environment():
    assert run_python("import raptors; print(raptors.get_num_threads())",
                      RAPTORS_THREADS="3") == "3"
    cpus = len(os.sched_getaffinity(0))
    assert run_python("import raptors; print(raptors.get_num_threads())") == str(cpus)
    assert run_python("import raptors; print(raptors.get_num_threads())",
                      RAPTORS_THREADS="many") == str(cpus)


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_results_do_not_depend_on_threads(threads):
    with rp.threads(threads):
        assert big_copy_matches(777, 1311)
        assert big_copy_matches(3, 300001, np.float32)


def test_counters_show_parallel_copies():
    rp.reset_threading_info()
    with rp.threads(2):
        big_copy_matches()
    copies = rp.threading_info()["operations"]["copy"]
    assert copies["parallel_scalar"] >= 1
    rp.reset_threading_info()
    with rp.threads(1):
        big_copy_matches()
    copies = rp.threading_info()["operations"]["copy"]
    assert copies["parallel_scalar"] == 0 and copies["scalar"] >= 4
    small = rp.asarray(np.arange(10.0)).copy()
    assert np.array_equal(np.asarray(small), np.arange(10.0))


@pytest.mark.skipif("RAPTORS_GRAIN_BYTES" in os.environ,
                    reason="the split threshold is overridden (the threaded-path test run)")
def test_small_arrays_stay_single_threaded():
    with rp.threads(4):
        rp.reset_threading_info()
        jobs = rp.threading_info()["parallel_jobs"]
        rp.asarray(np.arange(1000.0)).copy()
        info = rp.threading_info()
        assert info["parallel_jobs"] == jobs
        assert info["operations"]["copy"]["scalar"] == 1


def test_many_python_threads():
    errors = []

    def worker(seed):
        try:
            rng = np.random.default_rng(seed)
            for _ in range(10):
                rows, cols = rng.integers(1, 700, size=2)
                x = rng.standard_normal((rows, cols))
                a = rp.asarray(x)
                if not (np.array_equal(np.asarray(a.copy()), x)
                        and np.array_equal(np.asarray(rp.asarray(x.T).copy()), x.T)):
                    errors.append(seed)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    with rp.threads(2):
        pool = [threading.Thread(target=worker, args=(seed,)) for seed in range(12)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    assert errors == []


# ----- SIMD

def test_simd_queries():
    available = rp.simd_available()
    assert available[0] == "scalar"
    assert rp.simd_isa() in available
    assert rp.simd_enabled() == (rp.simd_isa() != "scalar")
    assert set(available) <= {"scalar", "avx2", "avx512", "neon"}


def test_select_each_available_isa():
    for isa in rp.simd_available():
        rp._config._select_simd(isa)
        assert rp.simd_isa() == isa
        assert rp.simd_enabled() == (isa != "scalar")
        assert big_copy_matches(300, 500)
    with pytest.raises(ValueError):
        rp._config._select_simd("sse9")
    with pytest.raises(TypeError):
        rp._config._select_simd(3)


def test_simd_environment():
    best = rp.simd_available()[-1]
    code = "import raptors; print(raptors.simd_isa(), raptors.simd_enabled())"
    assert run_python(code, RAPTORS_SIMD="0") == "scalar False"
    assert run_python(code, RAPTORS_SIMD="scalar") == "scalar False"
    assert run_python(code, RAPTORS_SIMD="nonsense").split()[0] == best
    assert run_python(code).split()[0] == best
    if "avx2" in rp.simd_available():
        assert run_python(code, RAPTORS_SIMD="avx2") == "avx2 True"
        assert run_python(code, RAPTORS_SIMD_MAX="avx2") == "avx2 True"


# ----- buffer cache

def test_cache_reuses_freed_buffers():
    rp.set_cache_limit(64 * MIB)
    rp.clear_cache()
    assert rp.cache_info()["bytes_held"] == 0
    live = rp._core._live_buffers()
    x = np.arange(512 * 512, dtype=np.float64).reshape(512, 512)  # 2 MiB
    a = rp.asarray(x).copy()
    assert rp._core._live_buffers() == live + 1
    del a
    assert rp._core._live_buffers() == live  # cached blocks are not live buffers
    info = rp.cache_info()
    assert info["bytes_held"] >= 2 * MIB and info["blocks_held"] >= 1
    hits = info["hits"]
    b = rp.asarray(x).copy()
    assert rp.cache_info()["hits"] == hits + 1
    assert np.array_equal(np.asarray(b), x)
    del b
    rp.clear_cache()
    info = rp.cache_info()
    assert info["bytes_held"] == 0 and info["blocks_held"] == 0


def test_cache_limit_and_small_arrays():
    rp.clear_cache()
    rp.set_cache_limit(0)
    rp.asarray(np.ones((512, 512))).copy()
    assert rp.cache_info()["bytes_held"] == 0
    rp.set_cache_limit(64 * MIB)
    before = rp.cache_info()
    rp.asarray(np.ones(100)).copy()  # below min_block: never cached
    after = rp.cache_info()
    assert (after["hits"], after["misses"]) == (before["hits"], before["misses"])
    with pytest.raises(ValueError):
        rp.set_cache_limit(-1)
    with pytest.raises(TypeError):
        rp.set_cache_limit(1.5)


def test_cache_environment():
    code = "import raptors; print(raptors.cache_info()['limit'])"
    assert run_python(code, RAPTORS_CACHE_MB="7") == str(7 * MIB)
    assert run_python(code, RAPTORS_CACHE_MB="0") == "0"


def test_grain_from_environment():
    """RAPTORS_GRAIN_BYTES sets the split threshold; with a tiny one, small work is split."""
    code = ("import numpy as np, raptors as rp; rp.set_num_threads(2); "
            "g = rp.show_config('dicts')['thresholds']['parallel_grain_bytes']; "
            "before = rp.threading_info()['parallel_jobs']; "
            "x, v = np.arange(1000.0).reshape(10, 100), np.arange(100.0); "
            "s = np.asarray(rp.asarray(x) + rp.asarray(v)); "
            "print(g, rp.threading_info()['parallel_jobs'] > before, bool((s == x + v).all()))")
    assert run_python(code, RAPTORS_GRAIN_BYTES="1") == "1 True True"
    default = run_python(code).split()
    assert int(default[0]) > 1 and default[1:] == ["False", "True"]
    for bad in ("0", "-5", "lots"):
        assert run_python(code, RAPTORS_GRAIN_BYTES=bad).split()[0] == default[0]


# ----- show_config

def test_show_config(capsys):
    config = rp.show_config(mode="dicts")
    assert config["simd"]["isa"] == rp.simd_isa()
    assert config["threads"]["count"] == rp.get_num_threads()
    assert config["thresholds"]["parallel_grain_bytes"] > 0
    assert config["thresholds"]["stream_working_set_bytes"] > config["machine"]["l3_cache"]
    assert config["machine"]["page"] > 0
    assert rp.show_config() is None
    out = capsys.readouterr().out
    assert rp.simd_isa() in out and "threads" in out and "L2" in out
    with pytest.raises(ValueError):
        rp.show_config(mode="yaml")


def test_bandwidth_helper():
    for kind in ("read", "copy"):
        seconds = rp._core._bandwidth(kind, 4 * MIB, 3)
        assert 0 < seconds < 10
    with pytest.raises(ValueError):
        rp._core._bandwidth("write", MIB, 3)
    with pytest.raises(ValueError):
        rp._core._bandwidth("read", 0, 3)


def test_bandwidth_helper_reads_a_given_source():
    source = np.arange(MIB // 8, dtype=np.float64)
    before = source.copy()
    for kind in ("read", "copy"):
        seconds = rp._core._bandwidth(kind, source.nbytes, 3, source)
        assert 0 < seconds < 10
    np.testing.assert_array_equal(source, before)  # passes only read it
    fortran = np.asfortranarray(source.reshape(512, 256))
    assert 0 < rp._core._bandwidth("read", fortran.nbytes, 1, fortran) < 10
    with pytest.raises(ValueError, match="fewer than nbytes"):
        rp._core._bandwidth("read", source.nbytes + 8, 1, source)
    with pytest.raises((ValueError, BufferError)):
        rp._core._bandwidth("read", 64, 1, source[::2])  # not contiguous
    with pytest.raises(TypeError):
        rp._core._bandwidth("read", 64, 1, object())
