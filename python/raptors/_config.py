"""Controls and diagnostics of the performance engine: threads, SIMD kernels, buffer cache.

All settings are process-wide (they apply to every Python thread). Environment variables read
once, at the first operation:

``RAPTORS_THREADS``
    thread count (default: the CPUs this process may run on, from its affinity mask).
``RAPTORS_SIMD``
    ``0``/``scalar``/``off``/``none``/``false`` forces the portable loops; an instruction-set
    name (``avx2``, ``avx512``, ``neon``) caps the choice at that set; anything else, including
    an unknown name, means the best set the CPU supports. ``RAPTORS_SIMD_MAX`` is an older name.
``RAPTORS_CACHE_MB``
    capacity of the cache of freed large buffers (default min(1 GiB, RAM / 16); 0 disables).
``RAPTORS_GRAIN_BYTES``
    bytes of memory traffic each thread must get before work is split (default from the L2
    size); a testing knob: ``1`` sends nearly every operation through the thread pool.
"""

import contextlib as _contextlib
import os as _os

from . import _core

__all__ = [
    "simd_enabled", "simd_isa", "simd_available", "show_config",
    "set_num_threads", "get_num_threads", "threads",
    "cache_info", "clear_cache", "set_cache_limit",
    "threading_info", "reset_threading_info",
]


def simd_isa():
    """Name of the instruction set whose kernels run: 'scalar', 'avx2', 'avx512' or 'neon'."""
    return _core._simd_isa()


def simd_available():
    """Instruction sets this build carries and this CPU runs, 'scalar' first and best last."""
    return _core._simd_available()


def simd_enabled():
    """True when SIMD kernels (not the portable loops) are in use."""
    return simd_isa() != "scalar"


def _select_simd(isa):
    """Switch every later operation to the kernels of ``isa`` (for tests and diagnostics)."""
    _core._simd_select(isa)


def set_num_threads(n):
    """Use at most ``n`` threads (the calling one included) for later operations."""
    _core._set_num_threads(n)


def get_num_threads():
    """The number of threads operations may use."""
    return _core._get_num_threads()


@_contextlib.contextmanager
def threads(n):
    """``with raptors.threads(n):`` runs the block with ``n`` threads, then restores the count.

    The setting is process-wide, so other Python threads see it while the block runs.
    """
    previous = get_num_threads()
    set_num_threads(n)
    try:
        yield n
    finally:
        set_num_threads(previous)


def cache_info():
    """Counters of the cache of freed large data buffers, as a dict.

    Keys: bytes_held, blocks_held, limit, min_block (requests at least this large use the
    cache), hits, misses, evictions.
    """
    return _core._cache_info()


def clear_cache():
    """Return every cached free buffer to the operating system."""
    _core._cache_clear()


def set_cache_limit(nbytes):
    """Set the buffer cache's capacity in bytes (0 disables it), evicting what exceeds it."""
    _core._cache_set_limit(nbytes)


def threading_info():
    """Threads, thresholds and per-operation counters of which backend ran.

    ``operations`` maps an operation name ('add', 'sum', 'copy', ...) to its run counts on each
    backend: 'scalar', 'simd' (one thread), 'parallel_scalar' and 'parallel_simd' (split across
    the pool).
    """
    info = _core._runtime_info()
    return {
        "threads": info["threads"],
        "cpus": info["cpus"],
        "parallel_jobs": info["parallel_jobs"],
        "parallel_grain_bytes": info["grain_bytes"],
        "operations": _core._stats(),
    }


def reset_threading_info():
    """Zero the per-operation backend counters."""
    _core._stats_reset()


def _config_dict():
    info = _core._runtime_info()
    cache = cache_info()
    return {
        "simd": {
            "isa": simd_isa(),
            "available": list(simd_available()),
            "RAPTORS_SIMD": _os.environ.get("RAPTORS_SIMD"),
        },
        "threads": {
            "count": info["threads"],
            "cpus": info["cpus"],
            "RAPTORS_THREADS": _os.environ.get("RAPTORS_THREADS"),
        },
        "machine": {
            "l1d_cache": info["l1d_cache"],
            "l2_cache": info["l2_cache"],
            "l3_cache": info["l3_cache"],
            "memory": info["memory"],
            "page": info["page"],
            "huge_page": info["huge_page"],
        },
        "thresholds": {
            "parallel_grain_bytes": info["grain_bytes"],
            "stream_working_set_bytes": info["stream_bytes"],
            "cache_min_block": cache["min_block"],
        },
        "buffer_cache": cache,
    }


def _format_bytes(n):
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} B"


def _format_size(n):
    """A size the system may not know (0)."""
    return _format_bytes(n) if n else "unknown"


def show_config(mode="stdout"):
    """Print (mode='stdout') or return (mode='dicts') the engine's configuration.

    Shows the SIMD instruction set in use and those available, the thread count, the machine's
    cache sizes, the size thresholds derived from them, and the buffer cache's state.
    """
    config = _config_dict()
    if mode == "dicts":
        return config
    if mode != "stdout":
        raise ValueError(f"mode must be 'stdout' or 'dicts', not {mode!r}")
    simd, threads_, machine = config["simd"], config["threads"], config["machine"]
    cache, thresholds = config["buffer_cache"], config["thresholds"]
    lines = [
        "Raptors configuration",
        f"  SIMD:        {simd['isa']} (available: {', '.join(simd['available'])};"
        f" RAPTORS_SIMD={simd['RAPTORS_SIMD']})",
        f"  threads:     {threads_['count']} (CPUs in affinity mask: {threads_['cpus']};"
        f" RAPTORS_THREADS={threads_['RAPTORS_THREADS']})",
        f"  caches:      L1d {_format_size(machine['l1d_cache'])},"
        f" L2 {_format_size(machine['l2_cache'])}, L3 {_format_size(machine['l3_cache'])}",
        f"  memory:      {_format_size(machine['memory'])}, pages"
        f" {_format_size(machine['page'])}, huge pages {_format_size(machine['huge_page'])}",
        f"  thresholds:  split work above {_format_bytes(thresholds['parallel_grain_bytes'])}"
        f" per thread; stream outputs of working sets above"
        f" {_format_bytes(thresholds['stream_working_set_bytes'])};"
        f" cache blocks from {_format_bytes(thresholds['cache_min_block'])}",
        f"  buffer cache: {_format_bytes(cache['bytes_held'])} in {cache['blocks_held']} blocks"
        f" (limit {_format_bytes(cache['limit'])});"
        f" hits {cache['hits']}, misses {cache['misses']}, evictions {cache['evictions']}",
    ]
    print("\n".join(lines))
    return None
