"""Turning what a user gives for a query parameter into the RDF term it stands for.

Things are resolved by name (:mod:`ppkg.query.names`); whole numbers, dates, strings and IRIs are
checked. The result is a term that is *bound* to the query variable, never pasted into the query text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ppkg.errors import ParameterError
from ppkg.query.catalogue import Param, QuerySpec
from ppkg.query.names import ENTITY_CLASSES, LabelIndex, as_iri
from ppkg.query.safety import check_iri


def _literal_int(value: str) -> Literal:
    try:
        return Literal(int(value.strip()))
    except ValueError:
        raise ParameterError(f"expected a whole number, got {value!r}") from None


def _literal_date(value: str) -> Literal:
    try:
        return Literal(dt.date.fromisoformat(value.strip()), datatype=XSD.date)
    except ValueError:
        raise ParameterError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


_SCALARS: dict[str, Callable[[str], Identifier]] = {
    "string": Literal,
    "int": _literal_int,
    "date": _literal_date,
    "iri": lambda v: URIRef(as_iri(v.strip()) or check_iri(v.strip())),
}


def bind_params(
    spec: QuerySpec, given: Mapping[str, str | None], index: Callable[[], LabelIndex]
) -> dict[str, Identifier]:
    """Resolve the values given for ``spec``'s parameters (defaults filling the gaps) to terms.

    A parameter with neither a value nor a default stays unbound, which makes it match anything.
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
        if value is None or value == "":
            if param.required:
                raise ParameterError(f"query {spec.name!r} needs --param {name}=… ({param.description})")
            continue
        bindings[name] = resolve_value(param, value, index)
    return bindings


def resolve_value(param: Param, value: str, index: Callable[[], LabelIndex]) -> Identifier:
    """Resolve one value for one parameter."""
    if param.type in ENTITY_CLASSES:
        return index().resolve(param.type, value)
    return _SCALARS[param.type](value)
