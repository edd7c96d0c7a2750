"""The synthetic tasks of the course, by name.

>>> import numpy as np
>>> from lstmlab.tasks import get_task
>>> task = get_task("adding", T=50)
>>> batch = task.sample(4, np.random.default_rng(0))
>>> batch.x.shape, batch.y.shape
((4, 50, 2), (4, 1))
"""

from __future__ import annotations

from .adding import AddingProblem
from .base import Batch, Task
from .copy_memory import CopyMemory
from .long_lag import LongLag
from .reber import ContinualReber, EmbeddedReber, reber_string
from .temporal_order import TemporalOrder
from .timing import SpikeTiming

#: Task name -> the class that builds it (call it with the task's keyword arguments).
TASKS: dict = {
    "adding": AddingProblem,
    "copy": CopyMemory,
    "temporal_order": TemporalOrder,
    "reber": EmbeddedReber,
    "continual_reber": ContinualReber,
    "timing": SpikeTiming,
    "long_lag": LongLag,
}


def get_task(name, **kwargs) -> Task:
    """Build the task called ``name`` with its keyword arguments (or return ``name`` itself if it is a Task).

    ``get_task("adding", T=100, form="paper")``, ``get_task("copy", T=50)``,
    ``get_task("temporal_order", T=100, n_relevant=2)``, ``get_task("reber")``,
    ``get_task("continual_reber", T=1000)``, ``get_task("timing", mode="measure")``,
    ``get_task("long_lag", p=100)``.
    """
    if isinstance(name, Task):
        if kwargs:
            raise ValueError(f"kwargs: a Task instance takes no keyword arguments, got {sorted(kwargs)}")
        return name
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"name: expected one of {sorted(TASKS)}, got {name!r}")
    return TASKS[name](**kwargs)


__all__ = [
    "TASKS",
    "AddingProblem",
    "Batch",
    "ContinualReber",
    "CopyMemory",
    "EmbeddedReber",
    "LongLag",
    "SpikeTiming",
    "Task",
    "TemporalOrder",
    "get_task",
    "reber_string",
]
