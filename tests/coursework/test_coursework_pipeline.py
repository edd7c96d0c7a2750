"""The coursework (``coursework/``, nbgrader) end to end, on a temporary copy of the course directory.

One module-scoped fixture runs the instructor's pipeline once, with the commands of
``book/instructor_guide.md``: ``generate_assignment`` for every assignment, ``autograde`` of the
fixture submissions (the reference, a blank copy, and the short faulty ones under
``submissions/``), hand grading through the gradebook API, ``generate_feedback`` and
``export``. The tests then check the release (no solution, no hidden test, no output), the exact
scores, the feedback (what failed; maths typeset by the local MathJax in headless Chromium), the
CSV, the exchange (release, fetch, submit, collect for two students), and that a submission that
reads or writes the gradebook gains nothing when the kernel runs as an unprivileged user.

Everything runs in one pytest worker (``--dist loadfile``); nothing is written in the repository.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="needs nbgrader (requirements-coursework.txt, Python >= 3.11)")

pytestmark = pytest.mark.coursework

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "coursework"
SUBMISSIONS = Path(__file__).with_name("submissions")
GUIDE = ROOT / "book" / "instructor_guide.md"
ASSIGNMENTS = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
GENERATED = ("release", "submitted", "autograded", "feedback", "gradebook.db", "grades.csv", "__pycache__")

# The browser fixture of the website test (Debian's Chromium through Selenium), reused here.
_spec = importlib.util.spec_from_file_location("_lstm_site_test", ROOT / "tests" / "test_site.py")
_site_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_site_test)
browser = _site_test.browser


# --------------------------------------------------------------------------------------------
# Submissions: the reference, blank, and the fixtures under submissions/
# --------------------------------------------------------------------------------------------


def _solution_code(cell) -> str:
    """A solution cell's source with nbgrader's markers taken out (the reference answer)."""
    lines = [ln for ln in cell.source.splitlines() if ln.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    return "\n".join(lines)


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _points(nb) -> dict:
    """grade_id -> points, for the autograded cells and the hand-graded ones."""
    auto, manual = {}, {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            (manual if meta.get("solution") else auto)[meta["grade_id"]] = meta["points"]
    return auto, manual


def _parse_fixture(path: Path) -> dict:
    """The header (assignment, expect, message, delete) and the cells (grade_id -> code) of a fixture."""
    text = path.read_text(encoding="utf-8")
    head, *cells = re.split(r"^# %% (\S+)\n", text, flags=re.M)
    fixture = {"name": path.stem, "cells": dict(zip(cells[::2], cells[1::2])), "delete": [], "message": None}
    for key, value in re.findall(r"^# (assignment|expect|message|delete): (.*)$", head, flags=re.M):
        if key == "expect":
            fixture["expect"] = {k: float(v) for k, v in (item.split("=") for item in value.split())}
        elif key == "delete":
            fixture["delete"].append(value.strip())
        else:
            fixture[key] = value.strip()
    fixture["student"] = path.stem.removeprefix(fixture["assignment"].split("_")[0] + "_")
    return fixture


FIXTURES = [_parse_fixture(p) for p in sorted(SUBMISSIONS.glob("*.py"))]


def _submission(source_nb, release_nb, cells: dict, delete=(), blank=False):
    """The release notebook with the student's cells: the reference's unless ``cells`` gives them."""
    reference = {_grade_id(c): c for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    kept = []
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid in delete:
            continue
        if gid in cells:
            cell.source = cells[gid].strip("\n")  # the student's (a test cell too, when they edit it)
        elif not blank and gid in reference:
            if cell.cell_type == "code":
                cell.source = _solution_code(reference[gid])
            else:
                cell.source = reference[gid].source.split("=== BEGIN MARK SCHEME ===")[0].strip()
        kept.append(cell)
    nb.cells = kept
    return nb


# --------------------------------------------------------------------------------------------
# The pipeline, run once
# --------------------------------------------------------------------------------------------


class Course:
    """A temporary copy of the course directory, and every command run in it."""

    def __init__(self, base: Path):
        self.repo = base / "repo"
        self.root = self.repo / "coursework"
        shutil.copytree(COURSE, self.root, ignore=shutil.ignore_patterns(*GENERATED))
        (self.repo / "book" / "_static").mkdir(parents=True)
        (self.repo / "book" / "_static" / "mathjax").symlink_to(ROOT / "book" / "_static" / "mathjax")
        self.exchange = base / "exchange"
        self.exchange.mkdir()
        self.exchange.chmod(0o777)
        self.commands: list[str] = []
        bindir = str(Path(sys.executable).parent)
        self.env = dict(
            os.environ,
            PATH=bindir + os.pathsep + os.environ.get("PATH", ""),  # nbgrader runs `alembic`
            PYTHONPATH=str(ROOT),
            NBGRADER_EXCHANGE=str(self.exchange),
            LSTMLAB_PROGRESS="0",
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )

    def nbgrader(self, *args, cwd=None, env=None, check=True) -> subprocess.CompletedProcess:
        self.commands.append(" ".join(["nbgrader", *args]))
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=cwd or self.root,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and result.returncode != 0:
            pytest.fail(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-6000:]}")
        return result

    def source(self, assignment):
        return nbformat.read(self.root / "source" / assignment / f"{assignment}.ipynb", as_version=4)

    def release(self, assignment):
        return nbformat.read(self.root / "release" / assignment / f"{assignment}.ipynb", as_version=4)

    def submit_locally(self, student, assignment, nb):
        folder = self.root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")
        # What `collect` leaves beside a submission, and `release_feedback` needs.
        (folder / "timestamp.txt").write_text("2026-12-01 12:00:00.000000 UTC")
        (folder / "submission_secret.txt").write_text(f"secret-{student}-{assignment}")

    def scores(self) -> dict:
        from nbgrader.api import Gradebook

        out = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for assignment in gb.assignments:
                for sub in assignment.submissions:
                    out[(assignment.name, sub.student.id)] = {
                        g.name: g.score for nb in sub.notebooks for g in nb.grades
                    }
        return out


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("coursework"))
    for assignment in ASSIGNMENTS:
        course.nbgrader("generate_assignment", assignment)
    for assignment in ASSIGNMENTS:
        src, rel = course.source(assignment), course.release(assignment)
        course.submit_locally("reference", assignment, _submission(src, rel, {}))
        course.submit_locally("blank", assignment, _submission(src, rel, {}, blank=True))
    for fx in FIXTURES:
        src, rel = course.source(fx["assignment"]), course.release(fx["assignment"])
        course.submit_locally(fx["student"], fx["assignment"], _submission(src, rel, fx["cells"], fx["delete"]))
    for assignment in ASSIGNMENTS:
        course.nbgrader("autograde", assignment)
    course.autograded = course.scores()
    _grade_by_hand(course)
    for assignment in ASSIGNMENTS:
        course.nbgrader("generate_feedback", assignment)
    course.nbgrader("export", "--to", "grades.csv")
    return course


def _grade_by_hand(course: Course) -> None:
    """What an instructor does in the formgrader: full marks for the reference's written answers."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gb:
        for assignment in ASSIGNMENTS:
            sub = gb.find_submission_notebook(assignment, assignment, "reference")
            for grade in sub.grades:
                if grade.auto_score is None:
                    grade.manual_score = grade.max_score
                    grade.needs_manual_grade = False
            gb.db.commit()


