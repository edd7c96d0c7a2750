"""Seed sweeps: what 5 seeds cost against one, when ``fit_seeds`` trains them together.

The workload is the issue's: an LSTM (H = 8 and H = 64) on the common adding problem at T = 100,
batches of N = 32, Adam, float64, 500 steps, no early stop (every seed runs all its steps). For
each H it times

* one seed with ``fit`` (the cost of one run),
* 5 seeds with ``fit_seeds(..., together=False)`` (one ``fit`` per seed: about 5x),
* 5 seeds with ``fit_seeds(..., together=True)`` (the joint pass),

and prints the ratios to one seed. Targets: at most 2x at H = 8, at most 3.5x at H = 64.
Times are process CPU seconds by default (one BLAS thread, so the machine's other load does not
distort them); ``--wall`` uses wall-clock seconds instead.

Run: ``OPENBLAS_NUM_THREADS=1 python benchmarks/bench_seeds.py [--steps 500 --seeds 5]``.
"""

from __future__ import annotations

import argparse
import time

from lstmlab.model import Model
from lstmlab.sweep import JOINT_MAX_WIDTH, fit_seeds
from lstmlab.tasks import get_task
from lstmlab.train import TrainConfig, fit

TARGETS = {8: 2.0, 64: 3.5}


def timed(fn, clock):
    t0 = clock()
    fn()
    return clock() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--T", type=int, default=100)
    parser.add_argument("--N", type=int, default=32)
    parser.add_argument("--hidden", type=int, nargs="+", default=[8, 16, 32, 64])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--wall", action="store_true", help="wall-clock seconds instead of CPU seconds")
    args = parser.parse_args(argv)
    clock = time.perf_counter if args.wall else time.process_time
    task = get_task("adding", T=args.T)
    cfg = TrainConfig(
        steps=args.steps,
        batch_size=args.N,
        lr=1e-3,
        eval_every=None,
        eval_batch_size=64,
        early_stop_on_solve=False,
        dtype=args.dtype,
        progress=False,
        device="cpu",
    )
    seeds = list(range(args.seeds))
    print(
        f"adding T={args.T}, N={args.N}, {args.steps} steps, {args.dtype}, {args.seeds} seeds, "
        f"{'wall' if args.wall else 'CPU'} seconds"
    )
    ok = True
    for H in args.hidden:
        model = lambda: Model("lstm", input_size=2, hidden_size=H, output_size=1, seed=0)  # noqa: E731,B023
        one = timed(lambda: fit(model(), task, cfg), clock)  # noqa: B023
        loop = timed(lambda: fit_seeds(seeds, task, cfg, together=False, hidden_size=H), clock)  # noqa: B023
        line = f"H={H:3d}: one seed {one:6.2f} s | {args.seeds} seeds one by one {loop / one:4.2f}x"
        if args.seeds * H <= JOINT_MAX_WIDTH:
            joint = timed(lambda: fit_seeds(seeds, task, cfg, together=True, hidden_size=H), clock)  # noqa: B023
            line += f" | together {joint / one:4.2f}x"
        best = min(loop, joint) if args.seeds * H <= JOINT_MAX_WIDTH else loop
        ratio = best / one
        if H in TARGETS:
            ok &= ratio <= TARGETS[H]
            line += (
                f" | fit_seeds {ratio:4.2f}x (target <= {TARGETS[H]:g}x: {'met' if ratio <= TARGETS[H] else 'MISSED'})"
            )
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
