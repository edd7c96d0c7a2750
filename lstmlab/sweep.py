"""Several seeds of one experiment: :func:`fit_seeds` trains one model per seed and returns them together.

A claim that rests on training rests on several seeds (at least 5 for a success-or-failure claim).
``fit_seeds(seeds, data, config, cell=..., hidden_size=...)`` is, by definition, the same as::

    for s in seeds:
        model = Model(cell, ..., seed=s)
        fit(model, data, config.replace(seed=s))

seed by seed: the same initial params, the same batches, the same histories. It returns a
:class:`SeedRuns` that summarises them (:meth:`SeedRuns.steps_to_solve`, :meth:`SeedRuns.final`).

**Why several seeds cost little.** A small recurrent network (H of a few dozen units) spends its
time in Python, once per time step and per array operation, not in arithmetic. So where it pays,
``fit_seeds`` trains the seeds *together*, as one wide network: R replicas of hidden size H are
one network of hidden size R*H whose weight matrices are block-diagonal (replica r's units only
see replica r's units and inputs), fed the R batches side by side (:class:`WideLayout`). Every
cell computes unit by unit except for its matrix products, and a product with a block-diagonal
matrix keeps the blocks apart, so each replica computes exactly what its own ``fit`` would (the
tests compare them in float64). One time loop then serves all the seeds, with the array calls
of one run. The products grow as R**2 * H**2, so the joint pass is used while R*H is at most
:data:`JOINT_MAX_WIDTH`; above that the arithmetic dominates anyway and the seeds train one by
one. It serves every built-in cell, stacked and bidirectional models, on a task, on the CPU,
without callbacks or checkpoints. ``benchmarks/bench_seeds.py`` measures what it saves.

>>> from lstmlab.sweep import fit_seeds
>>> from lstmlab.tasks import get_task
>>> from lstmlab.train import TrainConfig
>>> runs = fit_seeds([0, 1], get_task("adding", T=5), TrainConfig(steps=3, batch_size=4, progress=False),
...                  cell="lstm", hidden_size=4)
>>> len(runs), [len(h) for h in runs.histories]
(2, [3, 3])
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .backend import resolve_device
from .cells import get_cell
from .checks import check_positive_int, describe
from .claims import SeedSummary, summarise
from .clip import CLIP_EPS, clip_grad_value
from .model import Model
from .schedules import ExponentialLR, StepLR
from .train import OPTIMIZERS, History, TrainConfig, TrainingDiverged, _is_task, complete_bar, fit, progress_default


@dataclass
class SeedRuns:
    """The models and histories of one setting trained with several seeds (see :func:`fit_seeds`).

    ``diverged[k]`` is the :class:`~lstmlab.train.TrainingDiverged` of seed ``k`` (None if it did
    not diverge); a diverged run keeps its last good params and its history up to then.
    """

    seeds: tuple
    models: list
    histories: list
    diverged: list

    def __len__(self) -> int:
        return len(self.seeds)

    def steps_to_solve(self) -> SeedSummary:
        """Per seed, the step of the first solved evaluation (never: counted as inf), summarised."""
        steps = [h.solved_at for h in self.histories]
        return summarise(steps, budget=max(h.step[-1] if h.step else 0 for h in self.histories))

    def sequences_to_solve(self) -> SeedSummary:
        """:meth:`steps_to_solve` counted in training sequences (steps x batch size)."""
        seqs = [None if h.solved_at is None else h.solved_at * h.batch_size for h in self.histories]
        return summarise(seqs)

    def final(self, metric: str = "loss") -> np.ndarray:
        """The last evaluation's ``metric`` of every seed, as an array (NaN where a run has none)."""
        out = []
        for h in self.histories:
            values = h.eval.get(metric)
            if values is None and metric == "loss" and h.loss:
                values = h.loss
            out.append(float("nan") if not values else float(values[-1]))
        return np.asarray(out, dtype=np.float64)

    def solved(self) -> np.ndarray:
        """Per seed, whether it solved the task (a bool array)."""
        return np.asarray([h.solved_at is not None for h in self.histories])


