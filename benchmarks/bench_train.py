"""Training speed: the lstmlab training loop against a plain PyTorch loop, on the CPU, in the same run.

The workload is the common adding problem (T=100 by default), one LSTM layer
(H=128) and a linear readout at the last step, MSE, Adam, float32, batches of
N=64 drawn from the same task in both loops. Each loop runs ``--warmup`` steps
untimed, then ``--steps`` timed steps; the numbers are sequences per second
(steps x N / seconds) and the ratio torch / lstmlab (how many times slower we
are; the target is <= 1.5).

* lstmlab: ``lstmlab.train.fit`` (batch sampling, forward, BPTT, global
  gradient norm, health checks, Adam), timed by the history's per-step clock.
* (fwd+bwd): ``model.loss_and_grads`` alone on one fixed batch, to show what
  the loop adds (sampling, norms, checks, Adam) to the forward and backward pass.
* torch: ``nn.LSTM(batch_first=True)`` + ``nn.Linear`` + ``torch.optim.Adam``,
  sampling, ``zero_grad``, forward, ``backward``, ``step``.

Run: ``python benchmarks/bench_train.py [--T 100 --N 64 --H 128 --steps 40 --repeats 3]``.
torch is imported only here, never by the package.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lstmlab.model import Model
from lstmlab.tasks import get_task
from lstmlab.train import TrainConfig, fit


def lstmlab_rate(task, H, N, steps, warmup, seed=0) -> float:
    """Sequences per second of ``fit`` over ``steps`` steps after ``warmup`` untimed ones."""
    model = Model("lstm", task.input_size, H, task.output_size, seed=seed, dtype=np.float32)
    cfg = TrainConfig(
        steps=warmup + steps, batch_size=N, lr=1e-3, eval_every=None, eval_batch_size=1, progress=False, device="cpu"
    )
    h = fit(model, task, cfg)
    seconds = h.seconds[-1] - h.seconds[warmup - 1]
    return steps * N / seconds


def kernel_rate(task, H, N, steps, warmup, seed=0) -> float:
    """Sequences per second of ``model.loss_and_grads`` alone on one fixed batch: the loop's floor."""
    model = Model("lstm", task.input_size, H, task.output_size, seed=seed, dtype=np.float32)
    b = task.sample(N, np.random.default_rng(seed), dtype=np.float32)
    for _ in range(warmup):
        model.loss_and_grads(b.x, b.y)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.loss_and_grads(b.x, b.y)
    return steps * N / (time.perf_counter() - t0)


def torch_rate(task, H, N, steps, warmup, seed=0) -> float:
    """Sequences per second of a plain torch loop (nn.LSTM + nn.Linear + Adam, float32, CPU)."""
    import torch

    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(task.input_size, H, batch_first=True)
    readout = torch.nn.Linear(H, task.output_size)
    params = list(lstm.parameters()) + list(readout.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    rng = np.random.default_rng(seed)

    def step():
        b = task.sample(N, rng, dtype=np.float32)
        x, y = torch.from_numpy(b.x), torch.from_numpy(b.y)
        opt.zero_grad()
        out, _ = lstm(x)
        loss = torch.nn.functional.mse_loss(readout(out[:, -1]), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * N / (time.perf_counter() - t0)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--T", type=int, default=100)
    p.add_argument("--N", type=int, default=64)
    p.add_argument("--H", type=int, default=128)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3, help="alternate the two loops this many times; report the best")
    args = p.parse_args(argv)
    import torch

    task = get_task("adding", T=args.T)
    ours, kernel, theirs = [], [], []
    for _ in range(args.repeats):  # alternate, so that a busy moment of the machine hits all three
        ours.append(lstmlab_rate(task, args.H, args.N, args.steps, args.warmup))
        kernel.append(kernel_rate(task, args.H, args.N, args.steps, args.warmup))
        theirs.append(torch_rate(task, args.H, args.N, args.steps, args.warmup))
    best_ours, best_theirs = max(ours), max(theirs)
    print(
        f"adding problem T={args.T}, LSTM H={args.H}, N={args.N}, Adam, float32, CPU (torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads)"
    )
    print(f"{'loop':<10}{'best seq/s':>12}{'all runs (seq/s)':>40}")
    print(f"{'lstmlab':<10}{best_ours:>12.0f}{', '.join(f'{r:.0f}' for r in ours):>40}")
    print(f"{'(fwd+bwd)':<10}{max(kernel):>12.0f}{', '.join(f'{r:.0f}' for r in kernel):>40}")
    print(f"{'torch':<10}{best_theirs:>12.0f}{', '.join(f'{r:.0f}' for r in theirs):>40}")
    ratio = best_theirs / best_ours
    print(f"ratio torch/lstmlab = {ratio:.2f}x slower (target <= 1.5x): {'met' if ratio <= 1.5 else 'NOT met'}")
    return ratio


if __name__ == "__main__":
    main()
