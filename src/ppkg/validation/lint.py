"""Checks SHACL cannot express well, run on contributed data before the shapes.

* every subject a contribution describes is minted under ``https://w3id.org/ppkg/id/`` (or is the
  contribution's own graph), never a blank node;
* every predicate and class comes from the ppkg ontology or from a vocabulary ppkg reuses, so a typo
  (``ppkg:operatedby``) is caught with the nearest known term;
* every typed literal is well-formed for its datatype (rdflib accepts ``"abc"^^xsd:integer`` silently).
"""

from __future__ import annotations

from functools import cache

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH

from ppkg.rdf.namespaces import ID, PPKG, PREFIXES, SHAPES
from ppkg.rdf.text import nearest
from ppkg.validation.report import ValidationResult
from ppkg.validation.shacl import vocabulary_graph

REUSED_NAMESPACES = tuple(
    PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "schema", "org", "foaf")
)
"""Namespaces whose terms a contribution may use besides ppkg's own."""

LINT = str(SHAPES) + "lint-"


@cache
def declared_terms() -> frozenset[str]:
    """Classes and properties the ppkg ontology declares (its own, and the external terms it declares)."""
    onto = vocabulary_graph()
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty)
    return frozenset(str(s) for k in kinds for s in onto.subjects(RDF.type, k) if isinstance(s, URIRef))


def _result(
    focus: object, message: str, check: str, path: str | None = None, value: str | None = None
) -> ValidationResult:
    return ValidationResult(
        focus_node=str(focus),
        focus_label=None,
        path=path,
        value=value,
        message=message,
        severity=str(SH.Violation),
        source_shape=None,
        constraint=LINT + check,
    )


def lint(contribution: Graph) -> list[ValidationResult]:
    """Problems in ``contribution`` that the shapes do not catch."""
    problems: list[ValidationResult] = []
    known = declared_terms()
    for s in set(contribution.subjects()):
        if isinstance(s, BNode):
            problems.append(
                _result(
                    s,
                    "Every described thing needs an IRI under https://w3id.org/ppkg/id/, not a blank node.",
                    "blank-node",
                )
            )
        elif not str(s).startswith(str(ID)):
            problems.append(
                _result(
                    s,
                    f"New things must be named under https://w3id.org/ppkg/id/<kind>/<slug>; <{s}> is outside it.",
                    "namespace",
                )
            )
    for s, p, o in sorted(contribution, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        for term, role in ((p, "property"), (o if p == RDF.type else None, "class")):
            message = _unknown(str(term), role, known) if term is not None else None
            if message:
                problems.append(_result(s, message, "unknown-term", path=str(p)))
    for s, p, o in contribution:
        if isinstance(o, Literal) and o.ill_typed:
            problems.append(
                _result(
                    s,
                    f"{o!s} is not a valid {str(o.datatype).rsplit('#', 1)[-1]} value.",
                    "ill-typed",
                    path=str(p),
                    value=str(o),
                )
            )
    return problems


def _unknown(term: str, role: str, known: frozenset[str]) -> str | None:
    """Why ``term`` may not be used as a property or class, or ``None`` if it may."""
    if term in known:
        return None
    if term.startswith(str(PPKG)):
        local = term[len(str(PPKG)) :]
        hint = nearest(local, [t[len(str(PPKG)) :] for t in known if t.startswith(str(PPKG))], n=3)
        suggestion = f"; did you mean {', '.join('ppkg:' + h for h in hint)}?" if hint else ""
        return f"ppkg:{local} is not a {role} of the ppkg ontology{suggestion}"
    if term.startswith(REUSED_NAMESPACES):
        return None
    return f"<{term}> is not a {role} of the ppkg ontology or of a vocabulary ppkg reuses."