def _check_seeds(seeds) -> tuple:
    try:
        seeds = tuple(seeds)
    except TypeError:
        raise TypeError(f"seeds: expected a sequence of ints, got {describe(seeds)}") from None
    if not seeds:
        raise ValueError("seeds: expected at least one seed, got an empty sequence")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds: expected ints >= 0, got {describe(s)}")
    if len(set(int(s) for s in seeds)) != len(seeds):
        raise ValueError(f"seeds: expected distinct seeds, got {list(seeds)}")
    return tuple(int(s) for s in seeds)


def fit_seeds(
    seeds, data, config=None, val_data=None, raise_on_divergence=False, together=None, **model_kwargs
) -> SeedRuns:
    """Train one model per seed on ``data`` (a Task or arrays) and return a :class:`SeedRuns`.

    Parameters
    ----------
    seeds : sequence of distinct ints >= 0
        Each seeds both the model's initialisation and the training batches (``config.seed``).
    data : Task, or ``(x, y)`` / ``(x, y, mask)`` arrays, as for :func:`lstmlab.train.fit`
    config : TrainConfig (its ``seed`` is replaced by each seed)
    val_data : arrays, optional, as for :func:`lstmlab.train.fit`
    raise_on_divergence : bool
        Re-raise a seed's :class:`~lstmlab.train.TrainingDiverged` (default: record it in
        ``SeedRuns.diverged`` and go on with the next seed; a diverged seed did not solve).
    together : bool or None
        Train the seeds in one joint pass (see the module docstring). None (default): wherever the
        joint path serves the model and the config; False: one ``fit`` per seed; True: the joint
        pass, or a ValueError saying why it cannot serve.
    **model_kwargs
        :class:`~lstmlab.model.Model`'s arguments except ``seed`` (``cell``, ``hidden_size``, ...).
        For a task, ``input_size``, ``output_size`` and ``readout`` default to the task's.
    """
    seeds = _check_seeds(seeds)
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config: expected a TrainConfig, got {describe(config)}")
    if "seed" in model_kwargs:
        raise TypeError("seed: give the seeds as the first argument of fit_seeds, not as a model argument")
    if not _is_task(data) and not (
        isinstance(data, (tuple, list)) and len(data) in (2, 3) and all(hasattr(a, "shape") for a in data)
    ):
        raise TypeError(f"data: expected a Task or a tuple (x, y) or (x, y, mask) of arrays, got {describe(data)}")
    if _is_task(data):
        for key in ("input_size", "output_size", "readout"):
            model_kwargs.setdefault(key, getattr(data, key))
    if together is not None and not isinstance(together, (bool, np.bool_)):
        raise TypeError(f"together: expected a bool or None, got {describe(together)}")
    why = _why_not_together(len(seeds), data, config, val_data, model_kwargs)
    if together and why:
        raise ValueError(f"together: the joint pass cannot serve this run: {why}")
    if together is None:
        together = not why
    if together:
        runs = _Joint(seeds, data, config, model_kwargs).fit()
        if raise_on_divergence:
            for error in runs.diverged:
                if error is not None:
                    raise error
        return runs
    models, histories, diverged = [], [], []
    for s in seeds:
        model = Model(seed=s, **model_kwargs)
        try:
            history = fit(model, data, config.replace(seed=s), val_data=val_data)
            error = None
        except TrainingDiverged as e:
            if raise_on_divergence:
                raise
            history, error = e.history, e
        models.append(model)
        histories.append(history)
        diverged.append(error)
        if history.stop_reason == "interrupted":  # the learner pressed stop: the sweep stops too
            print(_interrupted(len(models), len(seeds)))
            break
    return SeedRuns(seeds[: len(models)], models, histories, diverged)


def _interrupted(done: int, total: int) -> str:
    return (
        f"Sweep interrupted: {done} of {total} seeds kept (the last one as far as it got); "
        "each model holds the params of its last completed step."
    )


# --------------------------------------------------------------------------------------------------- the joint pass

#: The joint pass is used while R * H (replicas times hidden units) is at most this.
JOINT_MAX_WIDTH = 48

#: The cells the joint pass serves: those that compute unit by unit apart from their matrix products
#: (a cell whose units differ by position, such as the Clockwork RNN's modules, is not among them).
JOINT_CELLS = (
    *("lstm", "lstm1997", "peephole", "vanilla", "nig", "nfg", "nog", "niaf", "noaf", "np", "cifg", "fgr"),
    *("rnn", "rnn_relu", "rnn_sigmoid", "gru", "gru_cho"),
)


