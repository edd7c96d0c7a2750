"""Automatic feedback for the book's coding exercises.

Each chapter's checkers live in their own module (``ch02.py``, ...) and are
re-exported here, so a notebook writes ``from lstmlab import exercises`` and
calls, for example, ``exercises.check_rnn_step_backward(my_rnn_step_backward)``.
A checker runs the learner's function on seeded inputs, compares it with the
package's reference implementation (itself tested against finite differences
and PyTorch in ``tests/``), and returns a :class:`Feedback` that says what is
right and what to look at.
"""

from .appendix import check_affine_backward, check_numerical_gradient
from .ch01 import check_param_count, check_rnn_forward
from .ch02 import check_rnn_bptt, check_rnn_step_backward
from .ch03 import check_clip_by_norm, check_jacobian_chain, check_leaky_jacobian
from .ch04 import check_adding_batch, check_copy_baseline
from .ch05 import check_carousel_backward, check_lstm1997_step
from .ch06 import check_lstm_step_forward
from .ch07 import check_forget_bias, check_forget_step
from .ch08 import check_peephole_grads
from .ch09 import check_lstm_bptt, check_lstm_step_backward, check_truncated_1997
from .ch10 import check_signal_at, check_steps_to_solve, check_summarise_sweep
from .ch11 import check_gru_jacobian, check_gru_step_backward
from .ch12 import check_clockwork_mask, check_variance_explained
from .ch13 import check_bigram_nats, check_fit_ar, check_perplexity, check_sequential_windows, check_tempered_probs
from .ch14 import check_attention_step_backward, check_lstm_flops, check_to_other_convention
from .feedback import Feedback, run_safely

__all__ = [
    "Feedback",
    "run_safely",
    "check_param_count",
    "check_rnn_forward",
    "check_rnn_bptt",
    "check_rnn_step_backward",
    "check_clip_by_norm",
    "check_jacobian_chain",
    "check_leaky_jacobian",
    "check_adding_batch",
    "check_copy_baseline",
    "check_carousel_backward",
    "check_lstm1997_step",
    "check_lstm_step_forward",
    "check_forget_bias",
    "check_forget_step",
    "check_peephole_grads",
    "check_lstm_bptt",
    "check_lstm_step_backward",
    "check_truncated_1997",
    "check_signal_at",
    "check_steps_to_solve",
    "check_summarise_sweep",
    "check_gru_step_backward",
    "check_gru_jacobian",
    "check_variance_explained",
    "check_clockwork_mask",
    "check_perplexity",
    "check_bigram_nats",
    "check_sequential_windows",
    "check_tempered_probs",
    "check_fit_ar",
    "check_lstm_flops",
    "check_attention_step_backward",
    "check_to_other_convention",
    "check_affine_backward",
    "check_numerical_gradient",
]
