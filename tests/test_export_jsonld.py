"""``ppkg export --format jsonld``: compact JSON-LD with the shipped ``@context`` that keeps every named graph.

Read back by rdflib and by a second JSON-LD processor (PyLD), it gives the same quads in the same graphs as the
graph that was exported; the output is the same in every process.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import ppkg
from ppkg.rdf import shipped
from ppkg.rdf.export import jsonld_context
from ppkg.rdf.namespaces import KIND_PREFIXES, PREFIXES

Run = Callable[..., subprocess.CompletedProcess[str]]

ID = "https://w3id.org/ppkg/id/"
SOURCE_GRAPHS = {
    "casey-parent-partner-topic-page",
    "casey-training-models",
    "cdss-parent-partner-resources",
    "cdss-peer-partners",
    "cebc-parent-partner-topic-area",
    "curation",
}


def no_fetching(url: str, options: object = None) -> object:
    """A PyLD document loader that fails the test: nothing may be fetched."""
    raise AssertionError(f"PyLD tried to load {url}")


def named_graphs(dataset: Dataset) -> dict[str, Graph]:
    """The non-empty named graphs of ``dataset`` by IRI (rdflib's default graph left out)."""
    return {
        str(g.identifier): g for g in dataset.graphs() if str(g.identifier) != "urn:x-rdflib:default" and len(g) > 0
    }


def assert_same_quads(expected: Dataset, actual: Dataset) -> None:
    """Same graph names, and each graph isomorphic to its counterpart."""
    want, got = named_graphs(expected), named_graphs(actual)
    assert sorted(got) == sorted(want)
    for name, graph in want.items():
        assert isomorphic(graph, got[name]), f"graph {name} differs"


@pytest.fixture(scope="module")
def exported(run_ppkg: Run, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("jsonld") / "ppkg.jsonld"
    done = run_ppkg("export", "--format", "jsonld", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return out.read_text(encoding="utf-8")


def test_one_graph_entry_per_named_graph_with_the_shipped_context(exported: str, kg: ppkg.KnowledgeGraph) -> None:
    doc = json.loads(exported)
    assert list(doc) == ["@context", "@graph"]
    assert doc["@context"] == jsonld_context()
    entries = doc["@graph"]
    ids = [entry["@id"] for entry in entries]
    assert ids == sorted(named_graphs(kg.dataset))  # one entry per named graph, in IRI order
    assert {ID + f"graph/{name}" for name in SOURCE_GRAPHS} | {ID + "graph/ontology"} <= set(ids)
    assert all(set(entry) == {"@id", "@graph"} for entry in entries)
    # compact: the context's prefixes are used, not full IRIs, for properties and classes
    cebc = next(e for e in entries if e["@id"] == ID + "graph/cebc-parent-partner-topic-area")
    pesa = next(n for n in cebc["@graph"] if n["@id"] == ID + "program/parent-engagement-and-self-advocacy")
    assert pesa["@type"] == "ppkg:Program"
    assert "rdfs:label" in pesa and "http://www.w3.org/2000/01/rdf-schema#label" not in pesa


def test_rdflib_reads_back_the_same_quads(exported: str, kg: ppkg.KnowledgeGraph) -> None:
    back = Dataset()
    back.parse(data=exported, format="json-ld")
    assert_same_quads(kg.dataset, back)


def test_pyld_reads_back_the_same_quads(exported: str, kg: ppkg.KnowledgeGraph) -> None:
    """A second, independent JSON-LD processor: PyLD turns the document into N-Quads without fetching anything
    (the context is written in)."""

    nquads = jsonld.to_rdf(json.loads(exported), {"format": "application/n-quads", "documentLoader": no_fetching})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    assert_same_quads(kg.dataset, back)


def test_pyld_expands_to_the_full_iris(exported: str) -> None:
    expanded = jsonld.expand(json.loads(exported), {"documentLoader": no_fetching})
    graphs = {entry["@id"]: entry["@graph"] for entry in expanded}
    start = next(n for n in graphs[ID + "graph/casey-training-models"] if n["@id"] == ID + "program/kentucky-start")
    assert [v["@value"] for v in start["http://www.w3.org/2000/01/rdf-schema#label"]] == ["START"]


def test_one_graph_keeps_its_graph(run_ppkg: Run, tmp_path: Path, kg: ppkg.KnowledgeGraph) -> None:
    out = tmp_path / "curation.jsonld"
    done = run_ppkg("export", "--graph", "curation", "-o", str(out))  # the format from the extension
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [entry["@id"] for entry in doc["@graph"]] == [ID + "graph/curation"]
    back = Dataset()
    back.parse(data=out.read_text(encoding="utf-8"), format="json-ld")
    assert isomorphic(back.graph(URIRef(ID + "graph/curation")), kg.dataset.graph(URIRef(ID + "graph/curation")))


def test_the_same_output_in_every_process(run_ppkg: Run, exported: str) -> None:
    """Each process hashes differently (PYTHONHASHSEED): the JSON-LD must not come out in hash order."""
    again = run_ppkg("export", "--format", "jsonld", env={"PYTHONHASHSEED": "7"})
    assert again.returncode == 0, again.stderr
    assert again.stdout == exported


def test_blank_nodes_are_labelled_by_content(tmp_path: Path) -> None:
    """A file with blank nodes exports the same twice (their labels come from the graph, not a counter)."""
    extra = tmp_path / "extra.trig"
    extra.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        "<https://w3id.org/ppkg/id/graph/local/extra> {\n"
        '  <https://w3id.org/ppkg/id/program/kentucky-start> schema:address [ schema:addressRegion "KY" ] .\n'
        "}\n",
        encoding="utf-8",
    )
    first = ppkg.load(extra).export("jsonld", "local/extra")
    assert first == ppkg.load(extra).export("jsonld", "local/extra")
    back = Dataset()
    back.parse(data=first, format="json-ld")
    assert len(back.graph(URIRef(ID + "graph/local/extra"))) == 2


def test_the_shipped_context_is_ppkgs_prefixes() -> None:
    """``ontology/context.jsonld`` has every namespace prefix of :data:`ppkg.rdf.namespaces.PREFIXES` (the kind
    prefixes such as ``program:`` excepted: rdflib would not compact an ``@id`` with them anyway) and the
    DCAT/VoID ones of the dataset description; it is shipped beside the ontology."""
    context = json.loads((shipped.root() / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    namespaces = {p: iri for p, iri in PREFIXES.items() if p not in KIND_PREFIXES}
    assert {p: context[p] for p in namespaces} == namespaces
    for required in ("ppkg", "skos", "dcterms", "prov", "schema", "rdfs", "owl", "xsd"):
        assert required in context
    assert context["dcat"] == "http://www.w3.org/ns/dcat#" and context["void"] == "http://rdfs.org/ns/void#"
