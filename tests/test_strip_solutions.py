"""tools/strip_solutions.py: the student copy keeps the exercises and loses every solution."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_tool():
    spec = importlib.util.spec_from_file_location("strip_solutions", ROOT / "tools" / "strip_solutions.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


strip_solutions = _load_tool()

EXERCISE = "```{exercise} Shapes\n:label: ex-shapes\n\nWhat is the shape of `W_x`?\n```"
SOLUTION = "```{solution} ex-shapes\n:class: dropdown\n\nIt is (D, 4H): SECRET-ONE.\n```"
COLON_SOLUTION = ":::{solution} ex-two\nThe answer is SECRET-TWO.\n:::"
# A solution fenced with four backticks that contains a code block of its own.
NESTED_SOLUTION = "````{solution} ex-three\n```python\nprint('SECRET-THREE')\n```\nDone.\n````"


def _notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(source: str, tags=(), output: str | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {})
    if output is not None:
        cell.execution_count = 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    return cell


def _md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def _text(nb) -> str:
    return json.dumps(nb)


def test_solution_directives_go_and_the_rest_of_the_cell_stays():
    nb = _notebook(_md(f"Intro text.\n\n{EXERCISE}\n\n{SOLUTION}\n\nAfter the solution."))
    removed = strip_solutions.strip_notebook(nb)
    assert nb.cells[0].source == f"Intro text.\n\n{EXERCISE}\n\nAfter the solution."
    assert removed.solutions == 1 and removed.cells == 0


def test_colon_fences_and_nested_fences():
    nb = _notebook(_md(COLON_SOLUTION), _md(f"{NESTED_SOLUTION}\n\nKept."), _md(EXERCISE))
    removed = strip_solutions.strip_notebook(nb)
    assert [c.source for c in nb.cells] == ["Kept.", EXERCISE]
    assert "SECRET" not in _text(nb)
    assert removed.solutions == 2 and removed.cells == 1  # the colon-fenced cell held only its solution


def test_cells_tagged_solution_are_dropped():
    nb = _notebook(_code("x = 1"), _code("answer = 42  # SECRET", tags=["solution", "hide-input"]), _code("y = 2"))
    removed = strip_solutions.strip_notebook(nb)
    assert [c.source for c in nb.cells] == ["x = 1", "y = 2"]
    assert removed.tagged_cells == 1 and removed.cells == 1


def test_gated_solution_across_cells():
    nb = _notebook(
        _md(EXERCISE),
        _md("Before.\n\n```{solution-start} ex-shapes\n:class: dropdown\n```\n\nSECRET prose."),
        _code("print('SECRET code')", output="SECRET output\n"),
        _md("More SECRET.\n\n```{solution-end}\n```\n\nAfter the solution."),
        _code("z = 3"),
    )
    removed = strip_solutions.strip_notebook(nb)
    assert [c.source for c in nb.cells] == [EXERCISE, "Before.", "After the solution.", "z = 3"]
    assert "SECRET" not in _text(nb)
    assert removed.gated == 1 and removed.cells == 1


def test_gated_solution_in_one_cell():
    nb = _notebook(_md("A\n\n:::{solution-start} ex\n:::\nSECRET\n:::{solution-end}\n:::\nB"))
    strip_solutions.strip_notebook(nb)
    assert nb.cells[0].source == "A\n\nB"


def test_unclosed_gated_solution_is_an_error():
    nb = _notebook(_md("```{solution-start} ex\n```\nno end"))
    with pytest.raises(ValueError, match="solution-end"):
        strip_solutions.strip_notebook(nb)


def test_outputs_cleared_unless_kept():
    nb = _notebook(_code("print(1)", output="1\n"))
    strip_solutions.strip_notebook(nb)
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None

    nb = _notebook(_code("print(1)", output="1\n"))
    strip_solutions.strip_notebook(nb, keep_outputs=True)
    assert nb.cells[0].outputs[0]["text"] == "1\n"


def test_command_line_writes_a_student_folder(tmp_path, capsys):
    source = tmp_path / "notebooks"
    (source / "part").mkdir(parents=True)
    nbformat.write(_notebook(_md(f"{EXERCISE}\n\n{SOLUTION}"), _code("1 + 1", output="2\n")), source / "01_a.ipynb")
    nbformat.write(_notebook(_code("secret()", tags=["solution"]), _md("Text.")), source / "part" / "02_b.ipynb")
    checkpoint = source / ".ipynb_checkpoints"
    checkpoint.mkdir()
    nbformat.write(_notebook(_md("old")), checkpoint / "01_a-checkpoint.ipynb")

    assert strip_solutions.main([str(source), str(tmp_path / "student")]) == 0
    written = sorted(p.relative_to(tmp_path / "student").as_posix() for p in (tmp_path / "student").rglob("*.ipynb"))
    assert written == ["01_a.ipynb", "part/02_b.ipynb"]
    first = nbformat.read(tmp_path / "student" / "01_a.ipynb", as_version=4)
    nbformat.validate(first)
    assert first.cells[0].source == EXERCISE and first.cells[1].outputs == []
    second = nbformat.read(tmp_path / "student" / "part" / "02_b.ipynb", as_version=4)
    assert [c.source for c in second.cells] == ["Text."]
    # The originals are untouched.
    assert "SECRET-ONE" in (source / "01_a.ipynb").read_text()
    assert "1 solution block(s)" in capsys.readouterr().out


def test_command_line_refuses_to_write_into_its_input(tmp_path):
    nbformat.write(_notebook(_md("x")), tmp_path / "a.ipynb")
    with pytest.raises(SystemExit):
        strip_solutions.main([str(tmp_path), str(tmp_path)])
    with pytest.raises(SystemExit):
        strip_solutions.main([str(tmp_path), str(tmp_path / "student")])
