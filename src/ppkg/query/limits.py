"""Time limits for in-process queries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ppkg.errors import QueryTimeoutError

DEFAULT_QUERY_TIMEOUT = 60.0
"""Seconds an in-process query may take before :class:`~ppkg.errors.QueryTimeoutError` is raised
(the library's and the command line's default)."""

T = TypeVar("T")


def run_with_timeout(work: Callable[[], T], timeout: float | None) -> T:
    """Run ``work`` in a daemon thread and wait at most ``timeout`` seconds for it.

    Neither engine can cancel a running query, so a query that times out is abandoned: it stops when it
    finishes or when the process exits (the command line exits right away).
    """
    if timeout is None:
        return work()
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
        raise QueryTimeoutError(
            f"the query did not finish within {timeout:g} s (its time limit); narrow it, add a LIMIT, "
            "or raise the limit with --timeout"
        )
    if "error" in outcome:
        raise outcome["error"]
    return cast(T, outcome["value"])