def _why_not_together(R, data, config, val_data, model_kwargs) -> str:
    """Why the joint pass cannot (or should not) train this run; "" if it can."""
    cell = get_cell(model_kwargs.get("cell", "lstm")).name
    if cell not in JOINT_CELLS:
        return f"the cell {cell!r} (it serves {list(JOINT_CELLS)})"
    if not _is_task(data) or val_data is not None:
        return "array data (it serves tasks)"
    if config.checkpoint_path is not None:
        return "checkpoints"
    if resolve_device(config.device) != "cpu":
        return "a GPU"
    H = model_kwargs.get("hidden_size")
    if isinstance(H, (int, np.integer)) and R * H > JOINT_MAX_WIDTH:
        return f"{R} seeds x {H} hidden units is wider than JOINT_MAX_WIDTH = {JOINT_MAX_WIDTH}"
    if data.readout == "last":
        probe = data.sample(2, np.random.default_rng(0))
        if probe.mask is not None:
            return "a task whose sequences end at different steps, read out at their last step"
    return ""


class WideLayout:
    """Where each replica's params sit in the params of the wide network that holds R replicas.

    Every axis of a parameter is either an axis of *units* (its size is k*H: k blocks of H units,
    one per gate or per direction) or an axis of *features* (the input size D, the output size V).
    In the wide network (hidden size R*H, input size R*D, output size R*V), entry ``(g, u)`` of
    replica r's unit axis sits at ``g*R*H + r*H + u`` (each block holds every replica's units, so a
    gate is still one contiguous block), and entry ``i`` of a feature axis at ``r*n + i``. Every
    other entry of a wide matrix is zero, which is what keeps the replicas apart.
    """

    def __init__(self, model: Model, R: int):
        if not isinstance(model, Model):
            raise TypeError(f"model: expected an lstmlab.model.Model, got {describe(model)}")
        self.R = R = check_positive_int("R", R)
        H = model.hidden_size
        self.shapes = {k: v.shape for k, v in model.params.items()}
        probe = Model(**{**model.config, "hidden_size": H + 1, "seed": 0}).params
        self.index = {}
        for key, shape in self.shapes.items():
            axes = []
            for n, n_probe in zip(shape, probe[key].shape):
                if n != n_probe:  # grows with H: k blocks of H units
                    k = n // H
                    pos = np.arange(k)[None, :, None] * (R * H) + np.arange(R)[:, None, None] * H + np.arange(H)
                    axes.append(pos.reshape(R, n))
                else:
                    axes.append(np.arange(R)[:, None] * n + np.arange(n))
            if len(axes) == 1:
                self.index[key] = (axes[0],)
            else:
                self.index[key] = (axes[0][:, :, None], axes[1][:, None, :])

    def wide_params(self, wide_model: Model, stacked: dict) -> None:
        """Write every replica's params (``stacked[key]`` is (R, ...)) into ``wide_model.params``."""
        for key, idx in self.index.items():
            wide_model.params[key][idx] = stacked[key]

    def replica_grads(self, wide_grads: dict) -> dict:
        """Each replica's gradients, stacked (R, ...), read off the wide network's gradients."""
        return {key: wide_grads[key][idx] for key, idx in self.index.items()}