# --------------------------------------------------------------------------------------------
# The expected scores
# --------------------------------------------------------------------------------------------


def _expected() -> dict:
    """(assignment, student) -> {grade_id: autograded score} for every submission."""
    out = {}
    for assignment in ASSIGNMENTS:
        auto, manual = _points(nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4))
        out[(assignment, "reference")] = {**auto, **dict.fromkeys(manual, 0.0)}
        out[(assignment, "blank")] = dict.fromkeys({**auto, **manual}, 0.0)
    for fx in FIXTURES:
        auto, manual = _points(
            nbformat.read(COURSE / "source" / fx["assignment"] / f"{fx['assignment']}.ipynb", as_version=4)
        )
        out[(fx["assignment"], fx["student"])] = {**dict.fromkeys({**auto, **manual}, 0.0), **fx["expect"]}
    return out


EXPECTED = _expected()


def test_every_assignment_has_visible_and_hidden_tests_and_hand_graded_parts():
    assert len(ASSIGNMENTS) >= 5
    for assignment in ASSIGNMENTS:
        nb = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        auto, manual = _points(nb)
        tests = [c.source for c in nb.cells if _grade_id(c) in auto]
        assert auto and manual, f"{assignment}: needs autograded and hand-graded parts"
        assert any("### BEGIN HIDDEN TESTS" in t for t in tests), f"{assignment}: no hidden tests"
        visible = [t.split("### BEGIN HIDDEN TESTS")[0].strip() for t in tests]
        assert all(visible), f"{assignment}: a test cell is all hidden"
        assert all("=== BEGIN MARK SCHEME ===" in c.source for c in nb.cells if _grade_id(c) in manual), (
            f"{assignment}: a hand-graded answer without its rubric"
        )


