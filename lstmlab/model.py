"""The model: a stack of recurrent layers and a linear readout, with one flat params dict.

Equations (row-vector convention; ``dirs`` is 2 for a bidirectional stack, else 1):

.. math::

    h^{(L)}_{1..T} &= \\mathrm{stack}(x_{1..T})             \\quad\\text{(N, T, dirs*H)} \\\\
    y_t            &= h^{(L)}_t W_y + b_y                      \\quad\\text{readout "all": (N, T, V)} \\\\
    y              &= h^{(L)}_{\\text{last}} W_y + b_y         \\quad\\text{readout "last": (N, V)}

Which step is "last":

* without a mask, step ``T - 1`` for every sequence;
* with a mask ``(N, T)`` (1 for a real step, 0 for padding), the **last unmasked step** of
  each sequence, so that padded variable-length sequences are read out where they end;
* for a bidirectional stack, the forward half of the readout vector is taken at that step,
  and the reverse half at step 0, where the reverse direction has read the whole sequence
  (the same two vectors as PyTorch's ``h_n``). With a mask, the reverse direction starts at
  each sequence's last unmasked step (the stack's ``lengths``), so padding never enters it:
  the output is that of the unpadded sequence, as with ``pack_padded_sequence``.

``params`` holds the stack's keys (``"l0.W_x"``, ``"l0_reverse.W_h"``, ...) plus ``"W_y"``
(dirs*H, V) and ``"b_y"`` (V,). Gradients use the same keys.

>>> import numpy as np
>>> from lstmlab.model import Model
>>> model = Model(input_size=2, hidden_size=4, output_size=1)
>>> y, cache = model.forward(np.zeros((3, 5, 2)))
>>> y.shape
(3, 1)
"""

from __future__ import annotations

import numpy as np

from .backend import asnumpy, get_xp, resolve_device, to_device
from .cells import get_cell
from .checks import _describe, check_array, check_bool, check_choice, check_positive_int, check_sizes
from .init import set_forget_bias
from .losses import _check_mask, mse_loss, softmax_cross_entropy
from .stack import init_stack_params, prefixes, stack_backward, stack_forward

READOUTS = ("last", "all")
LOSSES = ("mse", "cross_entropy")


def last_steps(mask, xp=np):
    """The index of the last True entry of every row of a boolean or 0/1 ``(N, T)`` mask -> int array (N,)."""
    if not (hasattr(mask, "shape") and hasattr(mask, "dtype")):
        raise TypeError(f"mask: expected a boolean or 0/1 array (N, T), got {_describe(mask)}")
    if len(mask.shape) != 2:
        raise ValueError(f"mask: expected a 2-D array (N, T), got shape {tuple(mask.shape)}")
    mask_bool = _check_mask(mask, mask.shape, xp)
    N, T = mask_bool.shape
    any_step = mask_bool.any(axis=1)
    if not bool(any_step.all()):
        n = int(asnumpy(xp.argmin(any_step)))
        raise ValueError(f"mask: expected at least one unmasked step per sequence, got none for sequence {n}")
    return T - 1 - xp.argmax(mask_bool[:, ::-1], axis=1)


