"""The Oxigraph server process behind ``ppkg serve``: started on a private loopback port, under a memory
limit, watched by a supervisor thread that restarts it from the same read-only on-disk store when it dies.

Every process is started by the supervisor thread, so the Linux parent-death signal (which follows the
thread that started a child) stops the engine when ppkg goes away, even after ``kill -9``.
"""

from __future__ import annotations

import ctypes
import http.client
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ppkg.errors import EndpointError

WORKDIR_PREFIX = "ppkg-serve-"
"""Temporary directories of running servers are ``<tmp>/ppkg-serve-<pid>-<random>``."""

_WORKDIR = re.compile(rf"^{re.escape(WORKDIR_PREFIX)}(\d+)-")
_PR_SET_PDEATHSIG = 1
_MAX_FAILED_STARTS = 3
_LOG_TAIL = 4096
_MEMORY_POLL_S = 0.2
_SUSPECT_AFTER_S = 1.0
"""A request running this long when the engine dies on its own is taken for the cause (and not retried)."""
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
ADDRESS_SPACE_HEADROOM = 4 << 30
"""The engine's address space may exceed its memory limit by this much (thread stacks and allocator
reservations are address space, not memory); past it, allocations fail and the engine stops."""


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` server binary (from the ``oxigraph`` PyPI package)."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise EndpointError("the Oxigraph server is not installed: pip install 'ppkg[server]'")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _libc()


def child_limits(max_memory: int | None) -> Callable[[], None]:
    """A ``preexec_fn``: die with the parent thread, and cap the address space at ``max_memory`` bytes.

    Everything it calls is resolved beforehand, so nothing is imported between fork and exec.
    """
    libc = _LIBC
    setrlimit = resource.setrlimit
    rlimit_as = resource.RLIMIT_AS

    def apply() -> None:
        if libc is not None:
            try:
                libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            except AttributeError:  # not Linux
                pass
        if max_memory is not None:
            setrlimit(rlimit_as, (max_memory, max_memory))

    return apply


def resident_bytes(pid: int) -> int:
    """The resident memory of process ``pid`` (0 where ``/proc`` cannot tell)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0


def make_workdir() -> Path:
    """A new temporary directory named after this process, after removing those of dead processes."""
    remove_stale_workdirs()
    return Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))


def remove_stale_workdirs(parent: Path | None = None) -> list[Path]:
    """Remove the ``ppkg-serve-<pid>-*`` directories (of this user) whose process is gone; return them."""
    base = Path(parent or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in sorted(entries):
        match = _WORKDIR.match(entry.name)
        if not match or int(match.group(1)) == os.getpid():
            continue
        try:
            if not entry.is_dir() or entry.is_symlink() or entry.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        if _alive(int(match.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_store(binary: str, nquads: Path, location: Path) -> None:
    """Bulk-load an N-Quads file into a new on-disk Oxigraph store at ``location``."""
    done = subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(nquads)],
        capture_output=True,
        check=False,
        preexec_fn=child_limits(None),
    )
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise EndpointError(f"the Oxigraph store could not be built: {lines[-1] if lines else done.returncode}")


@dataclass(frozen=True)
class Lease:
    """The engine process a request is sent to: its generation (1 for the first start) and port."""

    generation: int
    port: int


def describe_exit(returncode: int) -> str:
    """``killed by SIGKILL`` or ``exit code 3``."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


def human_size(n: int) -> str:
    """``4 GiB``, ``100 MiB``, ``512 KiB`` or ``123 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


class Engine:
    """The supervised Oxigraph server (``serve-read-only``) on ``127.0.0.1:<private port>``.

    With ``writable_bind`` (an address and port), it is the writable server (``serve``) on that address.
    """

    def __init__(
        self,
        location: Path,
        logdir: Path,
        *,
        timeout_s: int,
        max_memory: int | None,
        on_event: Callable[[str], None],
        start_wait: float = 30.0,
        writable_bind: tuple[str, int] | None = None,
    ) -> None:
        self.location = location
        self.logdir = logdir
        self.timeout_s = timeout_s
        self.max_memory = max_memory
        self.on_event = on_event
        self.start_wait = start_wait
        self.writable_bind = writable_bind
        self.restarts = 0
        self.fatal: str | None = None
        self._binary = oxigraph_binary()
        self._cond = threading.Condition()
        self._generation = 0
        self._port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._stopping = threading.Event()
        self._kill_reason: str | None = None
        self._watchdog_kill = False
        self._flights: dict[int, tuple[int, float]] = {}
        self._suspects: set[int] = set()
        self._next_token = 0
        self._first = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        """The process id of the running engine, if it runs."""
        with self._cond:
            return self._process.pid if self._process is not None and self._ready else None

    @property
    def port(self) -> int | None:
        """The port of the running engine, if it runs."""
        with self._cond:
            return self._port if self._process is not None and self._ready else None

    def start(self) -> None:
        """Start the supervisor and return once the engine answers; raise EndpointError if it cannot start."""
        self._thread = threading.Thread(target=self._supervise, name="ppkg-serve-supervisor", daemon=True)
        self._thread.start()
        self._first.wait()
        if self.fatal is not None:
            self.stop()
            raise EndpointError(self.fatal)

    def acquire(self, deadline: float, after: int = 0) -> Lease | None:
        """The running engine (of a generation newer than ``after``), waiting for a restart until ``deadline``.

        ``None`` if none is ready by then, or the engine could not be restarted.
        """
        with self._cond:
            while not (self._ready and self._generation > after):
                remaining = deadline - time.monotonic()
                if self.fatal is not None or self._stopping.is_set() or remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return Lease(self._generation, self._port)

    def begin(self, lease: Lease) -> int:
        """Record that a request is being answered by ``lease``'s engine; a token for :meth:`end`/:meth:`lost`."""
        with self._cond:
            self._next_token += 1
            self._flights[self._next_token] = (lease.generation, time.monotonic())
            return self._next_token

    def end(self, token: int) -> None:
        """The request of ``token`` is done with the engine (answered, refused or abandoned)."""
        with self._cond:
            self._flights.pop(token, None)
            self._suspects.discard(token)

    def lost(self, lease: Lease, token: int, deadline: float) -> int | None:
        """A request to ``lease`` failed: the generation a retry must exceed (0: the same engine may do).

        ``None`` when the request must not be retried: it was the longest-running one when the engine died
        on its own, so most likely what killed it. Waits briefly for the supervisor to see the engine dead.
        """
        end = min(deadline, time.monotonic() + 1.0)
        with self._cond:
            while self._generation == lease.generation and self._ready:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return 0
                self._cond.wait(min(remaining, 0.05))
            return None if token in self._suspects else lease.generation

    def kill(self, lease: Lease, reason: str) -> None:
        """Kill the engine if it is still the one of ``lease``; the supervisor restarts it and logs ``reason``."""
        with self._cond:
            if self._generation != lease.generation or self._process is None or not self._ready:
                return
            self._kill_reason = reason
            self._watchdog_kill = True
            self._process.kill()

    def stop(self) -> None:
        """Stop the supervisor and the engine."""
        with self._cond:
            self._stopping.set()
            process = self._process
            self._cond.notify_all()
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _log_tail(self) -> str:
        try:
            with open(self.logdir / "oxigraph.log", "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - _LOG_TAIL))
                lines = log.read().decode(errors="replace").strip().splitlines()
        except OSError:
            return ""
        lines = [line for line in lines if line.strip() and not line.startswith("Listening for requests")]
        return lines[-1] if lines else ""

    def _address(self) -> str:
        return self.writable_bind[0] if self.writable_bind is not None else "127.0.0.1"

    def _spawn(self, port: int) -> subprocess.Popen[bytes]:
        address = self._address()
        with open(self.logdir / "oxigraph.log", "wb") as log:
            return subprocess.Popen(
                [
                    self._binary,
                    "serve-read-only" if self.writable_bind is None else "serve",
                    "--location",
                    str(self.location),
                    "--bind",
                    f"[{address}]:{port}" if ":" in address else f"{address}:{port}",
                    "--timeout-s",
                    str(self.timeout_s),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                preexec_fn=child_limits(None if self.max_memory is None else self.max_memory + ADDRESS_SPACE_HEADROOM),
            )

    def _answers(self, process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + self.start_wait
        while time.monotonic() < deadline and not self._stopping.is_set():
            if process.poll() is not None:
                return False
            conn = http.client.HTTPConnection(self._address(), port, timeout=2)
            try:
                conn.request("GET", "/query?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
                if conn.getresponse().status == 200:
                    return True
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.05)
        return False

    def _supervise(self) -> None:
        failures = 0
        reason: str | None = None
        stopped_at = 0.0
        while not self._stopping.is_set():
            port = self.writable_bind[1] if self.writable_bind is not None else free_port()
            process = self._spawn(port)
            with self._cond:
                self._process = process
            if not self._answers(process, port):
                if process.poll() is None:
                    process.kill()
                process.wait()
                if self._stopping.is_set():
                    break
                failures += 1
                detail = self._log_tail() or describe_exit(process.returncode)
                if not self._first.is_set() or failures >= _MAX_FAILED_STARTS:
                    with self._cond:
                        self.fatal = (
                            f"the Oxigraph server did not start: {detail}"
                            if not self._first.is_set()
                            else f"the SPARQL engine stopped and could not be restarted: {detail}"
                        )
                        self._cond.notify_all()
                    break
                time.sleep(0.2 * failures)
                continue
            failures = 0
            if reason is not None:
                self.restarts += 1
                self.on_event(f"restarted the SPARQL engine in {time.monotonic() - stopped_at:.1f} s: {reason}")
            with self._cond:
                self._generation += 1
                self._port = port
                self._ready = True
                self._cond.notify_all()
            self._first.set()
            returncode = self._watch(process)
            stopped_at = time.monotonic()
            with self._cond:
                self._ready = False
                kill_reason, self._kill_reason = self._kill_reason, None
                if not self._watchdog_kill:  # the longest-running request is the likely cause: no retry
                    flights = [(t, k) for k, (g, t) in self._flights.items() if g == self._generation]
                    # killed for its memory, the longest-running request is the cause however briefly it ran
                    if flights and (kill_reason is not None or stopped_at - min(flights)[0] >= _SUSPECT_AFTER_S):
                        self._suspects.add(min(flights)[1])
                self._watchdog_kill = False
                self._cond.notify_all()
            if self._stopping.is_set():
                break
            reason = kill_reason or self._death_reason(returncode)
        self._first.set()
        with self._cond:
            self._ready = False
            self._process = None
            self._cond.notify_all()

    def _watch(self, process: subprocess.Popen[bytes]) -> int:
        """Wait for ``process`` to end; kill it if its resident memory passes the limit. Its exit code."""
        while True:
            try:
                return process.wait(timeout=_MEMORY_POLL_S)
            except subprocess.TimeoutExpired:
                pass
            if self.max_memory is not None and (rss := resident_bytes(process.pid)) > self.max_memory:
                with self._cond:
                    self._kill_reason = (
                        f"it used {human_size(rss)} of memory, more than its limit of {human_size(self.max_memory)}"
                    )
                process.kill()

    def _death_reason(self, returncode: int) -> str:
        how = describe_exit(returncode)
        detail = self._log_tail()
        if self.max_memory is not None and ("memory allocation" in detail or returncode == -signal.SIGABRT):
            how += f", probably out of memory (limit {human_size(self.max_memory)})"
        return f"it stopped ({how}){': ' + detail if detail else ''}"
