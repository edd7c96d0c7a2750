"""An LSTM encoder-decoder, with or without additive attention, on a toy task: copy a sequence.

The task: a sequence of L symbols from ``{0, ..., K-1}`` in, the same symbols out, in the same
order (``"copy"``) or reversed (``"reverse"``).

* The **encoder** (an LSTM, D = K) reads the input; its states ``E = (e_1, ..., e_L)`` (N, L, H).
* The **decoder** (an LSTM, D = K + 1) starts from the encoder's final state and reads, at step
  t, the previous target symbol (teacher forcing; a start symbol, id K, at t = 1), giving
  ``s_t``.
* Without attention the readout is ``y_t = s_t W_y + b_y``: everything the decoder knows about
  the input passed through the encoder's final state, a fixed-size vector.
* With attention, ``ctx_t`` = :func:`lstmlab.attention.attention_forward` of the query ``s_t``
  over ``E``, and ``y_t = [s_t, ctx_t] W_y + b_y``: every output step can look back at every
  input step.

The attention uses the additive score of Bahdanau et al. (2015) with the current decoder state
as the query and the context entering the readout (the arrangement of Luong et al. 2015), so the
decoder runs over the whole target in one :func:`lstmlab.sequence.forward` during training.

Params: ``"enc.W_x", "enc.W_h", "enc.b"``, ``"dec.*"`` likewise, ``"att.W_q", "att.W_k",
"att.v"`` (with attention), ``"W_y"`` ((2H or H), K), ``"b_y"`` (K,).
"""

from __future__ import annotations

import numpy as np

from . import attention, sequence
from .cells import get_cell
from .checks import check_choice, check_positive_int, describe
from .clip import clip_grad_norm
from .init import set_forget_bias
from .losses import softmax_cross_entropy
from .optim import Adam

TASKS = ("copy", "reverse")


def make_batch(N: int, L: int, K: int, rng, task: str = "copy") -> tuple:
    """``(src, tgt)``: int arrays (N, L), symbols uniform in [0, K); ``tgt`` is ``src`` (copy) or reversed."""
    N, L, K = check_positive_int("N", N), check_positive_int("L", L), check_positive_int("K", K)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {describe(rng)}")
    check_choice("task", task, TASKS)
    src = rng.integers(0, K, size=(N, L))
    return src, (src.copy() if task == "copy" else src[:, ::-1].copy())


def _sub(params, prefix):
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


