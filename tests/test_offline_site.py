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


# --------------------------------------------------------------------------------------------
# book/_ext/reader_site.py
# --------------------------------------------------------------------------------------------

READER_SPEC = importlib.util.spec_from_file_location(
    "reader_site", Path(__file__).resolve().parents[1] / "book" / "_ext" / "reader_site.py"
)
reader_site = importlib.util.module_from_spec(READER_SPEC)
READER_SPEC.loader.exec_module(reader_site)

IMG = '<img src="data:image/png;base64,AAAA" alt="a plot" width="614" class="lstmlab-figure" />'


@pytest.mark.parametrize(
    "docname, label",
    [
        ("notebooks/06_lstm_cell", "6"),
        ("notebooks/11_gru", "11"),
        ("notebooks/A1_matrix_calculus", "A1"),
        ("book/notation", ""),
    ],
)
def test_figures_take_the_chapter_from_the_file_name(docname, label):
    assert reader_site.chapter_label(docname) == label


def test_figures_are_numbered_in_order_with_and_without_a_caption():
    page = (
        f"<p>x</p>{IMG}<p>y</p>"
        + f'<figure class="lstmlab-figure-box">{IMG}<figcaption>The gates.</figcaption></figure>'
    )
    html, following = reader_site.number_figures(page, "6")
    assert following == 3
    assert html.count('<figure class="lstmlab-figure-box"') == 2
    first, second = html.split("<p>y</p>")
    assert 'id="figure-6-1"' in first and "Figure 6.1.</span></a></figcaption>" in first
    assert 'id="figure-6-2"' in second and "Figure 6.2.</span> The gates." in second
    assert html.count("lstmlab-figure-zoom") == 2 and html.count(IMG) == 2
    # numbering again changes nothing (a page is resolved once per builder)
    assert reader_site.number_figures(html, "6") == (html, 1)


def test_numbering_continues_across_fragments_of_one_page():
    html, following = reader_site.number_figures(IMG, "A1", start=4)
    assert "Figure A1.4." in html and following == 5


def test_single_page_figures_are_numbered_per_included_document():
    from docutils import nodes
    from sphinx import addnodes

    root = nodes.section()
    for doc in ("notebooks/06_lstm_cell", "notebooks/07_learning_to_forget"):
        sub = nodes.section()
        sub += nodes.raw(IMG, IMG, format="html")
        sub += nodes.raw(IMG, IMG, format="html")
        sof = addnodes.start_of_file(docname=doc)
        sof.children = [sub]  # as Sphinx's inline_all_toctrees does: no parent link
        root += sof
    doc = nodes.document(None, None)
    doc += root
    reader_site._number_figures(None, doc, "book/intro")
    text = "".join(n.astext() for n in doc.findall(nodes.raw))
    assert [f"Figure {n}." for n in ("6.1", "6.2", "7.1", "7.2")] == [
        m for m in ("Figure 6.1.", "Figure 6.2.", "Figure 7.1.", "Figure 7.2.") if m in text
    ]


def test_the_bibliography_labels_are_author_year():
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    bib = parse_string(
        """
        @article{a, author = {Hochreiter, Sepp and Schmidhuber, J{\\"u}rgen}, title = {L}, journal = {J}, year = {1997}}
        @article{b, author = {Bengio, Y. and Simard, P. and Frasconi, P.}, title = {L}, journal = {J}, year = {1994}}
        @article{c, author = {Elman, Jeffrey L.}, title = {F}, journal = {J}, year = {1990}}
        @article{d, author = {Gers, F. and Schmidhuber, J. and Cummins, F.}, title = {A}, journal = {J}, year = {2000}}
        @article{e, author = {Gers, F. and Schraudolph, N. and Schmidhuber, J.}, title = {B}, journal = {J},
                    year = {2000}}
        @article{f, author = {van Merri{\\"e}nboer, Bart}, title = {G}, journal = {J}, year = {2015}}
        """,
        "bibtex",
    )
    reader_site._register_authoryear_style()
    style = find_plugin("pybtex.style.formatting", "authoryear")()
    labels = {entry.key: entry.label for entry in style.format_entries(bib.entries.values())}
    assert labels["a"] == "Hochreiter and Schmidhuber, 1997"
    assert labels["b"] == "Bengio et al., 1994"
    assert labels["c"] == "Elman, 1990"
    assert {labels["d"], labels["e"]} == {"Gers et al., 2000a", "Gers et al., 2000b"}
    assert labels["f"] == "van Merriënboer, 2015"


def test_pruning_drops_source_maps_the_icon_script_and_unused_files(tmp_path):
    static = tmp_path / "_static"
    (static / "scripts").mkdir(parents=True)
    (static / "locales" / "de").mkdir(parents=True)
    (static / "locales" / "de" / "sphinx.mo").write_bytes(b"x" * 10)
    (static / "scripts" / "theme.js").write_text("code();\n//# sourceMappingURL=theme.js.map\n")
    (static / "scripts" / "theme.js.map").write_text("{}" * 50)
    (static / "scripts" / "fontawesome.js").write_text("icons" * 20)
    fonts = static / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    (fonts / "fa-solid-900.woff2").write_bytes(b"w")
    (fonts / "fa-solid-900.ttf").write_bytes(b"t" * 30)
    page = tmp_path / "index.html"
    page.write_text(
        '<script defer src="_static/scripts/fontawesome.js?digest=1"></script><p>text</p>'
        '<button class="btn search-button-field search-button__button pst-js-only" title="Search" '
        'aria-label="Search">Search <kbd>Ctrl</kbd>+<kbd>K</kbd></button>'
    )
    freed = reader_site.prune_site(tmp_path)
    assert freed == 10 + 100 + 100 + 30
    assert sorted(p.name for p in static.rglob("*") if p.is_file()) == ["fa-solid-900.woff2", "theme.js"]
    assert "sourceMappingURL" not in (static / "scripts" / "theme.js").read_text()
    html = page.read_text()
    assert "fontawesome" not in html and "<p>text</p>" in html
    assert 'aria-label="Search"' not in html and 'title="Search"' in html


def test_the_thebe_configuration_is_dropped():
    body = (
        '<p>a</p>\n    <script type="text/x-thebe-config">\n    {\n binderOptions: {repo: "x/y"}\n }\n    </script>\n'
        "    <script>kernelName = 'python3'</script>\n<p>b</p>"
    )
    tidy = offline_site.drop_thebe_config(body)
    assert "thebe" not in tidy and "kernelName" not in tidy
    assert tidy.split() == ["<p>a</p>", "<p>b</p>"]
