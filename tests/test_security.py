r"""Nothing a query says makes ppkg reach outside the loaded graph, on any engine, through the API or the CLI.

A loopback listener (a real socket server on 127.0.0.1) stands in for "outside": every query that would
reach it (``SERVICE``, ``\u0053ERVICE``, ``FROM``, ``LOAD``…) must be refused before it runs, and the
listener must see **zero** connections. Control tests show that the listener does see an engine that is
asked directly, without the guard.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef

import ppkg
from ppkg.errors import EndpointError, QueryError, QuerySyntaxError, UnsafeQueryError
from ppkg.query.engines import OxigraphEngine, RdflibEngine
from ppkg.query.safety import MAX_NESTING
from tests.listener import HTTP_503, Listener

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback listener that answers HTTP 503."""
    server = Listener()
    yield server
    server.close()


# {url} is the listener's address. Each query is one way of reaching outside.
REACHING_OUT = {
    "service": "SELECT * WHERE { ?s ?p ?o SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "service-first": "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "service-escaped": r"SELECT * WHERE { ?s ?p ?o \u0053ERVICE <{url}/sparql> { ?s ?p ?o } }",
    "service-lowercase-escaped": r"select * where { ?s ?p ?o \u0073ervice <{url}/sparql> { ?s ?p ?o } }",
    "service-after-cr-in-comment": "SELECT * WHERE { ?s ?p ?o #x\rSERVICE <{url}/sparql> { ?s ?p ?o }\n}",
    "service-glued-to-number": "SELECT * WHERE { ?s ?p 1SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "service-glued-to-prefixed-name": "PREFIX : <{url}/> SELECT * WHERE { ?s ?p ?o SERVICE:sparql { ?s ?p ?o } }",
    "service-silent-in-optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <{url}/sparql> { ?s ?p ?o } } }",
    "service-in-filter-exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "service-in-sub-select": "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o SERVICE <{url}/s> { ?s ?p ?o } } } }",
    "service-in-union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "service-in-minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "service-in-graph": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "service-variable": "SELECT * WHERE { BIND(<{url}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "from": "SELECT * FROM <{url}/g.ttl> WHERE { ?s ?p ?o }",
    "from-escaped": r"SELECT * \u0046ROM <{url}/g.ttl> WHERE { ?s ?p ?o }",
    "from-named": "SELECT * FROM NAMED <{url}/g.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "from-file": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "load": "LOAD <{url}/g.ttl>",
    "load-file": "LOAD <file:///etc/passwd>",
    "insert-data": "INSERT DATA { <http://a> <http://b> <http://c> }",
    "drop-all": "DROP ALL",
    "delete-where": "DELETE WHERE { ?s ?p ?o }",
    "clear": "CLEAR DEFAULT",
    "with-delete-insert": "WITH <{url}/g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
}


def _query(name: str, listener: Listener) -> str:
    return REACHING_OUT[name].replace("{url}", listener.url)


@pytest.mark.parametrize("name", list(REACHING_OUT))
def test_api_refuses_on_oxigraph(kg: ppkg.KnowledgeGraph, listener: Listener, name: str) -> None:
    with pytest.raises(UnsafeQueryError) as refused:
        kg.query(_query(name, listener))
    assert "\n" not in str(refused.value)
    assert listener.connections == 0


@pytest.mark.parametrize("name", list(REACHING_OUT))
def test_api_refuses_on_rdflib(kg_rdflib: ppkg.KnowledgeGraph, listener: Listener, name: str) -> None:
    with pytest.raises(UnsafeQueryError):
        kg_rdflib.query(_query(name, listener))
    assert listener.connections == 0


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name", list(REACHING_OUT))
def test_cli_refuses(run_ppkg: Run, listener: Listener, name: str, engine: str) -> None:
    done = run_ppkg("query", "--sparql", _query(name, listener), "--engine", engine)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ppkg: error: "), done.stderr
    assert "not allowed" in lines[0]
    assert done.stdout == ""
    assert "root:" not in done.stdout + done.stderr  # no line of /etc/passwd
    assert listener.connections == 0


def test_refusal_names_what_and_why(kg: ppkg.KnowledgeGraph, listener: Listener) -> None:
    with pytest.raises(UnsafeQueryError, match=r"^SERVICE is not allowed \(line 1, column 27\): it would send"):
        kg.query(_query("service-escaped", listener))
    with pytest.raises(UnsafeQueryError, match=r"^FROM <file:///etc/passwd> is not allowed .*use GRAPH <file:///etc/"):
        kg.query(_query("from-file", listener))
    with pytest.raises(UnsafeQueryError, match=r"^SPARQL Update \(DROP\) is not allowed .*read-only"):
        kg.query("DROP ALL")


# -- the guard is load-bearing: each engine, asked directly, does reach out ----------------------------


