"""Optional packages in a notebook: a cell that needs torch says so, and skips, when torch is absent.

The learner's install (``requirements.txt``) has no PyTorch: it is large, and the chapters use it
only to show that our cells compute what ``torch.nn`` computes. The site build and the tests have
it, so the committed outputs keep the comparison. A cell that uses torch wraps its body::

    from lstmlab.optional import needs_torch

    with needs_torch("that torch.nn.LSTM computes the same hidden states as our forward"):
        import torch
        ...

With torch installed the body runs as if the ``with`` line were not there. Without it, the
``import torch`` line raises ``ModuleNotFoundError``, the rest of the body is skipped, and the cell
prints one line instead of a traceback::

    torch is not installed (pip install torch), so this cell is skipped. It would have shown
    that torch.nn.LSTM computes the same hidden states as our forward.

Any other error, including a missing module other than torch, propagates as usual.
A later cell that reads what a skipped cell computed starts with ``if has_torch():``, or uses
``needs_torch`` again with its own ``import torch``.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap

#: The notice that a cell prints in place of what it would have shown (wrapped at 88 columns).
NOTICE = "{package} is not installed (pip install {package}), so this cell is skipped. It would have shown {what}."


def has_torch() -> bool:
    """True when torch can be imported (without importing it)."""
    loaded = sys.modules.get("torch", False)
    if loaded is not False:
        return loaded is not None  # None in sys.modules: imports of torch are blocked
    return importlib.util.find_spec("torch") is not None


def torch_or_none():
    """The ``torch`` module, or ``None`` when it is not installed."""
    try:
        import torch
    except ModuleNotFoundError as err:
        if _is_missing(err, "torch"):
            return None
        raise
    return torch


def _is_missing(err: BaseException, package: str) -> bool:
    name = getattr(err, "name", None) or ""
    return isinstance(err, ModuleNotFoundError) and (name == package or name.startswith(package + "."))


class needs:
    """A context for a cell's body that needs ``package``: without it, one line replaces the traceback.

    ``what`` completes the sentence "this cell would have shown ..." (no final full stop).
    After the block, ``.ran`` is True when the body ran to its end and False when it was skipped.
    """

    def __init__(self, package: str, what: str):
        if not isinstance(package, str) or not package.isidentifier():
            raise ValueError(f"package: expected the name of a top-level module such as 'torch', got {package!r}")
        if not isinstance(what, str) or not what.strip():
            raise ValueError(f"what: expected a non-empty description of what the cell shows, got {what!r}")
        self.package = package
        self.what = what.strip().rstrip(".")
        self.ran = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            self.ran = True
            return False
        if _is_missing(exc, self.package):
            print(textwrap.fill(NOTICE.format(package=self.package, what=self.what), width=88))
            return True  # the exception is handled: the cell ends quietly
        return False


def needs_torch(what: str) -> needs:
    """``needs("torch", what)``: the context for a notebook cell that compares with torch."""
    return needs("torch", what)


__all__ = ["NOTICE", "has_torch", "needs", "needs_torch", "torch_or_none"]
