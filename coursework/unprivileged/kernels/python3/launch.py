"""Start the grading kernel as an unprivileged user, so that a submission cannot read or change
the gradebook, the source assignments or anything else of the instructor's.

Used by nbgrader through this folder's kernel.json when JUPYTER_PATH points at
coursework/unprivileged (see book/instructor_guide.md). It runs as root (in a grading container),
copies the kernel's connection file where the unprivileged user can read it, and replaces itself
with the kernel under setpriv, as the user NBGRADER_KERNEL_UID (default 65534, nobody).

That user must be able to read the Python environment (ipykernel, NumPy) and the folders on
PYTHONPATH (lstmlab). Where it cannot, for example because the virtual environment lies in a
folder of mode 700, the launcher says which folder stops it instead of starting a kernel that
cannot import ipykernel.
"""

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile


def blocked(path: str, uid: int) -> str | None:
    """The first folder on the way to `path` that user `uid` (group `uid`, no other groups)
    cannot enter, with its mode, or None when it can reach `path`."""
    if uid == 0:
        return None
    here = os.sep
    for part in os.path.abspath(path).split(os.sep)[1:]:
        here = os.path.join(here, part)
        try:
            info = os.stat(here)
        except FileNotFoundError:
            return None  # what does not exist stops nobody; Python skips it
        if not stat.S_ISDIR(info.st_mode):
            return None
        if info.st_uid == uid:
            bit = stat.S_IXUSR
        elif info.st_gid == uid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return f"{here} (mode {stat.S_IMODE(info.st_mode):03o}, owner uid {info.st_uid})"
    return None


def as_user(uid: int, command: list[str]) -> list[str]:
    """`command` run by setpriv as user and group `uid`, with no other groups."""
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *command]


def needed_paths(environ=os.environ) -> list[str]:
    """Where the kernel imports from: the environment's site-packages and PYTHONPATH."""
    paths = sysconfig.get_paths()
    return [paths["purelib"], paths["platlib"], *filter(None, environ.get("PYTHONPATH", "").split(os.pathsep))]


KERNEL_IMPORTS = ("ipykernel_launcher", "numpy", "lstmlab")


def why_not(uid: int, environ=os.environ, imports=KERNEL_IMPORTS) -> str | None:
    """Why user `uid` could not start this environment's kernel, or None when it can.

    The user tries the kernel's imports; when they fail, the first folder that stops it on the
    way to site-packages or PYTHONPATH is named."""
    probe = subprocess.run(
        as_user(uid, [sys.executable, "-c", "import " + ", ".join(imports)]),
        env=dict(environ, HOME="/"),
        cwd="/",
        capture_output=True,
        text=True,
        timeout=120,
    )
    if probe.returncode == 0:
        return None
    error = (probe.stderr.strip().splitlines() or ["no error printed"])[-1]
    stops = [f"{path}: {stop} stops it" for path in needed_paths(environ) if (stop := blocked(path, uid))]
    return (
        f"the grading kernel runs as uid {uid}, which cannot import what it needs ({error}). "
        + (f"It cannot reach {stops[0]}. " if stops else "")
        + "Make the Python environment and the course readable by that user "
        "(chmod o+rx on each folder on the way), or set NBGRADER_KERNEL_UID."
    )


def main() -> None:
    uid = os.environ.get("NBGRADER_KERNEL_UID", "65534")
    reason = why_not(int(uid))
    if reason:
        sys.exit(f"coursework/unprivileged: {reason}")
    folder = tempfile.mkdtemp(prefix="nbgrader-kernel-")
    os.chmod(folder, 0o755)
    connection = os.path.join(folder, os.path.basename(sys.argv[1]))
    shutil.copy(sys.argv[1], connection)
    os.chmod(connection, 0o644)
    home = os.path.join(folder, "home")  # IPython's and matplotlib's settings, writable by the kernel only
    os.mkdir(home, 0o700)
    os.chown(home, int(uid), int(uid))
    os.environ.update(HOME=home, IPYTHONDIR=os.path.join(home, ".ipython"), MPLCONFIGDIR=os.path.join(home, ".mpl"))
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", connection]
    os.execvp("setpriv", as_user(int(uid), kernel))


if __name__ == "__main__":
    main()
