"""Set every notebook's kernelspec metadata to what JupyterLab 4 writes for the learner's kernel.

JupyterLab rewrites ``metadata.kernelspec`` when it connects a notebook to a kernel, with the
kernel's name and its spec's display name and language. With ipykernel (the learner's install)
that is ``{"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}``.
A notebook committed with anything else opens as modified: JupyterLab asks to save on close,
and git shows a change. Only that key is touched; the file is written as nbformat writes it
(indent 1, sorted keys, a final newline), so nothing else in it changes.

    python tools/set_kernelspec.py notebooks            # rewrite the notebooks that differ
    python tools/set_kernelspec.py --check notebooks    # exit 1 and list them, changing nothing

With ``--fold-solutions`` it also folds, in JupyterLab, the code cells of gated solutions (between
``{solution-start}`` and ``{solution-end}``): their input and outputs are marked
``jupyter.source_hidden`` and ``jupyter.outputs_hidden``, which JupyterLab shows collapsed (the
first line and an ellipsis that a click opens), and which the website ignores (there
sphinx-exercise folds the whole solution).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

#: What JupyterLab 4 writes for ipykernel's kernel "python3" (tests/test_jupyterlab.py checks it
#: against ipykernel's own spec and against JupyterLab itself).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def dumps(nb: dict) -> str:
    """A notebook as nbformat.write serialises it."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def fold_gated_solutions(nb: dict) -> bool:
    """Mark the input of every code cell inside a gated solution as hidden; True when one changed."""
    changed, inside = False, False
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            if "{solution-start}" in source:
                inside = True
            if "{solution-end}" in source:
                inside = False
        elif cell["cell_type"] == "code" and inside:
            jupyter = cell.setdefault("metadata", {}).setdefault("jupyter", {})
            for key in ("source_hidden", "outputs_hidden"):
                if jupyter.get(key) is not True:
                    jupyter[key] = True
                    changed = True
    return changed


def set_kernelspec(path: Path, write: bool = True, fold_solutions: bool = False) -> bool:
    """Give the notebook at ``path`` the learner's kernelspec (and fold its gated solutions); True if it changed."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = nb.get("metadata", {}).get("kernelspec") != KERNELSPEC
    nb.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
    if fold_solutions:
        changed |= fold_gated_solutions(nb)
    if changed and write:
        path.write_text(dumps(nb), encoding="utf-8")
    return changed


def notebooks(paths: list[str]) -> list[Path]:
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.glob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        elif p.suffix == ".ipynb":
            found.append(p)
        else:
            raise SystemExit(f"{p}: expected a notebook or a folder of notebooks")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["notebooks"], help="notebooks or folders (default: notebooks)")
    parser.add_argument("--check", action="store_true", help="list the notebooks that differ, change nothing")
    parser.add_argument("--fold-solutions", action="store_true", help="also fold the code of gated solutions")
    args = parser.parse_args(argv)
    changed = [p for p in notebooks(args.paths) if set_kernelspec(p, not args.check, args.fold_solutions)]
    for p in changed:
        print(f"{p}: metadata {'differs' if args.check else 'set'} ({KERNELSPEC['display_name']})")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
