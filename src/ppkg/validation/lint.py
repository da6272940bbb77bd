"""Checks SHACL cannot express well, run on contributed data before the shapes.

* every subject a contribution describes is minted under ``https://w3id.org/ppkg/id/`` (or is the
  contribution's own graph), never a blank node;
* every IRI is a valid IRI (no spaces or control characters, a scheme), and the IRIs of ppkg's own
  namespaces are plain ASCII (a Cyrillic ``о`` that looks like an ``o`` is flagged);
* an IRI that differs from one already in the graph only by ``http``/``https``, a trailing slash or letter
  case is reported as a duplicate of it;
* every predicate and class comes from the ppkg ontology or from a vocabulary ppkg reuses, so a typo
  (``ppkg:operatedby``) is caught with the nearest known term, and a property is never used as a class (or
  a class as a property);
* statements that change what other statements mean through reasoning (``owl:sameAs``,
  ``owl:equivalentClass``, ``owl:deprecated``, ``rdfs:subClassOf``, class and property declarations…) are
  refused: they are the curators' to make, in the curated graph;
* every typed literal is well-formed for its datatype (rdflib accepts ``"abc"^^xsd:integer`` silently),
  and every language tag is a language code such as ``en`` or ``en-US``;
* every IRI of ``https://w3id.org/ppkg/id/`` a contribution points at is described (typed) in the graph
  or in the contribution: no "orphan stub" nodes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from ppkg.rdf.namespaces import ID, PPKG, PREFIXES, SHAPES, compact
from ppkg.rdf.text import nearest
from ppkg.validation.context import StoreView
from ppkg.validation.report import ValidationResult
from ppkg.validation.shacl import vocabulary_graph

REUSED_NAMESPACES = tuple(
    PREFIXES[p] for p in ("rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov", "schema", "org", "foaf")
)
"""Namespaces whose terms a contribution may use besides ppkg's own."""

PROJECT_NAMESPACES = (str(ID), str(PPKG), str(SHAPES))
"""ppkg's own namespaces: their IRIs are plain ASCII."""

PROJECT_ROOT = "https://w3id.org/ppkg/"
"""What every IRI of ppkg's own namespaces starts with (look-alike IRIs are compared with it)."""

REFUSED_PREDICATES = frozenset(
    {
        OWL.sameAs,
        OWL.differentFrom,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.deprecated,
        OWL.inverseOf,
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
    }
)
"""Predicates a contribution may not use: they rewrite the meaning of other statements through reasoning."""

REFUSED_TYPES = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.Ontology,
        OWL.DeprecatedClass,
        OWL.DeprecatedProperty,
    }
)
"""Classes a contribution may not give a thing: declaring classes and properties is the ontology's job."""

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
"""A language tag ppkg accepts: a two- or three-letter language code, then optional subtags (``en-US``)."""

NOT_IN_IRI = re.compile(r"[\x00-\x20<>\"{}|\\^`\x7f-\x9f]")
"""Characters an IRI may not contain (RFC 3987): spaces, controls and ``<>"{}|\\^```."""

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

LOOK_ALIKES = str.maketrans(
    dict(
        zip(
            "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u0501\u04bb\u04cf\u0451"
            "\u03b1\u03b5\u03b9\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7"
            "\u0391\u0392\u0395\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a7\u03a5\u0396",
            "aeopcyxijsdhleaeikvoptuxABEHIKMNOPTXYZ",
            strict=True,
        )
    )
)
"""Non-ASCII letters that look like ASCII ones (Cyrillic and Greek), for recognising look-alike IRIs."""

LINT = str(SHAPES) + "lint-"
ORPHAN = LINT + "orphan"
"""The constraint of a reference to an undescribed ppkg node (the shapes' class check says less)."""


@dataclass(frozen=True)
class Terms:
    """The classes and properties the ppkg ontology declares (its own, and the external terms it declares)."""

    classes: frozenset[str]
    properties: frozenset[str]


