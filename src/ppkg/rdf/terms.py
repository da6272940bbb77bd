"""Conversion between rdflib terms (ppkg's public term type) and pyoxigraph terms."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier, Node

_XSD_STRING = str(XSD.string)


def from_ox(term: Any) -> Identifier | None:
    """Turn a pyoxigraph term into the equal rdflib term (plain literals stay plain)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unsupported term {term!r}")


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Turn an rdflib term into the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def to_python(term: Identifier | None) -> Any:
    """The Python value of a term: ``str`` for IRIs and strings, ``int``/``Decimal``/``date``… for typed literals."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.ill_typed:
            return str(term)
        value = term.toPython()
        return str(value) if isinstance(value, Literal) else value
    return str(term)
