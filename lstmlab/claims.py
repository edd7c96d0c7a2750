"""Claims: what a chapter states from an experiment, checked in code, with a machine-independent verdict.

A training run's digits depend on the CPU's floating-point kernels (OpenBLAS picks a different
matrix-product kernel on every CPU, and a thousand steps amplify the last bit). What a chapter
*says* must not. So every statement made from an experiment is a claim with a margin:

>>> from lstmlab.claims import claim, summarise
>>> runs = summarise([300, 450, None, 350, 400], budget=1000)
>>> runs.solved, runs.n
(4, 5)
>>> claim("the LSTM solves the task in at least 4 of 5 seeds", runs.solved >= 4, runs)
Claim holds: the LSTM solves the task in at least 4 of 5 seeds

The printed verdict holds only the statement, so it is the same on every machine and nbval
compares it; the evidence (``runs`` here) is shown only when the claim fails, in the
:class:`ClaimFailed` it raises, which stops the notebook. Put the measured numbers on the page
with myst-nb's ``glue`` (in a cell whose output nbval ignores), never typed by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .checks import check_real, describe


class ClaimFailed(AssertionError):
    """A chapter's claim did not hold on this run. The message gives the statement and the evidence."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`claim`: the statement, whether it held, and the evidence (not printed)."""

    statement: str
    holds: bool
    evidence: str = ""

    def __str__(self) -> str:
        return f"Claim {'holds' if self.holds else 'FAILS'}: {self.statement}"

    def __repr__(self) -> str:  # the notebook shows exactly the one verdict line
        return str(self)


def claim(statement: str, holds, evidence=None) -> None:
    """Check one claim: print ``Claim holds: <statement>``, or raise :class:`ClaimFailed`.

    Parameters
    ----------
    statement : str
        The claim as the chapter states it, with its margin ("in at least 4 of 5 seeds").
        It must not contain a measured number: the verdict line has to be the same on every machine.
    holds : bool
        Whether it holds on this run (a Python or NumPy bool).
    evidence : object, optional
        What was measured (a :class:`SeedSummary`, a number, a dict); put in the error message
        when the claim fails, so that the reader sees by how much.

    Returns None, so that a cell that ends with a claim shows its verdict once;
    :func:`verdict` returns the :class:`Verdict` without printing or raising.
    """
    v = verdict(statement, holds, evidence)
    if not v.holds:
        raise ClaimFailed(f"Claim fails: {v.statement}. Measured: {v.evidence or 'no evidence given'}")
    print(v)


def verdict(statement: str, holds, evidence=None) -> Verdict:
    """The :class:`Verdict` of a claim, without printing it or raising (for a table of claims)."""
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"statement: expected a non-empty str, got {describe(statement)}")
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(f"holds: expected a bool (the claim's condition), got {describe(holds)}")
    return Verdict(statement.strip(), bool(holds), "" if evidence is None else str(evidence))


@dataclass(frozen=True)
class SeedSummary:
    """Per-seed results of one setting (steps to solve, a final loss, ...), summarised.

    ``values`` holds one float per seed, ``inf`` for a run that did not succeed within its budget.
    ``solved`` counts the finite ones; ``median``, ``q1``, ``q3``, ``low`` and ``high`` count the
    unsolved runs as infinitely slow (their true value is above any budget), so a setting that
    rarely works never looks fast.
    """

    values: tuple
    budget: float | None = None

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def solved(self) -> int:
        return int(sum(math.isfinite(v) for v in self.values))

    def _q(self, q: float) -> float:
        return float(np.quantile(np.asarray(self.values, dtype=np.float64), q, method="lower"))

    @property
    def median(self) -> float:
        return float(np.median(np.asarray(self.values, dtype=np.float64)))

    @property
    def q1(self) -> float:
        return self._q(0.25)

    @property
    def q3(self) -> float:
        return self._q(0.75)

    @property
    def low(self) -> float:
        return float(min(self.values))

    @property
    def high(self) -> float:
        return float(max(self.values))

    def __str__(self) -> str:
        def fmt(v):
            return "never" if not math.isfinite(v) else f"{v:.4g}"

        text = f"{self.solved}/{self.n} solved, median {fmt(self.median)} (IQR {fmt(self.q1)}-{fmt(self.q3)})"
        return text + (f" within {self.budget:g}" if self.budget is not None else "")


def summarise(results, budget=None) -> SeedSummary:
    """Summarise per-seed results: each a number, or None / NaN / inf for "did not succeed".

    ``budget`` (optional) is only reported, e.g. the number of training steps each seed had.
    """
    try:
        items = list(results)
    except TypeError:
        raise TypeError(f"results: expected a sequence of numbers or None, got {describe(results)}") from None
    if not items:
        raise ValueError("results: expected at least one result, got an empty sequence")
    values = []
    for k, r in enumerate(items):
        if r is None:
            values.append(math.inf)
            continue
        if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)):
            raise TypeError(f"results[{k}]: expected a number or None, got {describe(r)}")
        values.append(math.inf if math.isnan(float(r)) else float(r))
    if budget is not None:
        budget = check_real("budget", budget, low=0.0, low_open=True)
    return SeedSummary(tuple(values), budget)


#: The MIME prefix under which myst-nb looks for hidden glued values (``glue(..., display=False)``).
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, value, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the page's ``{glue:text}`name``` roles, as myst-nb's ``glue`` does.

    It writes the same cell output as ``myst_nb.glue`` (a display with ``scrapbook`` metadata), so
    the website shows what this run computed, and a notebook does not need myst-nb (the learner's
    install has no site toolchain). ``display=False`` (the default) keeps the value out of sight in
    the notebook. Put glue calls in a cell tagged ``nbval-ignore-output``: their values are digits.
    Outside IPython this does nothing.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name: expected an identifier-like str (letters, digits, _), got {describe(name)}")
    try:
        from IPython.core.formatters import format_display_data
        from IPython.display import display as ipy_display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    if isinstance(value, np.generic):  # NumPy 2 shows np.float64(0.5), which a page cannot format
        value = value.item()
    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata = dict(metadata)
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