def test_the_release_gives_nothing_away(course):
    """No solution code, no hidden-test text, no rubric, no outputs in any released notebook."""
    report = {}
    for assignment in ASSIGNMENTS:
        src, rel = course.source(assignment), course.release(assignment)
        released = "\n".join(c.source for c in rel.cells)
        secret = []
        for cell in src.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
                secret += body.splitlines()
            elif meta.get("solution"):
                secret += cell.source.splitlines()  # a model answer and its mark scheme
            if "### BEGIN HIDDEN TESTS" in cell.source:
                for block in cell.source.split("### BEGIN HIDDEN TESTS")[1:]:
                    secret += block.split("### END HIDDEN TESTS")[0].splitlines()
        public = set()
        for cell in src.cells:  # lines also found outside the secret regions are not secrets
            text = cell.source
            for begin, end in (
                ("### BEGIN SOLUTION", "### END SOLUTION"),
                ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
            ):
                while begin in text and end in text:
                    text = text[: text.index(begin)] + text[text.index(end) + len(end) :]
            if not cell.metadata.get("nbgrader", {}).get("solution") or cell.cell_type == "code":
                public.update(ln.strip() for ln in text.splitlines())
        secret = {ln.strip() for ln in secret if len(ln.strip()) > 12} - public
        leaked = sorted(ln for ln in secret if ln in released)
        assert not leaked, f"{assignment}: the release carries {leaked[:5]}"
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "MARK SCHEME"):
            assert marker not in released, f"{assignment}: the release still has a {marker!r} marker"
        outputs = [c for c in rel.cells if c.cell_type == "code" and (c.outputs or c.execution_count)]
        assert not outputs, f"{assignment}: {len(outputs)} released cell(s) carry outputs"
        files = sorted(p.name for p in (course.root / "release" / assignment).rglob("*") if p.is_file())
        assert files == [f"{assignment}.ipynb"], f"{assignment}: the release has other files: {files}"
        report[assignment] = len(secret)
    print("release scan, secret lines checked per assignment:", report)


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}")
def test_autograded_scores_are_exact(course, key):
    got = course.autograded.get(key)
    assert got is not None, f"{key}: no submission in the gradebook"
    assert got == pytest.approx(EXPECTED[key]), f"{key}: expected {EXPECTED[key]}, got {got}"


def test_hand_grading_completes_the_reference(course):
    final = course.scores()
    for assignment in ASSIGNMENTS:
        auto, manual = _points(course.source(assignment))
        assert sum(final[(assignment, "reference")].values()) == sum(auto.values()) + sum(manual.values())


