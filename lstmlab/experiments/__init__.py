"""Reusable experiment loops of the chapters (a sweep, a race between two networks), each small and tested.

Notebooks call these so that their code cells stay short; every function here is a plain loop over
:func:`lstmlab.train.fit` and the tasks, written to be read.
"""
