"""Turning what a user gives for a query parameter into the RDF term it stands for.

Values come typed from Python (``min_programs=2``, ``as_of=date(2020, 1, 1)``, a ``URIRef``) or as
text from the command line (``"2"``, ``"2020-01-01"``). Things are resolved by name
(:mod:`ppkg.query.names`); whole numbers, dates, strings and IRIs are checked. The result is a term
that is *bound* to the query variable, never pasted into the query text.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Callable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ppkg.errors import ParameterError
from ppkg.query.catalogue import Param, QuerySpec
from ppkg.query.names import ENTITY_KINDS, LabelIndex, as_iri
from ppkg.query.safety import check_iri

ParamValue = str | int | dt.date | URIRef | Literal | None
"""What a parameter takes from Python: text as typed, or the value that fits its type (``None``: not given)."""

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
    return value.toPython() if isinstance(value, Literal) else value


def _literal_int(value: object) -> Literal:
    value = _python(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral | str):
        raise _WrongTypeError
    if isinstance(value, numbers.Integral):
        return Literal(int(value))
    try:
        return Literal(int(value.strip()))
    except ValueError:
        raise ParameterError(f"expected a whole number, got {value!r}") from None


def _literal_date(value: object) -> Literal:
    value = _python(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return Literal(value, datatype=XSD.date)
    if not isinstance(value, str):
        raise _WrongTypeError
    try:
        return Literal(dt.date.fromisoformat(value.strip()), datatype=XSD.date)
    except ValueError:
        raise ParameterError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _literal_string(value: object) -> Literal:
    if not isinstance(value, str):
        raise _WrongTypeError
    return Literal(str(value))


def _iri(value: object) -> URIRef:
    if isinstance(value, URIRef):
        return URIRef(check_iri(str(value)))
    if not isinstance(value, str):
        raise _WrongTypeError
    return URIRef(as_iri(value.strip()) or check_iri(value.strip()))


_SCALARS: dict[str, Callable[[object], Identifier]] = {
    "string": _literal_string,
    "int": _literal_int,
    "date": _literal_date,
    "iri": _iri,
}


def bind_params(spec: QuerySpec, given: Mapping[str, object], index: Callable[[], LabelIndex]) -> dict[str, Identifier]:
    """Resolve the values given for ``spec``'s parameters (defaults filling the gaps) to terms.

    A parameter given as ``None`` or not at all takes its default; with no default it stays unbound,
    which makes it match anything, and so does :data:`ANY` (``"*"``) whatever the default. An empty
    or blank value is an error, never "match anything".
    """
    declared = {p.name: p for p in spec.params}
    unexpected = sorted(set(given) - set(declared))
    if unexpected:
        known = ", ".join(declared) or "none"
        raise ParameterError(f"query {spec.name!r} has no parameter {unexpected[0]!r} (parameters: {known})")
    bindings: dict[str, Identifier] = {}
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
        bindings[name] = resolve_value(param, value, index)
    return bindings


def resolve_value(param: Param, value: object, index: Callable[[], LabelIndex]) -> Identifier:
    """Resolve one value for one parameter; a value of the wrong Python type is a ``ParameterError``."""
    try:
        if param.type in ENTITY_KINDS:
            if isinstance(value, bool):
                raise _WrongTypeError
            if isinstance(value, numbers.Integral):
                value = str(value)  # a rating's notation: rating=3
            if not isinstance(value, str):
                raise _WrongTypeError
            return index().resolve(param.type, value)
        return _SCALARS[param.type](value)
    except ParameterError as err:
        raise ParameterError(f"parameter {param.name!r}: {err}") from None
    except _WrongTypeError:
        expected = EXPECTED.get(param.type, f"a {param.type} by name or IRI (str or rdflib.URIRef)")
        raise ParameterError(
            f"parameter {param.name!r} takes {expected}, not {type(value).__name__} {value!r}"
        ) from None