def test_oxigraph_engine_unguarded_follows_service(listener: Listener) -> None:
    engine = OxigraphEngine(ox.Store())
    with pytest.raises(QueryError, match=r"^the query failed: ") as failed:
        engine.execute(_query("service-first", listener), "SELECT", {})
    assert "\n" not in str(failed.value)
    assert listener.connections == 1
    assert listener.received[0].startswith(b"POST /sparql ")


def test_rdflib_engine_unguarded_follows_service(listener: Listener) -> None:
    dataset = Dataset()
    dataset.add((URIRef("http://a"), URIRef("http://b"), URIRef("http://c")))
    with pytest.raises(QueryError, match=r"^the query failed: a request it made was answered HTTP 503"):
        RdflibEngine(dataset).execute(_query("service-first", listener), "SELECT", {})
    assert listener.connections == 1


def test_escape_that_oxigraph_reads_differently(listener: Listener) -> None:
    r"""SPARQL expands ``\u005C`` before parsing (a backslash: here it escapes the next quote, so SERVICE is
    inside a string); Oxigraph, given the raw text, reads a string ``"\"`` and then SERVICE. The guard
    hands the engines the expanded text, so both read a string."""
    query = (
        "SELECT * WHERE { ?s ?p \"\\u005C\" . SERVICE <{url}/sparql> { ?s ?p ?o } ?s ?p \", '''\" #'''\n }"
    ).replace("{url}", listener.url)
    store = ox.Store()
    for value in ("\\", ", '''"):
        store.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.Literal(value)))
    engine = OxigraphEngine(store)  # queries read the store's default graph
    guarded = ppkg.KnowledgeGraph(engine=engine)
    assert guarded.query(query).rows == []
    assert listener.connections == 0
    with pytest.raises(QueryError):
        engine.execute(query, "SELECT", {})  # the raw text, unguarded
    assert listener.connections == 1


# -- remote endpoints -----------------------------------------------------------------------------


def test_endpoint_gets_nothing_it_would_forward(run_ppkg: Run, listener: Listener) -> None:
    """The listener plays the endpoint: a SERVICE query must not even be sent to it."""
    query = "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data> { ?s ?p ?o } }"
    done = run_ppkg("query", "--endpoint", f"{listener.url}/sparql", "--sparql", query)
    assert done.returncode == 2
    assert done.stderr.startswith("ppkg: error: SERVICE is not allowed") and done.stderr.count("\n") == 1
    assert listener.connections == 0
    with pytest.raises(UnsafeQueryError):
        ppkg.connect(f"{listener.url}/sparql").query(r"SELECT * \u0046ROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert listener.connections == 0


@pytest.mark.server
def test_real_endpoint_refuses_service_and_answers_the_rest(sparql_endpoint: str, listener: Listener) -> None:
    remote = ppkg.connect(sparql_endpoint)
    with pytest.raises(UnsafeQueryError):
        remote.query(_query("service-escaped", listener))
    assert listener.connections == 0
    labels = remote.query('SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l FILTER(?l != "SERVICE") }')
    assert "Parents Anonymous" in labels.column("l")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (b"not http at all\r\n\r\n", "not an HTTP answer: not http at all"),
        (b"", "cannot reach the endpoint"),
        (HTTP_503, "HTTP 503"),
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 5\r\n\r\n[1,2]",
            "malformed",
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 19\r\n\r\n"
            b'{"boolean":"false"}',
            "malformed",
        ),
    ],
    ids=["not-http", "closed", "http-503", "json-list", "boolean-as-string"],
)
def test_endpoint_errors_are_one_line(run_ppkg: Run, reply: bytes, message: str) -> None:
    server = Listener(reply)
    try:
        done = run_ppkg(
            "query", "--endpoint", f"{server.url}/sparql", "--sparql", "ASK { ?s ?p ?o }", "--timeout", "10"
        )
    finally:
        server.close()
    assert server.connections == 1
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ppkg: error: {server.url}/sparql: "), done.stderr
    assert message in lines[0]


# -- words are not keywords -----------------------------------------------------------------------

PROGRAMS = "?p a ppkg:Program ; rdfs:label ?l"
HARMLESS = {
    "string-literal": f'SELECT ?l WHERE {{ {PROGRAMS} FILTER(?l != "SERVICE <http://x> LOAD FROM") }}',
    "variable-from": "SELECT ?l WHERE { ?from a ppkg:Program ; rdfs:label ?l OPTIONAL { ?from ppkg:load ?service } }",
    "prefixed-names": f"SELECT ?l WHERE {{ {PROGRAMS} OPTIONAL {{ ?p ppkg:load ?x ; ppkg:service ?y }} }}",
    "comment": f"# SERVICE <http://127.0.0.1:1/> {{ ?s ?p ?o }}\nSELECT ?l WHERE {{ {PROGRAMS} }} # FROM <x>",
    "iri-with-words": f"SELECT ?l WHERE {{ {PROGRAMS} OPTIONAL {{ ?p <http://x/service/from/load> ?z }} }}",
    "escaped-letters": r"SELECT ?l WHERE { ?p a ppkg:Pro\u0067ram ; rdfs:label ?l }",
    "crlf-line-ends": "SELECT ?l\r\nWHERE { ?p a ppkg:Program ;\r\n rdfs:label ?l } # comment\r\n",
}


