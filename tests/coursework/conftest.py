"""The coursework tests' marker (``pytest -m coursework`` runs them alone, ``-m "not coursework"`` skips them)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "coursework: the nbgrader coursework pipeline (coursework/)")
