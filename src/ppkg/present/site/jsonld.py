"""The statements of one page as JSON-LD with ppkg's shipped ``@context`` (schema.org, ppkg and the other
namespaces as prefixes), in a stable order: the same statements give the same bytes.

The document is built directly (node objects by subject, compact IRIs, typed and tagged literals) rather than
through rdflib's serializer, which spends 2 ms a page re-reading the context and converting: most of a
10,000-program build. The tests parse every page's JSON-LD back with rdflib and compare it with ``describe``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from ppkg.rdf.export import jsonld_context

Triple = tuple[Node, Node, Node]
_TYPE = str(RDF.type)
_STRING = str(XSD.string)


@cache
def _prefixes() -> tuple[tuple[str, str], ...]:
    """(namespace, prefix) of the context, longest namespace first (so the most specific prefix wins)."""
    return tuple(sorted(((ns, p) for p, ns in jsonld_context().items()), key=lambda item: (-len(item[0]), item[1])))


def compact_iri(iri: str) -> str:
    """``prefix:rest`` for an IRI in one of the context's namespaces (never an empty or ``//`` rest), else the IRI."""
    for namespace, prefix in _prefixes():
        if iri.startswith(namespace):
            rest = iri[len(namespace) :]
            if rest and not rest.startswith("//"):
                return f"{prefix}:{rest}"
    return iri


def _node_id(term: Node) -> str:
    return f"_:{term}" if isinstance(term, BNode) else compact_iri(str(term))


def _value(term: Node) -> dict[str, str]:
    if isinstance(term, Literal):
        value = {"@value": str(term)}
        if term.language:
            value["@language"] = term.language
        elif term.datatype is not None and str(term.datatype) != _STRING:
            value["@type"] = compact_iri(str(term.datatype))
        return value
    return {"@id": _node_id(term)}


def _key(value: dict[str, str]) -> tuple[str, str, str, str]:
    return (value.get("@id", ""), value.get("@value", ""), value.get("@type", ""), value.get("@language", ""))


def to_jsonld(triples: Iterable[Triple], indent: int | None = None) -> str:
    """``triples`` as a compact JSON-LD document: ``{"@context": …, "@graph": [node objects by @id]}``."""
    nodes: dict[str, dict[str, list[dict[str, str]]]] = {}
    types: dict[str, set[str]] = {}
    for s, p, o in triples:
        subject = _node_id(s)
        node = nodes.setdefault(subject, {})
        if str(p) == _TYPE and isinstance(o, URIRef):
            types.setdefault(subject, set()).add(compact_iri(str(o)))
            continue
        node.setdefault(compact_iri(str(p)), []).append(_value(o))
    graph: list[dict[str, Any]] = []
    for subject in sorted(nodes):
        entry: dict[str, Any] = {"@id": subject}
        if subject in types:
            entry["@type"] = sorted(types[subject])
        for prop, values in nodes[subject].items():
            entry[prop] = sorted(values, key=_key)
        graph.append(entry)
    document = {"@context": jsonld_context(), "@graph": graph}
    return json.dumps(document, indent=indent, sort_keys=True, ensure_ascii=False)


def script_safe(text: str) -> str:
    """JSON text made safe inside ``<script>``: every ``<`` written as ``\\u003c`` (the same JSON)."""
    return text.replace("<", "\\u003c")
