"""lstmlab.optional: a cell that needs torch runs with it, and prints one line without it.

"Without torch" is made the way Python itself blocks a module: ``None`` in ``sys.modules``
makes ``import torch`` raise ``ModuleNotFoundError`` (name ``"torch"``), as on a machine that
never installed it. A subprocess check does the same in a fresh interpreter, where torch was
never imported.
"""

import subprocess
import sys
import textwrap

import pytest

from lstmlab import optional


@pytest.fixture
def no_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)


def test_without_torch_the_body_stops_and_one_notice_is_printed(no_torch, capsys):
    reached = []
    with optional.needs_torch("that torch.nn.LSTM computes our hidden states") as block:
        import torch  # noqa: F401

        reached.append("after the import")
    assert reached == [] and block.ran is False
    out = capsys.readouterr().out
    assert out.startswith("torch is not installed (pip install torch), so this cell is skipped.")
    assert "would have shown that torch.nn.LSTM computes our hidden states." in out.replace("\n", " ")
    assert all(len(line) <= 88 for line in out.splitlines())
    assert not optional.has_torch()
    assert optional.torch_or_none() is None


def test_a_missing_submodule_of_torch_counts_as_torch_missing(capsys):
    with optional.needs("lstmlab_absent_pkg", "a comparison"):
        import lstmlab_absent_pkg.sub  # noqa: F401
    assert "lstmlab_absent_pkg is not installed" in capsys.readouterr().out


def test_with_the_package_the_body_runs_to_its_end(capsys):
    # json stands in for an installed package: the block is transparent.
    with optional.needs("json", "a comparison") as block:
        import json

        value = json.loads("[1, 2]")
    assert value == [1, 2] and block.ran is True
    assert capsys.readouterr().out == ""


def test_other_errors_propagate(no_torch):
    with pytest.raises(ModuleNotFoundError, match="lstmlab_absent_pkg"):
        with optional.needs_torch("a comparison"):
            import lstmlab_absent_pkg  # noqa: F401  (a different missing package is a real error)
    with pytest.raises(ZeroDivisionError):
        with optional.needs_torch("a comparison"):
            raise ZeroDivisionError("a bug in the cell")


def test_has_torch_agrees_with_importing_it():
    try:
        import torch  # noqa: F401

        importable = True
    except ModuleNotFoundError:
        importable = False
    assert optional.has_torch() is importable
    assert (optional.torch_or_none() is not None) is importable


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="what: expected a non-empty description"):
        optional.needs_torch("  ")
    with pytest.raises(ValueError, match="package: expected the name of a top-level module"):
        optional.needs("torch.nn", "x")


def test_a_notebook_cell_in_a_fresh_interpreter_without_torch():
    """The cell as a chapter writes it, in a Python where torch cannot be imported."""
    cell = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None  # as if torch were not installed
        from lstmlab.optional import needs_torch
        with needs_torch("that torch.nn.RNN equals sequence.forward to 1e-12"):
            import torch
            print("not reached")
        print("next cell")
        """
    )
    result = subprocess.run([sys.executable, "-c", cell], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("torch is not installed")
    assert "not reached" not in result.stdout and lines[-1] == "next cell"