class Model:
    """A recurrent stack (any cell of :data:`lstmlab.cells.CELLS`) followed by a linear readout.

    Parameters
    ----------
    cell : str
        The cell's name, e.g. ``"lstm"``, ``"rnn_tanh"``, ``"gru"``.
    input_size, hidden_size, output_size : int
        D, H and V.
    num_layers : int
        L, the number of stacked layers.
    bidirectional : bool
        Run every layer in both directions and concatenate (output width 2H).
    readout : "last" or "all"
        One output per sequence (N, V), read at the last (unmasked) step, or one per step (N, T, V).
    seed : int
        Seeds the initialisation.
    dtype : float64 (default) or float32
    forget_bias : float, optional
        Set the forget-gate bias of every LSTM layer to this value (Jozefowicz et al. 2015 use 1).

    Attributes
    ----------
    params : dict of arrays, the stack's keys plus ``"W_y"`` (dirs*H, V) and ``"b_y"`` (V,).
    """

    def __init__(
        self,
        cell="lstm",
        input_size=None,
        hidden_size=None,
        output_size=None,
        num_layers=1,
        bidirectional=False,
        readout="last",
        seed=0,
        dtype=np.float64,
        forget_bias=None,
    ):
        self.cell = get_cell(cell).name
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.output_size = check_positive_int("output_size", output_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        if not isinstance(bidirectional, (bool, np.bool_)):
            raise TypeError(f"bidirectional: expected a bool, got {_describe(bidirectional)}")
        self.bidirectional = bool(bidirectional)
        self.readout = check_choice("readout", readout, READOUTS)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"seed: expected an int, got {_describe(seed)}")
        self.seed = int(seed)
        self.dtype = _check_dtype(dtype)
        if forget_bias is not None and not isinstance(forget_bias, (int, float, np.floating, np.integer)):
            raise TypeError(f"forget_bias: expected a number or None, got {_describe(forget_bias)}")
        self.forget_bias = None if forget_bias is None else float(forget_bias)
        self.device = "cpu"

        D, H, V = self.input_size, self.hidden_size, self.output_size
        params = init_stack_params(
            self.cell, D, H, self.num_layers, self.bidirectional, seed=self.seed, dtype=self.dtype
        )
        self.stack_keys = tuple(params)
        if self.forget_bias is not None:
            self._set_forget_bias(params, self.forget_bias)
        rng = np.random.default_rng([self.seed, 1])  # a stream independent of the stack's
        k = 1.0 / np.sqrt(self.dirs * H)  # as torch.nn.Linear
        params["W_y"] = rng.uniform(-k, k, size=(self.dirs * H, V)).astype(self.dtype)
        params["b_y"] = rng.uniform(-k, k, size=(V,)).astype(self.dtype)
        self.params = params

    # ----------------------------------------------------------------- description
    @property
    def dirs(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def n_params(self) -> int:
        """The number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    @property
    def config(self) -> dict:
        """The constructor's arguments, JSON-serialisable: ``Model(**model.config)`` builds the same model."""
        return dict(
            cell=self.cell,
            input_size=self.input_size,
            hidden_size=self.hidden_size,
            output_size=self.output_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            readout=self.readout,
            seed=self.seed,
            dtype=np.dtype(self.dtype).name,
            forget_bias=self.forget_bias,
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"Model({args}) with {self.n_params} parameters on {self.device}"

    def _set_forget_bias(self, params, value):
        try:
            for prefix in prefixes(self.num_layers, self.bidirectional):
                set_forget_bias(params, self.cell, value, prefix=prefix)
        except ValueError as e:
            raise ValueError(f"forget_bias: {e}") from None

    # ----------------------------------------------------------------- device and dtype
    def to(self, device="auto"):
        """Move the params to ``"cpu"``, ``"gpu"`` or ``"auto"`` (the GPU when there is one). Returns self."""
        self.device = resolve_device(device)
        self.params = to_device(self.params, self.device)
        return self

    def astype(self, dtype):
        """Cast the params to float32 or float64 (in place on the model; returns self)."""
        self.dtype = _check_dtype(dtype)
        self.params = {k: v.astype(self.dtype) for k, v in self.params.items()}
        return self

    def _xp(self):
        return get_xp(*self.params.values())

    # ----------------------------------------------------------------- forward and backward
    def forward(self, x, h0=None, c0=None, mask=None):
        """Run the stack and the readout.

        Parameters
        ----------
        x : array (N, T, D), of the model's dtype, on the model's device
        h0, c0 : arrays (L*dirs, N, H), optional
            Initial states (zeros by default), e.g. the final states of the previous chunk
            of a long stream (truncated BPTT). ``c0`` only for LSTM cells.
        mask : array (N, T) of 0/1, optional
            Only used by readout ``"last"``: each sequence ends at its last unmasked step, where it is
            read out, and a bidirectional stack's reverse direction starts there (as with torch's
            ``pack_padded_sequence``), so the output does not depend on the padding after it.
            (For readout ``"all"`` the mask only selects the steps that count in the loss.)

        Returns
        -------
        y_pred : array (N, V) for readout ``"last"``, (N, T, V) for ``"all"``
        cache : dict for :meth:`backward`; ``cache["final"]`` holds the final states
            ``{"h": (L*dirs, N, H), "c": ...}`` to pass as ``h0``/``c0`` to the next call.
        """
        D = self.input_size
        check_array("x", x, shape=(None, None, D), dtype=self.dtype)
        xp = self._xp()
        if get_xp(x) is not xp:
            raise TypeError(f"x: expected an array on the model's device ({self.device}), got {type(x).__module__}")
        check_sizes("x", x, "NT")
        N, T, _ = x.shape
        idx = lengths = None
        if mask is not None and self.readout == "last":
            idx = last_steps(_check_mask(mask, (N, T), xp), xp)
            lengths = asnumpy(idx) + 1  # the stack's reverse direction starts at each sequence's last real step
        stack_params = {k: self.params[k] for k in self.stack_keys}
        out, final, scache = stack_forward(
            x,
            stack_params,
            cell=self.cell,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            h0=h0,
            c0=c0,
            lengths=lengths,
        )
        H = self.hidden_size
        if self.readout == "all":
            z = out
            y_pred = (out.reshape(N * T, -1) @ self.params["W_y"] + self.params["b_y"]).reshape(N, T, -1)
        else:
            if mask is None:
                z = out[:, T - 1, :]
            else:
                z = out[xp.arange(N), idx, :]
            if self.bidirectional:
                z = xp.concatenate([z[:, :H], out[:, 0, H:]], axis=1)
            y_pred = z @ self.params["W_y"] + self.params["b_y"]
        cache = {"stack": scache, "z": z, "idx": idx, "shape": (N, T), "final": final}
        return y_pred, cache

    def backward(self, dy_pred, cache, dh_T=None, dc_T=None, truncate=None):
        """Gradients of the loss w.r.t. every parameter, given ``dy_pred`` = dloss/dy_pred.

        Parameters
        ----------
        dy_pred : array shaped like ``y_pred``: (N, V) or (N, T, V)
        cache : from :meth:`forward`
        dh_T, dc_T : arrays (L*dirs, N, H), optional: gradients w.r.t. the final states
        truncate : int, optional: truncated BPTT window (see :func:`lstmlab.sequence.backward`)

        Returns
        -------
        grads : dict with the keys of ``params``
        """
        if not isinstance(cache, dict) or any(k not in cache for k in ("stack", "z", "idx", "shape")):
            got = type(cache).__name__ if not isinstance(cache, (dict, tuple)) else f"a {type(cache).__name__}"
            raise TypeError(f"cache: expected the cache returned by Model.forward (its second result), got {got}")
        N, T = cache["shape"]
        H, V = self.hidden_size, self.output_size
        z = cache["z"]
        want = (N, V) if self.readout == "last" else (N, T, V)
        check_array("dy_pred", dy_pred, shape=want, dtype=self.dtype)
        xp = get_xp(z)
        W_y = self.params["W_y"]
        if self.readout == "all":
            dy2 = dy_pred.reshape(N * T, -1)
            dW_y = z.reshape(N * T, -1).T @ dy2
            db_y = dy2.sum(axis=0)
            dout = (dy2 @ W_y.T).reshape(N, T, -1)
        else:
            dW_y = z.T @ dy_pred
            db_y = dy_pred.sum(axis=0)
            dz = dy_pred @ W_y.T
            dout = xp.zeros((N, T, self.dirs * H), dtype=self.dtype)
            if cache["idx"] is None:
                dout[:, T - 1, :H] = dz[:, :H]
            else:
                dout[xp.arange(N), cache["idx"], :H] = dz[:, :H]
            if self.bidirectional:
                dout[:, 0, H:] += dz[:, H:]
        if not bool(xp.isfinite(dout).all()):
            raise FloatingPointError(
                "dy_pred: the gradient w.r.t. the stack's output overflowed to inf or NaN (dy_pred @ W_y.T); "
                "the params have grown too large"
            )
        g = stack_backward(dout, cache["stack"], dh_T=dh_T, dc_T=dc_T, truncate=truncate)
        grads = {k: g[k] for k in self.stack_keys}
        grads["W_y"] = dW_y
        grads["b_y"] = db_y
        return grads

    def loss_and_grads(self, x, y, mask=None, loss="mse", truncate=None, h0=None, c0=None, return_final=False):
        """Forward, loss and backward in one call.

        Parameters
        ----------
        x : array (N, T, D)
        y : targets: for ``"mse"`` an array shaped like ``y_pred`` ((N, V) or (N, T, V));
            for ``"cross_entropy"`` integer class indices (N,) or (N, T)
        mask : array (N, T) of 0/1, optional
            Readout ``"all"``: padded steps do not count in the loss. Readout ``"last"``:
            where each sequence ends.
        loss : "mse" or "cross_entropy"
        truncate : int, optional: truncated BPTT window
        h0, c0 : arrays (L*dirs, N, H), optional: initial states (e.g. carried over a long stream)
        return_final : bool
            Also return the final states (to feed the next chunk as ``h0``/``c0``).

        Returns
        -------
        ``(loss, grads)``, or ``(loss, grads, final)`` when ``return_final``; ``loss`` is a float.
        """
        check_choice("loss", loss, LOSSES)
        return_final = check_bool("return_final", return_final)
        y_pred, cache = self.forward(x, h0=h0, c0=c0, mask=mask)
        value, dy_pred = self.compute_loss(y_pred, y, mask=mask, loss=loss)
        grads = self.backward(dy_pred, cache, truncate=truncate)
        if return_final:
            return float(value), grads, cache["final"]
        return float(value), grads

    def compute_loss(self, y_pred, y, mask=None, loss="mse"):
        """``(loss, dy_pred)`` for ``y_pred`` from :meth:`forward` (``y`` and ``mask`` as in :meth:`loss_and_grads`).

        The mask enters the loss for readout ``"all"`` only; for ``"last"`` it has already picked the step.
        """
        check_choice("loss", loss, LOSSES)
        fn = mse_loss if loss == "mse" else softmax_cross_entropy
        return fn(y_pred, y, mask=mask if self.readout == "all" else None)

    def predict(self, x, h0=None, c0=None, mask=None):
        """``y_pred`` alone: (N, V) or (N, T, V) (logits for a cross-entropy model)."""
        return self.forward(x, h0=h0, c0=c0, mask=mask)[0]


def _check_dtype(dtype):
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype: expected float32 or float64, got {dtype!r}") from None
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"dtype: expected float32 or float64, got {dt}")
    return dt.type
