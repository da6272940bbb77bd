"""A real Virtuoso 7 (Debian ``virtuoso-opensource-7``) on 127.0.0.1, for tests and benchmarks.

:class:`Virtuoso` writes a ``virtuoso.ini`` into a fresh directory (free loopback ports for SQL and HTTP,
the database files beside it, no Unix socket), starts ``virtuoso-t +foreground +configfile <ini>``, waits
until its SPARQL endpoint answers, then grants ``SPARQL_UPDATE`` to the ``SPARQL`` user through
``isql-vt`` on its SQL port, so ``/sparql-graph-crud`` accepts Graph Store Protocol writes without
credentials. Stopping terminates the server and waits for it. Nothing listens beyond 127.0.0.1.

``python -m tests.virtuoso`` starts one and prints its URLs until interrupted (for trying things by hand).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

SERVER = "virtuoso-t"
ISQL = "isql-vt"
DEBIAN_PACKAGE = "virtuoso-opensource-7"

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {dir}
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty_buffers}
MaxQueryMem          = 1G
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort             = 127.0.0.1:{http_port}
ServerRoot             = {dir}/vsp
MaxClientConnections   = 10
ServerThreads          = 10
MaxKeepAlives          = 10
KeepAliveTimeout       = 10
HTTPThreadSize         = 280000
Charset                = UTF-8
EnabledGzipContent     = 0
EnabledDavVSP          = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 120
DeferInferenceRulesInit    = 0
"""


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def available() -> str | None:
    """None when ``virtuoso-t`` and ``isql-vt`` are installed; otherwise why Virtuoso cannot be started."""
    missing = [name for name in (SERVER, ISQL) if shutil.which(name) is None]
    if missing:
        return f"{' and '.join(missing)} not found (Debian package {DEBIAN_PACKAGE})"
    return None


class Virtuoso:
    """A Virtuoso server in its own temporary directory on free loopback ports (a context manager)."""

    def __init__(self, *, buffers: int = 20000, max_rows: int = 10000, start_timeout: float = 120.0) -> None:
        self.buffers = buffers
        self.max_rows = max_rows
        self.start_timeout = start_timeout
        self.sql_port = free_port()
        self.http_port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="ppkg-virtuoso-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """The SPARQL endpoint (``/sparql``), as ``ppkg query --endpoint`` takes it."""
        return f"{self.base}/sparql"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint (``/sparql-graph-crud``), as ``ppkg publish --store`` takes it."""
        return f"{self.base}/sparql-graph-crud"

    def start(self) -> Virtuoso:
        """Write the configuration, start the server, wait until SPARQL answers and grant SPARQL_UPDATE."""
        (self.directory / "vsp").mkdir(exist_ok=True)
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            INI.format(
                dir=self.directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                buffers=self.buffers,
                dirty_buffers=self.buffers * 3 // 4,
                max_rows=self.max_rows,
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [SERVER, "+foreground", "+configfile", str(ini)],
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + self.start_timeout
        while not self._answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"virtuoso-t did not answer within {self.start_timeout:g} s: {self._log_tail()}")
            time.sleep(0.25)
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        return self

    def isql(self, *statements: str) -> str:
        """Run SQL statements as ``dba`` through ``isql-vt`` on the server's SQL port; return its output."""
        script = "\n".join([*statements, "exit;"]) + "\n"
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=script.encode(),
            capture_output=True,
            timeout=120,
            check=False,
        )
        output = done.stdout.decode(errors="replace")
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed: {output.strip()[-500:]} {done.stderr.decode(errors='replace')}")
        return output

    def _answers(self) -> bool:
        query = urllib.parse.urlencode({"query": "ASK {}"})
        request = urllib.request.Request(
            f"{self.query_url}?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def _log_tail(self) -> str:
        log = self.directory / "virtuoso.log"
        lines = log.read_text(errors="replace").splitlines() if log.is_file() else []
        return " | ".join(lines[-5:])

    def stop(self) -> None:
        """Terminate the server, wait for it, and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Virtuoso:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def in_ci() -> bool:
    """True under ``CI=true`` (then a missing Virtuoso is a failure, not a skip)."""
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def virtuoso() -> Iterator[Virtuoso]:
    """A running Virtuoso on 127.0.0.1 for the whole session (import this fixture into a test module).

    Without ``virtuoso-t`` the tests that use it are skipped with the reason, except under ``CI=true``,
    where that is a failure.
    """
    missing = available()
    if missing is not None:
        if in_ci():
            pytest.fail(f"CI=true but Virtuoso cannot be started: {missing}")
        pytest.skip(missing)
    with Virtuoso() as server:
        yield server


if __name__ == "__main__":
    with Virtuoso() as server:
        print(f"SPARQL endpoint: {server.query_url}\nGraph Store:     {server.store_url}", flush=True)
        print(f"isql-vt 127.0.0.1:{server.sql_port} dba dba   (Ctrl-C stops it)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
