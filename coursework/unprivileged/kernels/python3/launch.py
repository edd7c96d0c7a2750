"""Start the grading kernel as an unprivileged user, so that a submission cannot read or change
the gradebook, the source assignments or anything else of the instructor's.

Used by nbgrader through this folder's kernel.json when JUPYTER_PATH points at
coursework/unprivileged (see book/instructor_guide.md). It runs as root (in a grading container),
copies the kernel's connection file where the unprivileged user can read it, and replaces itself
with the kernel under setpriv, as the user NBGRADER_KERNEL_UID (default 65534, nobody).
"""

import os
import shutil
import sys
import tempfile

uid = os.environ.get("NBGRADER_KERNEL_UID", "65534")
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
os.execvp("setpriv", ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *kernel])
