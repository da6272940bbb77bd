"""The namespaces of ppkg and the prefixes every query gets for free.

:data:`PREFIXES` and the functions on IRIs are plain text; the rdflib namespaces (:data:`PPKG`, :data:`ID`,
:data:`SCHEMA`…) and graph names (:data:`ONTOLOGY_GRAPH`, :data:`INFERENCE_GRAPH`) are made on first use, so
that running a query imports no rdflib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Dataset, Graph, Namespace, URIRef

    PPKG: Namespace
    """Ontology terms (classes and properties)."""
    ID: Namespace
    """Instances: ``ID["program/<slug>"]``."""
    SCHEMA: Namespace
    ORG: Namespace
    FOAF: Namespace
    SH: Namespace
    SHAPES: Namespace
    """SHACL shapes and the constraints of ppkg's own checks (lint, templates)."""
    ONTOLOGY_GRAPH: URIRef
    """Named graph holding ``ontology/ppkg.ttl``."""
    INFERENCE_GRAPH: URIRef
    """Named graph that reasoning writes into; never part of the shipped data."""

_NAMESPACES = {
    "PPKG": "https://w3id.org/ppkg/ontology#",
    "ID": "https://w3id.org/ppkg/id/",
    "SCHEMA": "https://schema.org/",
    "ORG": "http://www.w3.org/ns/org#",
    "FOAF": "http://xmlns.com/foaf/0.1/",
    "SH": "http://www.w3.org/ns/shacl#",
    "SHAPES": "https://w3id.org/ppkg/shapes#",
}
_GRAPHS = {"ONTOLOGY_GRAPH": "graph/ontology", "INFERENCE_GRAPH": "graph/inferred"}

ONTOLOGY_GRAPH_IRI = _NAMESPACES["ID"] + _GRAPHS["ONTOLOGY_GRAPH"]
"""The IRI of :data:`ONTOLOGY_GRAPH`, as text."""

INFERENCE_GRAPH_IRI = _NAMESPACES["ID"] + _GRAPHS["INFERENCE_GRAPH"]
"""The IRI of :data:`INFERENCE_GRAPH`, as text."""


def __getattr__(name: str) -> Any:
    """The rdflib namespaces and graph names, made (and kept) on first use."""
    if name in _NAMESPACES:
        from rdflib import Namespace

        value: Any = Namespace(_NAMESPACES[name])
    elif name in _GRAPHS:
        from rdflib import URIRef

        value = URIRef(_NAMESPACES["ID"] + _GRAPHS[name])
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def vocabulary_graph(name: str) -> str:
    """Return the IRI of the named graph that holds ``ontology/vocab/<name>.ttl``."""
    return f"{_NAMESPACES['ID']}graph/vocabulary/{name}"


PREFIXES: dict[str, str] = {
    "ppkg": _NAMESPACES["PPKG"],
    "id": _NAMESPACES["ID"],
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": _NAMESPACES["SCHEMA"],
    "org": _NAMESPACES["ORG"],
    "foaf": _NAMESPACES["FOAF"],
    "sh": _NAMESPACES["SH"],
    "shapes": _NAMESPACES["SHAPES"],
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

PREFIXES.update({prefix: f"{_NAMESPACES['ID']}{path}/" for prefix, path in KIND_PREFIXES.items()})


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
    from rdflib import Graph

    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri)
    return graph


def new_dataset() -> Dataset:
    """An empty rdflib dataset with every ppkg prefix bound."""
    from rdflib import Dataset

    dataset = Dataset()
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri)
    return dataset
