"""Progress of long steps (building the store, checking and merging contributions), reported to whoever asks.

The library reports through a :class:`Progress`; it never draws anything itself. The command line passes
one that shows a rich progress bar on a terminal for steps that last more than a second, and nothing when
stderr is not a terminal. :data:`SILENT` is the default everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

Advance = Callable[[int], None]
"""Called with how many more units of a step are done."""


class Progress(Protocol):
    """Receives the steps of a long operation."""

    def step(self, description: str, total: int | None = None) -> AbstractContextManager[Advance]:
        """A step of ``total`` units (``None``: unknown); the context gives the function that advances it."""
        ...


class Silent:
    """Reports nothing."""

    def step(self, description: str, total: int | None = None) -> AbstractContextManager[Advance]:
        """A step nobody sees."""
        return nullcontext(_ignore)


def _ignore(amount: int) -> None:
    return None


SILENT: Progress = Silent()
"""The progress nobody sees: the default of every function that takes one."""