@pytest.mark.parametrize("fx", [f for f in FIXTURES if f["message"]], ids=lambda f: f["name"])
def test_feedback_says_what_failed(course, fx):
    page = course.root / "feedback" / fx["student"] / fx["assignment"] / f"{fx['assignment']}.html"
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert fx["message"] in text, f"{page.name} for {fx['student']} does not say {fx['message']!r}"


def test_a_flood_of_output_is_cut(course):
    graded = course.root / "autograded" / "prints" / "a1_rnn_bptt" / "a1_rnn_bptt.ipynb"
    size = graded.stat().st_size
    assert size < 200_000, f"the graded notebook of the printing submission is {size} bytes"


def test_export_has_one_row_per_submission(course):
    with open(course.root / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    got = {(r["assignment"], r["student_id"]): float(r["raw_score"]) for r in rows}
    final = course.scores()
    students = {student for _, student in EXPECTED}
    # One row per student and assignment; a student who did not submit it scores 0.
    want = {(a, s): sum(final.get((a, s), {}).values()) for a in ASSIGNMENTS for s in students}
    assert got == pytest.approx(want)
    assert len(rows) == len(ASSIGNMENTS) * len(students)
    max_score = {r["assignment"]: float(r["max_score"]) for r in rows}
    assert max_score == {a: float(sum(sum(p.values()) for p in _points(course.source(a)))) for a in ASSIGNMENTS}


# --------------------------------------------------------------------------------------------
# The feedback page in a browser: maths typeset with no network, no JavaScript errors
# --------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


def test_feedback_page_typesets_maths_offline(course, browser):
    handler = functools.partial(_QuietHandler, directory=str(course.repo))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        for assignment in ("a1_rnn_bptt", "a3_lstm"):
            page = course.root / "feedback" / "reference" / assignment / f"{assignment}.html"
            text = page.read_text(encoding="utf-8")
            remote = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"((?:https?:)?//[^\"]+)\"", text)
            assert not remote, f"{page.name} loads from other hosts: {remote}"
            browser.get_log("browser")
            url = f"http://127.0.0.1:{httpd.server_address[1]}/{page.relative_to(course.repo).as_posix()}"
            browser.get(url)
            assert browser.execute_async_script(_site_test.WAIT_FOR_MATHJAX) == "ok"
            assert browser.execute_script("return document.querySelectorAll('mjx-container').length") > 0
            assert browser.execute_script("return document.querySelectorAll('mjx-merror').length") == 0
            errors = [e for e in _site_test._errors_in_console(browser) if "favicon.ico" not in e]
            assert not errors, f"{page.name}: JavaScript errors or failed loads: {errors}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------------------------
# The exchange: release, fetch, submit, collect, with two students on one machine
# --------------------------------------------------------------------------------------------


