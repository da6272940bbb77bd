"""``ppkg serve``: a SPARQL 1.1 endpoint loaded with the graph that survives its worst query and reaches nothing.

Three parts:

* the **front** (:mod:`ppkg.serve.front`) listens on the user's host and port (127.0.0.1 by default; any
  other address only with ``allow_remote``). It answers the read side of the SPARQL Protocol only, checks
  every query with ppkg's guard (``SERVICE``, ``LOAD``, ``FROM`` and updates are refused for every
  caller), and bounds each answer in time and size;
* the **query checkers** (:mod:`ppkg.serve.guard`): worker processes that run the guard, so that a query
  too costly to parse is stopped at its time limit;
* the **engine** (:mod:`ppkg.serve.backend`): the Oxigraph server, read-only, on a private loopback port,
  under a memory limit, restarted by a supervisor thread whenever it dies. Its store (the union of all
  named graphs materialised as the default graph, so ppkg's queries run unchanged) is built once in a
  temporary directory that is removed on exit, or by the next server after a ``kill -9``.

A writable server (``read_only=False``, used to test ``ppkg publish``) is the plain Oxigraph server on the
given loopback port, with its Graph Store and Update endpoints open: it is for local use only.
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import math
import re
import shutil
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from ppkg.errors import EndpointError, ParameterError
from ppkg.query.engines import OxigraphEngine
from ppkg.rdf.io import GraphFile
from ppkg.rdf.union import materialise
from ppkg.serve.backend import Engine, free_port, human_size, load_store, make_workdir, oxigraph_binary
from ppkg.serve.front import Front, Limits
from ppkg.serve.guard import GuardPool

__all__ = [
    "DEFAULT_MAX_CONCURRENT",
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_MAX_RESULT_BYTES",
    "DEFAULT_TIMEOUT_S",
    "SparqlServer",
    "free_port",
    "human_size",
    "oxigraph_binary",
    "parse_size",
]

DEFAULT_TIMEOUT_S = 30.0
"""Seconds a query may run before its client gets an error (``--timeout``)."""
DEFAULT_MAX_RESULT_BYTES = 100 << 20
"""Bytes an answer may have before its client gets an error instead (``--max-result-size``)."""
DEFAULT_MAX_MEMORY = 4 << 30
"""Address space the Oxigraph engine may use before it is stopped and restarted (``--max-memory``)."""
DEFAULT_MAX_CONCURRENT = 32
"""Queries the engine runs at once; more wait for a free slot within their time limit."""
DEFAULT_GUARD_WORKERS = 2
"""Processes that check queries (with :func:`ppkg.query.safety.check_query`) side by side."""
KILL_GRACE_S = 5.0
"""Seconds past its time limit a query may keep the engine busy before the engine is restarted."""

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$"
)
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_log = logging.getLogger("ppkg.serve")


def parse_size(text: str, what: str = "size") -> int:
    """Bytes in ``text``: ``4G``, ``512M``, ``100MiB``, ``64k`` or a plain number (K, M, G, T are powers of 1024)."""
    match = _SIZE.match(text)
    if not match:
        raise ParameterError(f"invalid {what} {text!r}: use a number of bytes or a size like 512M or 4G")
    number = float(match.group(1)) * 1024 ** " kmgt".index(match.group(2).lower() or " ")
    if number < 1:
        raise ParameterError(f"invalid {what} {text!r}: it must be at least 1 byte")
    return int(number)


def resolve_host(host: str) -> tuple[socket.AddressFamily, str, bool]:
    """The address family, address and loopback-ness of ``host`` (an IP address or a host name).

    Raises :class:`~ppkg.errors.ParameterError` for anything else (``999.1.1.1``, ``a b``).
    """
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(literal)
    except ValueError:
        ip = None
    if ip is not None:
        family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        return family, str(ip), ip.is_loopback
    if not _HOST_NAME.fullmatch(host) or re.fullmatch(r"[\d.]+", host):
        raise ParameterError(f"invalid host {host!r}: not an IP address or a host name")
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise ParameterError(f"invalid host {host!r}: {getattr(err, 'strerror', None) or err}") from None
    infos.sort(key=lambda info: info[0] != socket.AF_INET)  # IPv4 first, as for "localhost"
    family, _, _, _, sockaddr = infos[0]
    address = str(sockaddr[0])
    return family, address, ipaddress.ip_address(address).is_loopback


def listen(family: socket.AddressFamily, address: str, port: int, shown: str) -> socket.socket:
    """A listening TCP socket on ``address:port``; a port in use or a foreign address is one clear line."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(128)
    except OSError as err:
        sock.close()
        if err.errno == errno.EADDRINUSE:
            raise EndpointError(f"cannot listen on {shown}:{port}: the port is already in use") from None
        if err.errno == errno.EADDRNOTAVAIL:
            raise EndpointError(f"cannot listen on {shown}: it is not an address of this machine") from None
        if err.errno == errno.EACCES:
            raise EndpointError(f"cannot listen on {shown}:{port}: permission denied") from None
        raise EndpointError(f"cannot listen on {shown}:{port}: {err.strerror or err}") from None
    return sock


