"""Quality checks of ``ontology/ppkg.ttl``, the ones ROBOT ``report`` and an OWL 2 DL profile check would make.

* the header: version IRI, title, description, licence, a publisher that is a labelled IRI, and the preferred
  prefix and namespace (``vann:``);
* every ppkg term: exactly one kind (class, object, datatype or annotation property), one English label, one
  English definition, ``rdfs:isDefinedBy`` the ontology, and no label shared with another term;
* every term the ontology reuses from another vocabulary (as a superclass, domain, range, super- or inverse
  property, or as an annotation property) is declared, so tools know what kind of term it is;
* domains and ranges are of the right kind (classes for object properties, datatypes for datatype properties).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SKOS
from rdflib.term import Node

ONTOLOGY_FILE = Path(__file__).resolve().parents[1] / "ontology" / "ppkg.ttl"
ONTOLOGY = URIRef("https://w3id.org/ppkg/ontology")
PPKG = Namespace("https://w3id.org/ppkg/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VANN = Namespace("http://purl.org/vocab/vann/")
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
# RDF, RDFS and OWL's own terms are built in: OWL tools know them without a declaration
BUILT_IN = (str(RDF), str(RDFS), str(OWL))
# datatypes a datatype property may have as its range besides the XSD ones
OTHER_DATATYPES = {RDF.langString, RDFS.Literal, RDF.PlainLiteral}


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def ppkg_terms() -> list[URIRef]:
    """Every ppkg: IRI the ontology declares as a class or property."""
    graph = ontology()
    return sorted(
        {s for kind in TERM_KINDS for s in graph.subjects(RDF.type, kind) if str(s).startswith(str(PPKG))},
        key=str,
    )


def curie(term: Node) -> str:
    return ontology().namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term)


def declared_as(term: Node, *kinds: URIRef) -> bool:
    return any((term, RDF.type, kind) in ontology() for kind in kinds)


# -- the header ------------------------------------------------------------------------------------------------


def test_header_describes_the_ontology() -> None:
    graph = ontology()
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert isinstance(graph.value(ONTOLOGY, OWL.versionIRI), URIRef)
    assert graph.value(ONTOLOGY, OWL.versionInfo) is not None
    for prop in (DCTERMS.title, DCTERMS.description):
        value = graph.value(ONTOLOGY, prop)
        assert isinstance(value, Literal) and value.language == "en", f"the ontology needs an English {curie(prop)}"
    assert isinstance(graph.value(ONTOLOGY, DCTERMS.license), URIRef), "the licence must be an IRI"


def test_publisher_is_a_labelled_iri() -> None:
    graph = ontology()
    publisher = graph.value(ONTOLOGY, DCTERMS.publisher)
    assert isinstance(publisher, URIRef), f"dcterms:publisher must be an IRI, not {publisher!r}"
    label = graph.value(publisher, RDFS.label)
    assert isinstance(label, Literal) and label.language == "en", f"the publisher <{publisher}> needs a label"


def test_preferred_prefix_and_namespace() -> None:
    graph = ontology()
    assert list(graph.objects(ONTOLOGY, VANN.preferredNamespacePrefix)) == [Literal("ppkg")]
    assert list(graph.objects(ONTOLOGY, VANN.preferredNamespaceUri)) == [Literal(str(PPKG))]
    assert dict(graph.namespaces()).get("ppkg") == URIRef(str(PPKG)), "the file binds ppkg: to another namespace"


# -- every ppkg term -------------------------------------------------------------------------------------------


def test_the_ontology_declares_its_terms() -> None:
    assert len(ppkg_terms()) > 100


def test_every_term_has_exactly_one_kind() -> None:
    problems = []
    for term in ppkg_terms():
        kinds = [kind for kind in TERM_KINDS if declared_as(term, kind)]
        if len(kinds) != 1:
            problems.append(f"{curie(term)} is declared {' and '.join(map(curie, kinds))}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("prop", [RDFS.label, SKOS.definition], ids=["label", "definition"])
def test_every_term_has_one_english_label_and_definition(prop: URIRef) -> None:
    graph = ontology()
    problems = []
    for term in ppkg_terms():
        values = list(graph.objects(term, prop))
        if len(values) != 1 or not isinstance(values[0], Literal) or values[0].language != "en":
            problems.append(f"{curie(term)} needs exactly one English {curie(prop)}, has {values!r}")
    assert not problems, "\n".join(problems)


def test_no_two_terms_share_a_label() -> None:
    """ROBOT ``report``'s ``duplicate_label``: a label names one term (a property is labelled as a verb phrase, so it
    does not take the label of the class of its values: ``ppkg:state`` is "operates in state", not "state")."""
    graph = ontology()
    by_label: dict[str, list[str]] = defaultdict(list)
    for term in ppkg_terms():
        for label in graph.objects(term, RDFS.label):
            by_label[" ".join(str(label).casefold().split())].append(curie(term))
    shared = {label: terms for label, terms in sorted(by_label.items()) if len(terms) > 1}
    assert not shared, "\n".join(f"{label!r}: {', '.join(terms)}" for label, terms in shared.items())


def test_every_term_is_defined_by_the_ontology() -> None:
    graph = ontology()
    problems = [
        f"{curie(term)} has rdfs:isDefinedBy {list(graph.objects(term, RDFS.isDefinedBy))!r}"
        for term in ppkg_terms()
        if list(graph.objects(term, RDFS.isDefinedBy)) != [ONTOLOGY]
    ]
    assert not problems, "\n".join(problems)


def test_every_ppkg_iri_used_is_declared() -> None:
    """A ppkg: IRI in a superclass, domain, range or any other position is a declared term (catches typos)."""
    graph = ontology()
    declared = set(ppkg_terms())
    used = {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(str(PPKG)) and term != URIRef(str(PPKG))
    }
    assert used <= declared, sorted(map(curie, used - declared))


# -- terms reused from other vocabularies ----------------------------------------------------------------------


def _external(term: Node) -> bool:
    return isinstance(term, URIRef) and not str(term).startswith((str(PPKG), *BUILT_IN, XSD_NS))


def test_reused_classes_are_declared() -> None:
    """Classes of other vocabularies used as a superclass, domain or range are declared ``owl:Class``."""
    graph = ontology()
    problems = []
    for relation in (RDFS.subClassOf, RDFS.domain, RDFS.range, OWL.equivalentClass, OWL.disjointWith):
        for term, cls in graph.subject_objects(relation):
            if _external(cls) and not declared_as(cls, OWL.Class):
                problems.append(f"{curie(cls)} ({curie(relation)} of {curie(term)}) is not declared owl:Class")
    assert not problems, "\n".join(sorted(set(problems)))


def test_reused_properties_are_declared() -> None:
    """Properties of other vocabularies used as a super- or inverse property are declared as properties."""
    graph = ontology()
    problems = []
    for relation in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
        for term, prop in graph.subject_objects(relation):
            if _external(prop) and not declared_as(prop, *PROPERTY_KINDS):
                problems.append(f"{curie(prop)} ({curie(relation)} of {curie(term)}) is not declared a property")
    assert not problems, "\n".join(sorted(set(problems)))


def test_annotation_properties_used_are_declared() -> None:
    """Every predicate of the file that is not built into RDF, RDFS or OWL (``skos:definition``, ``dcterms:title``,
    ``vann:preferredNamespacePrefix``…) is declared ``owl:AnnotationProperty``."""
    graph = ontology()
    undeclared = {curie(p) for p in graph.predicates() if _external(p) and not declared_as(p, OWL.AnnotationProperty)}
    assert not undeclared, sorted(undeclared)


# -- domains and ranges ----------------------------------------------------------------------------------------


def _is_class(term: Node) -> bool:
    return declared_as(term, OWL.Class)


def _is_datatype(term: Node) -> bool:
    return isinstance(term, URIRef) and (str(term).startswith(XSD_NS) or term in OTHER_DATATYPES)


def test_domains_and_ranges_are_of_the_right_kind() -> None:
    graph = ontology()
    problems = []
    for term in ppkg_terms():
        for domain in graph.objects(term, RDFS.domain):
            if not _is_class(domain):
                problems.append(f"{curie(term)}: its domain {curie(domain)} is not a declared class")
        for range_ in graph.objects(term, RDFS.range):
            if declared_as(term, OWL.ObjectProperty) and not _is_class(range_):
                problems.append(f"{curie(term)}: object property with range {curie(range_)}, not a declared class")
            if declared_as(term, OWL.DatatypeProperty) and not _is_datatype(range_):
                problems.append(f"{curie(term)}: datatype property with range {curie(range_)}, not a datatype")
        if declared_as(term, OWL.DatatypeProperty) and graph.value(term, RDFS.range) is None:
            problems.append(f"{curie(term)}: a datatype property needs a range (its datatype)")
    assert not problems, "\n".join(problems)
