import numpy as np
import pytest

from lstmlab.exercises import Feedback, run_safely


def test_correct_answer_passes():
    fb = Feedback("demo")
    assert fb.compare("dx", np.arange(4.0), np.arange(4.0))
    assert fb.passed and bool(fb)
    assert "all checks passed" in str(fb)
    fb.raise_if_failed()


def test_empty_feedback_is_not_a_pass():
    assert not Feedback("nothing checked").passed


@pytest.mark.parametrize(
    "got, fragment",
    [
        (None, "returned None"),
        (np.ones(3), "expected shape (2, 2)"),
        (np.full((2, 2), np.nan), "NaN"),
        (-np.eye(2) - 1.0, "opposite sign"),
        (np.array([[1.0, 3.0], [2.0, 4.0]]), "transpose"),
    ],
)
def test_wrong_answers_say_what_is_wrong(got, fragment):
    want = np.eye(2) + 1.0 if fragment == "opposite sign" else np.array([[1.0, 2.0], [3.0, 4.0]])
    if fragment in ("returned None", "expected shape (2, 2)", "NaN"):
        want = np.ones((2, 2))
    fb = Feedback("demo")
    assert not fb.compare("dW", got, want)
    assert fragment in str(fb)
    with pytest.raises(AssertionError, match="dW"):
        fb.raise_if_failed()
    assert "✗" in fb._repr_html_()


def test_a_raising_answer_becomes_a_failed_check():
    fb = Feedback("demo")

    def broken(x):
        raise KeyError("W_h")

    assert run_safely(fb, "my_fn", broken, 1) is None
    assert not fb.passed and "KeyError" in str(fb)
