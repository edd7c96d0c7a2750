"""Settings shared by every test run, the notebooks' (nbval) included.

The notebooks' kernels inherit this process's environment, so setting the variable here hides
the trainer's progress bars in `pytest --nbval notebooks` too, as in the saved outputs.
"""

import os

os.environ["LSTMLAB_PROGRESS"] = "0"