def test_exchange_round_trip(course):
    assignment = "a1_rnn_bptt"
    course.nbgrader("release_assignment", assignment)
    for student in ("alice", "bob"):
        home = course.repo.parent / "home" / student
        home.mkdir(parents=True)
        # What /etc/jupyter/nbgrader_config.py says on a shared machine or a hub; the student id,
        # which nbgrader takes from the account's name, is set here since both run as one account.
        config = ["c = get_config()", f"c.Exchange.root = {str(course.exchange)!r}"]
        config.append(f"c.CourseDirectory.student_id = {student!r}")
        (home / "nbgrader_config.py").write_text("\n".join(config) + "\n")
        env = dict(course.env, HOME=str(home), USER=student, LOGNAME=student)
        course.nbgrader("fetch_assignment", assignment, "--course", "lstm-course", cwd=home, env=env)
        fetched = home / assignment / f"{assignment}.ipynb"
        assert fetched.exists()
        nb = nbformat.read(fetched, as_version=4)
        nb.cells[-1].source = f"My answer, {student}."
        nbformat.write(nb, fetched)
        course.nbgrader("submit", assignment, "--course", "lstm-course", cwd=home, env=env)
    course.nbgrader("collect", assignment)
    for student in ("alice", "bob"):
        got = course.root / "submitted" / student / assignment / f"{assignment}.ipynb"
        assert got.exists(), f"collect did not bring {student}'s submission"
        assert f"My answer, {student}." in got.read_text(encoding="utf-8")
        assert (got.parent / "timestamp.txt").exists()
    # Their feedback goes back the same way.
    course.nbgrader("autograde", assignment, "--student", "alice")
    course.nbgrader("generate_feedback", assignment)
    course.nbgrader("release_feedback", assignment)
    home = course.repo.parent / "home" / "alice"
    env = dict(course.env, HOME=str(home), USER="alice", LOGNAME="alice")
    course.nbgrader("fetch_feedback", assignment, "--course", "lstm-course", cwd=home, env=env)
    pages = list((home / assignment / "feedback").glob(f"*/{assignment}.html"))
    assert len(pages) == 1, f"alice's feedback: {pages}"


# --------------------------------------------------------------------------------------------
# Grading as an unprivileged user: a submission that goes for the gradebook gains nothing
# --------------------------------------------------------------------------------------------

CHEAT = r"""
import glob, os, sqlite3
found = []
for path in ["../../../gradebook.db"] + glob.glob("../../../**/*.db", recursive=True):
    try:
        db = sqlite3.connect(path)
        found += [row[0] for row in db.execute("select source from source_cell")]
        db.execute("update grade set manual_score = 100")
        db.commit()
    except Exception as e:
        print("could not use", path, type(e).__name__)
for path in ["../../../source/a1_rnn_bptt/a1_rnn_bptt.ipynb"] + glob.glob("../../../source/*/*.ipynb"):
    try:
        found.append(open(path).read())
        open(path, "a").write(" ")
    except Exception as e:
        print("could not use", path, type(e).__name__)
print("stolen:", len(found))
"""


def _unprivileged_kernel(course: Course) -> dict:
    """The env of the guide's grading as nobody: JUPYTER_PATH at coursework/unprivileged."""
    return dict(course.env, JUPYTER_PATH=str(course.root / "unprivileged"))


