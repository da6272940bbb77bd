"""Researchers: the catalogue's contract, bound parameters, remote endpoints, reasoning, exports, docs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from rdflib import Dataset, Graph, URIRef

import ppkg
from ppkg.errors import PpkgError
from ppkg.query.catalogue import Catalogue, render_markdown
from ppkg.query.reasoning import ReasoningError

ROOT = Path(__file__).resolve().parent.parent
Run = Callable[..., CompletedProcess[str]]
CATALOGUE = Catalogue()


def test_catalogue_has_a_query_per_competency_question() -> None:
    covered = {cq for spec in CATALOGUE for cq in spec.cq}
    assert covered >= {f"CQ{i}" for i in range(1, 19)}
    assert len(CATALOGUE) >= 18


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda s: s.name)
def test_query_parses_on_both_engines(spec: ppkg.QuerySpec) -> None:
    from rdflib.plugins.sparql import prepareQuery

    from ppkg.rdf.namespaces import PREFIXES

    prepareQuery(spec.text, initNs=PREFIXES)
    ppkg.load(shipped_data=False).query(spec.text, **{p.name: URIRef("urn:x") for p in spec.params})


def test_docs_catalogue_is_current() -> None:
    page = ROOT / "docs" / "queries.md"
    assert page.read_text(encoding="utf-8") == render_markdown(CATALOGUE), (
        "docs/queries.md is stale: run `ppkg queries --format markdown -o docs/queries.md`"
    )


INJECTIONS = [
    'x" || true || "',
    'motivational interviewing" } ; DROP ALL ; SELECT * { "',
    "https://w3id.org/ppkg/id/topic/x> } ; DROP ALL ; <http://a",
    "<https://w3id.org/ppkg/id/topic/boundaries> } SERVICE <http://127.0.0.1:1/> {",
    "line one\nline two",
    "'; DROP ALL",
    "}",
    ">",
    '2024-01-01" } DROP ALL {',
]


def _params() -> list[tuple[str, str]]:
    return [(spec.name, p.name) for spec in CATALOGUE for p in spec.params]


@pytest.mark.parametrize(("query", "param"), _params())
def test_injection_through_every_parameter(kg: ppkg.KnowledgeGraph, query: str, param: str) -> None:
    kind = CATALOGUE.get(query).param(param).type
    for attempt in INJECTIONS:
        if kind == "string":
            result = kg.run(query, **{param: attempt})  # bound as one inert literal
            assert result.variables == kg.run(query).variables
        else:
            with pytest.raises(PpkgError):  # names nothing: refused before anything runs
                kg.run(query, **{param: attempt})


@pytest.mark.server
def test_remote_endpoint_gives_the_same_rows(run_ppkg: Run, sparql_endpoint: str) -> None:
    args = ("query", "programs-by-training-topic", "--param", "topic=mandated reporting", "--format", "json")
    local = run_ppkg(*args)
    remote = run_ppkg(*args, "--endpoint", sparql_endpoint)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert json.loads(local.stdout) == json.loads(remote.stdout)
    names = {b["programLabel"]["value"] for b in json.loads(remote.stdout)["results"]["bindings"]}
    assert len(names) == 5


@pytest.mark.server
@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda s: s.name)
def test_every_catalogued_query_is_identical_remotely(
    kg: ppkg.KnowledgeGraph, sparql_endpoint: str, spec: ppkg.QuerySpec
) -> None:
    remote = ppkg.connect(sparql_endpoint, timeout=30)
    assert remote.run(spec.name).terms == kg.run(spec.name).terms


@pytest.mark.server
def test_remote_endpoint_unknown_value_and_unreachable(sparql_endpoint: str) -> None:
    remote = ppkg.connect(sparql_endpoint)
    with pytest.raises(ppkg.UnknownValueError):
        remote.run("programs-by-training-topic", topic="quantum knitting")
    dead = ppkg.connect("http://127.0.0.1:9/sparql", timeout=2)
    with pytest.raises(ppkg.EndpointError):
        dead.run("programs-by-rating")


def test_endpoint_must_be_http() -> None:
    with pytest.raises(ppkg.EndpointError):
        ppkg.connect("file:///etc/passwd")


INTERVENTIONS = "SELECT ?x WHERE { ?x a ppkg:Intervention } ORDER BY ?x"
INVERSE = "SELECT ?r WHERE { program:parents-anonymous ppkg:hasEvidenceRating ?r }"
LINEAGE = "SELECT ?p ?m WHERE { ?p ppkg:basedOn ?m } ORDER BY ?p ?m"


def test_reasoning_off_by_default(kg: ppkg.KnowledgeGraph) -> None:
    assert kg.query(INTERVENTIONS).rows == []
    assert kg.query(INVERSE).rows == []
    assert len(kg.query(LINEAGE)) == 1  # only the asserted basedOn
    assert str(ppkg.ID["graph/inferred"]) not in {str(r[0]) for r in kg.query("SELECT DISTINCT ?g { GRAPH ?g {} }")}


@pytest.fixture(scope="module")
def kg_rdfs() -> ppkg.KnowledgeGraph:
    return ppkg.load(reason="rdfs")


@pytest.fixture(scope="module")
def kg_owlrl() -> ppkg.KnowledgeGraph:
    return ppkg.load(reason="owlrl")


def test_rdfs_infers_superclasses_and_superproperties(kg_rdfs: ppkg.KnowledgeGraph) -> None:
    interventions = kg_rdfs.query(INTERVENTIONS).column("x")
    assert len(interventions) == 15  # 12 programs, 2 program models, 1 related program
    lineage = kg_rdfs.query(LINEAGE).rows
    assert (str(ppkg.ID["program/kentucky-start"]), str(ppkg.ID["program-model/national-start-model"])) in lineage
    assert len(lineage) == 3
    n = kg_rdfs.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH graph:inferred { ?x a ppkg:Intervention } }")
    assert n.rows[0][0] == 15


def test_owlrl_infers_inverses(kg_owlrl: ppkg.KnowledgeGraph) -> None:
    assert kg_owlrl.query(INVERSE).column("r") == [str(ppkg.ID["rating/cebc-parents-anonymous"])]


def test_reasoning_never_touches_asserted_graphs(kg: ppkg.KnowledgeGraph, kg_rdfs: ppkg.KnowledgeGraph) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != graph:inferred) }"
    assert kg.query(count).rows == kg_rdfs.query(count).rows


def test_reasoning_time_bound_is_a_clear_error() -> None:
    slow = ppkg.load(reason="owlrl", reason_timeout=0.01)
    with pytest.raises(ReasoningError, match="time limit"):
        slow.query("ASK { ?s ?p ?o }")


def test_reason_cli(run_ppkg: Run) -> None:
    done = run_ppkg("query", "--sparql", INTERVENTIONS, "--reason", "rdfs", "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 16
    bad = run_ppkg("query", "--sparql", INTERVENTIONS, "--reason", "magic")
    assert bad.returncode == 2 and "unknown reasoning profile" in bad.stderr


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld", "nt"])
def test_export_round_trips_and_is_deterministic(kg: ppkg.KnowledgeGraph, fmt: str) -> None:
    first = kg.export(fmt)
    assert ppkg.load().export(fmt) == first
    if fmt in ("trig", "nquads", "jsonld"):  # JSON-LD keeps the named graphs too
        back = Dataset()
        back.parse(data=first, format={"jsonld": "json-ld"}.get(fmt, fmt))
        quads = {q for q in back.quads((None, None, None, None)) if q[3] is not None}
        assert len(quads) == len(kg.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))
    else:
        back_graph = Graph().parse(data=first, format={"jsonld": "json-ld"}.get(fmt, fmt))
        assert len(back_graph) == len(kg.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"))


def test_export_one_source_graph(run_ppkg: Run, tmp_path: Path) -> None:
    out = tmp_path / "cebc.ttl"
    done = run_ppkg("export", "--format", "turtle", "--graph", "cebc-parent-partner-topic-area", "-o", str(out))
    assert done.returncode == 0, done.stderr
    graph = Graph().parse(out)
    assert (URIRef(ppkg.ID["program/parents-anonymous"]), None, None) in graph
    assert (URIRef(ppkg.ID["program/kentucky-start"]), None, None) not in graph
    bad = run_ppkg("export", "--graph", "nope")
    assert bad.returncode == 2 and "unknown graph 'nope'" in bad.stderr


def test_describe_gives_sources(run_ppkg: Run) -> None:
    done = run_ppkg("describe", "family mentor", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["iri"] == str(ppkg.ID["role/parent-partner"])
    frameworks = [f for f in doc["facts"] if f["property"].endswith("connectsToFramework")]
    assert len(frameworks) == 6
    assert all(f["sources"] for f in doc["facts"])
    missing = run_ppkg("describe", "quantum knitting")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def test_python_api_rows_dicts_and_dataframe(kg: ppkg.KnowledgeGraph) -> None:
    result = kg.run("programs-by-rating", rating="NR")
    rows = result.rows
    assert rows[0].programLabel == "Circle of Parents"
    assert result.dicts()[0]["programLabel"] == "Circle of Parents"
    frame = result.to_dataframe()
    assert list(frame.columns) == result.frame_columns()
    assert frame["programLabel"].tolist() == [r.programLabel for r in rows]


def test_adhoc_query_with_bindings(kg: ppkg.KnowledgeGraph) -> None:
    result = kg.query(
        "SELECT ?label ?state WHERE { ?p a ppkg:Program ; ppkg:state ?state ; rdfs:label ?label } ORDER BY ?label",
        state=ppkg.ID["state/or"],
    )
    assert result.column("label") == ["Morrison Child & Family Services"]


@pytest.mark.server
def test_ppkg_serve_command(run_ppkg: Run) -> None:
    import subprocess

    from ppkg.serve.server import free_port

    from .conftest import ppkg_command

    port = free_port()
    process = subprocess.Popen(
        [*ppkg_command(), "serve", "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert f"http://127.0.0.1:{port}/query" in line and "read-only" in line
        done = run_ppkg(
            "query",
            "programs-by-rating",
            "-p",
            "rating=NR",
            "-f",
            "csv",
            "--endpoint",
            f"http://127.0.0.1:{port}/query",
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.count("\n") == 4
        refused = run_ppkg("query", "--sparql", "DROP ALL", "--endpoint", f"http://127.0.0.1:{port}/query")
        assert refused.returncode == 2
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def test_reasoning_size_bound_is_a_clear_error(kg: ppkg.KnowledgeGraph) -> None:
    from ppkg.query.reasoning import infer

    nquads = kg.export("nquads").encode("utf-8")
    with pytest.raises(ReasoningError, match="more than the limit of 10"):
        infer(nquads, "rdfs", max_triples=10)


def test_query_time_limit(run_ppkg: Run) -> None:
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    done = run_ppkg("query", "--sparql", cartesian, "--timeout", "1")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "ppkg: error: the query did not finish within 1 s (its time limit); narrow it, add a LIMIT, "
        "or raise the limit with --timeout"
    )


@pytest.mark.server
def test_publish_to_a_graph_store_then_query_it(run_ppkg: Run, kg: ppkg.KnowledgeGraph) -> None:
    from ppkg.serve.server import SparqlServer

    with SparqlServer([], read_only=False) as empty:
        done = run_ppkg("publish", "--store", empty.store_url)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("ppkg: published ")
        remote = ppkg.connect(empty.query_url)
        for name in ("programs-by-training-topic", "programs-by-rating", "common-training-topics"):
            assert remote.run(name).terms == kg.run(name).terms
    unreachable = run_ppkg("publish", "--store", "http://127.0.0.1:9/store", "--timeout", "2")
    assert unreachable.returncode == 2 and "cannot reach the store" in unreachable.stderr
