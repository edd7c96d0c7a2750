# The course's two commands (see README.md):
#   make book   install requirements-book.txt, then build the website into _build/html, with its
#               take-away files (the notebooks' zip, the lstmlab wheel, and the whole-book PDF
#               where Debian's Chromium is installed)
#   make test   install requirements-test.txt, then run every test (package, notebooks, website) and ruff
#
# Where things are installed: into the active virtual environment if there is one ($VIRTUAL_ENV,
# as in .ci/run), otherwise into .venv, which is created with `python3 -m venv` on first use.
# Options: make test TORCH_INDEX=https://download.pytorch.org/whl/cpu   (PyTorch's CPU wheels)
#          make book PYTHON3=/usr/bin/python3.12                         (the Python that creates .venv)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV ?= $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV),.venv)
PY := $(VENV)/bin/python
TORCH_INDEX ?=
# pytest workers: `auto` is one per core.
WORKERS ?= auto

# Notebooks executed by the build or by nbval hide the trainer's tqdm bars.
export LSTMLAB_PROGRESS := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# One BLAS thread per process: the tests run in parallel workers (and the site build executes
# notebooks beside them), and OpenBLAS threads that outnumber the cores spin and crawl. It also
# keeps floating-point results, which nbval compares, independent of the machine's core count.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: help book html pdf test test-alt lint student clean

help:
	@echo "make book    install requirements-book.txt into $(VENV) and build the website into _build/html (and the PDF)"
	@echo "make html    the website only (with the notebooks' zip and the lstmlab wheel, in downloads/)"
	@echo "make pdf     the whole book as one PDF, _build/lstm-course.pdf, linked from the site"
	@echo "make test    install requirements-test.txt into $(VENV) and run every test, then ruff"
	@echo "make test-alt  the notebooks under a second numerical configuration (another OpenBLAS kernel)"
	@echo "make student copy notebooks/ into student/ without the solutions"
	@echo "make clean   remove _build/ (the site, the execution cache and the screenshots)"

$(PY):
	@$(PYTHON3) -m venv $(VENV) || { echo "Could not create $(VENV): $(PYTHON3) needs its venv module (Debian/Ubuntu: apt install python3-venv)." >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade "pip>=23"

# Stamps inside the environment: reinstall only when a requirements file changes.
# Three files, by who needs them (see README): requirements.txt (a learner: JupyterLab and the
# notebooks, no torch), requirements-book.txt (the site: it adds jupyter-book and torch) and
# requirements-test.txt (it adds the pinned torch oracle and the test tools).
# torch comes first, from TORCH_INDEX when given (PyTorch's CPU wheels), in the version the tests
# pin, so that the site is built with the oracle's torch and `make test` reinstalls nothing.
$(VENV)/.lstm-book-deps: requirements.txt requirements-book.txt requirements-test.txt pyproject.toml | $(PY)
	$(PY) -m pip install "$$(grep -E '^torch[=<>~ ]' requirements-test.txt)" $(if $(TORCH_INDEX),--index-url "$(TORCH_INDEX)")
	$(PY) -m pip install -r requirements-book.txt
	@touch $@

$(VENV)/.lstm-test-deps: requirements-test.txt requirements-coursework.txt $(VENV)/.lstm-book-deps
	$(PY) -m pip install -r requirements-test.txt
	@touch $@

# axe-core, which tests/test_site.py injects into the pages (npm's registry; the site never ships it).
# Without npm the accessibility test is skipped (except in CI, where it fails).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; \
	else echo "npm not found: the accessibility test will be skipped (Debian: apt install npm)" >&2; fi

# The website: notebooks are executed (or taken from the execution cache, _build/.jupyter_cache,
# when their code is unchanged); a notebook that raises, or any Sphinx warning, fails the build.
# book/_ext/reader_site.py puts the take-away files into _build/html/downloads/: the lstmlab wheel
# and a zip of the notebooks with it; `make pdf` adds the PDF, which the site links.
book: html
	@if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then \
	  $(MAKE) --no-print-directory pdf && echo "The site is in _build/html/index.html, the PDF in _build/lstm-course.pdf"; \
	else \
	  echo "The site is in _build/html/index.html (no PDF: printing it needs Debian's chromium and chromium-driver)"; \
	fi

html: $(VENV)/.lstm-book-deps
	$(VENV)/bin/jupyter-book build . -W --keep-going
	@touch _build/site.stamp

# The single-page build (notebooks from the execution cache), printed to A4 by Debian's Chromium
# (/usr/bin/chromium, headless; Jupyter Book's pdfhtml builder would download a browser).
pdf: $(VENV)/.lstm-book-deps
	$(PY) tools/make_pdf.py

# Every test: tests/ (the website test included) and, through nbval in strict mode, every
# notebook, each re-executed and compared cell by cell with its saved outputs; then the notebooks
# once more under a second numerical configuration (test-alt); then ruff.
# The website test builds the site itself unless a fresh build exists (LSTMLAB_SITE_BUILT=1 lets
# it reuse one), so the site is built once, on one worker, while the other runs the rest.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg

test: $(VENV)/.lstm-test-deps node_modules/.package-lock.json
	$(PY) tools/blas_config.py
	LSTMLAB_SITE_BUILT=1 $(PY) -m pytest -n $(WORKERS) --dist loadfile $(NBVAL) $(wildcard tests notebooks)
	$(MAKE) --no-print-directory test-alt
	$(PY) -m ruff check .

# The notebooks under a second numerical configuration: another OpenBLAS kernel than the one this
# machine picks (tools/blas_config.py chooses it, and checks that it took effect). A claim that
# holds only under one machine's floating-point kernel fails here.
test-alt: $(VENV)/.lstm-test-deps
	alt=$$($(PY) tools/blas_config.py --alternative); \
	  echo "The notebooks again, under a second numerical configuration: OPENBLAS_CORETYPE=$$alt"; \
	  OPENBLAS_CORETYPE=$$alt $(PY) tools/blas_config.py --expect $$alt; \
	  OPENBLAS_CORETYPE=$$alt $(PY) -m pytest -n $(WORKERS) --dist loadfile -p no:cacheprovider $(NBVAL) notebooks

lint: $(VENV)/.lstm-test-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

student: $(VENV)/.lstm-book-deps
	$(PY) tools/strip_solutions.py notebooks student

clean:
	rm -rf _build
