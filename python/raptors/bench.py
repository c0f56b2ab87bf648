"""Raptors vs NumPy on the 2-D suite: ``python -m raptors.bench``.

Suites
  2d       sum, mean, mean(axis=0), mean(axis=1), a + v (v = arange(ncols)), a * 1.0009765625
           on C-contiguous arange data of 512², 1024², 2048², float32 and float64 (36 cases).
  layouts  the same operations on a.T, a Fortran-ordered copy and a[::2, ::2].

Each case is verified against NumPy first (allclose), then NumPy and Raptors (and PyTorch and
numexpr when installed) are timed alternately in one process with the garbage collector off;
the table shows medians. The floor column is the time the case's unavoidable memory traffic
takes at the read or copy bandwidth that the pool's threads reach on a working set of that
size, measured in the same rounds as the case (so drift in the machine's state, such as where a
virtual machine's CPUs sit, hits floor and case alike); "floor %" is floor / Raptors time
(100% = at the floor).
Writer cases (a + v, a * f) are also timed with every output kept alive, so no freed buffer
can be reused by either library ("kept" columns). That timing runs in a fresh Python process per
case: hundreds of MiB allocated and freed there would otherwise stay in this process's
allocators and change how later cases allocate (glibc serves a 32 MiB NumPy output from a heap
grown that way instead of mapping and faulting fresh pages, as it does in a process without
that history).

--json FILE writes the results; --validate BASELINE.json --slack 0.1 exits with status 1 when a
case's speedup fell more than 10% below the baseline's; --plot FILE.png draws the speedups.
"""

import argparse
import gc
import json
import math
import platform
import random
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

import numpy as np

import raptors as rp

SCALE = 1.0009765625
SHAPES = (512, 1024, 2048)
DTYPES = ("float32", "float64")
OPS = ("sum", "mean", "mean_axis0", "mean_axis1", "broadcast_add", "scale")
WRITERS = ("broadcast_add", "scale")
LAYOUTS = {"2d": ("C",), "layouts": ("T", "F", "sliced")}
SAMPLE_SECONDS = 0.002       # a timed sample repeats the call until it lasts about this long
KEEP_ALIVE_BYTES = 512 << 20  # outputs one library may keep alive at once in the "kept" timing
# NumPy's OpenBLAS threads poll for a CPU's worth of time (about 0.1 s here) after the import
# before they sleep; on a small machine they would take a core from whichever case runs first.
SETTLE_SECONDS = 0.3


# ----------------------------------------------------------------------------- operations

def numpy_call(op, x, v):
    """The NumPy expression timed for `op`."""
    return {
        "sum": lambda: x.sum(),
        "mean": lambda: x.mean(),
        "mean_axis0": lambda: x.mean(axis=0),
        "mean_axis1": lambda: x.mean(axis=1),
        "broadcast_add": lambda: x + v,
        "scale": lambda: x * SCALE,
    }[op]


def raptors_call(op, a, v, api):
    """The Raptors call for `op`, through NumPy's names or the original Raptors ones."""
    if api == "original":
        calls = {
            "sum": lambda: a.sum(),
            "mean": lambda: a.mean(),
            "mean_axis0": lambda: a.mean_axis(0),
            "mean_axis1": lambda: a.mean_axis(1),
            "broadcast_add": lambda: rp.broadcast_add(a, v),
            "scale": lambda: a.scale(SCALE),
        }
    else:
        calls = {
            "sum": lambda: a.sum(),
            "mean": lambda: a.mean(),
            "mean_axis0": lambda: a.mean(axis=0),
            "mean_axis1": lambda: a.mean(axis=1),
            "broadcast_add": lambda: a + v,
            "scale": lambda: a * SCALE,
        }
    return calls[op]


def torch_call(torch, op, x, v):
    t, tv = torch.from_numpy(x), torch.from_numpy(v)
    return {
        "sum": lambda: t.sum(),
        "mean": lambda: t.mean(),
        "mean_axis0": lambda: t.mean(dim=0),
        "mean_axis1": lambda: t.mean(dim=1),
        "broadcast_add": lambda: t + tv,
        "scale": lambda: t * SCALE,
    }[op]


def numexpr_call(numexpr, op, x, v):
    scale = x.dtype.type(SCALE)
    calls = {
        "sum": lambda: numexpr.evaluate("sum(x)", local_dict={"x": x}),
        "mean_axis0": lambda: numexpr.evaluate("sum(x, axis=0)", local_dict={"x": x}) / x.shape[0],
        "mean_axis1": lambda: numexpr.evaluate("sum(x, axis=1)", local_dict={"x": x}) / x.shape[1],
        "broadcast_add": lambda: numexpr.evaluate("x + v", local_dict={"x": x, "v": v}),
        "scale": lambda: numexpr.evaluate("x * s", local_dict={"x": x, "s": scale}),
    }
    calls["mean"] = lambda: numexpr.evaluate("sum(x)", local_dict={"x": x}) / x.size
    return calls[op]


