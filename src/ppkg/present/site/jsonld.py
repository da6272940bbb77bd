"""The statements of one page as JSON-LD, with ppkg's shipped ``@context`` (schema.org, ppkg and the other
namespaces), in a stable order: the same statements give the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from rdflib import Graph
from rdflib.term import Node

from ppkg.rdf.export import jsonld_context

Triple = tuple[Node, Node, Node]


def _sorted(value: object, key: str = "") -> object:
    if isinstance(value, dict):
        return {k: v if k == "@context" else _sorted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        if key == "@list":
            return items
        return sorted(
            items, key=lambda v: (str(v.get("@id", "")) if isinstance(v, dict) else "", json.dumps(v, sort_keys=True))
        )
    return value


def to_jsonld(triples: Iterable[Triple], indent: int | None = None) -> str:
    """``triples`` as a compact JSON-LD document (rdflib's serializer, then every unordered array sorted)."""
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    document = json.loads(graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    return json.dumps(_sorted(document), indent=indent, sort_keys=True, ensure_ascii=False)


def script_safe(text: str) -> str:
    """JSON text made safe inside ``<script>``: every ``<`` written as ``\\u003c`` (the same JSON)."""
    return text.replace("<", "\\u003c")
