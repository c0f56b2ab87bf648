"""Fixtures shared by the test modules."""

import pytest

import raptors as rp


@pytest.fixture
def engine_settings():
    """Restores the process-wide engine settings a test may change: the thread count, the SIMD
    instruction set and the buffer cache's limit."""
    threads, isa, limit = rp.get_num_threads(), rp.simd_isa(), rp.cache_info()["limit"]
    yield
    rp.set_num_threads(threads)
    rp._config._select_simd(isa)
    rp.set_cache_limit(limit)
