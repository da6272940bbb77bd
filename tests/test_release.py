"""Releasable and citable: licences that agree, CITATION.cff, CHANGELOG.md, one version, retrieval dates, and the
dataset description (``ppkg export --describe``, ``ppkg serve`` at ``/.well-known/void``).

Everything runs for real: the installed ``ppkg`` as a subprocess, a real ``ppkg serve`` on a free 127.0.0.1 port.
The CITATION.cff schema in ``tests/schemas/citation-cff-1.2.0.json`` is the Citation File Format's own schema
(https://citation-file-format.github.io/1.2.0/schema.json, as cffconvert 2.0.0 ships it).
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
import yaml
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, VOID

import ppkg
from ppkg.rdf import shipped
from ppkg.rdf.dataset import DATASET, DCAT, LICENSE
from ppkg.rdf.namespaces import PPKG
from tests.test_serve import start_serve

from .conftest import ROOT

Run = Callable[..., subprocess.CompletedProcess[str]]

ID = "https://w3id.org/ppkg/id/"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
SOURCES = {
    "cdss-peer-partners": "the California Department of Social Services",
    "cdss-parent-partner-resources": "the California Department of Social Services",
    "casey-training-models": "Casey Family Programs",
    "casey-parent-partner-topic-page": "Casey Family Programs",
    "cebc-parent-partner-topic-area": "the California Evidence-Based Clearinghouse for Child Welfare",
}
"""The source graphs and the publisher whose rights their quoted text stays under."""


def data_graphs() -> dict[str, Graph]:
    """Every named graph of the shipped ``data/*.trig``, by short name."""
    found: dict[str, Graph] = {}
    for path in shipped.data_files():
        dataset = Dataset()
        dataset.parse(path, format="trig")
        for graph in dataset.graphs():
            if len(graph):
                found[str(graph.identifier).removeprefix(ID + "graph/")] = graph
    return found


def vocabulary_graphs() -> dict[str, Graph]:
    """Each shipped vocabulary file, by name."""
    return {path.stem: Graph().parse(path) for path in shipped.vocabulary_files()}


# -- licences ----------------------------------------------------------------------------------------------------


def test_the_code_is_mit_and_the_rest_cc_by() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    for publisher in set(SOURCES.values()):
        assert " ".join(publisher.split()[-3:]) in " ".join(text.split())  # names each source's publisher
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^license = "MIT AND CC-BY-4.0"', pyproject, flags=re.MULTILINE)
    assert re.search(r'^license-files = \["LICENSE"\]', pyproject, flags=re.MULTILINE)


def test_the_ontology_shapes_vocabularies_and_curation_state_cc_by() -> None:
    ontology = Graph().parse(shipped.ontology_file())
    assert (URIRef("https://w3id.org/ppkg/ontology"), DCTERMS.license, CC_BY) in ontology
    for path in shipped.shapes_files():
        shapes = Graph().parse(path)
        header = next(shapes.subjects(RDF.type, OWL.Ontology))
        assert shapes.value(header, DCTERMS.license) == CC_BY, path.name
    for name, graph in vocabulary_graphs().items():
        assert graph.value(URIRef(ID + f"graph/vocabulary/{name}"), DCTERMS.license) == CC_BY, name
    curation = data_graphs()["curation"]
    assert curation.value(URIRef(ID + "graph/curation"), DCTERMS.license) == CC_BY


def test_each_source_graph_says_whose_text_it_quotes() -> None:
    """A source graph's quoted text is not the project's to license: its rights stay with the publisher."""
    graphs = data_graphs()
    assert set(graphs) == {*SOURCES, "curation"}
    for name, publisher in SOURCES.items():
        node = URIRef(ID + f"graph/{name}")
        rights = str(graphs[name].value(node, DCTERMS.rights))
        assert f"its rights stay with {publisher}." in rights, name
        assert graphs[name].value(node, DCTERMS.license) is None, f"{name}: the quoted text is not CC BY"
    cebc_scale = vocabulary_graphs()["cebc-scale"]
    assert "California Evidence-Based Clearinghouse" in str(
        cebc_scale.value(URIRef(ID + "graph/vocabulary/cebc-scale"), DCTERMS.rights)
    )


# -- retrieval dates ---------------------------------------------------------------------------------------------


def test_each_source_document_states_when_it_was_retrieved() -> None:
    """``dcterms:created`` on each source document: a date, or "unknown" when the captured copy records none.
    None of the five seed copies states when it was retrieved, so none has a date (none is guessed)."""
    graphs = data_graphs()
    for name in SOURCES:
        source = URIRef(ID + f"source/{name}")
        values = list(graphs[name].objects(source, DCTERMS.created))
        assert values == [Literal("unknown")], name


# -- citation, changelog, one version ----------------------------------------------------------------------------


def test_citation_cff_is_valid_and_has_the_version() -> None:
    schema = json.loads((ROOT / "tests" / "schemas" / "citation-cff-1.2.0.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(citation)] == []
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == ppkg.__version__
    assert citation["license"] == ["MIT", "CC-BY-4.0"]


def test_an_invalid_citation_is_caught_by_the_schema() -> None:
    """The schema check is real: a citation without authors, or with a licence that is no SPDX id, fails."""
    schema = json.loads((ROOT / "tests" / "schemas" / "citation-cff-1.2.0.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    assert not validator.is_valid({k: v for k, v in citation.items() if k != "authors"})
    assert not validator.is_valid({**citation, "license": "MIT-ish"})


def test_the_changelog_starts_at_0_1_0_and_keeps_unreleased_work_apart() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert versions[0] == "Unreleased"
    assert versions[-1] == "0.1.0"
    assert ppkg.__version__ in versions  # the package's version is a released section
    assert re.search(r"^## \[0\.1\.0\] - \d{4}-\d{2}-\d{2}$", text, flags=re.MULTILINE)
    assert "ppkg export --describe" in text and "/.well-known/void" in text


def test_the_readme_says_how_to_cite_this_version() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## How to cite\n", 1)[1].split("\n## ", 1)[0]
    assert f"version {ppkg.__version__}." in section
    assert f"https://w3id.org/ppkg/ontology/{ppkg.__version__}" in section
    assert "[CITATION.cff](CITATION.cff)" in section
    assert "\n## Licence\n" in readme


def test_ppkg_version_is_the_ontologys(run_ppkg: Run) -> None:
    done = run_ppkg("--version")
    assert done.returncode == 0, done.stderr
    ontology = Graph().parse(shipped.ontology_file())
    header = URIRef("https://w3id.org/ppkg/ontology")
    assert done.stdout == f"ppkg {ontology.value(header, OWL.versionInfo)}\n"
    assert done.stdout == f"ppkg {ppkg.__version__}\n"


def test_the_vocabularies_and_data_graphs_carry_the_package_version() -> None:
    """The ontology and shapes are checked by ``test_foundation.test_one_version_number``; here the rest."""
    versions = {
        f"vocabulary {n}": str(g.value(URIRef(ID + f"graph/vocabulary/{n}"), OWL.versionInfo))
        for n, g in vocabulary_graphs().items()
    }
    versions |= {
        f"data {n}": str(g.value(URIRef(ID + f"graph/{n}"), OWL.versionInfo)) for n, g in data_graphs().items()
    }
    assert len(versions) == 12
    assert versions == dict.fromkeys(versions, ppkg.__version__)
    for path in shipped.shapes_files():  # the shapes have a version IRI like the ontology's
        shapes = Graph().parse(path)
        header = next(shapes.subjects(RDF.type, OWL.Ontology))
        assert str(shapes.value(header, OWL.versionIRI)) == f"{header}/{ppkg.__version__}"


# -- the dataset description -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def described(run_ppkg: Run) -> str:
    done = run_ppkg("export", "--describe")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def graph_counts(kg: ppkg.KnowledgeGraph) -> dict[str, int]:
    """Triples per named graph, as the engine counts them."""
    rows = kg.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows
    return {str(r.g): int(r.n) for r in rows}


def check_description(description: Graph, kg: ppkg.KnowledgeGraph) -> None:
    """What every description of the shipped graph says."""
    assert (DATASET, RDF.type, DCAT.Dataset) in description
    assert (DATASET, RDF.type, VOID.Dataset) in description
    assert description.value(DATASET, DCTERMS.license) == LICENSE == CC_BY
    assert str(description.value(DATASET, OWL.versionInfo)) == ppkg.__version__
    assert str(description.value(DATASET, DCAT.version)) == ppkg.__version__
    rights = str(description.value(DATASET, DCTERMS.rights))
    assert "Casey Family Programs" in rights and "California Department of Social Services" in rights
    counts = graph_counts(kg)
    subsets = {str(g) for g in description.objects(DATASET, VOID.subset)}
    assert subsets == set(counts)
    assert {g: int(description.value(URIRef(g), VOID.triples)) for g in subsets} == counts
    assert description.value(URIRef(ID + "graph/casey-training-models"), VOID.triples).datatype == XSD_INTEGER
    total = len(kg.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"))
    assert int(description.value(DATASET, VOID.triples)) == total
    sources = {str(s).removeprefix(ID + "source/") for s in description.objects(DATASET, DCTERMS.source)}
    assert sources == set(SOURCES)
    for name in SOURCES:
        source = URIRef(ID + f"source/{name}")
        assert description.value(source, DCTERMS.created) == Literal("unknown")
        assert description.value(source, PPKG.seedFile) is not None
        assert (URIRef(ID + f"graph/{name}"), DCTERMS.source, source) in description
        assert "its rights stay with" in str(description.value(URIRef(ID + f"graph/{name}"), DCTERMS.rights))
    start = URIRef(ID + "source/casey-training-models")
    publisher = description.value(start, DCTERMS.publisher)
    assert str(description.value(publisher, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == (
        "Casey Family Programs"
    )
    curation = URIRef(ID + "graph/curation")
    assert description.value(curation, DCTERMS.license) == CC_BY
    ontology_graph = URIRef(ID + "graph/ontology")
    ontology = URIRef("https://w3id.org/ppkg/ontology")
    assert (ontology_graph, URIRef("http://xmlns.com/foaf/0.1/primaryTopic"), ontology) in description
    assert str(description.value(ontology, OWL.versionIRI)) == f"{ontology}/{ppkg.__version__}"


def test_export_describe_writes_the_description(described: str, kg: ppkg.KnowledgeGraph) -> None:
    description = Graph().parse(data=described, format="turtle")
    check_description(description, kg)
    assert description.value(DATASET, VOID.sparqlEndpoint) is None  # nothing serves it


def test_export_describe_in_json_ld_and_n_triples(run_ppkg: Run, described: str, tmp_path: Path) -> None:
    turtle = Graph().parse(data=described, format="turtle")
    out = tmp_path / "void.jsonld"
    done = run_ppkg("export", "--describe", "-o", str(out))  # the format from the extension
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["@context"]["void"] == str(VOID) and doc["@context"]["dcat"] == str(DCAT)
    dataset_node = next(n for n in doc["@graph"] if n["@id"] == str(DATASET))
    assert sorted(dataset_node["@type"]) == ["dcat:Dataset", "void:Dataset"]
    assert isomorphic(Graph().parse(data=out.read_text(encoding="utf-8"), format="json-ld"), turtle)
    nt = run_ppkg("export", "--describe", "--format", "nt")
    assert nt.returncode == 0, nt.stderr
    assert isomorphic(Graph().parse(data=nt.stdout, format="nt"), turtle)


def test_export_describe_is_the_same_in_every_process(run_ppkg: Run, described: str) -> None:
    again = run_ppkg("export", "--describe", env={"PYTHONHASHSEED": "3"})
    assert again.stdout == described


def test_export_describe_counts_an_added_graph(run_ppkg: Run, tmp_path: Path) -> None:
    extra = tmp_path / "notes.ttl"
    extra.write_text(
        '<https://w3id.org/ppkg/id/program/kentucky-start> <http://www.w3.org/2000/01/rdf-schema#comment> "a", "b" .',
        encoding="utf-8",
    )
    done = run_ppkg("export", "--describe", "--data", str(extra), "--format", "nt")
    assert done.returncode == 0, done.stderr
    description = Graph().parse(data=done.stdout, format="nt")
    local = URIRef(ID + "graph/local/notes")
    assert (DATASET, VOID.subset, local) in description
    assert int(description.value(local, VOID.triples)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--graph", "curation"), "--describe describes the whole dataset: leave out --graph"),
        (("--format", "trig"), "the dataset description is one graph: use --format turtle, jsonld or nt, not trig"),
        (("--format", "nquads"), "the dataset description is one graph: use --format turtle, jsonld or nt, not nquads"),
    ],
    ids=["graph", "trig", "nquads"],
)
def test_export_describe_refuses_what_does_not_fit(run_ppkg: Run, args: tuple[str, ...], message: str) -> None:
    done = run_ppkg("export", "--describe", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"ppkg: error: {message}\n"


# -- served at /.well-known/void ---------------------------------------------------------------------------------


def http(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One real HTTP request: status, headers and body (error statuses included)."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``ppkg serve --port 0``; its base URL."""
    process, query_url = start_serve(tmp_path_factory.mktemp("serve"))
    try:
        yield query_url.removesuffix("/query")
    finally:
        process.terminate()
        process.wait(timeout=60)
        if process.stderr:
            process.stderr.close()


@pytest.mark.server
def test_serve_answers_the_description_at_the_well_known_path(served: str, kg: ppkg.KnowledgeGraph) -> None:
    status, headers, body = http(f"{served}/.well-known/void")
    assert status == 200, body
    assert headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert headers["Vary"] == "Accept"
    description = Graph().parse(data=body.decode("utf-8"), format="turtle")
    check_description(description, kg)
    endpoint = description.value(DATASET, VOID.sparqlEndpoint)
    assert endpoint == URIRef(f"{served}/query")
    assert (endpoint, DCAT.endpointURL, endpoint) in description
    assert (endpoint, DCAT.servesDataset, DATASET) in description
    # the endpoint it names answers
    query = urllib.parse.urlencode({"query": "ASK { ?p a <https://w3id.org/ppkg/ontology#Program> }"})
    status, _, answer = http(f"{endpoint}?{query}", {"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(answer)["boolean"] is True


@pytest.mark.server
def test_serve_negotiates_json_ld(served: str, described: str) -> None:
    status, headers, body = http(f"{served}/.well-known/void", {"Accept": "application/ld+json"})
    assert status == 200, body
    assert headers["Content-Type"] == "application/ld+json; charset=utf-8"
    doc = json.loads(body)
    assert "@context" in doc
    served_graph = Graph().parse(data=body.decode("utf-8"), format="json-ld")
    local = Graph().parse(data=described, format="turtle")
    endpoint = served_graph.value(DATASET, VOID.sparqlEndpoint)
    for triple in list(served_graph.triples((None, None, None))):  # all but the endpoint's triples are the same
        if endpoint in triple:
            served_graph.remove(triple)
    assert isomorphic(served_graph, local)
    status, headers, _ = http(f"{served}/.well-known/void", {"Accept": "text/html;q=0.9, text/turtle;q=0.5"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")  # html is not offered


@pytest.mark.server
@pytest.mark.parametrize(
    ("method", "accept", "status", "message"),
    [
        (
            "GET",
            "image/png",
            406,
            "the dataset description is served as text/turtle, application/ld+json, application/n-triples",
        ),
        ("POST", "*/*", 405, "POST is not allowed on /.well-known/void"),
    ],
    ids=["not-acceptable", "post"],
)
def test_serve_refuses_what_it_cannot_answer(served: str, method: str, accept: str, status: int, message: str) -> None:
    got, headers, body = http(f"{served}/.well-known/void", {"Accept": accept}, method=method)
    assert got == status
    assert body.decode("utf-8") == message + "\n"
