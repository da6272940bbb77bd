"""Turning what a user gives for a query parameter into the RDF term it stands for.

Values come typed from Python (``min_programs=2``, ``as_of=date(2020, 1, 1)``, a ``URIRef``) or as
text from the command line (``"2"``, ``"2020-01-01"``). Things are resolved by name
(:mod:`ppkg.query.names`); whole numbers, dates, strings and IRIs are checked. The result is a term
that is *bound* to the query variable, never pasted into the query text: a pyoxigraph term
(:func:`bind_terms`, what queries run with, no rdflib needed) or the equal rdflib term (:func:`bind_params`).
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from ppkg.errors import ParameterError
from ppkg.query.catalogue import Param, QuerySpec
from ppkg.query.names import ENTITY_KINDS, LabelIndex, as_iri
from ppkg.query.safety import check_iri
from ppkg.rdf.terms import XSD_DATE, OxTerm, from_ox, is_rdflib_iri, ox_literal, rdflib_kind, to_python

if TYPE_CHECKING:
    from rdflib import Literal, URIRef
    from rdflib.term import Identifier

ParamValue: TypeAlias = "str | int | dt.date | URIRef | Literal | None"
"""What a parameter takes from Python: text as typed, or the value that fits its type (``None``: not given)."""

_OX_DATE = ox.NamedNode(XSD_DATE)

ANY = "*"
"""The value that leaves a parameter unbound, so that it matches anything (``rating="*"``: every level)."""

EXPECTED = {
    "string": "text (str)",
    "int": "a whole number (int, or its digits as str)",
    "date": "a date (datetime.date, or str as YYYY-MM-DD)",
    "iri": "an IRI (rdflib.URIRef, or str)",
}
"""How each scalar parameter type is described in error messages."""


class _WrongTypeError(Exception):
    """A value of a Python type the parameter cannot take."""


def _python(value: object) -> object:
    return to_python(value) if rdflib_kind(value) == "Literal" else value  # type: ignore[arg-type]


def _literal_int(value: object) -> ox.Literal:
    value = _python(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | str):
        raise _WrongTypeError
    if isinstance(value, numbers.Integral):
        return ox_literal(int(value))
    try:
        return ox_literal(int(value.strip()))
    except ValueError:
        raise ParameterError(f"expected a whole number, got {value!r}") from None


def _literal_date(value: object) -> ox.Literal:
    value = _python(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=_OX_DATE)
    if not isinstance(value, str):
        raise _WrongTypeError
    try:
        return ox.Literal(dt.date.fromisoformat(value.strip()).isoformat(), datatype=_OX_DATE)
    except ValueError:
        raise ParameterError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _literal_string(value: object) -> ox.Literal:
    if not isinstance(value, str):
        raise _WrongTypeError
    return ox.Literal(str(value))


def _iri(value: object) -> ox.NamedNode:
    if is_rdflib_iri(value):
        return ox.NamedNode(check_iri(str(value)))
    if not isinstance(value, str):
        raise _WrongTypeError
    return ox.NamedNode(as_iri(value.strip()) or check_iri(value.strip()))


_SCALARS: dict[str, Callable[[object], OxTerm]] = {
    "string": _literal_string,
    "int": _literal_int,
    "date": _literal_date,
    "iri": _iri,
}


def bind_params(spec: QuerySpec, given: Mapping[str, object], index: Callable[[], LabelIndex]) -> dict[str, Identifier]:
    """:func:`bind_terms`, as rdflib terms."""
    return {
        name: term for name, value in bind_terms(spec, given, index).items() if (term := from_ox(value)) is not None
    }


def bind_terms(spec: QuerySpec, given: Mapping[str, object], index: Callable[[], LabelIndex]) -> dict[str, OxTerm]:
    """Resolve the values given for ``spec``'s parameters (defaults filling the gaps) to pyoxigraph terms.

    A parameter given as ``None`` or not at all takes its default; with no default it stays unbound,
    which makes it match anything, and so does :data:`ANY` (``"*"``) whatever the default. An empty
    or blank value is an error, never "match anything".
    """
    declared = {p.name: p for p in spec.params}
    unexpected = sorted(set(given) - set(declared))
    if unexpected:
        known = ", ".join(declared) or "none"
        raise ParameterError(f"query {spec.name!r} has no parameter {unexpected[0]!r} (parameters: {known})")
    bindings: dict[str, OxTerm] = {}
    for name, param in declared.items():
        value = given.get(name)
        if value is None:
            value = param.default
        if value is None or (isinstance(value, str) and value.strip() == ANY):
            if param.required:
                raise ParameterError(f"query {spec.name!r} needs --param {name}=… ({param.description})")
            continue
        if isinstance(value, str) and not value.strip():
            raise ParameterError(f"parameter {name!r} of query {spec.name!r} needs a value ({param.description})")
        bindings[name] = resolve_term(param, value, index)
    return bindings


def resolve_value(param: Param, value: object, index: Callable[[], LabelIndex]) -> Identifier:
    """Resolve one value for one parameter (:func:`resolve_term`), as an rdflib term."""
    term = from_ox(resolve_term(param, value, index))
    assert term is not None  # a resolved value is a term
    return term


def resolve_term(param: Param, value: object, index: Callable[[], LabelIndex]) -> OxTerm:
    """Resolve one value for one parameter; a value of the wrong Python type is a ``ParameterError``.

    A name is looked up in ``index()``, called only then: an error in reading the graph (its store) is its own,
    not the parameter's.
    """
    if param.type in ENTITY_KINDS and not isinstance(value, bool) and isinstance(value, str | numbers.Integral):
        labels = index()
        try:
            return ox.NamedNode(labels.resolve_iri(param.type, str(value)))  # str(3): a rating's notation
        except ParameterError as err:
            raise ParameterError(f"parameter {param.name!r}: {err}") from None
    try:
        if param.type in ENTITY_KINDS:
            raise _WrongTypeError
        return _SCALARS[param.type](value)
    except ParameterError as err:
        raise ParameterError(f"parameter {param.name!r}: {err}") from None
    except _WrongTypeError:
        expected = EXPECTED.get(param.type, f"a {param.type} by name or IRI (str or rdflib.URIRef)")
        raise ParameterError(
            f"parameter {param.name!r} takes {expected}, not {type(value).__name__} {value!r}"
        ) from None
