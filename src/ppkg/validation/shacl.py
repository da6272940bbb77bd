"""Running ppkg's SHACL shapes with pySHACL, on a whole graph or focused on chosen nodes.

:func:`validate_graph` checks every node of a graph. :func:`focused_shapes` turns the shapes' class
targets into node targets for a few nodes, so nested ``sh:node``/``sh:or`` constraints still see every
value (pySHACL's own ``focus_nodes`` option filters those too); :mod:`ppkg.validation.context` uses it to
check a contribution in context.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from ppkg.rdf import shipped
from ppkg.rdf.io import merged_graph, quiet_rdflib
from ppkg.validation.report import ValidationReport, ValidationResult, sort_results

# -- inputs ------------------------------------------------------------------------------------------------


@cache
def _parsed(paths: tuple[Path, ...]) -> Graph:
    graph = Graph()
    for path in paths:
        graph += merged_graph([path])
    return graph


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def shapes_graph() -> Graph:
    """All shipped shapes (``shapes/*.ttl``) as one graph (a fresh copy: changing it changes nothing else)."""
    return _copy(_parsed(tuple(shipped.shapes_files())))


def vocabulary_graph() -> Graph:
    """The ontology and every vocabulary, as one graph: the background every validation runs against
    (a fresh copy)."""
    return _copy(_parsed((shipped.ontology_file(), *shipped.vocabulary_files())))


def classes_of(data: Graph, node: Node) -> set[Node]:
    """Every class ``node`` is a SHACL instance of: ``node rdf:type/rdfs:subClassOf* ?class`` in ``data``."""
    return {
        cls
        for node_type in data.objects(node, RDF.type)
        for cls in data.transitive_objects(node_type, RDFS.subClassOf)
        if cls is not None
    }


@cache
def untargeted_shapes() -> tuple[Graph, tuple[tuple[Node, Node, Node], ...]]:
    """The shapes without their class/subject targets, and those targets as ``(shape, predicate, object)``."""
    shapes = Graph()
    shapes += shapes_graph()
    for predicate in (SH.targetObjectsOf, SH.target):
        if (None, predicate, None) in shapes:
            raise ValueError(f"focused validation does not support {predicate}")
    targets = tuple(
        (shape, predicate, obj)
        for predicate in (SH.targetClass, SH.targetSubjectsOf)
        for shape, obj in shapes.subject_objects(predicate)
    )
    for triple in targets:
        shapes.remove(triple)
    return shapes, targets


def focus_targets(data: Graph, nodes: Iterable[Node]) -> list[tuple[Node, Node, Node]]:
    """``sh:targetNode`` triples that make each shape target exactly those of ``nodes`` its real targets select."""
    _, targets = untargeted_shapes()
    added: list[tuple[Node, Node, Node]] = []
    for node in nodes:
        classes = classes_of(data, node)
        for shape, predicate, obj in targets:
            if (predicate == SH.targetClass and obj in classes) or (
                predicate == SH.targetSubjectsOf and (node, obj, None) in data
            ):
                added.append((shape, SH.targetNode, node))
    return added


def focused_shapes(data: Graph, nodes: Iterable[Node]) -> Graph:
    """The shapes with their class/subject targets replaced by ``sh:targetNode`` for ``nodes`` only."""
    shapes, _ = untargeted_shapes()
    focused = Graph()
    focused += shapes
    for triple in focus_targets(data, nodes):
        focused.add(triple)
    return focused


def _label(data: Graph, node: Node) -> str | None:
    for prop in (RDFS.label, SKOS.prefLabel):
        value = data.value(node, prop)
        if value is not None:
            return str(value)
    return None


def run_shacl(data: Graph, shapes: Graph | None = None) -> list[ValidationResult]:
    """Run pySHACL (SHACL-SPARQL on, no inference) and return its results, sorted."""
    import pyshacl

    with quiet_rdflib():
        _, report, _ = pyshacl.validate(
            data,
            shacl_graph=shapes if shapes is not None else shapes_graph(),
            inference="none",
            inplace=True,  # no inference and no rules: the data graph is only read, so it need not be copied
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
        )
    results = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(node, SH.focusNode)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        message = report.value(node, SH.resultMessage)
        results.append(
            ValidationResult(
                focus_node=_text(focus),
                focus_label=_label(data, focus) if focus is not None else None,
                path=str(path) if isinstance(path, URIRef) else None,
                value=_text(value) if value is not None else None,
                message=str(message) if message is not None else "does not satisfy the shape",
                severity=str(report.value(node, SH.resultSeverity)),
                source_shape=str(shape) if isinstance(shape, URIRef) else None,
                constraint=str(report.value(node, SH.sourceConstraintComponent)),
            )
        )
    return sort_results(results)


def _text(term: Node | None) -> str:
    """A term as report text: IRIs and literal values as they are, blank nodes as ``_:id``."""
    return term.n3() if isinstance(term, BNode) else str(term)


# -- whole graphs ------------------------------------------------------------------------------------------


def validate_graph(data: Graph, *, strict: bool = False) -> ValidationReport:
    """Validate every node of ``data`` (plus the ontology and vocabularies) against all shapes."""
    merged = Graph()
    merged += vocabulary_graph()
    merged += data
    return ValidationReport(run_shacl(merged), strict=strict, checked_triples=len(data))
