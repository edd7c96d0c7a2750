"""Has PyPI started publishing Pyodide (emscripten) wheels of NumPy and matplotlib?

The course keeps in-browser execution (JupyterLite) out because NumPy and matplotlib publish no
Pyodide wheels on PyPI, and the npm ``pyodide`` package ships none either: a JupyterLite site
would have to load them from a CDN at run time, which breaks the site's promise to work offline
(see CONTRIBUTING.md, "In-browser execution"). This script asks PyPI, through pip, for a wheel of
each package for the Pyodide platform and reports what it finds. It is not part of the test run
(it needs the package registry); run it now and then:

    python tools/check_pyodide_wheels.py            # exit 0: all found, 1: some missing

When every package is found, JupyterLite with locally served wheels becomes possible.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

PACKAGES = ["numpy", "matplotlib"]
#: Pyodide's platform tags, newest first (PEP 783 names them pyemscripten_<year>_<n>_wasm32;
#: older Pyodide builds used pyodide_<year>_<n>_wasm32), with the CPython each one targets.
PLATFORMS = [
    ("pyemscripten_2026_0_wasm32", "3.14"),
    ("pyemscripten_2025_0_wasm32", "3.13"),
    ("pyodide_2025_0_wasm32", "3.13"),
    ("pyodide_2024_0_wasm32", "3.12"),
]


def find_wheel(package: str, platform: str, python_version: str) -> str | None:
    """The name of the wheel pip downloads for ``package`` on ``platform``, or None if there is none."""
    with tempfile.TemporaryDirectory(prefix="pyodide-wheels-") as dest:
        command = [sys.executable, "-m", "pip", "download", package, "--no-deps", "--only-binary=:all:"]
        command += ["--platform", platform, "--python-version", python_version, "--dest", dest, "--quiet"]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            return None
        wheels = [name for name in os.listdir(dest) if name.endswith(".whl")]
        return wheels[0] if wheels else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", default=PACKAGES, help="packages to look for (default: %(default)s)")
    args = parser.parse_args(argv)
    missing = []
    for package in args.packages:
        found = None
        for platform, version in PLATFORMS:
            found = find_wheel(package, platform, version)
            if found:
                print(f"{package}: {found} (platform {platform}, Python {version})")
                break
        if not found:
            missing.append(package)
            tried = ", ".join(p for p, _ in PLATFORMS)
            print(f"{package}: no Pyodide wheel on the package index (tried {tried})")
    if missing:
        print("JupyterLite stays out: " + ", ".join(missing) + " would have to come from a CDN.")
        return 1
    print("Every package has a Pyodide wheel: in-browser execution could now be served offline.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
