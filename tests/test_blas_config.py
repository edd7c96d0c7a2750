"""tools/blas_config.py: the second numerical configuration really is another OpenBLAS kernel."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "blas_config.py"


def run(*args, **env):
    full = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE",)}
    full.update(env)
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=full)


def test_the_alternative_takes_effect_and_differs():
    current = run().stdout
    if "not-openblas" in current:
        pytest.skip("NumPy does not use OpenBLAS here")
    alt = run("--alternative").stdout.strip()
    assert alt and alt.lower() not in current.lower()
    assert run("--expect", alt, OPENBLAS_CORETYPE=alt).returncode == 0
    wrong = run("--expect", alt)
    assert wrong.returncode == 1 and "expected the OpenBLAS kernel" in wrong.stderr


def test_the_alternative_of_the_alternative_is_not_itself():
    if "not-openblas" in run().stdout:
        pytest.skip("NumPy does not use OpenBLAS here")
    alt = run("--alternative").stdout.strip()
    again = run("--alternative", OPENBLAS_CORETYPE=alt).stdout.strip()
    assert again and again != alt