class Seq2Seq:
    """Encoder-decoder over K symbols with H hidden units; ``attend=True`` adds attention of width A."""

    def __init__(self, K, H, attend, A=32, seed=0, forget_bias=1.0, dtype=np.float64):
        self.K, self.H, self.A = (check_positive_int(n, v) for n, v in (("K", K), ("H", H), ("A", A)))
        if not isinstance(attend, bool):
            raise TypeError(f"attend: expected a bool, got {describe(attend)}")
        self.attend = attend
        rng = np.random.default_rng(seed)
        lstm = get_cell("lstm")
        p = {}
        for name, D in (("enc", K), ("dec", K + 1)):
            sub = lstm.init_params(D, H, seed=rng)
            set_forget_bias(sub, "lstm", forget_bias)
            p.update({f"{name}.{k}": v for k, v in sub.items()})
        if attend:
            p.update({f"att.{k}": v for k, v in attention.init_params(H, H, A, seed=rng).items()})
        width = 2 * H if attend else H
        p["W_y"] = rng.uniform(-1, 1, size=(width, K)) / np.sqrt(width)
        p["b_y"] = np.zeros(K)
        self.dtype = np.dtype(dtype).type
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype: expected float32 or float64, got {describe(dtype)}")
        self.params = {k: v.astype(self.dtype) for k, v in p.items()}

    def _eye(self, n, ids):
        return np.eye(n, dtype=self.dtype)[ids]

    def _readout(self, s, E, mask=None):
        if not self.attend:
            return s @ self.params["W_y"] + self.params["b_y"], None, None
        ctx, alpha, acache = attention.attention_forward(s, E, _sub(self.params, "att."), mask)
        z = np.concatenate([s, ctx], axis=-1)
        return z @ self.params["W_y"] + self.params["b_y"], alpha, acache

    def loss_and_grads(self, src, tgt) -> tuple:
        """Teacher-forced mean cross-entropy over all N*L outputs, and the gradient of every param."""
        K, H, p = self.K, self.H, self.params
        N, L = src.shape
        E, fin, ecache = sequence.forward(self._eye(K, src), _sub(p, "enc."), "lstm")
        dec_in = self._eye(K + 1, np.concatenate([np.full((N, 1), K), tgt[:, :-1]], axis=1))
        S, _, dcache = sequence.forward(dec_in, _sub(p, "dec."), "lstm", h0=fin["h"], c0=fin["c"])
        logits, _, acache = self._readout(S, E)
        loss, dlogits = softmax_cross_entropy(logits, tgt)
        z = S if not self.attend else np.concatenate([S, acache["alpha"] @ E], axis=-1)
        grads = {"W_y": z.reshape(N * L, -1).T @ dlogits.reshape(N * L, K), "b_y": dlogits.sum(axis=(0, 1))}
        dz = dlogits @ p["W_y"].T
        dS, dE = dz[..., :H], np.zeros_like(E)
        if self.attend:
            dq, dE, ga = attention.attention_backward(dz[..., H:], acache)
            dS = dS + dq
            grads.update({f"att.{k}": v for k, v in ga.items()})
        gd = sequence.backward(dS, dcache)
        ge = sequence.backward(dE, ecache, dh_T=gd["h0"], dc_T=gd["c0"])
        for name, g in (("dec", gd), ("enc", ge)):
            grads.update({f"{name}.{k}": g[k] for k in ("W_x", "W_h", "b")})
        return float(loss), grads

    def decode(self, src) -> tuple:
        """Greedy decoding, each output fed back as the next input: ``(pred (N, L), alpha (N, L, L) or None)``."""
        K, p = self.K, self.params
        N, L = src.shape
        E, fin, _ = sequence.forward(self._eye(K, src), _sub(p, "enc."), "lstm")
        h, c, prev = fin["h"], fin["c"], np.full(N, K)
        pred, alphas = np.empty((N, L), dtype=np.int64), []
        for t in range(L):
            s, fin, _ = sequence.forward(self._eye(K + 1, prev)[:, None, :], _sub(p, "dec."), "lstm", h0=h, c0=c)
            h, c = fin["h"], fin["c"]
            logits, alpha, _ = self._readout(s, E)
            prev = pred[:, t] = logits[:, 0].argmax(axis=-1)
            if alpha is not None:
                alphas.append(alpha[:, 0])
        return pred, (np.stack(alphas, axis=1) if alphas else None)

    def accuracy(self, src, tgt) -> float:
        """The fraction of output symbols right under greedy decoding."""
        return float((self.decode(src)[0] == tgt).mean())


def train_seq2seq(model, steps, lengths=(5, 30), N=32, lr=1e-2, clip_norm=1.0, seed=0, task="copy") -> list:
    """Adam on batches of ``task`` whose length is drawn uniformly from ``lengths`` (inclusive) per batch; losses."""
    steps = check_positive_int("steps", steps)
    lo, hi = lengths
    rng = np.random.default_rng(seed)
    opt = Adam(model.params, lr=lr)
    losses = []
    for _ in range(steps):
        src, tgt = make_batch(N, int(rng.integers(lo, hi + 1)), model.K, rng, task)
        loss, grads = model.loss_and_grads(src, tgt)
        clip_grad_norm(grads, clip_norm)
        opt.step(model.params, grads)
        losses.append(loss)
    return losses
