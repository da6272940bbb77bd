"""Exporting a dataset, or one of its named graphs, as Turtle, TriG, N-Quads, N-Triples or JSON-LD.

TriG, N-Quads and JSON-LD keep the named graphs: JSON-LD is a compact document with the shipped ``@context``
(``ontology/context.jsonld``) written in, and one ``@graph`` entry per named graph whose ``@id`` is the graph
IRI, so that parsing it back gives the same quads. Turtle and N-Triples hold one graph: the default graph
(what queries see), or the one named graph asked for.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph

from ppkg.errors import ParameterError, UnknownValueError
from ppkg.rdf import shipped
from ppkg.rdf.io import quiet_rdflib
from ppkg.rdf.namespaces import ID, new_dataset, new_graph
from ppkg.rdf.text import nearest

EXPORT_FORMATS = ("turtle", "trig", "nquads", "jsonld", "nt")
"""Formats of ``ppkg export``."""

DEFAULT_GRAPH = "urn:x-rdflib:default"


def graph_names(dataset: Dataset) -> list[str]:
    """IRIs of the named graphs of the dataset, sorted."""
    return sorted(
        str(g.identifier)
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef) and str(g.identifier) != DEFAULT_GRAPH
    )


def resolve_graph(dataset: Dataset, name: str) -> URIRef:
    """A named graph by IRI or by its short name (``cdss-peer-partners``, ``vocabulary/settings``)."""
    names = graph_names(dataset)
    for candidate in (name, str(ID[f"graph/{name}"])):
        if candidate in names:
            return URIRef(candidate)
    short = [n.removeprefix(str(ID["graph/"])) for n in names]
    raise UnknownValueError("graph", name, nearest(name, short))


@cache
def jsonld_context() -> dict[str, str]:
    """The shipped JSON-LD ``@context`` (``ontology/context.jsonld``): one prefix per namespace ppkg uses."""
    document = json.loads((shipped.root() / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    context: dict[str, str] = document["@context"]
    return context


def _sorted_lines(text: str) -> str:
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def _order(value: object) -> tuple[str, str]:
    """Sort key of a JSON-LD array member: its ``@id`` first (nodes and graphs in IRI order), then its text."""
    node_id = value.get("@id", "") if isinstance(value, dict) else ""
    return (str(node_id), json.dumps(value, sort_keys=True))


def _sorted_json(value: object, key: str = "") -> object:
    """JSON-LD with every unordered array sorted (``@list`` arrays and the ``@context`` keep their order)."""
    if isinstance(value, dict):
        return {k: v if k == "@context" else _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return items if key == "@list" else sorted(items, key=_order)
    return value


def _dump_json(document: object) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _stable(graph: Graph) -> Graph:
    """``graph`` itself, or, when it has blank nodes, a copy with labels computed from its content, so that the
    same graph is always written the same way."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    return to_canonical_graph(graph)


def serialize_graph(graph: Graph, fmt: str) -> str:
    """A graph as text in a stable order: N-Triples lines sorted, expanded JSON-LD with its nodes sorted by
    ``@id`` (rdflib writes them in hash order), other syntaxes as rdflib writes them (Turtle sorts its
    subjects)."""
    with quiet_rdflib():
        if fmt == "nt":
            return _sorted_lines(graph.serialize(format="nt"))
        if fmt in ("json-ld", "jsonld"):
            return _dump_json(_sorted_json(json.loads(graph.serialize(format="json-ld"))))
        return graph.serialize(format=fmt)


def _compact_nodes(graph: Graph) -> list[Any]:
    """The nodes of ``graph`` as compact JSON-LD objects (keys and IRIs shortened with the shipped context)."""
    with quiet_rdflib():
        document = json.loads(graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    if isinstance(document, list):
        return document
    body = {k: v for k, v in document.items() if k != "@context"}
    if "@graph" in body:
        nodes: list[Any] = body["@graph"]
        return nodes
    return [body] if body else []  # one node: rdflib writes it without @graph


def compact_jsonld(data: Graph | Dataset) -> str:
    """``data`` as compact JSON-LD with the shipped ``@context`` written in: a dataset as one ``@graph`` entry
    per named graph (its ``@id`` the graph IRI, its nodes under its own ``@graph``), a graph as one ``@graph``
    of nodes; arrays and keys sorted."""
    if isinstance(data, Dataset):
        body: list[Any] = [
            {"@id": name, "@graph": _compact_nodes(data.graph(URIRef(name)))} for name in graph_names(data)
        ]
    else:
        body = _compact_nodes(data)
    return _dump_json({"@context": jsonld_context(), "@graph": _sorted_json(body)})


def export(dataset: Dataset, fmt: str = "trig", graph: str | None = None) -> str:
    """Serialise the dataset (or its named graph ``graph``) deterministically.

    ``trig``, ``nquads`` and ``jsonld`` keep each named graph; ``turtle`` and ``nt`` write the default graph
    (the named graphs without superseded statements), or the one named graph ``graph``.
    """
    if fmt not in EXPORT_FORMATS:
        raise ParameterError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    selected = [resolve_graph(dataset, graph)] if graph else [URIRef(n) for n in graph_names(dataset)]
    with quiet_rdflib():
        if fmt in ("trig", "nquads", "jsonld"):
            out = new_dataset()
            for name in selected:
                target = out.graph(name)
                for triple in _stable(dataset.graph(name)):
                    target.add(triple)
            if fmt == "jsonld":
                return compact_jsonld(out)
            text = out.serialize(format=fmt)
            return _sorted_lines(text) if fmt == "nquads" else text
        merged = new_graph()
        # one named graph, or what queries see: the default graph (the named graphs without superseded statements)
        for triple in dataset.graph(selected[0]) if graph else dataset.default_graph:
            merged.add(triple)
    return serialize_graph(_stable(merged), fmt)
