"""Exporting a dataset, or one of its named graphs, as Turtle, TriG, N-Quads, N-Triples or JSON-LD."""

from __future__ import annotations

from rdflib import Dataset, URIRef

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
        for name in selected:
            for triple in dataset.graph(name):
                merged.add(triple)
        if fmt == "nt":
            return _sorted_lines(merged.serialize(format="nt"))
        if fmt == "jsonld":
            return merged.serialize(format="json-ld", indent=2, sort_keys=True)
        return merged.serialize(format="turtle")