def _site_directory(site: str | Path | None) -> Path | None:
    """The site to serve, checked: a directory that ``ppkg site`` wrote."""
    from ppkg.present.site.build import MARKER

    if site is None:
        return None
    path = Path(site)
    if not (path / "index.html").is_file() or not (path / MARKER).is_file():
        raise ParameterError(f"--site {site}: not a site built by `ppkg site -o DIR`")
    return path.resolve()


class SparqlServer:
    """A read-only SPARQL endpoint serving ``files``; use as a context manager or call start()/stop().

    ``port`` ``None`` or ``0`` picks a free port (read :attr:`port` after :meth:`start`). A ``host`` that is
    not a loopback address needs ``allow_remote=True``. Each request may take ``timeout_s`` seconds and
    send ``max_result_bytes``; the engine may use ``max_memory`` bytes (resident) and runs
    ``max_concurrent`` queries at once. ``engine_timeout_s`` (default: one second more than
    ``timeout_s``) is the engine's own limit; ``kill_grace_s`` is how long past its limit a query may keep
    the engine busy before the engine is restarted. ``on_event`` receives one line per engine restart
    (by default they are logged on the ``ppkg.serve`` logger). ``site`` is a directory ``ppkg site`` wrote: its
    pages are served too, and ``/id/...`` (the path of every IRI) answers with the page, Turtle or JSON-LD.

    >>> import ppkg
    >>> with SparqlServer(ppkg.load().files) as server:  # doctest: +SKIP
    ...     ppkg.connect(server.query_url).run("programs-by-rating", rating="promising").column("programLabel")
    ['Iowa Parent Partner Approach', 'Parents Anonymous']
    """

    def __init__(
        self,
        files: Sequence[GraphFile],
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        read_only: bool = True,
        allow_remote: bool = False,
        max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
        max_memory: int | None = DEFAULT_MAX_MEMORY,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        engine_timeout_s: int | None = None,
        kill_grace_s: float = KILL_GRACE_S,
        guard_workers: int = DEFAULT_GUARD_WORKERS,
        on_event: Callable[[str], None] | None = None,
        site: str | Path | None = None,
    ) -> None:
        if port is not None and not 0 <= port <= 65535:
            raise ParameterError(f"invalid port {port}: it must be between 0 and 65535")
        if not timeout_s > 0:
            raise ParameterError(f"invalid time limit {timeout_s!r}: it must be more than 0 seconds")
        if max_result_bytes < 1 or max_concurrent < 1 or (max_memory is not None and max_memory < 1):
            raise ParameterError("the result size, memory and concurrency limits must be positive")
        self.files = list(files)
        self.host = host
        self.port = port or 0
        self.timeout_s = float(timeout_s)
        self.read_only = read_only
        self.max_result_bytes = max_result_bytes
        self.max_memory = max_memory
        self.max_concurrent = max_concurrent
        self.engine_timeout_s = engine_timeout_s or math.ceil(self.timeout_s) + 1
        self.kill_grace_s = kill_grace_s
        self.guard_workers = max(1, guard_workers)
        self.on_event = on_event or _log.warning
        self.site = _site_directory(site)
        self._family, self._address, self.loopback = resolve_host(host)
        if not self.loopback and not allow_remote:
            raise ParameterError(
                f"listening on {host} would let other machines query this endpoint; "
                "pass --allow-remote (allow_remote=True) to do so"
            )
        if not self.loopback and not read_only:
            raise ParameterError("a writable server listens on a loopback address only")
        self._workdir: Path | None = None
        self._engine: Engine | None = None
        self._guard: GuardPool | None = None
        self._front: Front | None = None
        self._front_thread: threading.Thread | None = None
        self._stopped = threading.Event()

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        host = f"[{self._address}]" if self._family == socket.AF_INET6 and ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.base_url}/query"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint (read-only unless ``read_only=False``)."""
        return f"{self.base_url}/store"

    @property
    def engine_pid(self) -> int | None:
        """Process id of the running Oxigraph engine (``None`` while it restarts or when stopped)."""
        return self._engine.pid if self._engine is not None else None

    @property
    def engine_url(self) -> str | None:
        """The running Oxigraph engine's own query URL on 127.0.0.1, behind the front and *not guarded*.

        For diagnostics and benchmarks only; ``None`` while the engine restarts or when stopped.
        """
        port = self._engine.port if self._engine is not None and self.read_only else None
        return f"http://127.0.0.1:{port}/query" if port else None

    @property
    def restarts(self) -> int:
        """How many times the engine was restarted after it died or was stopped for a runaway query."""
        return self._engine.restarts if self._engine is not None else 0

    def start(self, wait: float = 30.0) -> SparqlServer:
        """Listen, build the store, start the engine; return when the endpoint answers."""
        binary = oxigraph_binary()
        listener = listen(self._family, self._address, self.port, self.host) if self.read_only else None
        if listener is not None:
            self.port = int(listener.getsockname()[1])
        try:
            self._workdir = make_workdir()
            if listener is not None:  # the query checkers start while the store is built
                self._guard = GuardPool(self.guard_workers)
            location = self._workdir / "store"
            if self.files:
                dump = self._workdir / "graph.nq"
                loaded = OxigraphEngine.from_files(self.files)
                materialise(loaded.store, loaded.union)  # the server's queries read its default graph
                loaded.store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
                del loaded
                load_store(binary, dump, location)
                dump.unlink()
            if listener is None:
                self._start_writable(location, wait)
                return self
            engine = self._start_engine(location, wait)
            assert self._guard is not None
            if not self._guard.wait_ready(wait):
                raise EndpointError(self._guard.failure or f"the query checker did not start within {wait:.0f} s")
            limits = Limits(
                timeout_s=self.timeout_s,
                max_result_bytes=self.max_result_bytes,
                max_concurrent=self.max_concurrent,
                kill_grace_s=self.kill_grace_s,
            )
            self._front = Front(
                listener,
                engine,
                self._guard,
                limits,
                self._workdir,
                loopback_only=self.loopback,
                host_names=_LOOPBACK_NAMES | {self.host.lower(), self._address},
            )
            self._front.site = self.site
            listener = None
            self._front_thread = threading.Thread(
                target=self._front.serve_forever, kwargs={"poll_interval": 0.2}, name="ppkg-serve-front", daemon=True
            )
            self._front_thread.start()
        except BaseException:
            if listener is not None:
                listener.close()
            self.stop()
            raise
        return self

    def _start_engine(self, location: Path, wait: float, writable_bind: tuple[str, int] | None = None) -> Engine:
        """Start the supervised Oxigraph server on ``location`` (on ``writable_bind`` for the writable server);
        it is kept in ``_engine`` before it starts, so that ``stop()`` also stops one that failed half-way."""
        assert self._workdir is not None
        self._engine = Engine(
            location,
            self._workdir,
            timeout_s=self.engine_timeout_s,
            max_memory=self.max_memory,
            on_event=self.on_event,
            start_wait=wait,
            writable_bind=writable_bind,
        )
        self._engine.start()
        return self._engine

    def _start_writable(self, location: Path, wait: float) -> None:
        assert self._workdir is not None
        if not self.port:
            self.port = free_port(self._address)
        self._start_engine(location, wait, writable_bind=(self._address, self.port))

    def stop(self) -> None:
        """Stop answering, stop the engine and remove the temporary store. Safe to call twice."""
        if self._front is not None:
            self._front.shutdown()
            self._front.server_close()
            self._front = None
        if self._guard is not None:
            self._guard.close()
            self._guard = None
        if self._engine is not None:
            self._engine.stop()
            self._engine = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self._stopped.set()

    def wait(self) -> None:
        """Block until :meth:`stop`; raise :class:`~ppkg.errors.EndpointError` if the engine cannot be restarted."""
        while not self._stopped.wait(0.5):
            engine = self._engine
            if engine is not None and engine.fatal is not None:
                raise EndpointError(engine.fatal)

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
