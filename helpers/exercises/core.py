"""The exercise object behind every notebook's `check()`, `hint()` and `solution()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Result:
    """The outcome of a check: truthy when correct, with a message either way."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:  # what a notebook shows when `check()` is a cell's last line
        return ("✓ Correct. " if self.passed else "✗ Not yet. ") + self.message


class Exercise:
    """One exercise: a checker, a hint and a reference solution.

    `checker(answer)` returns None when the answer is right, or a message saying what is wrong
    and how to think about it. It may raise nothing: an exception in the reader's answer is
    reported as a wrong answer with the error's text.
    """

    def __init__(
        self,
        title: str,
        checker: Callable[[Any], str | None],
        hint: str,
        solution: str,
        explanation: str = "",
    ):
        self.title = title
        self._checker = checker
        self._hint = hint
        self._solution = solution.strip("\n")
        self.explanation = explanation

    def check(self, answer: Any) -> Result:
        """Check an answer; the returned Result prints as ✓ or as a message that teaches."""
        if answer is None or answer is Ellipsis:
            return Result(False, f"{self.title}: replace the `...` with your answer, then run the cell again. "
                                 "Stuck? Call .hint().")
        try:
            problem = self._checker(answer)
        except Exception as exc:  # the reader's answer had the wrong shape
            problem = f"checking your answer raised {type(exc).__name__}: {exc}"
        if problem:
            return Result(False, f"{self.title}: {problem}")
        return Result(True, f"{self.title}. {self.explanation}".strip())

    def hint(self) -> str:
        """A nudge towards the answer (printed, and returned)."""
        text = f"Hint ({self.title}): {self._hint}"
        print(text)
        return text

    def solution(self) -> str:
        """The reference solution (printed, and returned)."""
        text = f"Solution ({self.title}):\n{self._solution}"
        print(text)
        return text