def _launcher():
    path = COURSE / "unprivileged" / "kernels" / "python3" / "launch.py"
    spec = importlib.util.spec_from_file_location("unprivileged_launch", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_unprivileged_launcher_names_the_folder_that_stops_its_user():
    import tempfile

    launcher = _launcher()
    me, other = os.geteuid(), 65534 if os.geteuid() != 65534 else 65533
    base = Path(tempfile.mkdtemp())
    try:
        base.chmod(0o755)
        private = base / "private"
        (private / "venv" / "lib").mkdir(parents=True)
        private.chmod(0o700)
        target = str(private / "venv" / "lib")
        if launcher.blocked(str(base), other) is not None:
            pytest.skip(f"{base.parent} is closed to uid {other} on this machine")
        assert launcher.blocked(target, me) is None
        assert launcher.blocked(target, other) == f"{private} (mode 700, owner uid {me})"
        private.chmod(0o711)  # entering is enough; listing is not needed
        assert launcher.blocked(target, other) is None
        assert launcher.blocked(str(base / "absent" / "lib"), other) is None
    finally:
        (base / "private").chmod(0o755)
        shutil.rmtree(base)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv (util-linux)")
def test_the_unprivileged_launcher_refuses_an_environment_its_user_cannot_read(course, tmp_path):
    import tempfile

    launcher = _launcher()
    if launcher.why_not(65534, course.env):
        pytest.skip("this environment is closed to nobody (see the next test's reason)")
    base = Path(tempfile.mkdtemp())  # mode 700, as `mktemp -d` makes it
    try:
        (base / "course_helpers.py").write_text("")
        env = dict(course.env, PYTHONPATH=str(base))
        reason = launcher.why_not(65534, env, imports=("ipykernel_launcher", "course_helpers"))
        assert reason and "uid 65534" in reason and "course_helpers" in reason, reason
        assert f"{base} (mode 700, owner uid 0) stops it" in reason, reason
    finally:
        shutil.rmtree(base)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root and setpriv (util-linux)")
def test_a_submission_that_goes_for_the_gradebook_gains_nothing(course):
    assignment = "a1_rnn_bptt"
    src, rel = course.source(assignment), course.release(assignment)
    cells = {"rnn_step_backward": CHEAT + "\ndef rnn_step_backward(dh, cache):\n    return None\n"}
    reason = _launcher().why_not(65534, course.env)
    if reason:  # a virtual environment in a private folder: nobody could import ipykernel
        pytest.skip(reason)
    course.submit_locally("cheater", assignment, _submission(src, rel, cells))
    gradebook, source = course.root / "gradebook.db", course.root / "source"
    before = {p: p.read_bytes() for p in source.rglob("*.ipynb")}
    # The instructor's files: the gradebook and the sources readable by their owner only.
    gradebook.chmod(0o600)
    source.chmod(0o700)
    course.root.chmod(0o711)
    for folder in (course.root / "autograded", course.root / "submitted"):
        folder.chmod(0o755)
    try:
        course.nbgrader("autograde", assignment, "--student", "cheater", env=_unprivileged_kernel(course))
    finally:
        course.root.chmod(0o755)
    graded = nbformat.read(course.root / "autograded" / "cheater" / assignment / f"{assignment}.ipynb", as_version=4)
    printed = "\n".join(o.get("text", "") for c in graded.cells if c.cell_type == "code" for o in c.outputs)
    assert "stolen: 0" in printed and "could not use ../../../gradebook.db" in printed, printed[-2000:]
    scores = course.scores()
    assert scores[(assignment, "cheater")] == dict.fromkeys(EXPECTED[(assignment, "blank")], 0.0)
    assert scores[(assignment, "reference")]["test_rnn_bptt"] == 4.0
    assert {p: p.read_bytes() for p in source.rglob("*.ipynb")} == before
    with sqlite3.connect(gradebook) as db:
        assert db.execute("select count(*) from grade where manual_score = 100").fetchone()[0] == 0


# --------------------------------------------------------------------------------------------
# The guide: every nbgrader command it shows is one this file runs
# --------------------------------------------------------------------------------------------


def _guide_lines() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S)
    return [ln.strip() for block in blocks for ln in block.splitlines() if ln.strip()]


def _guide_commands() -> list[str]:
    return [ln for ln in _guide_lines() if ln.startswith("nbgrader ")]


# The guide's other commands, and where they are tested.
OTHER_COMMANDS = {
    "pip install -r requirements-coursework.txt": "make test installs requirements-test.txt, which includes it",
    "cd coursework": "every nbgrader command here runs in (a copy of) coursework/",
    "make student": "tests/coursework/test_site_separation.py::test_make_student_strips_the_books_notebooks",
}


def test_the_guides_other_commands_are_tested():
    others = [ln for ln in _guide_lines() if not ln.startswith("nbgrader ")]
    assert set(others) <= set(OTHER_COMMANDS), f"untested commands in the guide: {set(others) - set(OTHER_COMMANDS)}"
    assert "-r requirements-coursework.txt" in (ROOT / "requirements-test.txt").read_text(encoding="utf-8")


def test_every_command_of_the_guide_is_run_here(course):
    run = set(course.commands)
    shown = _guide_commands()
    assert len(shown) >= 8, f"the guide shows only {shown}"
    missing = [c for c in shown if c not in run]
    assert not missing, f"the guide shows commands that the tests do not run: {missing}\nrun: {sorted(run)}"
