"""How fast is lstmlab's LSTM? Forward and backward against ``torch.nn.LSTM`` on the same CPU.

Run ``python -m lstmlab.bench`` (``--quick`` for a smoke run, ``--repeats``,
``--shapes T,N,D,H ...``, ``--threads``, ``--cpu-time``). For each shape, in float32 (``measure(..., dtype=)``
also times float64), it times lstmlab's
forward pass, forward + backward, and the same for ``torch.nn.LSTM``
(``batch_first=True``, on the CPU, with as many threads as NumPy's BLAS). The
runs of the two libraries are interleaved, so both see the same load on the
machine, and each time is the median of several repeats after a warm-up. The
ratio lstmlab / torch is the number to read; on a shared machine the absolute
times move with the load. When other programs load the machine heavily, wall
times with two BLAS threads become erratic; ``--threads 1 --cpu-time`` then
gives ratios that the load hardly moves.

GFLOP/s counts only the matrix products: a forward pass costs about
``2 T N 4H (D + H)`` flops, and the backward pass about twice that.

torch is imported only inside the functions that time it.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import time

import numpy as np

from . import sequence
from .cells import get_cell

#: The (T, N, D, H) shapes of the speed targets.
SHAPES = ((100, 32, 64, 128), (200, 64, 128, 256), (50, 128, 256, 512), (1000, 8, 1, 64))

#: Tiny shapes for a smoke run.
QUICK_SHAPES = ((5, 2, 3, 4), (3, 1, 1, 2))


def forward_flops(T: int, N: int, D: int, H: int) -> float:
    """Flops of the matrix products in one LSTM forward pass: ``2 T N 4H (D + H)``."""
    return 2.0 * T * N * 4 * H * (D + H)


def blas_info() -> str:
    """One line on NumPy's BLAS: library, kernel (architecture), threads, and OPENBLAS_CORETYPE if set."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "BLAS: unknown (threadpoolctl is not installed)"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    if not blas:
        return "BLAS: none found by threadpoolctl"
    b = blas[0]
    core = os.environ.get("OPENBLAS_CORETYPE")
    extra = f", OPENBLAS_CORETYPE={core}" if core else ""
    kernel = b.get("architecture")
    return f"BLAS: {b.get('internal_api')} {b.get('version')}, kernel {kernel}, {b['num_threads']} threads{extra}"


