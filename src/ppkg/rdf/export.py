"""Exporting a dataset, or one of its named graphs, as Turtle, TriG, N-Quads, N-Triples or JSON-LD."""

from __future__ import annotations

import json

from rdflib import Dataset, Graph, URIRef

from ppkg.errors import ParameterError, UnknownValueError
from ppkg.rdf.io import quiet_rdflib
from ppkg.rdf.namespaces import ID, new_dataset, new_graph
from ppkg.rdf.text import nearest

EXPORT_FORMATS = ("turtle", "trig", "nquads", "jsonld", "nt")
"""Formats of ``ppkg export``."""


def graph_names(dataset: Dataset) -> list[str]:
    """IRIs of the named graphs of the dataset, sorted."""
    return sorted(
        str(g.identifier)
        for g in dataset.graphs()
        if isinstance(g.identifier, URIRef) and str(g.identifier) != "urn:x-rdflib:default"
    )


def resolve_graph(dataset: Dataset, name: str) -> URIRef:
    """A named graph by IRI or by its short name (``cdss-peer-partners``, ``vocabulary/settings``)."""
    names = graph_names(dataset)
    for candidate in (name, str(ID[f"graph/{name}"])):
        if candidate in names:
            return URIRef(candidate)
    short = [n.removeprefix(str(ID["graph/"])) for n in names]
    raise UnknownValueError("graph", name, nearest(name, short))


def _sorted_lines(text: str) -> str:
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def _sorted_json(value: object, key: str = "") -> object:
    """JSON-LD with every unordered array sorted (``@list`` arrays keep their order)."""
    if isinstance(value, dict):
        return {k: _sorted_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return items if key == "@list" else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def serialize_graph(graph: Graph, fmt: str) -> str:
    """A graph as text in a stable order: N-Triples lines sorted, JSON-LD nodes sorted by ``@id`` (rdflib
    writes them in hash order), other syntaxes as rdflib writes them (Turtle sorts its subjects)."""
    with quiet_rdflib():
        if fmt == "nt":
            return _sorted_lines(graph.serialize(format="nt"))
        if fmt in ("json-ld", "jsonld"):
            doc = _sorted_json(json.loads(graph.serialize(format="json-ld")))
            return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return graph.serialize(format=fmt)


def export(dataset: Dataset, fmt: str = "trig", graph: str | None = None) -> str:
    """Serialise the dataset (or its named graph ``graph``) deterministically."""
    if fmt not in EXPORT_FORMATS:
        raise ParameterError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    selected = [resolve_graph(dataset, graph)] if graph else [URIRef(n) for n in graph_names(dataset)]
    with quiet_rdflib():
        if fmt in ("trig", "nquads"):
            out = new_dataset()
            for name in selected:
                target = out.graph(name)
                for triple in dataset.graph(name):
                    target.add(triple)
            text = out.serialize(format=fmt)
            return _sorted_lines(text) if fmt == "nquads" else text
        merged = new_graph()
        # one named graph, or what queries see: the default graph (the named graphs without superseded statements)
        for triple in dataset.graph(selected[0]) if graph else dataset.default_graph:
            merged.add(triple)
    return serialize_graph(merged, "turtle" if fmt == "turtle" else fmt)
