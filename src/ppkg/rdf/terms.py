"""RDF terms: pyoxigraph's (what the engines return and take) and rdflib's (ppkg's public term type).

The query path works on pyoxigraph terms and never imports rdflib: :func:`ox_python` gives a term's Python
value, :func:`term_text` its text, :func:`ox_literal` the literal of a Python value, each equal to what
rdflib would give. rdflib is imported only when a caller hands in or asks for rdflib terms
(:func:`from_ox`, :func:`to_ox` of an rdflib term, :func:`to_python`), or for a datatype the fast paths
here do not cover (they then ask rdflib, so the answer is always rdflib's).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from rdflib.term import Identifier, Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
"""A pyoxigraph term as a query binds it or answers it (RDF-star triples are not used by ppkg)."""

OX_TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)
"""The pyoxigraph term classes, for ``isinstance``."""

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_BOOLEAN = XSD + "boolean"
XSD_DATE = XSD + "date"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

NUMERIC_DATATYPES = frozenset(
    XSD + t
    for t in (
        "integer int long short byte nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
        "unsignedLong unsignedInt unsignedShort unsignedByte decimal double float"
    ).split()
)
"""The XSD datatypes whose values are numbers."""

_LEXICAL = frozenset(XSD + t for t in ("anyURI", "gYear", "gYearMonth"))
"""Datatypes whose Python value (as rdflib gives it) is the lexical form itself."""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OX_INTEGER = ox.NamedNode(XSD_INTEGER)
_OX_BOOLEAN = ox.NamedNode(XSD_BOOLEAN)
_OX_DATE = ox.NamedNode(XSD_DATE)


def from_ox(term: Any) -> Identifier | None:
    """Turn a pyoxigraph term into the equal rdflib term (plain literals stay plain); an rdflib term or ``None``
    is returned as it is."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, (URIRef, BNode, Literal)):
        return term
    raise TypeError(f"unsupported term {term!r}")


def to_ox(term: Node | OxTerm) -> OxTerm:
    """Turn an rdflib term into the equal pyoxigraph term; a pyoxigraph term is returned as it is."""
    if isinstance(term, OX_TERMS):
        return term
    from rdflib import BNode, Literal, URIRef

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


def rdflib_kind(value: object) -> str | None:
    """``"URIRef"``, ``"BNode"``, ``"Literal"`` or ``"Node"`` for an rdflib term, ``None`` for anything else;
    answered without importing rdflib (when it is not imported, nothing is an rdflib term)."""
    module = sys.modules.get("rdflib.term")
    if module is None or not isinstance(value, module.Node):
        return None
    for name in ("URIRef", "BNode", "Literal"):
        if isinstance(value, getattr(module, name)):
            return name
    return "Node"


def is_rdflib_term(value: object) -> bool:
    """Whether ``value`` is an rdflib term (see :func:`rdflib_kind`)."""
    return rdflib_kind(value) is not None


def is_rdflib_iri(value: object) -> bool:
    """Whether ``value`` is an rdflib ``URIRef`` (see :func:`rdflib_kind`)."""
    return rdflib_kind(value) == "URIRef"


def as_term(value: object) -> OxTerm:
    """The pyoxigraph term a query binds for ``value``: a pyoxigraph or rdflib term as it is, any other Python
    value as the literal rdflib's ``Literal(value)`` would make (see :func:`ox_literal`)."""
    if isinstance(value, OX_TERMS):
        return value
    if is_rdflib_term(value):
        return to_ox(value)  # type: ignore[arg-type]
    return ox_literal(value)


def ox_literal(value: object) -> ox.Literal:
    """The literal of a Python value, equal to ``to_ox(rdflib.Literal(value))``: ``str`` plain, ``bool``
    ``xsd:boolean``, ``int`` ``xsd:integer``, ``datetime.date`` ``xsd:date``; other types through rdflib."""
    if isinstance(value, str):
        return ox.Literal(value)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=_OX_BOOLEAN)
    if type(value) is int:
        return ox.Literal(str(value), datatype=_OX_INTEGER)
    if type(value) is dt.date:
        return ox.Literal(value.isoformat(), datatype=_OX_DATE)
    from rdflib import Literal

    literal = to_ox(Literal(value))
    assert isinstance(literal, ox.Literal)  # a Literal converts to a literal
    return literal


def term_text(term: object) -> str:
    """The text of a term: an IRI, a blank node's id or a literal's lexical form (``""`` for ``None``); works on
    pyoxigraph and rdflib terms alike."""
    if term is None:
        return ""
    if isinstance(term, OX_TERMS):
        return term.value
    return str(term)


def ox_python(term: OxTerm | None) -> Any:
    """The Python value of a pyoxigraph term, equal to ``to_python(from_ox(term))``: ``str`` for IRIs and text,
    ``int``/``Decimal``/``bool``/``datetime.date`` for those XSD types, the text of ``xsd:anyURI``, ``gYear`` and
    ``gYearMonth`` (rdflib keeps those as text), and rdflib's answer for any other datatype."""
    if term is None:
        return None
    if not isinstance(term, ox.Literal):
        return term.value
    if term.language:
        return term.value
    datatype = term.datatype.value
    text = term.value
    if datatype == XSD_STRING or datatype in _LEXICAL:
        return text
    if datatype == XSD_INTEGER and _INTEGER.fullmatch(text):
        return int(text)
    if datatype == XSD_DECIMAL and _DECIMAL.fullmatch(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            pass
    elif datatype == XSD_BOOLEAN and text in ("true", "false"):
        return text == "true"
    elif datatype == XSD_DATE and _DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass  # not a day of the calendar: rdflib decides
    return to_python(from_ox(term))


def is_number(term: OxTerm | None) -> bool:
    """Whether ``term`` is a literal whose value is a number (an ill-typed ``"x"^^xsd:integer`` is not)."""
    if not isinstance(term, ox.Literal) or term.datatype.value not in NUMERIC_DATATYPES:
        return False
    value = ox_python(term)
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def to_python(term: Identifier | OxTerm | None) -> Any:
    """The Python value of an rdflib term: ``str`` for IRIs and strings, ``int``/``Decimal``/``date``… for typed
    literals (a pyoxigraph term goes through :func:`ox_python`)."""
    if term is None:
        return None
    if isinstance(term, OX_TERMS):
        return ox_python(term)
    from rdflib import Literal

    if isinstance(term, Literal):
        if term.ill_typed:
            return str(term)
        value = term.toPython()
        return str(value) if isinstance(value, Literal) else value
    return str(term)
