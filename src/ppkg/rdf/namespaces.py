"""The namespaces of ppkg and the prefixes every query gets for free."""

from __future__ import annotations

from rdflib import Dataset, Graph, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

PPKG = Namespace("https://w3id.org/ppkg/ontology#")
"""Ontology terms (classes and properties)."""

ID = Namespace("https://w3id.org/ppkg/id/")
"""Instances: ``ID["program/<slug>"]``."""

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SHAPES = Namespace("https://w3id.org/ppkg/shapes#")
"""SHACL shapes and the constraints of ppkg's own checks (lint, templates)."""

ONTOLOGY_GRAPH = ID["graph/ontology"]
"""Named graph holding ``ontology/ppkg.ttl``."""

INFERENCE_GRAPH = ID["graph/inferred"]
"""Named graph that reasoning writes into; never part of the shipped data."""


def vocabulary_graph(name: str) -> str:
    """Return the IRI of the named graph that holds ``ontology/vocab/<name>.ttl``."""
    return str(ID[f"graph/vocabulary/{name}"])


PREFIXES: dict[str, str] = {
    "ppkg": str(PPKG),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "foaf": str(FOAF),
    "sh": str(SH),
    "shapes": str(SHAPES),
}
"""Prefixes pre-declared for every query and used when serialising."""

KIND_PREFIXES: dict[str, str] = {
    "program": "program",
    "organization": "organization",
    "person": "person",
    "state": "state",
    "setting": "setting",
    "topic": "topic",
    "scheme": "scheme",
    "framework": "framework",
    "role": "role",
    "resource": "resource",
    "evidence": "evidence",
    "source": "source",
    "graph": "graph",
    "rating": "rating",
    "cebc": "scale/cebc",
}
"""One prefix per kind of instance, so queries can write ``topic:mandated-reporting`` or ``cebc:3``
(a ``/`` is not allowed in the local part of a prefixed name, so ``id:topic/x`` is not valid SPARQL)."""

PREFIXES.update({prefix: str(ID[f"{path}/"]) for prefix, path in KIND_PREFIXES.items()})


def sparql_prologue() -> str:
    """Return ``PREFIX`` declarations for :data:`PREFIXES`, one per line."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in sorted(PREFIXES.items()))


def compact(iri: str) -> str:
    """``https://w3id.org/ppkg/id/program/x`` → ``program:x`` (the longest matching ppkg prefix), or the IRI."""
    best = max((ns for ns in PREFIXES.items() if iri.startswith(ns[1])), key=lambda ns: len(ns[1]), default=None)
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/``: ``…ontology#state`` → ``state``."""
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def new_graph() -> Graph:
    """An empty rdflib graph with every ppkg prefix bound (for deterministic, readable serialisations)."""
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def new_dataset() -> Dataset:
    """An empty rdflib dataset with every ppkg prefix bound."""
    dataset = Dataset()
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    return dataset