@cache
def declared() -> Terms:
    """The declared classes and properties."""
    onto = vocabulary_graph()

    def of(*kinds: URIRef) -> frozenset[str]:
        return frozenset(str(s) for k in kinds for s in onto.subjects(RDF.type, k) if isinstance(s, URIRef))

    return Terms(
        of(OWL.Class, RDFS.Class),
        of(OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.AnnotationProperty),
    )


def declared_terms() -> frozenset[str]:
    """Classes and properties the ppkg ontology declares."""
    terms = declared()
    return terms.classes | terms.properties


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


def _sorted(graph: Graph) -> list[tuple[Node, Node, Node]]:
    return sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))


def lint(contribution: Graph, existing: StoreView | None = None) -> list[ValidationResult]:
    """Problems in ``contribution`` that the shapes do not catch.

    With ``existing`` (the graph it is added to), near-duplicates of existing IRIs and references to
    nodes described nowhere are reported too.
    """
    problems = [*_subjects(contribution), *_iris(contribution), *_terms(contribution), *_literals(contribution)]
    if existing is not None:
        problems += [*_near_duplicates(contribution, existing), *_orphans(contribution, existing)]
    return problems


def _subjects(contribution: Graph) -> Iterator[ValidationResult]:
    for s in sorted(set(contribution.subjects()), key=str):
        if isinstance(s, BNode):
            yield _result(
                s, "Every described thing needs an IRI under https://w3id.org/ppkg/id/, not a blank node.", "blank-node"
            )
        elif not str(s).startswith(str(ID)):
            yield _result(
                s,
                f"New things must be named under https://w3id.org/ppkg/id/<kind>/<slug>; <{s}> is outside it.",
                "namespace",
            )


def _all_iris(contribution: Graph) -> list[URIRef]:
    return sorted({t for triple in contribution for t in triple if isinstance(t, URIRef)}, key=str)


def _char(c: str) -> str:
    """``U+043E CYRILLIC SMALL LETTER O ('о')``: a character as messages name it."""
    name = unicodedata.name(c, "")
    shown = f" ({c!r})" if c.isprintable() else ""
    return f"U+{ord(c):04X}{' ' + name if name else ''}{shown}"


def iri_problem(iri: str) -> str | None:
    """Why ``iri`` is not a valid IRI, or ``None`` if it is."""
    bad = NOT_IN_IRI.search(iri)
    if bad:
        what = "a space" if bad.group() == " " else _char(bad.group())
        return f"not a valid IRI: it contains {what}"
    if not SCHEME.match(iri):
        return "not a valid IRI: it has no scheme such as https:"
    return None


def _iris(contribution: Graph) -> Iterator[ValidationResult]:
    for iri in _all_iris(contribution):
        text = str(iri)
        problem = iri_problem(text)
        if problem:
            yield _result(iri, f"<{text}> is {problem}.", "iri", value=text)
            continue
        odd = [c for c in text if not c.isascii()]
        if odd and (text.startswith(PROJECT_NAMESPACES) or text.translate(LOOK_ALIKES).startswith(PROJECT_ROOT)):
            shown = text.translate(LOOK_ALIKES)
            hint = f" (it looks like <{shown}>)" if shown.isascii() and shown != text else ""
            yield _result(
                iri,
                f"<{text}> contains {_char(odd[0])}: the IRIs of ppkg's namespaces are plain ASCII{hint}.",
                "non-ascii",
                value=text,
            )


def _name(term: str) -> str:
    return compact(term) if term.startswith(REUSED_NAMESPACES + (str(PPKG),)) else f"<{term}>"


def _terms(contribution: Graph) -> Iterator[ValidationResult]:
    terms = declared()
    for s, p, o in _sorted(contribution):
        message = _unknown(str(p), "property", terms)
        if message:
            yield _result(s, message, "unknown-term", path=str(p))
        if p in REFUSED_PREDICATES:
            yield _result(
                s,
                f"{_name(str(p))} is not accepted in a contribution: it changes what other statements mean "
                "(through reasoning); a curator merges, relates or deprecates things in the curated graph.",
                "refused",
                path=str(p),
                value=str(o),
            )
        if p != RDF.type:
            continue
        message = _unknown(str(o), "class", terms)
        if message:
            yield _result(s, message, "unknown-term", path=str(p), value=str(o))
        elif o in REFUSED_TYPES:
            yield _result(
                s,
                f"{_name(str(o))} is not accepted in a contribution: classes and properties are declared by the "
                "ontology, and a contribution describes things.",
                "refused",
                path=str(p),
                value=str(o),
            )


