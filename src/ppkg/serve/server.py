"""``ppkg serve``: a real SPARQL 1.1 endpoint (the Oxigraph server) loaded with the graph.

The server listens on 127.0.0.1 by default, is read-only, has a per-query time limit, and answers
with the union of all named graphs materialised as its default graph, so ppkg's queries run on it unchanged.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import pyoxigraph as ox

from ppkg.errors import EndpointError
from ppkg.query.engines import OxigraphEngine
from ppkg.rdf.io import GraphFile


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` server binary (from the ``oxigraph`` PyPI package)."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise EndpointError("the Oxigraph server is not installed: pip install 'ppkg[server]'")


def _die_with_parent() -> None:
    """In the server's process, before exec: ask Linux to stop it when ppkg exits (best effort)."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class SparqlServer:
    """An Oxigraph server process serving ``files``; use as a context manager or call start()/stop()."""

    def __init__(
        self,
        files: Sequence[GraphFile],
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        timeout_s: int = 30,
        read_only: bool = True,
    ) -> None:
        self.files = list(files)
        self.host = host
        self.port = port or free_port(host)
        self.timeout_s = timeout_s
        self.read_only = read_only
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.base_url}/query"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.base_url}/store"

    def start(self, wait: float = 30.0) -> SparqlServer:
        """Load the data into an on-disk store and start the server; return when it answers."""
        binary = oxigraph_binary()
        self._dir = tempfile.TemporaryDirectory(prefix="ppkg-serve-")
        location = Path(self._dir.name) / "store"
        dump = Path(self._dir.name) / "graph.nq"
        store = OxigraphEngine.from_files(self.files).store
        store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(dump)],
            check=True,
            capture_output=True,
        )
        command = "serve-read-only" if self.read_only else "serve"
        self._process = subprocess.Popen(
            [
                binary,
                command,
                "--location",
                str(location),
                "--bind",
                f"{self.host}:{self.port}",
                "--timeout-s",
                str(self.timeout_s),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                err = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
                self.stop()
                raise EndpointError(f"the Oxigraph server did not start: {err.strip()}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=1):
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise EndpointError(f"the Oxigraph server did not answer on {self.base_url} within {wait:.0f} s")

    def stop(self) -> None:
        """Stop the server and remove its store."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stderr:
                self._process.stderr.close()
            self._process = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def wait(self) -> int:
        """Block until the server exits; return its exit code."""
        if self._process is None:
            return 0
        return self._process.wait()

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
