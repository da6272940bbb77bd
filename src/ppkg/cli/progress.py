"""Progress bars on the terminal: the command line's :class:`ppkg.progress.Progress`.

A step shows a rich progress bar on stderr once it has lasted :data:`DELAY` seconds (a quick command shows
nothing), and the bar is cleared when the step ends, so what stays on the screen is what the command says.
When stderr is not a terminal (a pipe, a file), :func:`for_stderr` gives :data:`ppkg.progress.SILENT`: not
one byte more is written.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TextIO

from rich import progress as bars
from rich.console import Console
from rich.text import Text

from ppkg.progress import SILENT, Advance, Progress

DELAY = 1.0
"""Seconds a step runs before its bar appears (``$PPKG_PROGRESS_DELAY`` changes it; 0 shows every step at
once, which is what tests use)."""


class TerminalProgress:
    """Rich progress bars on a terminal, one per running step, shown once the step has lasted ``delay`` s.

    Steps may nest (a check within a contribution); each gets its own line while it runs.
    """

    def __init__(self, stream: TextIO | None = None, *, delay: float = DELAY) -> None:
        console = Console(file=stream if stream is not None else sys.stderr)
        self.delay = delay
        self._bars = bars.Progress(
            bars.SpinnerColumn(),
            bars.TextColumn("{task.description}"),
            bars.BarColumn(),
            _Count(),
            bars.TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._lock = threading.Lock()
        self._shown: set[bars.TaskID] = set()

    def step(self, description: str, total: int | None = None) -> AbstractContextManager[Advance]:
        """A step of ``total`` units (``None``: unknown, the bar pulses); the context gives its ``advance``."""
        return self._step(description, total)

    @contextmanager
    def _step(self, description: str, total: int | None) -> Iterator[Advance]:
        task = self._bars.add_task(description, total=total, visible=False)
        timer = threading.Timer(self.delay, self._show, (task,))
        timer.daemon = True
        if self.delay > 0:
            timer.start()
        else:
            self._show(task)

        def advance(amount: int) -> None:
            self._bars.advance(task, amount)

        try:
            yield advance
        finally:
            timer.cancel()
            with self._lock:
                self._bars.remove_task(task)
                self._shown.discard(task)
                if not self._shown and self._bars.live.is_started:
                    self._bars.stop()

    def _show(self, task: bars.TaskID) -> None:
        with self._lock:
            if task not in self._bars.task_ids:  # the step ended meanwhile
                return
            self._bars.update(task, visible=True)
            self._shown.add(task)
            if not self._bars.live.is_started:
                self._bars.start()


class _Count(bars.ProgressColumn):
    """``3/10`` for a step that knows its size; nothing for one that does not."""

    def render(self, task: bars.Task) -> Text:
        if task.total is None:
            return Text("")
        return Text(f"{int(task.completed):,}/{int(task.total):,}", style="progress.download")


def for_stderr() -> Progress:
    """Bars on stderr when it is a terminal; else :data:`~ppkg.progress.SILENT`."""
    try:
        terminal = sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        terminal = False
    if not terminal:
        return SILENT
    try:
        delay = float(os.environ.get("PPKG_PROGRESS_DELAY", DELAY))
    except ValueError:
        delay = DELAY
    return TerminalProgress(delay=delay)