class _Joint:
    """Seeds trained together: what :class:`lstmlab.train.Trainer` does for one, done for all at once.

    The step is the trainer's, replica by replica: sample a batch from the replica's own generator,
    forward, loss, backward, gradient norm and clipping, the health check (a replica that diverges
    gets its last good params back and leaves), clipping by value, the optimiser's step (one
    optimiser over the stacked params: its updates are elementwise, so each replica's update is
    the one its own optimiser would make), the schedule, the history, and every ``eval_every``
    steps an evaluation on a batch drawn with the replica's ``(seed, 2, step)`` generator.
    """

    def __init__(self, seeds, task, config, model_kwargs):
        self.task, self.config = task, config
        self.seeds = seeds
        self.models = [Model(seed=s, **model_kwargs) for s in seeds]
        if config.dtype is not None:
            for m in self.models:
                if np.dtype(m.dtype) != np.dtype(config.dtype):
                    m.astype(config.dtype)
        m0 = self.models[0]
        for attr in ("input_size", "output_size", "readout"):
            if getattr(m0, attr) != getattr(task, attr):
                raise ValueError(
                    f"model: expected {attr}={getattr(task, attr)!r} for the task {task.name!r}, "
                    f"got {getattr(m0, attr)!r}"
                )
        self.dtype, self.readout, self.V = m0.dtype, m0.readout, m0.output_size
        self.keys = tuple(m0.params)
        self.rngs = [np.random.default_rng(s) for s in seeds]
        self.histories = []
        for _ in seeds:
            h = History()
            h.batch_size = config.batch_size
            self.histories.append(h)
        self.diverged = [None] * len(seeds)
        self.best = [float("inf")] * len(seeds)
        self.active = list(range(len(seeds)))  # row r of the stack is seed number self.active[r]
        self.P = {k: np.stack([m.params[k] for m in self.models]) for k in self.keys}
        self.good = {k: v.copy() for k, v in self.P.items()}
        self._widen()
        kwargs = {"momentum": config.momentum} if config.optimizer != "adam" else {}
        self.opt = OPTIMIZERS[config.optimizer](self.P, lr=config.lr, **kwargs)
        self.scheduler = None
        if config.schedule == "step":
            self.scheduler = StepLR(self.opt, step_size=config.step_size, gamma=config.gamma)
        elif config.schedule == "exponential":
            self.scheduler = ExponentialLR(self.opt, gamma=config.gamma)

    def _widen(self):
        """The wide network for the replicas now in the stack."""
        R, m0 = len(self.active), self.models[0]
        cfg = m0.config
        sizes = {k: R * cfg[k] for k in ("input_size", "hidden_size", "output_size")}
        self.wide = Model(**{**cfg, **sizes, "seed": 0, "forget_bias": None})
        for v in self.wide.params.values():
            v[...] = 0.0
        self.layout = WideLayout(m0, R)

    # ------------------------------------------------------------------ the network, all replicas
    def forward(self, x):
        """x (R, N, T, D) -> (y_pred (R, N, V) or (R, N, T, V), cache): every replica at once."""
        R, N, T, D = x.shape
        self.layout.wide_params(self.wide, self.P)
        x_wide = np.ascontiguousarray(x.transpose(1, 2, 0, 3)).reshape(N, T, R * D)
        y_wide, cache = self.wide.forward(x_wide)
        y = y_wide.reshape(*y_wide.shape[:-1], R, self.V)
        return np.moveaxis(y, -2, 0), cache

    def backward(self, dy, cache):
        dy_wide = np.ascontiguousarray(np.moveaxis(dy, 0, -2)).reshape(*dy.shape[1:-1], -1)
        return self.layout.replica_grads(self.wide.backward(dy_wide, cache, truncate=self.config.truncate))

    # ------------------------------------------------------------------ training
    def _sample(self, rngs, batch_size):
        """One batch per replica, stacked: ``(batches, x (R, N, T, D), masks, targets)``.

        Where the replicas' batches differ in length (the Reber strings do), the shorter ones are
        padded at the end to the longest, with a mask that leaves the padding out of the loss. The
        padding comes after every real step, so no real step sees it, and the loss gives it no
        error: each replica computes what it computes alone. (A task read out at its last step
        whose sequences end at different steps is not served: see :func:`_why_not_together`.)
        """
        batches = [self.task.sample(batch_size, rng, dtype=self.dtype) for rng in rngs]
        T = max(b.x.shape[1] for b in batches)
        if all(b.x.shape[1] == T for b in batches):
            return batches, np.stack([b.x for b in batches]), [b.mask for b in batches], [b.y for b in batches]
        xs, masks, ys = [], [], []
        for b in batches:
            n, t = b.x.shape[:2]
            pad = T - t
            xs.append(np.pad(b.x, ((0, 0), (0, pad), (0, 0))))
            mask = np.ones((n, t), dtype=bool) if b.mask is None else np.asarray(b.mask, dtype=bool)
            masks.append(np.pad(mask, ((0, 0), (0, pad))))
            ys.append(np.pad(b.y, ((0, 0), (0, pad)) + ((0, 0),) * (b.y.ndim - 2)))
        return batches, np.stack(xs), masks, ys

    def _loss(self, y_pred, targets, masks):
        losses, dys = [], np.empty_like(y_pred)
        model = self.models[0]
        for r, y in enumerate(targets):
            value, dys[r] = model.compute_loss(y_pred[r], y, mask=masks[r], loss=self.task.loss)
            losses.append(float(value))
        return losses, dys

    def step(self, step):
        cfg = self.config
        _, x, masks, targets = self._sample([self.rngs[s] for s in self.active], cfg.batch_size)
        lr = self.opt.lr
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            y_pred, cache = self.forward(x)
            losses, dy = self._loss(y_pred, targets, masks)
            grads = self.backward(dy, cache)
            # global_norm replica by replica: the norm of the per-array norms
            per_key = [np.sqrt((g.reshape(g.shape[0], -1) ** 2).sum(axis=1)) for g in grads.values()]
            norms = np.sqrt(sum(n * n for n in per_key))
        if cfg.clip_norm is not None:  # clip_grad_norm replica by replica (a non-finite norm is left to the check)
            coef = cfg.clip_norm / (norms + CLIP_EPS)
            scale = np.where(np.isfinite(norms) & (coef < 1.0), coef, 1.0)
            for g in grads.values():
                g *= scale.reshape((-1,) + (1,) * (g.ndim - 1))
        healthy = []
        for r, s in enumerate(self.active):
            loss, norm = losses[r], float(norms[r])
            ok = np.isfinite(loss) and np.isfinite(norm)
            if ok and cfg.divergence_factor is not None and loss > cfg.divergence_factor * self.best[s]:
                ok = False
            if ok:
                healthy.append(r)
            else:
                self._diverge(r, s, step, loss, norm, lr)
        for k in self.keys:  # the params of every healthy replica gave a healthy step: keep them
            self.good[k][healthy] = self.P[k][healthy]
        if len(healthy) < len(self.active):
            grads = {k: g[healthy] for k, g in grads.items()}
            losses = [losses[r] for r in healthy]
            norms = norms[healthy]
            self._keep(healthy)
        if not self.active:
            return
        if cfg.clip_value is not None:
            clip_grad_value(grads, cfg.clip_value)
        self.opt.step(self.P, grads)
        if self.scheduler is not None:
            self.scheduler.step()
        for r, s in enumerate(self.active):
            self.best[s] = min(self.best[s], losses[r])
            self.histories[s].record_step(step, losses[r], float(norms[r]), lr, self.elapsed)

    def _diverge(self, r, s, step, loss, norm, lr):
        """Row r (seed number s) diverged: its last good params go back into its model, and it leaves."""
        for k in self.keys:
            self.models[s].params[k] = self.good[k][r].copy()
        history = self.histories[s]
        history.stop_reason = "diverged"
        what = f"the loss is {loss:.4g} and the gradient norm is {norm:.4g}"
        advice = f"lower the learning rate: lr={lr:g} -> try lr={lr / 10:g}"
        self.diverged[s] = TrainingDiverged(
            f"Training diverged at step {step} (seed {self.seeds[s]}): {what}. "
            f"The last good params are restored. Try: clip the gradient norm (clip_norm=1.0), and {advice}.",
            step=step,
            loss=loss,
            grad_norm=norm,
            lr=lr,
            history=history,
        )

    def _finish(self, r):
        s = self.active[r]
        for k in self.keys:
            self.models[s].params[k] = self.P[k][r].copy()

    def _keep(self, rows):
        """Keep only the rows ``rows`` of the stack (the other replicas have left)."""
        state = self.opt.state_dict()
        self.active = [self.active[r] for r in rows]
        if not self.active:
            return
        self.P = {k: np.ascontiguousarray(v[rows]) for k, v in self.P.items()}
        self.good = {k: np.ascontiguousarray(v[rows]) for k, v in self.good.items()}
        self._new_optimizer({k: (v if k in ("t", "lr") else v[rows]) for k, v in state.items()})
        self._widen()

    def _new_optimizer(self, state):
        """An optimiser over ``self.P`` (the stack now) with the state ``state``; the schedule follows it."""
        kwargs = {"momentum": self.config.momentum} if self.config.optimizer != "adam" else {}
        self.opt = OPTIMIZERS[self.config.optimizer](self.P, lr=self.config.lr, **kwargs)
        self.opt.load_state_dict(state)
        if self.scheduler is not None:
            self.scheduler.optimizer = self.opt

    def evaluate(self, step):
        """Evaluate every replica in the stack; returns the rows that stop now (solved)."""
        cfg = self.config
        rngs = [np.random.default_rng([self.seeds[s], 2, step]) for s in self.active]
        batches, x, _, _ = self._sample(rngs, cfg.eval_batch_size)
        y_pred, _ = self.forward(x)
        stop = []
        for r, s in enumerate(self.active):
            y = y_pred[r] if self.readout == "last" else y_pred[r][:, : batches[r].x.shape[1]]
            metrics = {k: float(v) for k, v in self.task.evaluate(y, batches[r]).items()}
            history = self.histories[s]
            history.record_eval(step, metrics)
            if cfg.early_stop_on_solve and metrics.get("solved"):
                history.solved_at = step
                history.stop_reason = "solved"
                stop.append(r)
        return stop

    def fit(self) -> SeedRuns:
        from tqdm.auto import tqdm

        cfg = self.config
        show = progress_default() if cfg.progress is None else bool(cfg.progress)
        R = len(self.seeds)
        bar = tqdm(total=cfg.steps, disable=not show, desc=f"{R} seeds together", unit="step", leave=True)
        try:
            return self._fit(bar)
        finally:
            bar.close()

    def _fit(self, bar) -> SeedRuns:
        cfg = self.config
        self.elapsed = 0.0
        step = 0
        reason = "steps"
        while step < cfg.steps and self.active:
            step += 1
            # what the step changes, copied: an interrupt anywhere in it puts everything back
            snapshot = (list(self.active), {k: v.copy() for k, v in self.P.items()}, self.opt.state_dict())
            lr_state = None if self.scheduler is None else self.scheduler.state_dict()
            try:
                t0 = time.perf_counter()
                self.step(step)
                self.elapsed += time.perf_counter() - t0
                last = step == cfg.steps
                if self.active and (last or (cfg.eval_every is not None and step % cfg.eval_every == 0)):
                    stop = self.evaluate(step)
                    if stop:
                        for r in stop:
                            self._finish(r)
                        self._keep([r for r in range(len(self.active)) if r not in stop])
            except KeyboardInterrupt:  # undo the step: every replica holds its last completed step
                self._undo(step, snapshot, lr_state)
                reason = "interrupted"
                bar.set_description(f"interrupted at step {step - 1}", refresh=False)
                break
            bar.update(1)
            if bar.n % 10 == 0 or not self.active:
                losses = [self.histories[s].loss[-1] for s in self.active if self.histories[s].loss]
                bar.set_postfix(
                    {"training": len(self.active), "median loss": f"{np.median(losses):.4g}"}
                    if losses
                    else {"training": 0},
                    refresh=False,
                )
        if reason != "interrupted":
            if step < cfg.steps:  # every seed has solved (or diverged): the sweep is complete
                complete_bar(bar)
            done = sum(h.solved_at is not None for h in self.histories)
            bar.set_description(f"{len(self.seeds)} seeds: {done} solved, by step {step}", refresh=False)
        bar.refresh()
        for r, s in enumerate(self.active):
            self._finish(r)
            self.histories[s].stop_reason = reason
        if reason == "interrupted":
            print(_interrupted(len(self.seeds), len(self.seeds)))
        return SeedRuns(self.seeds, self.models, self.histories, self.diverged)

    def _undo(self, step, snapshot, lr_state):
        """Forget step ``step`` entirely (an interrupt came in the middle of it)."""
        self.active, self.P, opt_state = snapshot
        self._new_optimizer(opt_state)
        if self.scheduler is not None:
            self.scheduler.load_state_dict(lr_state)
        self._widen()
        for s in self.active:
            h = self.histories[s]
            keep = sum(1 for t in h.step if t < step)
            for key in History.STEP_KEYS:
                del getattr(h, key)[keep:]
            keep_eval = sum(1 for t in h.eval_step if t < step)
            del h.eval_step[keep_eval:]
            for values in h.eval.values():
                del values[keep_eval:]
            if h.solved_at is not None and h.solved_at >= step:
                h.solved_at = None
            if self.diverged[s] is not None and self.diverged[s].step >= step:
                self.diverged[s] = None
