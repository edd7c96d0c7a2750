"""The site's own Sphinx extension (book/_ext/offline_site.py), tested without building the site."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pytest

SPEC = importlib.util.spec_from_file_location(
    "offline_site", Path(__file__).resolve().parents[1] / "book" / "_ext" / "offline_site.py"
)
offline_site = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(offline_site)


@pytest.mark.parametrize(
    "docname, number",
    [
        ("notebooks/07_learning_to_forget", (7,)),
        ("notebooks/10_lstm_vs_rnn", (10,)),
        ("notebooks/A1_matrix_calculus", ()),
        ("book/notation", ()),
    ],
)
def test_chapter_number_comes_from_the_file_name(docname, number):
    assert offline_site.chapter_number(docname) == number


def test_numbers_restart_in_every_page_and_carry_the_chapter():
    # as Sphinx leaves them with an unnumbered toc: one count across the whole site
    env = SimpleNamespace(
        toc_fignumbers={
            "notebooks/06_lstm_cell": {"exercise": {"ex-b": (9,), "ex-a": (8,)}, "figure": {"f": (3,)}},
            "notebooks/07_learning_to_forget": {"exercise": {"ex-c": (10,), "ex-d": (11,)}},
            "book/notation": {"exercise": {"shapes": (1,)}},
        }
    )
    assert offline_site._number_per_chapter(None, env) == []
    assert env.toc_fignumbers["notebooks/06_lstm_cell"] == {
        "exercise": {"ex-a": (6, 1), "ex-b": (6, 2)},
        "figure": {"f": (6, 1)},
    }
    assert env.toc_fignumbers["notebooks/07_learning_to_forget"]["exercise"] == {"ex-c": (7, 1), "ex-d": (7, 2)}
    assert env.toc_fignumbers["book/notation"]["exercise"] == {"shapes": (1,)}


def test_remote_resources_are_found():
    page = '<script src="https://cdn.example/x.js"></script><link href="_static/a.css"><link href="//h/b.css">'
    assert offline_site.find_remote_resources(page) == ["https://cdn.example/x.js", "//h/b.css"]
