"""The query guard of ``ppkg serve``, run in worker processes that can be stopped.

:func:`ppkg.query.safety.check_query` parses with rdflib, which takes seconds on a large query, cannot
be interrupted, and must not run in two threads at once. The front therefore sends each query to one of
a few worker processes (``python -m ppkg.serve.guard``, one JSON line per query and per answer) and waits
at most until the request's deadline; a worker still busy then is killed and replaced. The workers run
under a memory limit and die with the server. Verdicts are cached by query text, and a text already
being checked for one request is not checked again for another.
"""

from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from ppkg.serve.backend import child_limits

WORKER_MEMORY = 2 << 30
"""Address space a guard worker may use."""
_CACHE_SIZE = 512
_START_WAIT = 120.0


@dataclass(frozen=True)
class Verdict:
    """The guard's answer: the text to run (``text``), or why the query is refused (``refusal``)."""

    text: str | None = None
    refusal: str | None = None


class GuardTimeoutError(Exception):
    """No worker finished checking the query before its deadline."""


class GuardFailedError(Exception):
    """A worker failed unexpectedly (the message says how)."""


@dataclass
class _Pending:
    """A check in progress, which other requests for the same text wait for."""

    done: threading.Event = field(default_factory=threading.Event)
    verdict: Verdict | None = None
    error: Exception | None = None


class _Worker:
    """One ``python -m ppkg.serve.guard`` process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ppkg.serve.guard"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_limits(WORKER_MEMORY),
        )
        self.buffer = b""

    def ask(self, text: str, deadline: float) -> dict[str, str]:
        """Send one query; return the worker's answer."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"query": text}).encode("utf-8") + b"\n")
        self.process.stdin.flush()
        return self.answer(deadline)

    def answer(self, deadline: float) -> dict[str, str]:
        """The worker's next JSON line, read by ``deadline``."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GuardTimeoutError
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                raise GuardTimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise GuardFailedError(f"the query checker stopped (exit code {self.process.wait()})")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        answer: dict[str, str] = json.loads(line)
        return answer

    def close(self) -> None:
        """Kill the process and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class GuardPool:
    """``size`` guard worker processes; :meth:`check` sends a query to an idle one."""

    def __init__(self, size: int = 2) -> None:
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Verdict] = OrderedDict()
        self._pending: dict[str, _Pending] = {}
        self._closed = False
        self._ready = threading.Event()
        self.failure: str | None = None
        # one long-lived thread starts every worker: the parent-death signal follows the starting thread
        self._starts: queue.Queue[int] = queue.Queue()
        self._starter = threading.Thread(target=self._start_workers, name="ppkg-serve-guard", daemon=True)
        self._starter.start()
        self._starts.put(size)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the first workers answer (or failed to start: see :attr:`failure`)."""
        return self._ready.wait(timeout) and self.failure is None

    def _start_workers(self) -> None:
        while count := self._starts.get():
            workers = [_Worker() for _ in range(count)]
            for worker in workers:
                try:
                    worker.answer(time.monotonic() + _START_WAIT)  # its "ready" line
                except (GuardTimeoutError, GuardFailedError, OSError, ValueError) as err:
                    worker.close()
                    self.failure = f"the query checker did not start: {str(err) or type(err).__name__}"
                    continue
                with self._lock:
                    if self._closed:
                        worker.close()
                        continue
                    self._all.add(worker)
                self._idle.put(worker)
            self._ready.set()
            if self._closed:
                return

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.close()
        self._starts.put(1)

    def check(self, text: str, deadline: float) -> Verdict:
        """The guard's verdict on ``text``; raise GuardTimeoutError if it is not reached by ``deadline``.

        A text being checked for another request is not checked twice: this request waits for that answer.
        """
        with self._lock:
            if (cached := self._cache.get(text)) is not None:
                self._cache.move_to_end(text)
                return cached
            pending = self._pending.get(text)
            owner = pending is None
            if pending is None:
                pending = self._pending[text] = _Pending()
        if not owner:
            if not pending.done.wait(max(0.0, deadline - time.monotonic())):
                raise GuardTimeoutError
            if pending.verdict is None:
                raise pending.error or GuardFailedError("the query could not be checked")
            return pending.verdict
        try:
            pending.verdict = self._check(text, deadline)
            return pending.verdict
        except (GuardTimeoutError, GuardFailedError) as err:
            pending.error = err
            raise
        finally:
            with self._lock:
                del self._pending[text]
                if pending.verdict is not None:
                    self._cache[text] = pending.verdict
                    if len(self._cache) > _CACHE_SIZE:
                        self._cache.popitem(last=False)
            pending.done.set()

    def _check(self, text: str, deadline: float) -> Verdict:
        try:
            worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise GuardTimeoutError from None
        try:
            answer = worker.ask(text, deadline)
        except GuardTimeoutError:
            self._replace(worker)
            raise
        except (OSError, ValueError, GuardFailedError) as err:
            self._replace(worker)
            raise GuardFailedError(str(err) or type(err).__name__) from None
        self._idle.put(worker)
        if "error" in answer:
            raise GuardFailedError(answer["error"])
        return Verdict(text=answer.get("text"), refusal=answer.get("refused"))

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        self._starts.put(0)
        for worker in workers:
            worker.close()


def serve_checks() -> None:
    """The worker's loop: one JSON line ``{"query": …}`` in, one JSON line out, until stdin closes."""
    from ppkg.errors import PpkgError
    from ppkg.query.safety import check_query

    check_query("ASK {}")  # build the parser before the first real query
    sys.stdout.buffer.write(b'{"ready": "yes"}\n')
    sys.stdout.buffer.flush()
    for line in sys.stdin.buffer:
        try:
            answer = {"text": check_query(json.loads(line)["query"]).text}
        except PpkgError as err:
            answer = {"refused": str(err)}
        except RecursionError:
            answer = {"refused": "the query is nested too deeply"}
        except Exception as err:  # one line back to the server, never a traceback
            answer = {"error": f"{type(err).__name__}: {err}"}
        sys.stdout.buffer.write(json.dumps(answer).encode("utf-8") + b"\n")
        sys.stdout.buffer.flush()


if __name__ == "__main__":
    serve_checks()
