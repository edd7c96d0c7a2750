"""Every checker of Part I and the appendices refuses a non-function with a TypeError naming it.

The usual slip is passing the function's result, ``check_rnn_forward(rnn_forward(x, h0, params))``;
the message must say which argument is wrong and what to pass instead, not report a failed check.
"""

import numpy as np
import pytest

from lstmlab import exercises

CHECKERS = {
    "rnn_forward": exercises.check_rnn_forward,
    "count": exercises.check_param_count,
    "step_backward": exercises.check_rnn_step_backward,
    "bptt": exercises.check_rnn_bptt,
    "jacobian_chain": exercises.check_jacobian_chain,
    "clip_by_norm": exercises.check_clip_by_norm,
    "leaky_jacobian": exercises.check_leaky_jacobian,
    "adding_batch": exercises.check_adding_batch,
    "copy_baseline": exercises.check_copy_baseline,
    "affine_backward": exercises.check_affine_backward,
    "numerical_gradient": exercises.check_numerical_gradient,
}


@pytest.mark.parametrize("name", sorted(CHECKERS))
@pytest.mark.parametrize("bad", [np.zeros((2, 3)), None, 1541, "rnn_forward"])
def test_a_non_function_is_a_type_error_naming_the_argument(name, bad):
    with pytest.raises(TypeError) as info:
        CHECKERS[name](bad)
    message = str(info.value)
    assert message.startswith(f"{name}: expected a function") and "your function itself" in message, message
    assert type(bad).__name__ in message, message


def test_the_result_instead_of_the_function_is_named_with_its_shape():
    with pytest.raises(TypeError, match=r"pass rnn_forward, not rnn_forward\(\.\.\.\).*shape \(2, 3\)"):
        exercises.check_rnn_forward(np.zeros((2, 3)))
