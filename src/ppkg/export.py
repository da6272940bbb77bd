"""Exporting the whole graph, or one source graph, as Turtle, TriG, N-Quads or JSON-LD."""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef

from ppkg.errors import UnknownValueError
from ppkg.graph import KnowledgeGraph
from ppkg.namespaces import ID, PREFIXES
from ppkg.suggest import nearest

EXPORT_FORMATS = ("turtle", "trig", "nquads", "jsonld", "nt")
"""Formats of ``ppkg export``."""


def graph_names(kg: KnowledgeGraph) -> list[str]:
    """IRIs of the named graphs of the dataset, sorted."""
    return sorted(str(g.identifier) for g in kg.dataset.graphs() if isinstance(g.identifier, URIRef))


def resolve_graph(kg: KnowledgeGraph, name: str) -> URIRef:
    """A named graph by IRI or by its short name (``cdss-peer-partners``, ``vocabulary/settings``)."""
    names = graph_names(kg)
    for candidate in (name, str(ID[f"graph/{name}"])):
        if candidate in names:
            return URIRef(candidate)
    short = [n.removeprefix(str(ID["graph/"])) for n in names]
    raise UnknownValueError("graph", name, nearest(name, short))


def export(kg: KnowledgeGraph, fmt: str = "trig", graph: str | None = None) -> str:
    """Serialise the graph (or the named graph ``graph``) deterministically."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    selected = [resolve_graph(kg, graph)] if graph else [URIRef(n) for n in graph_names(kg)]
    if fmt in ("trig", "nquads"):
        out = Dataset()
        for prefix, iri in PREFIXES.items():
            out.bind(prefix, iri)
        for name in selected:
            target = out.graph(name)
            for triple in kg.dataset.graph(name):
                target.add(triple)
        text = out.serialize(format=fmt)
        if fmt == "nquads":
            text = "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))
        return text
    merged = Graph()
    for prefix, iri in PREFIXES.items():
        merged.bind(prefix, iri)
    for name in selected:
        for triple in kg.dataset.graph(name):
            merged.add(triple)
    if fmt == "nt":
        return "".join(sorted(line + "\n" for line in merged.serialize(format="nt").splitlines() if line.strip()))
    if fmt == "jsonld":
        return merged.serialize(format="json-ld", indent=2, sort_keys=True)
    return merged.serialize(format="turtle")
