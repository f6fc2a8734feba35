"""Checked exercises: each notebook's exercises live in `helpers/exercises/nbNN.py`.

    from helpers.exercises import nb01
    nb01.q1.hint()          # a nudge
    nb01.q1.check(answer)   # ✓ or a message that teaches; returns a truthy/falsy Result
    nb01.q1.solution()      # the reference solution
"""

from .core import Exercise, Result

__all__ = ["Exercise", "Result"]
