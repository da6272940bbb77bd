"""``ppkg serve``: a SPARQL endpoint that refuses to reach outside, survives its worst query, and never
answers a cut-off query with a short 200.

Every test runs real servers (the guarding front and the Oxigraph engine) on free 127.0.0.1 ports, real
``ppkg`` subprocesses and a real loopback listener; waits are bounded by generous timeouts, never asserted.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest

import ppkg
from ppkg.serve.server import SparqlServer
from tests.listener import Listener

from .conftest import ROOT, ppkg_command

pytestmark = pytest.mark.server

Run = Callable[..., subprocess.CompletedProcess[str]]

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?b ?c ?d ?e ?f ?g ?h ?i"
"""Oxigraph cannot cancel this sort of a 6·10¹⁰-row cross join: only a restart ends it."""
CROSS_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""Oxigraph's own time limit cancels this one (and then answers 200 with a cut-off body)."""
RATED_NR = {"Circle of Parents", "Parent Engagement and Self-Advocacy (PESA)", "Parents as Partners"}
"""The programs CEBC reviewed but could not rate (NR), in the shipped data."""


def http(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
    timeout: float = 120,
) -> tuple[int, dict[str, str], bytes]:
    """One real HTTP request: status, headers and body (error statuses included)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read()


def form(url: str, query: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """POST ``query`` as an HTML form would."""
    body = urllib.parse.urlencode({"query": query}).encode()
    return http(url, body, {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def count(body: bytes) -> int:
    """The ``?n`` of a COUNT query's JSON answer."""
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def one_line(body: bytes) -> str:
    """The body of an error answer, which must be exactly one line."""
    text = body.decode()
    assert text.endswith("\n") and text.count("\n") == 1, text
    return text.strip()


@pytest.fixture(scope="module")
def server(kg: ppkg.KnowledgeGraph) -> Iterator[SparqlServer]:
    """A read-only server on the shipped graph (nothing in this module's shared tests breaks it)."""
    with SparqlServer(kg.files, timeout_s=20) as running:
        yield running