def _unknown(term: str, role: str, terms: Terms) -> str | None:
    """Why ``term`` may not be used as a property or class, or ``None`` if it may."""
    own, other = (terms.properties, terms.classes) if role == "property" else (terms.classes, terms.properties)
    if term in own:
        return None
    if term in other:
        return f"{_name(term)} is a {'class' if role == 'property' else 'property'}, not a {role}."
    if term.startswith(str(PPKG)):
        local = term[len(str(PPKG)) :]
        hint = nearest(local, [t[len(str(PPKG)) :] for t in own if t.startswith(str(PPKG))], n=3)
        suggestion = f"; did you mean {', '.join('ppkg:' + h for h in hint)}?" if hint else ""
        return f"ppkg:{local} is not a {role} of the ppkg ontology{suggestion}"
    if term.startswith(REUSED_NAMESPACES):
        return None
    return f"<{term}> is not a {role} of the ppkg ontology or of a vocabulary ppkg reuses."


def _literals(contribution: Graph) -> Iterator[ValidationResult]:
    for s, p, o in _sorted(contribution):
        if not isinstance(o, Literal):
            continue
        if o.ill_typed:
            yield _result(
                s,
                f"{o!s} is not a valid {str(o.datatype).rsplit('#', 1)[-1]} value.",
                "ill-typed",
                path=str(p),
                value=str(o),
            )
        if o.language is not None and not LANGUAGE_TAG.match(o.language):
            yield _result(
                s,
                f"{o.language!r} is not a language tag: use a two- or three-letter language code such as 'en', "
                "optionally with a region ('en-US').",
                "language",
                path=str(p),
                value=str(o),
            )


def _variants(iri: str) -> Iterable[str]:
    """The IRIs ``iri`` could be a careless copy of: the other of http/https, with or without a trailing slash,
    in lowercase."""
    rest = iri.split("://", 1)[1] if "://" in iri else None
    if rest is None:
        return []
    found = set()
    for scheme in ("https", "http"):
        for body in {rest, rest.lower()}:
            for tail in {body.rstrip("/"), body.rstrip("/") + "/"}:
                found.add(f"{scheme}://{tail}")
    found.discard(iri)
    return sorted(found)


def _near_duplicates(contribution: Graph, existing: StoreView) -> Iterator[ValidationResult]:
    for iri in _all_iris(contribution):
        text = str(iri)
        if iri_problem(text) or (iri, None, None) in existing or (None, None, iri) in existing:
            continue
        for variant in _variants(text):
            other = URIRef(variant)
            if (other, None, None) in existing:
                yield _result(
                    iri,
                    f"<{text}> looks like <{variant}>, which is already in the graph (they differ only by http or "
                    "https, a trailing slash or letter case): use the existing IRI.",
                    "duplicate",
                    value=variant,
                )
                break


def _orphans(contribution: Graph, existing: StoreView) -> Iterator[ValidationResult]:
    described = set(contribution.subjects(RDF.type, None))
    vocabulary = vocabulary_graph()
    for s, p, o in _sorted(contribution):
        if p == RDF.type or not isinstance(o, URIRef) or not str(o).startswith(str(ID)) or o in described:
            continue
        if iri_problem(str(o)) or (o, RDF.type, None) in existing or (o, RDF.type, None) in vocabulary:
            continue
        yield _result(
            s,
            f"{_name(str(p))} refers to <{o}>, which is neither in the graph nor in this contribution: use the IRI "
            "of something that exists, or describe it too (its type and name).",
            "orphan",
            path=str(p),
            value=str(o),
        )
