"""nbgrader's configuration of the course's coursework (read when nbgrader runs in this folder).

    cd coursework
    nbgrader generate_assignment a1_rnn_bptt

See book/instructor_guide.md. Everything nbgrader writes here (release/, submitted/,
autograded/, feedback/, the gradebook) is ignored by git.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 - nbgrader defines get_config when it reads this file

c.CourseDirectory.course_id = "lstm-course"
c.CourseDirectory.root = str(HERE)
# The gradebook: SQLite, in a file git ignores. On a shared server point it at a path only the
# instructors can read (NBGRADER_DB_URL), since it holds the hidden tests and every grade.
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL", f"sqlite:///{HERE / 'gradebook.db'}")
# The exchange that release_assignment, fetch_assignment, submit and collect use (a folder every
# account can reach; on JupyterHub, a shared volume). NBGRADER_EXCHANGE overrides it.
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True


# A cell may run this long: the mini-project trains for seconds, everything else takes
# milliseconds. A graded call has its own, shorter limit (lstmlab.exercises.grading.SECONDS),
# so an endless loop in a function costs that part only; this one stops a stuck cell.
c.ExecutePreprocessor.timeout = 180
c.Execute.timeout = 180
c.Execute.interrupt_on_timeout = True
# A cell that prints a flood keeps its first lines only.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# Solutions and hidden tests between the standard markers.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
# Outputs are cleared from the release (an output could give an answer away).
c.ClearOutput.enabled = True

# Feedback HTML typesets maths with the book's own MathJax 3 (book/_static/mathjax), never a CDN:
# the template course_feedback (templates/) replaces nbgrader's MathJax 2 CDN macro.
_NBGRADER_TEMPLATES = None
try:
    import nbgrader

    _NBGRADER_TEMPLATES = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
except ImportError:  # only the exchange commands run without nbgrader's templates
    pass
c.HTMLExporter.template_name = "course_feedback"
c.HTMLExporter.extra_template_basedirs = [str(HERE / "templates")] + (
    [str(_NBGRADER_TEMPLATES)] if _NBGRADER_TEMPLATES else []
)