def load_peers(enabled):
    """Installed peer libraries, by column name."""
    peers = {}
    if not enabled:
        return peers
    try:
        import torch
        peers["torch"] = torch
    except ImportError:
        pass
    try:
        import numexpr
        peers["numexpr"] = numexpr
    except ImportError:
        pass
    return peers


# ----------------------------------------------------------------------------- cases

@dataclass
class Case:
    op: str
    n: int
    dtype: str
    layout: str
    api: str
    x: np.ndarray = field(repr=False)
    v: np.ndarray = field(repr=False)

    @property
    def name(self):
        layout = "" if self.layout == "C" else f" [{self.layout}]"
        api = " (original)" if self.api == "original" else ""
        return f"{self.op} {self.n}x{self.n} {self.dtype}{layout}{api}"


def layout_input(base, layout):
    if layout == "T":
        return base.T
    if layout == "F":
        return np.asfortranarray(base)
    if layout == "sliced":
        return base[::2, ::2]
    return base


def suite_base(n, dtype):
    return np.arange(n * n, dtype=dtype).reshape(n, n)


def suite_inputs(base, layout):
    """The input x and the row vector v of the cases of one layout of `base`."""
    x = layout_input(base, layout)
    return x, np.arange(x.shape[1], dtype=base.dtype)


def build_cases(args):
    apis = ("numpy", "original") if args.api == "both" else (args.api,)
    layouts = LAYOUTS["2d"] + LAYOUTS["layouts"] if args.suite == "all" else LAYOUTS[args.suite]
    cases = []
    for n in args.shape:
        for dtype in args.dtype:
            base = suite_base(n, dtype)
            for layout in layouts:
                x, v = suite_inputs(base, layout)
                for op in args.ops:
                    for api in apis:
                        cases.append(Case(op, n, dtype, layout, api, x, v))
    return cases


# ----------------------------------------------------------------------------- timing

def calls_per_sample(seconds_per_call):
    """How many calls make one sample of about SAMPLE_SECONDS."""
    return max(1, min(1000, int(SAMPLE_SECONDS / max(seconds_per_call, 1e-7))))


def time_sample(fn, number):
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def time_alternately(fns, repeats, warmup, extra_samplers=()):
    """Median seconds per call of each function, sampled in turn so drift hits all alike (in a
    shuffled order each round, so nothing periodic on the machine can lock onto one of them).
    Each of `extra_samplers` is called once per round and returns its own seconds; their
    medians follow the functions' in the result."""
    numbers = []
    for fn in fns:
        # The fastest of the warm-up calls sizes the samples (at least one call is needed).
        numbers.append(calls_per_sample(min(time_sample(fn, 1) for _ in range(max(warmup, 1)))))
    samplers = [lambda fn=fn, number=number: time_sample(fn, number)
                for fn, number in zip(fns, numbers)] + list(extra_samplers)
    samples = [[] for _ in samplers]
    order = list(range(len(samplers)))
    shuffler = random.Random(len(samplers) * 7919 + repeats)
    for _ in range(repeats):
        shuffler.shuffle(order)
        for i in order:
            samples[i].append(samplers[i]())
    return [statistics.median(s) for s in samples]


