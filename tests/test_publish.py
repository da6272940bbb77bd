"""``ppkg publish`` to an Oxigraph server (a store whose default graph is a graph of its own) and to servers
that are not Graph Stores: replace, remove, verify, and one-line errors with exit 2.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import ppkg
from ppkg.serve.publish import PPKG_GRAPHS, GraphStore, query_endpoint_of
from ppkg.serve.server import SparqlServer

Run = Callable[..., subprocess.CompletedProcess[str]]
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


class _NotAStore(BaseHTTPRequestHandler):
    """Answers every request with a 200 HTML page, as a web server (or Virtuoso's query form) does."""

    def _page(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"<!DOCTYPE html><html><body><h1>Graph Query Form</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _page  # noqa: N815 (http.server names)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _DropsEverything(BaseHTTPRequestHandler):
    """A Graph Store that says yes (204) to every write and then holds nothing (empty SPARQL answers)."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        query = self.rfile.read(length).decode()
        if self.command in ("PUT", "POST") and self.path.startswith("/store"):
            self.send_response(204)
            self.end_headers()
            return
        doc = {"boolean": False} if "ASK" in query else {"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}
        body = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 (http.server names)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def not_a_store() -> Iterator[str]:
    yield from _serve(_NotAStore)


@pytest.fixture
def drops_everything() -> Iterator[str]:
    yield from _serve(_DropsEverything)


def test_query_endpoint_is_derived_from_the_store_url() -> None:
    assert query_endpoint_of("http://h:8890/sparql-graph-crud") == "http://h:8890/sparql"
    assert query_endpoint_of("http://h:8890/sparql-graph-crud-auth") == "http://h:8890/sparql-auth"
    assert query_endpoint_of("http://h:7878/store") == "http://h:7878/query"
    assert query_endpoint_of("http://h:3030/ppkg/data") == "http://h:3030/ppkg/query"
    assert query_endpoint_of("http://h:7200/repositories/ppkg/rdf-graphs/service") == "http://h:7200/repositories/ppkg"
    with pytest.raises(ppkg.EndpointError, match="name it with --endpoint"):
        query_endpoint_of("http://h/somewhere")


@pytest.mark.server
def test_publish_to_oxigraph_replaces_removes_and_every_query_matches(
    run_ppkg: Run, kg: ppkg.KnowledgeGraph, data_dir: Path
) -> None:
    with SparqlServer([], read_only=False) as empty:
        env = {"PPKG_DATA_DIR": str(data_dir)}
        done = run_ppkg(
            "contribute", str(EXAMPLES / "mentor-moms.ttl"), "--by", "Ada Steward", "--data-dir", str(data_dir)
        )
        assert done.returncode == 0, done.stderr
        first = run_ppkg("publish", "--store", empty.store_url, env=env)
        assert first.returncode == 0, first.stderr
        remote = ppkg.connect(empty.query_url)
        assert "Mentor Moms" in remote.run("programs-by-state-or-setting", state="CA").column("programLabel")

        contribution = json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "-f", "json").stdout)[0]["id"]
        assert run_ppkg("withdraw", contribution, "--data-dir", str(data_dir)).returncode == 0
        again = run_ppkg("publish", "--store", empty.store_url, env=env)
        assert again.returncode == 0, again.stderr
        assert f"removed <{PPKG_GRAPHS}contribution/{contribution}>" in again.stdout.splitlines()
        assert again.stdout.splitlines()[-1].startswith("ppkg: published 13 graphs (")
        # the default graph (a graph of its own in Oxigraph) was replaced too: no trace of the withdrawn program
        assert "Mentor Moms" not in remote.run("programs-by-state-or-setting", state="CA").column("programLabel")
        assert not GraphStore(empty.store_url).default_is_union()
        for spec in kg.catalogue:
            assert remote.run(spec.name).terms == kg.run(spec.name).terms, spec.name


def test_an_html_page_is_not_a_graph_store_answer(run_ppkg: Run, not_a_store: str) -> None:
    done = run_ppkg("publish", "--store", f"{not_a_store}/sparql-graph-crud")
    assert done.returncode == 2
    assert done.stdout == ""
    # the query endpoint is asked first (which graphs the store holds): an HTML page is no SPARQL answer
    assert re.fullmatch(r"ppkg: error: \S+/sparql: HTTP 200 but not SPARQL JSON results .*--endpoint\)\n", done.stderr)


def test_a_put_answered_with_html_is_an_error(not_a_store: str) -> None:
    store = GraphStore(f"{not_a_store}/sparql-graph-crud")
    with pytest.raises(ppkg.EndpointError, match=r"answered PUT with an HTML page, not a Graph Store Protocol answer"):
        store.send("PUT", f"{PPKG_GRAPHS}x", b"")


def test_a_store_that_keeps_nothing_fails_the_check(run_ppkg: Run, drops_everything: str) -> None:
    done = run_ppkg("publish", "--store", f"{drops_everything}/store")
    assert done.returncode == 2
    assert re.fullmatch(
        r"ppkg: error: \S+/store: after publishing, the store holds 0 statements in <https://w3id.org/ppkg/id/graph/"
        r"[^>]+>, not [\d,]+ \(and 12 other graphs differ\)\n",
        done.stderr,
    )
    assert "published" not in done.stdout


def test_user_needs_the_password_in_the_environment(run_ppkg: Run) -> None:
    done = run_ppkg(
        "publish",
        "--store",
        "http://127.0.0.1:9/sparql-graph-crud-auth",
        "--user",
        "dba",
        env={"PPKG_STORE_PASSWORD": None},
    )
    assert done.returncode == 2
    assert done.stderr == "ppkg: error: --user dba needs the password in the environment variable PPKG_STORE_PASSWORD\n"
    help_text = run_ppkg("publish", "--help").stdout
    assert "--password" not in help_text and "PPKG_STORE_PASSWORD" in help_text


def test_unreachable_store(run_ppkg: Run) -> None:
    done = run_ppkg("publish", "--store", "http://127.0.0.1:9/store", "--timeout", "2")
    assert done.returncode == 2
    assert re.fullmatch(r"ppkg: error: http://127.0.0.1:9/query: cannot reach the store: .*\n", done.stderr)