@pytest.fixture(scope="module")
def triples(kg: ppkg.KnowledgeGraph, server: SparqlServer) -> int:
    """How many triples the server's default graph has (to prove nothing changed)."""
    status, _, body = form(server.query_url, COUNT)
    assert status == 200
    return count(body)


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener standing for any address a server could be made to reach."""
    listening = Listener()
    yield listening
    listening.close()


# --- not a proxy ---------------------------------------------------------------------------------------


def test_service_is_refused_for_every_caller_and_reaches_nothing(server: SparqlServer, listener: Listener) -> None:
    # the control: the engine on its own would call the listener
    engine_query = server.engine_url
    assert engine_query is not None
    thread = threading.Thread(
        target=lambda: form(engine_query, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", {}),
        daemon=True,
    )
    thread.start()
    assert listener.wait_for_connection(30)
    thread.join(60)
    seen = listener.connections

    attempts = [
        f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x a ppkg:Program OPTIONAL {{ SERVICE SILENT <{listener.url}> {{ ?x ?p ?o }} }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ #x\rSERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
    ]
    for query in attempts:
        for status, _, body in (
            form(server.query_url, query),
            http(f"{server.query_url}?query={urllib.parse.quote(query)}"),
            http(server.query_url, query.encode(), {"Content-Type": "application/sparql-query"}),
            form(f"{server.base_url}/sparql", query),
        ):
            assert status == 400, body
            assert "SERVICE is not allowed" in one_line(body)
    assert listener.connections == seen
    assert server.restarts == 0


def test_from_load_and_dataset_parameters_are_refused(server: SparqlServer, triples: int) -> None:
    status, _, body = form(server.query_url, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert status == 400 and "FROM" in one_line(body)
    status, _, body = http(
        f"{server.query_url}?query={urllib.parse.quote(COUNT)}&default-graph-uri=http%3A%2F%2F127.0.0.1%3A9%2F"
    )
    assert status == 400 and one_line(body).startswith("default-graph-uri is not allowed")
    status, _, body = http(
        server.query_url, b"LOAD <http://127.0.0.1:9/x.ttl>", {"Content-Type": "application/sparql-query"}
    )
    assert status == 400 and "LOAD" in one_line(body)
    assert count(form(server.query_url, COUNT)[2]) == triples


def test_updates_and_writes_are_refused(server: SparqlServer, triples: int) -> None:
    update = b"INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    answers = [
        http(server.query_url, update, {"Content-Type": "application/sparql-update"}),
        http(server.query_url, b"update=DROP+ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
        http(f"{server.base_url}/update", update, {"Content-Type": "application/sparql-update"}),
        http(f"{server.base_url}/store?default", b"<urn:x> <urn:y> <urn:z> .", {"Content-Type": "text/turtle"}),
        http(f"{server.base_url}/store?default", None, method="DELETE"),
        http(f"{server.base_url}/store?default", b"", {"Content-Type": "text/turtle"}, method="PUT"),
    ]
    for status, _, body in answers:
        assert status == 403, body
        assert "read-only" in one_line(body)
    status, _, body = form(server.query_url, "DROP ALL")
    assert status == 400 and "SPARQL Update" in one_line(body)
    status, _, body = http(server.query_url, b"query=ASK{}", {"Content-Type": "text/plain"})
    assert status == 415 and "application/sparql-query" in one_line(body)
    status, headers, body = http(server.query_url, None, method="PUT")
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST"
    assert count(form(server.query_url, COUNT)[2]) == triples


def test_cross_origin_form_posts_and_foreign_host_names_are_refused(server: SparqlServer) -> None:
    status, _, body = form(server.query_url, COUNT, {"Origin": "https://evil.example"})
    assert status == 403
    assert one_line(body).startswith("cross-origin POST refused (Origin https://evil.example)")
    status, _, body = form(server.query_url, COUNT, {"Origin": "null"})
    assert status == 403
    same_origin = server.base_url
    status, _, body = form(server.query_url, COUNT, {"Origin": same_origin})
    assert status == 200 and count(body) > 0
    # a page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host
    status, _, body = http(f"{server.query_url}?query={urllib.parse.quote(COUNT)}", headers={"Host": "evil.example"})
    assert status == 403 and "loopback" in one_line(body)
    status, _, body = http(
        f"{server.query_url}?query={urllib.parse.quote(COUNT)}", headers={"Host": f"localhost:{server.port}"}
    )
    assert status == 200


def test_query_page_service_description_and_graph_store_reads_pass(server: SparqlServer, triples: int) -> None:
    status, headers, body = http(f"{server.base_url}/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"yasgui" in body
    assert http(f"{server.base_url}/logo.svg")[0] == 200
    status, headers, body = http(server.query_url)
    assert status == 200 and b"sparql-service-description" in body
    status, headers, body = http(f"{server.base_url}/store?default", headers={"Accept": "application/n-triples"})
    assert status == 200 and body.count(b"\n") == triples
    status, headers, body = http(f"{server.query_url}?query={urllib.parse.quote(COUNT)}", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert http(f"{server.base_url}/nothing-here")[0] == 404


def test_deeply_nested_query_is_refused_before_the_engine(server: SparqlServer) -> None:
    pid = server.engine_pid
    nested = "SELECT * WHERE { " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000 + "}"
    assert len(nested) > 10_000
    status, _, body = form(server.query_url, nested)
    assert status == 400 and "deep" in one_line(body)
    status, _, body = form(server.query_url, "SELECT * WHERE { " + "(" * 10_000 + "1" + ")" * 10_000 + " }")
    assert status == 400
    assert server.engine_pid == pid and server.restarts == 0


def test_request_over_the_size_cap_is_413_and_nothing_runs(server: SparqlServer, triples: int) -> None:
    pid = server.engine_pid
    for media_type in ("application/sparql-query", "application/x-www-form-urlencoded"):
        # the server answers from the headers, before any of the body is read (so only they are sent)
        conn = HTTPConnection(urllib.parse.urlsplit(server.query_url).netloc, timeout=60)
        try:
            conn.putrequest("POST", urllib.parse.urlsplit(server.query_url).path)
            conn.putheader("Content-Type", media_type)
            conn.putheader("Content-Length", str((1 << 20) + 1))
            conn.endheaders()
            response = conn.getresponse()
            status, body = response.status, response.read()
        finally:
            conn.close()
        assert status == 413
        assert one_line(body).endswith("the request is larger than the server's limit of 1 MiB")
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000
    status, _, _ = http(f"{server.query_url}?query={urllib.parse.quote(big)}")
    assert status == 414  # a request line longer than the HTTP server reads
    status, _, body = form(server.query_url, COUNT)
    assert status == 200 and count(body) == triples
    assert server.engine_pid == pid and server.restarts == 0


def test_remote_client_reads_a_real_server_within_its_bounds(server: SparqlServer) -> None:
    from ppkg.errors import EndpointError
    from ppkg.query.remote import RemoteEngine

    small = ppkg.KnowledgeGraph(engine=RemoteEngine(server.query_url, timeout=60, max_answer_bytes=4096))
    assert small.query("ASK { ?p a ppkg:Program }").boolean is True
    with pytest.raises(EndpointError, match=r"the answer is too large \(.*more than the limit of 4 KiB\)"):
        small.query("SELECT * WHERE { ?s ?p ?o }")
    described = small.query("CONSTRUCT { ?p a ppkg:Program } WHERE { ?p a ppkg:Program } LIMIT 3")
    assert described.graph is not None and len(described.graph) == 3


def test_remote_client_gets_the_same_rows_through_the_front(server: SparqlServer, kg: ppkg.KnowledgeGraph) -> None:
    remote = ppkg.connect(server.query_url, timeout=60)
    result = remote.run("programs-by-rating", rating="NR")
    assert result.terms == kg.run("programs-by-rating", rating="NR").terms
    assert set(result.column("programLabel")) == RATED_NR


# --- limits ----------------------------------------------------------------------------------------------


def test_runaway_query_is_an_error_and_other_clients_are_answered(kg: ppkg.KnowledgeGraph) -> None:
    restarted = threading.Event()
    events: list[str] = []

    def on_event(line: str) -> None:
        events.append(line)
        restarted.set()

    with SparqlServer(kg.files, timeout_s=5, kill_grace_s=1, on_event=on_event) as server:
        outcome: dict[str, tuple[int, dict[str, str], bytes]] = {}
        runaway = threading.Thread(target=lambda: outcome.update(runaway=form(server.query_url, RUNAWAY)))
        runaway.start()
        remote = ppkg.connect(server.query_url, timeout=60)
        while runaway.is_alive():  # other clients, while the runaway query runs (and after the restart)
            assert set(remote.run("programs-by-rating", rating="NR").column("programLabel")) == RATED_NR
        runaway.join()
        status, _, body = outcome["runaway"]
        assert status == 503
        assert one_line(body) == (
            "the query did not finish within 5 s (the server's time limit); narrow it or add a LIMIT"
        )
        assert restarted.wait(60)
        assert len(events) == 1 and events[0].startswith("restarted the SPARQL engine in ")
        assert events[0].endswith(" s: a query was still running 1 s after its time limit")
        assert server.restarts == 1
        assert set(remote.run("programs-by-rating", rating="NR").column("programLabel")) == RATED_NR


def test_a_query_too_costly_to_check_is_cut_off_and_others_answered(kg: ppkg.KnowledgeGraph) -> None:
    # rdflib's parser (the guard's) takes many seconds on a long VALUES block and cannot be interrupted
    costly = "SELECT * WHERE { VALUES ?x { " + " ".join(str(i) for i in range(60_000)) + " } }"
    with SparqlServer(kg.files, timeout_s=5) as server:
        outcome: dict[str, tuple[int, dict[str, str], bytes]] = {}
        checking = threading.Thread(target=lambda: outcome.update(costly=form(server.query_url, costly)))
        checking.start()
        remote = ppkg.connect(server.query_url, timeout=60)
        while checking.is_alive():
            assert set(remote.run("programs-by-rating", rating="NR").column("programLabel")) == RATED_NR
        status, _, body = outcome["costly"]
        assert status == 503 and "did not finish within 5 s" in one_line(body)
        assert set(remote.run("programs-by-rating", rating="NR").column("programLabel")) == RATED_NR
        assert server.restarts == 0


def test_a_query_the_engine_cancels_is_an_error_not_an_empty_answer(kg: ppkg.KnowledgeGraph, run_ppkg: Run) -> None:
    # the engine's own limit (1 s) before the front's (60 s): Oxigraph answers 200 with a cut-off body
    with SparqlServer(kg.files, timeout_s=60, engine_timeout_s=1) as server:
        status, _, body = form(server.query_url, CROSS_COUNT)
        assert status == 503 and "did not finish" in one_line(body)
        done = run_ppkg("query", "--sparql", CROSS_COUNT, "--endpoint", server.query_url)
        assert done.returncode == 2, done.stdout
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1 and "503" in done.stderr
        assert server.restarts == 0


def test_killed_engine_is_restarted_and_the_next_query_answered(kg: ppkg.KnowledgeGraph) -> None:
    events: list[str] = []
    with SparqlServer(kg.files, on_event=events.append) as server:
        before = count(form(server.query_url, COUNT)[2])
        pid = server.engine_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        status, _, body = form(server.query_url, COUNT)  # waits for the restart, within its time limit
        assert status == 200 and count(body) == before
        assert server.engine_pid not in (None, pid)
        assert server.restarts == 1
        assert len(events) == 1 and events[0].endswith("it stopped (killed by SIGKILL)")


def test_memory_hog_is_stopped_and_only_its_client_gets_an_error(kg: ppkg.KnowledgeGraph) -> None:
    events: list[str] = []
    with SparqlServer(kg.files, timeout_s=120, max_memory=300 << 20, on_event=events.append) as server:
        status, _, body = form(server.query_url, RUNAWAY)  # its sort grows without bound
        assert status == 503
        assert one_line(body) == "the SPARQL engine stopped while answering (it is being restarted); try again"
        status, _, body = form(server.query_url, COUNT)  # answered once the engine is back
        assert len(events) == 1 and " of memory, more than its limit of 300 MiB" in events[0]
        assert status == 200 and count(body) > 3000
        assert server.restarts == 1


def test_result_cap_is_an_error_not_a_truncated_answer(kg: ppkg.KnowledgeGraph) -> None:
    with SparqlServer(kg.files, max_result_bytes=20_000) as server:
        status, headers, body = form(server.query_url, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 507
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert one_line(body) == (
            "the answer is larger than the server's limit of 19.5 KiB; narrow the query or add a LIMIT"
        )
        status, _, body = form(server.query_url, COUNT)
        assert status == 200 and count(body) > 3000


# --- host, port and temporary files ----------------------------------------------------------------------


def test_remote_host_needs_the_flag(run_ppkg: Run, kg: ppkg.KnowledgeGraph) -> None:
    done = run_ppkg("serve", "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 2
    assert done.stderr == (
        "ppkg: error: listening on 0.0.0.0 would let other machines query this endpoint; "
        "pass --allow-remote (allow_remote=True) to do so\n"
    )
    with pytest.raises(ppkg.PpkgError, match="--allow-remote"):
        SparqlServer(kg.files, host="::")


@pytest.mark.parametrize("host", ["999.1.1.1", "not a host", "a/b"])
def test_invalid_host_is_one_line(run_ppkg: Run, host: str) -> None:
    done = run_ppkg("serve", "--host", host, "--port", "0")
    assert done.returncode == 2
    assert done.stderr == f"ppkg: error: invalid host {host!r}: not an IP address or a host name\n"


def test_port_in_use_is_one_line(run_ppkg: Run) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = run_ppkg("serve", "--port", str(port))
    assert done.returncode == 2
    assert done.stderr == f"ppkg: error: cannot listen on 127.0.0.1:{port}: the port is already in use\n"


def test_remote_host_with_the_flag_warns(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*ppkg_command(), "serve", "--host", "0.0.0.0", "--allow-remote", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        second = process.stderr.readline()
    finally:
        process.terminate()
        process.wait(60)
    assert re.fullmatch(
        r"ppkg: warning: listening on 0\.0\.0\.0: anyone who can reach this machine on port \d+ can query the graph\n",
        first,
    ), first
    assert second.startswith("ppkg: SPARQL endpoint at http://"), second


def start_serve(tmp: Path) -> tuple[subprocess.Popen[str], str]:
    """``ppkg serve --port 0`` with its temporary files in ``tmp``; the process and its query URL."""
    process = subprocess.Popen(
        [*ppkg_command(), "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+/query) \(read-only; SERVICE refused; 30 s and 100 MiB per query", line)
    assert match, line
    return process, match.group(1)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (every thread's)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (exited, or a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def wait_until(condition: Callable[[], bool], bound: float = 60) -> bool:
    """Poll ``condition`` until it holds or ``bound`` seconds pass (a bound, not a measurement)."""
    end = time.monotonic() + bound
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def test_sigterm_stops_serve_and_removes_its_store(tmp_path: Path) -> None:
    process, url = start_serve(tmp_path)
    try:
        assert count(form(url, COUNT)[2]) > 3000
        assert [p.name.startswith(f"ppkg-serve-{process.pid}-") for p in tmp_path.iterdir()] == [True]
        helpers = children(process.pid)  # the Oxigraph engine and the query checkers
        assert len(helpers) == 3
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()
    assert list(tmp_path.iterdir()) == []
    assert wait_until(lambda: all(gone(pid) for pid in helpers))


def test_sigkill_takes_the_helpers_along_and_the_next_start_cleans_up(tmp_path: Path) -> None:
    process, url = start_serve(tmp_path)
    helpers = children(process.pid)
    assert len(helpers) == 3
    process.kill()
    process.wait()
    assert process.stderr is not None
    process.stderr.close()
    assert wait_until(lambda: all(gone(pid) for pid in helpers))  # they die with their parent
    assert [p.name.startswith(f"ppkg-serve-{process.pid}-") for p in tmp_path.iterdir()] == [True]
    second, url = start_serve(tmp_path)
    try:
        assert [p.name.startswith(f"ppkg-serve-{second.pid}-") for p in tmp_path.iterdir()] == [True]
        assert count(form(url, COUNT)[2]) > 3000
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
        assert second.stderr is not None
        second.stderr.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_load_short_run_with_a_runaway_query() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "load_serve.py"), "--clients", "10", "--seconds", "15"]
        + ["--timeout", "5", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, done.stdout
    assert figures["errors"] == 0 and figures["answered"] > 0
    assert figures["runaway_status"] == 503
    assert figures["alive"] is True and figures["restarts"] == 1 and figures["exit_code"] == 0