def time_kept_alive(fns, out_bytes, repeats):
    """Median seconds per call when every output stays alive until all samples are done."""
    kept_total = max(1, KEEP_ALIVE_BYTES // max(out_bytes, 1))
    number = max(1, min(kept_total // repeats, 64))
    repeats = max(1, min(repeats, kept_total // number))
    samples = [[] for _ in fns]
    keep = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(number):
                keep[i].append(fn())
            samples[i].append((time.perf_counter() - start) / number)
    del keep
    return [statistics.median(s) for s in samples]


def kept_alive_in_fresh_process(case, repeats):
    """time_kept_alive for `case`, run by a new interpreter so that neither the outputs it keeps
    nor the memory they leave in the allocators when freed reach this process."""
    spec = {"op": case.op, "n": case.n, "dtype": case.dtype, "layout": case.layout,
            "api": case.api, "repeats": repeats, "threads": rp.get_num_threads()}
    # One OpenBLAS thread: its idle threads would poll a core for a while after the import,
    # and no timed operation calls BLAS.
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    child = subprocess.run([sys.executable, "-m", "raptors.bench", "--kept-child", json.dumps(spec)],
                           env=environment, capture_output=True, text=True)
    if child.returncode != 0:
        raise RuntimeError(f"kept-alive timing of {case.name} failed: {child.stderr.strip()}")
    return json.loads(child.stdout)


def kept_child_main(spec_text):
    """The fresh process's side of kept_alive_in_fresh_process: prints the two medians."""
    spec = json.loads(spec_text)
    rp.set_num_threads(spec["threads"])
    x, v = suite_inputs(suite_base(spec["n"], spec["dtype"]), spec["layout"])
    a, av = rp.asarray(x), rp.asarray(v)
    fns = [numpy_call(spec["op"], x, v), raptors_call(spec["op"], a, av, spec["api"])]
    for fn in fns:
        fn()  # starts the pool and loads the code; the freed output is dropped from the cache
    rp.clear_cache()
    gc.disable()
    out_bytes = x.size * x.itemsize
    print(json.dumps(time_kept_alive(fns, out_bytes, spec["repeats"])))
    return 0


# ----------------------------------------------------------------------------- floor

def bytes_touched(x):
    """Bytes of whole cache lines an operation must read to see every element of x."""
    itemsize = x.itemsize
    if x.flags.c_contiguous or x.flags.f_contiguous:
        return x.nbytes
    axes = sorted(range(x.ndim), key=lambda k: abs(x.strides[k]))
    inner = axes[0]
    stride, extent = abs(x.strides[inner]), x.shape[inner]
    rows = x.size // max(extent, 1)
    if stride > 64:
        return x.size * 64
    span = (extent - 1) * stride + itemsize
    return rows * math.ceil(span / 64) * 64


class Floor:
    """The bandwidth floor of a case, sampled once per timing round (a few passes each).

    The passes read the case's own input when it is one contiguous block, so they see its
    pages in whatever cache state the case leaves them; other layouts read a scratch block of
    the bytes the case touches, allocated once."""

    PASSES_PER_SAMPLE = 5

    def __init__(self, case):
        read = bytes_touched(case.x)
        contiguous = case.x.flags.c_contiguous or case.x.flags.f_contiguous
        if case.op in WRITERS:
            out = case.x.size * case.x.itemsize
            # A copy pass over `out` bytes moves 2 * out (read + write), like the operation.
            self.kind, self.nbytes, self.scale = "copy", out, (read + out) / (2 * out)
        else:
            self.kind, self.nbytes, self.scale = "read", read, 1.0
        self.source = case.x if contiguous else np.ones(self.nbytes, dtype=np.uint8)

    def sample(self):
        """Seconds the case's memory traffic takes at the bandwidth measured just now."""
        seconds = rp._core._bandwidth(self.kind, self.nbytes, self.PASSES_PER_SAMPLE, self.source)
        return self.scale * seconds


# ----------------------------------------------------------------------------- running

@dataclass
class Result:
    case: str
    op: str
    n: int
    dtype: str
    layout: str
    api: str
    numpy_ms: float = None
    raptors_ms: float = None
    speedup: float = None
    floor_ms: float = None
    floor_pct: float = None
    kept_numpy_ms: float = None
    kept_raptors_ms: float = None
    kept_speedup: float = None
    peers_ms: dict = field(default_factory=dict)
    status: str = "ok"          # ok, unavailable, mismatch


def results_match(got, expected, dtype):
    got = np.asarray(got)
    if got.shape != np.shape(expected):
        return False
    rtol = 1e-4 if dtype == "float32" else 1e-10
    return bool(np.allclose(got, expected, rtol=rtol, atol=0))


def run_case(case, args, peers):
    result = Result(case.name, case.op, case.n, case.dtype, case.layout, case.api)
    x, v = case.x, case.v
    np_fn = numpy_call(case.op, x, v)
    try:
        a, av = rp.asarray(x), rp.asarray(v)
        rp_fn = raptors_call(case.op, a, av, case.api)
        got = rp_fn()
    except (AttributeError, TypeError, NotImplementedError, ValueError) as error:
        result.status = "unavailable"
        print(f"\noperation not available: {case.name}: {type(error).__name__}: {error}",
              file=sys.stderr)
        return result
    expected = np_fn()
    if not results_match(got, expected, case.dtype):
        result.status = "mismatch"
        print(f"\nMISMATCH: {case.name}: Raptors gave {np.asarray(got).ravel()[:4]}..., "
              f"NumPy {np.asarray(expected).ravel()[:4]}...", file=sys.stderr)
        return result
    del got, expected

    fns = [np_fn, rp_fn]
    peer_names = []
    for name, module in peers.items():
        try:
            fn = torch_call(module, case.op, x, v) if name == "torch" else \
                numexpr_call(module, case.op, x, v)
            fn()
        except Exception:  # a peer lacking an operation just gets no number
            continue
        fns.append(fn)
        peer_names.append(name)
    floor = [Floor(case).sample] if args.floor else []
    times = time_alternately(fns, args.repeats, args.warmup, floor)
    result.numpy_ms, result.raptors_ms = times[0] * 1e3, times[1] * 1e3
    result.speedup = times[0] / times[1]
    result.peers_ms = {name: t * 1e3 for name, t in zip(peer_names, times[2:len(fns)])}
    if case.op in WRITERS:
        out_bytes = x.size * x.itemsize
        kept = kept_alive_in_fresh_process(case, args.repeats)
        result.kept_numpy_ms, result.kept_raptors_ms = kept[0] * 1e3, kept[1] * 1e3
        result.kept_speedup = kept[0] / kept[1]
    if args.floor:
        result.floor_ms = times[-1] * 1e3
        result.floor_pct = 100.0 * result.floor_ms / result.raptors_ms
    return result


# ----------------------------------------------------------------------------- reporting

def fmt(value, spec):
    return "-" if value is None else format(value, spec)


def render_table(results, peer_names):
    headers = ["case", "NumPy ms", "Raptors ms", "speedup", "floor ms", "floor %",
               "kept NumPy ms", "kept Raptors ms", "kept speedup"]
    headers += [f"{name} ms" for name in peer_names]
    rows = []
    for r in results:
        if r.status != "ok":
            label = "operation not available" if r.status == "unavailable" else "MISMATCH"
            rows.append([r.case, label] + [""] * (len(headers) - 2))
            continue
        row = [r.case, fmt(r.numpy_ms, ".3f"), fmt(r.raptors_ms, ".3f"),
               fmt(r.speedup, ".2f") + "x", fmt(r.floor_ms, ".3f"), fmt(r.floor_pct, ".0f"),
               fmt(r.kept_numpy_ms, ".3f"), fmt(r.kept_raptors_ms, ".3f"),
               fmt(r.kept_speedup, ".2f") + ("x" if r.kept_speedup else "")]
        row += [fmt(r.peers_ms.get(name), ".3f") for name in peer_names]
        rows.append(row)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "| " + " | ".join("-" * w for w in widths) + " |"]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def geometric_mean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def machine_info(args):
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "raptors": rp.__version__,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "threads": rp.get_num_threads(),
        "config": rp.show_config(mode="dicts"),
        "repeats": args.repeats,
        "warmup": args.warmup,
    }


def case_key(entry):
    return entry["case"]


def validate(results, baseline_path, slack):
    """Cases whose speedup fell below baseline * (1 - slack); also missing or failing ones."""
    with open(baseline_path) as handle:
        baseline = {case_key(c): c for c in json.load(handle)["cases"]}
    problems = []
    for r in results:
        base = baseline.get(r.case)
        if base is None or base.get("speedup") is None:
            continue
        if r.status != "ok":
            problems.append(f"{r.case}: {r.status}")
            continue
        for key in ("speedup", "kept_speedup"):
            old, new = base.get(key), getattr(r, key)
            if old is not None and new is not None and new < old * (1 - slack):
                problems.append(f"{r.case}: {key} {new:.2f}x < baseline {old:.2f}x "
                                f"- {slack:.0%}")
    return problems


def plot(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"--plot: matplotlib is not installed, so {path} was not written "
              "(pip install matplotlib)", file=sys.stderr)
        return False
    ok = [r for r in results if r.status == "ok"]
    fig, ax = plt.subplots(figsize=(9, max(3, 0.28 * len(ok))))
    ax.barh([r.case for r in ok], [r.speedup for r in ok], color="tab:blue")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlabel("speedup over NumPy (median time ratio)")
    ax.invert_yaxis()
    ax.set_title(f"Raptors vs NumPy {np.__version__}, {rp.get_num_threads()} threads")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


# ----------------------------------------------------------------------------- main

def parse_list(text, allowed, convert=str):
    items = [convert(item.strip()) for item in text.split(",") if item.strip()]
    bad = [item for item in items if allowed is not None and item not in allowed]
    if bad or not items:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(map(str, allowed))}")
    return items


def parse_shapes(text):
    shapes = []
    for item in text.split(","):
        item = item.strip().lower()
        parts = item.split("x")
        if not item or len(parts) > 2 or not all(p.isdigit() for p in parts) \
                or (len(parts) == 2 and parts[0] != parts[1]) or int(parts[0]) < 2:
            raise argparse.ArgumentTypeError("shapes are sizes n (or nxn) of square arrays, "
                                             "n >= 2, separated by commas")
        shapes.append(int(parts[0]))
    return shapes


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m raptors.bench",
                                     description="Raptors vs NumPy on the 2-D suite.")
    parser.add_argument("--suite", choices=("2d", "layouts", "all"), default="2d")
    parser.add_argument("--ops", type=lambda t: parse_list(t, OPS), default=list(OPS),
                        help="comma-separated: " + ",".join(OPS))
    parser.add_argument("--shape", type=parse_shapes, default=list(SHAPES),
                        help="comma-separated square sizes, e.g. 512,2048 or 1024x1024")
    parser.add_argument("--dtype", type=lambda t: parse_list(t, DTYPES), default=list(DTYPES))
    parser.add_argument("--api", choices=("numpy", "original", "both"), default="numpy",
                        help="call Raptors through NumPy's names, the original ones, or both")
    parser.add_argument("--repeats", type=int, default=15, help="timed samples per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per case")
    parser.add_argument("--threads", type=int, default=None, help="Raptors (and peer) threads")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--validate", metavar="BASELINE", help="compare with a --json file")
    parser.add_argument("--slack", type=float, default=0.1,
                        help="allowed fractional drop in speedup for --validate")
    parser.add_argument("--plot", metavar="FILE", help="bar chart of speedups (matplotlib)")
    parser.add_argument("--no-peers", dest="peers", action="store_false",
                        help="do not time PyTorch or numexpr even when installed")
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the bandwidth floor measurement")
    parser.add_argument("--kept-child", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be >= 1 and --warmup >= 0")
    if not 0 <= args.slack < 1:
        parser.error("--slack must be in [0, 1)")
    return args


def progress(text):
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K" + text)
    else:
        sys.stderr.write(text + "\n")
    sys.stderr.flush()


def main(argv=None):
    args = parse_args(argv)
    if args.kept_child:
        return kept_child_main(args.kept_child)
    if args.threads is not None:
        rp.set_num_threads(args.threads)
    peers = load_peers(args.peers)
    if args.threads is not None:
        if "torch" in peers:
            peers["torch"].set_num_threads(args.threads)
        if "numexpr" in peers:
            peers["numexpr"].set_num_threads(args.threads)
    cases = build_cases(args)
    time.sleep(SETTLE_SECONDS)
    results = []
    gc_was_enabled = gc.isenabled()
    try:
        for index, case in enumerate(cases, 1):
            progress(f"[{index}/{len(cases)}] {case.name}")
            gc.collect()
            gc.disable()
            try:
                results.append(run_case(case, args, peers))
            finally:
                if gc_was_enabled:
                    gc.enable()
    finally:
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
    peer_names = sorted({name for r in results for name in r.peers_ms})
    print(f"Raptors {rp.__version__} ({rp.simd_isa()}, {rp.get_num_threads()} threads) vs "
          f"NumPy {np.__version__}; medians of {args.repeats} samples")
    print(render_table(results, peer_names))
    speedups = [r.speedup for r in results if r.status == "ok"]
    kept = [r.kept_speedup for r in results if r.status == "ok" and r.kept_speedup]
    geo, geo_kept = geometric_mean(speedups), geometric_mean(kept)
    print(f"geometric mean speedup: {fmt(geo, '.2f')}x over {len(speedups)} cases"
          + (f"; writers with outputs kept alive: {geo_kept:.2f}x" if geo_kept else ""))
    unavailable = [r.case for r in results if r.status == "unavailable"]
    mismatched = [r.case for r in results if r.status == "mismatch"]
    if unavailable:
        print(f"{len(unavailable)} case(s): operation not available in this build")
    if not peer_names and args.peers:
        print("peers: install torch and/or numexpr to add their columns")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"machine": machine_info(args), "geomean": geo, "geomean_kept": geo_kept,
                       "cases": [vars(r) for r in results]}, handle, indent=1)
    if args.plot:
        plot(results, args.plot)
    status = 0
    if mismatched:
        print(f"MISMATCH in {len(mismatched)} case(s): {', '.join(mismatched)}", file=sys.stderr)
        status = 3
    if args.validate:
        problems = validate(results, args.validate, args.slack)
        if problems:
            print("regressions against " + args.validate + ":\n  " + "\n  ".join(problems),
                  file=sys.stderr)
            status = status or 1
        else:
            print(f"no regression against {args.validate} (slack {args.slack:.0%})")
    return status


if __name__ == "__main__":
    sys.exit(main())