@pytest.mark.parametrize("name", list(HARMLESS))
def test_queries_with_the_words_still_run(
    kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph, listener: Listener, name: str
) -> None:
    for graph in (kg, kg_rdflib):
        labels = graph.query(HARMLESS[name]).column("l")
        assert "Parents Anonymous" in labels and "Iowa Parent Partner Approach" in labels
    assert listener.connections == 0


def test_cli_runs_a_query_with_the_words(run_ppkg: Run) -> None:
    done = run_ppkg("query", "--engine", "rdflib", "-f", "csv", "--sparql", HARMLESS["string-literal"])
    assert done.returncode == 0, done.stderr
    assert "Parents Anonymous" in done.stdout.splitlines()


# -- nesting ------------------------------------------------------------------------------------------

DEEP = {
    "parentheses": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 10_000 + "?o" + ")" * 10_000 + ") }",
    "braces": "SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000,
}


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_nesting_is_refused_by_the_cli(run_ppkg: Run, name: str) -> None:
    assert len(DEEP[name]) > 20_000
    for engine in ("oxigraph", "rdflib"):
        done = run_ppkg("query", "--engine", engine, "--sparql", DEEP[name])
        assert done.returncode == 2, (done.returncode, done.stderr[-300:])  # never a signal (negative)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("ppkg: error: the query nests brackets "), done.stderr[-300:]
        assert lines[0].endswith(f"deep; the limit is {MAX_NESTING}")


@pytest.mark.parametrize("name", list(DEEP))
def test_deep_nesting_is_refused_by_the_api(kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph, name: str) -> None:
    for graph in (kg, kg_rdflib):
        with pytest.raises(
            QuerySyntaxError, match=rf"^the query nests brackets 100\d\d deep; the limit is {MAX_NESTING}$"
        ):
            graph.query(DEEP[name])


def test_deep_nesting_from_a_file_and_stdin(run_ppkg: Run, tmp_path: Path) -> None:
    query = tmp_path / "deep.rq"
    query.write_text(DEEP["parentheses"], encoding="utf-8")
    for args, stdin in ((("--file", str(query)), None), (("--file", "-"), DEEP["braces"])):
        done = run_ppkg("query", *args, stdin=stdin)
        assert done.returncode == 2 and done.stderr.count("\n") == 1
        assert "nests brackets" in done.stderr


def test_nesting_up_to_the_limit_runs_on_both_engines(kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph) -> None:
    depth = MAX_NESTING - 3  # the WHERE group, FILTER's and STRSTARTS's parentheses count too
    query = (
        "SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l FILTER("
        + "(" * depth
        + 'STRSTARTS(?l, "Parents")'
        + ")" * depth
        + ") }"
    )
    for graph in (kg, kg_rdflib):
        assert sorted(graph.query(query).column("l")) == [
            "Parents Anonymous",
            "Parents as Partners",
            "Parents for Parents",
        ]
    assert sys.getrecursionlimit() < 20_000  # raised only while parsing


# -- the CLI boundary: one line and exit 2, whatever goes wrong ------------------------------------


def test_directory_as_query_file(run_ppkg: Run, tmp_path: Path) -> None:
    done = run_ppkg("query", "--file", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"ppkg: error: {tmp_path}")
    assert "Traceback" not in done.stderr


def test_unexpected_exception_in_a_command_is_one_line() -> None:
    """A command that fails in a way nobody planned (here an OSError) still ends in one line and exit 2."""
    program = (
        "import sys\n"
        "from ppkg.cli import app, main\n"
        "@app.command('boom')\n"
        "def boom() -> None:\n"
        "    raise OSError(28, 'No space left on device')\n"
        "sys.argv = ['ppkg', 'boom']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == "ppkg: error: OSError: [Errno 28] No space left on device\n"


def test_engine_network_error_through_the_cli(run_ppkg: Run, listener: Listener) -> None:
    """An engine's network error (the endpoint answers 503) is a one-line EndpointError, exit 2, never 1."""
    done = run_ppkg("query", "programs-by-rating", "--endpoint", f"{listener.url}/sparql")
    assert done.returncode == 2
    assert done.stderr == f"ppkg: error: {listener.url}/sparql: HTTP 503 Service Unavailable\n"
    assert listener.connections == 1
    with pytest.raises(EndpointError, match="HTTP 503"):
        ppkg.connect(f"{listener.url}/sparql").query("ASK { ?s ?p ?o }")