def blas_threads() -> int:
    """How many threads NumPy's BLAS uses (the CPU count when threadpoolctl is absent)."""
    try:
        from threadpoolctl import threadpool_info

        return next(i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas")
    except (ImportError, StopIteration):
        return os.cpu_count() or 1


def _lstmlab_runs(T, N, D, H, rng, dtype=np.float32):
    """The two timed functions for lstmlab: forward, and forward + backward."""
    params = {k: v.astype(dtype) for k, v in get_cell("lstm").init_params(D, H, seed=rng).items()}
    x = rng.standard_normal((N, T, D)).astype(dtype)
    dhs = rng.standard_normal((N, T, H)).astype(dtype)

    def fwd():
        sequence.forward(x, params)

    def fwd_bwd():
        _, _, cache = sequence.forward(x, params)
        sequence.backward(dhs, cache)

    return fwd, fwd_bwd


def _torch_runs(T, N, D, H, rng, threads, dtype=np.float32):
    """The two timed functions for ``torch.nn.LSTM`` on the CPU, in ``dtype``, training mode."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(int(rng.integers(2**31)))
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=getattr(torch, np.dtype(dtype).name))
    x = torch.from_numpy(rng.standard_normal((N, T, D)).astype(dtype)).requires_grad_()
    dhs = torch.from_numpy(rng.standard_normal((N, T, H)).astype(dtype))

    def fwd():
        lstm(x)

    def fwd_bwd():
        for p in (x, *lstm.parameters()):
            p.grad = None
        hs, _ = lstm(x)
        hs.backward(dhs)

    return fwd, fwd_bwd


def _seconds(fn, clock=time.perf_counter) -> float:
    start = clock()
    fn()
    return clock() - start


def measure(shape, repeats: int = 5, seed: int = 0, warmup: int = 1, cpu_time: bool = False, dtype=np.float32) -> dict:
    """Time one (T, N, D, H) shape; returns the median seconds, the ratios and the GFLOP/s.

    Both libraries run with :func:`blas_threads` threads. ``cpu_time=True`` measures the CPU time
    of the process instead of the wall clock: with one thread (``threadpool_limits(1)``), it is
    the number to trust on a machine that others load.

    ``dtype`` is float32 (the default) or float64, for both libraries.

    Keys: ``shape``, ``lab_fwd``, ``lab_fwd_bwd``, ``torch_fwd``, ``torch_fwd_bwd`` (seconds),
    ``ratio_fwd``, ``ratio_fwd_bwd`` (lstmlab / torch), ``gflops_fwd``, ``gflops_fwd_bwd`` (lstmlab's).
    """
    T, N, D, H = shape
    rng = np.random.default_rng(seed)
    clock = time.process_time if cpu_time else time.perf_counter
    runs = {}
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype: expected float32 or float64, got {dtype!r}")
    runs["lab_fwd"], runs["lab_fwd_bwd"] = _lstmlab_runs(T, N, D, H, rng, dtype)
    runs["torch_fwd"], runs["torch_fwd_bwd"] = _torch_runs(T, N, D, H, rng, blas_threads(), dtype)
    for _ in range(warmup):
        for fn in runs.values():
            fn()
    times = {k: [] for k in runs}
    for _ in range(repeats):  # interleaved, so that both libraries see the same load
        for k, fn in runs.items():
            times[k].append(_seconds(fn, clock))
    result = {"shape": tuple(shape), **{k: statistics.median(v) for k, v in times.items()}}
    flops = forward_flops(T, N, D, H)
    for part, factor in (("fwd", 1), ("fwd_bwd", 3)):
        lab, torch_ = result[f"lab_{part}"], result[f"torch_{part}"]
        result[f"ratio_{part}"] = lab / torch_ if torch_ > 0 else math.nan  # a CPU clock can read 0 on tiny shapes
        result[f"gflops_{part}"] = factor * flops / lab / 1e9 if lab > 0 else math.nan
    return result


def format_table(results) -> str:
    """The results of :func:`measure` as a text table (times in milliseconds)."""
    head = (
        f"{'(T, N, D, H)':>22} | {'lab fwd':>8} {'torch fwd':>9} {'ratio':>6} | "
        f"{'lab f+b':>8} {'torch f+b':>9} {'ratio':>6} | {'GFLOP/s fwd':>11} {'f+b':>6}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{str(r['shape']):>22} | {1e3 * r['lab_fwd']:8.2f} {1e3 * r['torch_fwd']:9.2f} {r['ratio_fwd']:6.2f} | "
            f"{1e3 * r['lab_fwd_bwd']:8.2f} {1e3 * r['torch_fwd_bwd']:9.2f} {r['ratio_fwd_bwd']:6.2f} | "
            f"{r['gflops_fwd']:11.1f} {r['gflops_fwd_bwd']:6.1f}"
        )
    return "\n".join(lines)


def _shape(text: str) -> tuple:
    try:
        shape = tuple(int(v) for v in text.split(","))
    except ValueError:
        shape = ()
    if len(shape) != 4 or min(shape) < 1:
        raise argparse.ArgumentTypeError(f"expected T,N,D,H as four positive ints, got {text!r}")
    return shape


def main(argv=None) -> list:
    """The command line: prints the BLAS in use and the table; returns the results."""
    parser = argparse.ArgumentParser(prog="python -m lstmlab.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny shapes, one repeat, no warm-up (a smoke run)")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per shape (default 7; 1 with --quick)")
    parser.add_argument("--shapes", type=_shape, nargs="+", metavar="T,N,D,H", help="shapes to time")
    parser.add_argument("--threads", type=int, default=None, help="threads for both libraries (default: NumPy's BLAS)")
    parser.add_argument("--cpu-time", action="store_true", help="measure process CPU time, not wall time")
    args = parser.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (1 if args.quick else 7)
    if repeats < 1:
        parser.error(f"--repeats: expected a positive int, got {repeats}")
    shapes = args.shapes or (QUICK_SHAPES if args.quick else SHAPES)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads: expected a positive int, got {args.threads}")
    import torch

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # without it, NumPy's BLAS keeps its threads
        if args.threads is not None:
            parser.error("--threads needs threadpoolctl (pip install threadpoolctl)")
        threadpool_limits = contextlib.nullcontext
    results = []
    with threadpool_limits(args.threads):  # None: leave the thread count as it is
        print(blas_info())
        clock = "process CPU time" if args.cpu_time else "wall time"
        print(f"torch {torch.__version__}, {blas_threads()} threads; float32; {clock}, median of {repeats} repeat(s)")
        for shape in shapes:
            results.append(measure(shape, repeats=repeats, warmup=0 if args.quick else 1, cpu_time=args.cpu_time))
            print(format_table(results[-1:]).splitlines()[-1] if results[1:] else format_table(results), flush=True)
    return results


if __name__ == "__main__":
    main()
