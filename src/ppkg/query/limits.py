"""Time limits for in-process queries."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ppkg.errors import QueryTimeoutError

DEFAULT_QUERY_TIMEOUT = 60.0
"""Seconds an in-process query may take before :class:`~ppkg.errors.QueryTimeoutError` is raised
(the library's and the command line's default)."""

T = TypeVar("T")


def run_with_timeout(work: Callable[[], T], timeout: float | None, *, runs_in_python: bool = False) -> T:
    """Run ``work`` and raise :class:`~ppkg.errors.QueryTimeoutError` if it takes more than ``timeout`` seconds.

    ``runs_in_python`` says the work is Python code (rdflib's engine): on the main thread it then runs under a
    ``SIGALRM`` timer that interrupts it wherever it is, even inside a regular expression that holds the
    interpreter lock. Otherwise (Oxigraph, which cannot be cancelled, or another thread) it runs in a daemon
    thread that is abandoned when the limit passes: it stops when it finishes or when the process exits.
    """
    if timeout is None:
        return work()
    if runs_in_python and _alarm_is_free():
        return _run_with_alarm(work, timeout)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as err:  # handed to the caller's thread
            outcome["error"] = err

    thread = threading.Thread(target=target, name="ppkg-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise _timed_out(timeout)
    if "error" in outcome:
        raise outcome["error"]
    return cast(T, outcome["value"])


def _timed_out(timeout: float) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"the query did not finish within {timeout:g} s (its time limit); narrow it, add a LIMIT, "
        "or raise the limit with --timeout"
    )


def _alarm_is_free() -> bool:
    """Whether this thread may use the process's real-time timer (main thread, POSIX, not already in use)."""
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )


def _run_with_alarm(work: Callable[[], T], timeout: float) -> T:
    def expire(signum: int, frame: object) -> None:
        raise _timed_out(timeout)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return work()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
