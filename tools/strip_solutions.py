"""Make a student copy of the course notebooks, with the solutions taken out.

    python tools/strip_solutions.py notebooks student
    python tools/strip_solutions.py notebooks/01_recurrent_networks.ipynb student

Every notebook found under the inputs (folders are searched recursively) is written to the output
folder, keeping its path relative to the input folder, with

* each sphinx-exercise ``{solution}`` directive removed from its markdown cell (fenced with
  backticks or colons; the rest of the cell is kept),
* everything from a ``{solution-start}`` directive to the next ``{solution-end}`` removed, the
  markers included, whether it spans one cell or several,
* every cell tagged ``solution`` removed, and
* all outputs and execution counts cleared, since an output can give a solution away
  (``--keep-outputs`` keeps them).

A markdown cell left empty is dropped. The exercises stay. The script prints what it removed,
and refuses to write into (or under) a folder it reads from.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

SOLUTION_TAG = "solution"

# The opening line of a MyST directive fence: indentation, the fence (``` or :::, or longer), the name.
_OPENING = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}")


@dataclass
class Removed:
    """What was taken out of one notebook."""

    solutions: int = 0  # {solution} directives
    gated: int = 0  # {solution-start} ... {solution-end} blocks
    tagged_cells: int = 0  # cells tagged "solution"
    cells: int = 0  # cells dropped in all (tagged, inside a gated block, or left empty)

    def __str__(self) -> str:
        return (
            f"{self.solutions} solution block(s), {self.gated} gated solution(s), "
            f"{self.tagged_cells} tagged cell(s); {self.cells} cell(s) dropped"
        )


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a directive opened with ``fence`` (same character, at least as long)."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def _skip_directive(lines: list[str], start: int, fence: str) -> int:
    """Index of the line after the directive that opens at ``lines[start]``."""
    for k in range(start + 1, len(lines)):
        if _closes(lines[k], fence):
            return k + 1
    return len(lines)  # an unclosed fence runs to the end of the cell, as in MyST


class _Stripper:
    """Walks the cells of one notebook in order, carrying the state of a gated solution."""

    def __init__(self) -> None:
        self.in_gated = False
        self.removed = Removed()

    def markdown(self, source: str) -> str:
        lines = source.split("\n")
        kept: list[str] = []
        i = 0
        while i < len(lines):
            match = _OPENING.match(lines[i])
            name = match.group("name") if match else None
            if self.in_gated:
                if name == "solution-end":
                    self.in_gated = False
                    i = _skip_directive(lines, i, match.group("fence"))
                else:
                    i += 1
                continue
            if name == "solution":
                self.removed.solutions += 1
                i = _skip_directive(lines, i, match.group("fence"))
            elif name == "solution-start":
                self.removed.gated += 1
                self.in_gated = True
                i = _skip_directive(lines, i, match.group("fence"))
            else:
                kept.append(lines[i])
                i += 1
        text = "\n".join(kept)
        return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def strip_notebook(nb: nbformat.NotebookNode, keep_outputs: bool = False) -> Removed:
    """Remove the solutions from ``nb`` in place; return what was removed."""
    stripper = _Stripper()
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            stripper.removed.tagged_cells += 1
            stripper.removed.cells += 1
            continue
        if cell.cell_type == "markdown":
            cell.source = stripper.markdown(cell.source)
            if not cell.source.strip():
                stripper.removed.cells += 1
                continue
        elif stripper.in_gated:
            stripper.removed.cells += 1
            continue
        if cell.cell_type == "code" and not keep_outputs:
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    if stripper.in_gated:
        raise ValueError("a {solution-start} has no matching {solution-end}")
    nb.cells = cells
    return stripper.removed


def _notebooks(source: Path) -> list[tuple[Path, Path]]:
    """(notebook, path relative to the source) for a file or for every notebook under a folder."""
    if source.is_file():
        return [(source, Path(source.name))]
    found = sorted(p for p in source.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return [(p, p.relative_to(source)) for p in found]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy notebooks into a student folder without their solutions.")
    parser.add_argument("inputs", nargs="+", type=Path, help="notebooks, or folders to search for notebooks")
    parser.add_argument("output", type=Path, help="the folder to write the student copies into")
    parser.add_argument("--keep-outputs", action="store_true", help="keep the cells' outputs (cleared by default)")
    args = parser.parse_args(argv)

    output = args.output.resolve()
    for source in args.inputs:
        if not source.exists():
            parser.error(f"inputs: {source} does not exist")
        folder = source.resolve() if source.is_dir() else source.resolve().parent
        if output == folder or folder in output.parents:
            parser.error(f"output: {args.output} is inside {source}, which it reads from; choose another folder")

    count = 0
    for source in args.inputs:
        for path, relative in _notebooks(source):
            nb = nbformat.read(path, as_version=4)
            try:
                removed = strip_notebook(nb, keep_outputs=args.keep_outputs)
            except ValueError as err:
                print(f"{path}: {err}", file=sys.stderr)
                return 1
            target = output / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, target)
            print(f"{path} -> {target}: removed {removed}")
            count += 1
    if count == 0:
        print("No notebooks found.", file=sys.stderr)
        return 1
    print(f"Wrote {count} student notebook(s) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
