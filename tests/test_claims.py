"""lstmlab.claims: verdict lines that are the same on every machine, and failures that explain."""

import math

import numpy as np
import pytest

from lstmlab.claims import GLUE_PREFIX, ClaimFailed, claim, glue, summarise, verdict


def test_claim_prints_only_the_statement(capsys):
    claim("the loss falls below the baseline", True, evidence=0.123456)
    assert capsys.readouterr().out == "Claim holds: the loss falls below the baseline\n"


def test_claim_that_fails_raises_with_the_evidence():
    with pytest.raises(ClaimFailed, match=r"at least 4 of 5.*Measured: 3/5 solved"):
        claim("solved in at least 4 of 5 seeds", False, evidence="3/5 solved")


@pytest.mark.parametrize("holds", [1, "yes", None, np.array([True, False])])
def test_claim_needs_a_bool(holds):
    with pytest.raises(TypeError, match="holds"):
        claim("x", holds)


def test_claim_needs_a_statement():
    with pytest.raises(TypeError, match="statement"):
        claim("  ", True)


def test_verdict_does_not_print_or_raise(capsys):
    v = verdict("never", np.bool_(False), evidence=3)
    assert not v.holds and v.evidence == "3" and str(v) == "Claim FAILS: never"
    assert capsys.readouterr().out == ""


def test_summary_counts_unsolved_as_infinitely_slow():
    s = summarise([100, None, 300, float("nan"), 200])
    assert (s.n, s.solved) == (5, 3)
    assert s.median == 300.0  # sorted: 100, 200, 300, inf, inf
    assert s.low == 100.0 and math.isinf(s.high)
    assert s.q1 == 200.0 and math.isinf(s.q3)
    assert str(s) == "3/5 solved, median 300 (IQR 200-never)"


def test_summary_of_all_unsolved():
    s = summarise([None, None], budget=500)
    assert s.solved == 0 and math.isinf(s.median)
    assert str(s) == "0/2 solved, median never (IQR never-never) within 500"


@pytest.mark.parametrize("bad, err", [([], ValueError), (5, TypeError), (["a"], TypeError), ([True], TypeError)])
def test_summary_rejects_bad_results(bad, err):
    with pytest.raises(err, match="results"):
        summarise(bad)


def test_glue_writes_what_myst_nb_reads(monkeypatch):
    myst_glue = pytest.importorskip("myst_nb.ext.glue")
    assert myst_glue.GLUE_PREFIX == GLUE_PREFIX
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, metadata=None, **kw: shown.append((data, metadata)))
    try:
        glue("bpc", np.float64(1.2345))  # a NumPy scalar is glued as a Python number
    finally:
        InteractiveShell.clear_instance()  # leave no shell behind for other tests
    ((data, meta),) = shown
    assert data == {GLUE_PREFIX + "text/plain": "1.2345"}
    assert meta["scrapbook"] == {"name": "bpc", "mime_prefix": GLUE_PREFIX}


def test_glue_needs_a_name():
    with pytest.raises(ValueError, match="name"):
        glue("not a name", 1)
