"""Running ppkg's SHACL shapes with pySHACL, on a whole graph or focused on chosen nodes.

:func:`validate_graph` checks every node of a graph. :func:`focused_shapes` turns the shapes' class
targets into node targets for a few nodes, so nested ``sh:node``/``sh:or`` constraints still see every
value (pySHACL's own ``focus_nodes`` option filters those too); :mod:`ppkg.validation.context` uses it to
check a contribution in context.

Whole graphs are validated part by part (:mod:`ppkg.validation.partition`), which gives the results of
one run over the whole graph in time linear in its size; ``partition=False`` runs pySHACL once instead.
Three things keep a part's run cheap, each with exactly pySHACL's results: property shapes are targeted
at their node shapes' focus nodes (pySHACL checks a property shape reached through ``sh:property`` one
focus node at a time, re-reading the shape each time); the SHACL-SPARQL constraints run in Oxigraph once
per part (pySHACL parses their query again for every focus node); the duplicate-name rule is an index.
A large graph's parts are validated in worker processes, one per CPU.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from ppkg.progress import SILENT, Advance, Progress
from ppkg.rdf import shipped
from ppkg.rdf.io import merged_graph, quiet_rdflib
from ppkg.rdf.namespaces import SHAPES
from ppkg.rdf.terms import from_ox, to_ox
from ppkg.validation.partition import (
    Batch,
    Reach,
    Statements,
    batches,
    duplicate_names,
    from_ntriples,
    needed_nodes,
    neighbourhood,
    to_ntriples,
    transitive_statements,
)
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
    """The node's name for a report (the first in text order when it has several, so that every run
    shows the same one)."""
    for prop in (RDFS.label, SKOS.prefLabel):
        names = sorted(str(value) for value in data.objects(node, prop))
        if names:
            return names[0]
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

UNIQUE_NAME = SHAPES["Program-uniqueNameConstraint"]
"""The one constraint that compares a node with every other: answered by an index, not by pySHACL."""

LOCAL_SPARQL = frozenset(
    {
        SHAPES["TrainingTopic-noCycleConstraint"],  # follows skos:broader, which every part holds whole
        SHAPES["TrainingCurriculum-uniquePositionConstraint"],  # reads the items the curriculum points at
        SHAPES["SourceDocument-findableConstraint"],  # reads the node's own statements
    }
)
"""SHACL-SPARQL constraints known to read no further than :class:`~ppkg.validation.partition.Reach` says."""

TRANSITIVE = frozenset({RDFS.subClassOf, SKOS.broader})
"""Predicates the shapes follow to any depth (class membership, the topic tree's cycle check)."""

UNSUPPORTED = frozenset(
    {
        SH.node,
        SH.qualifiedValueShape,
        SH.zeroOrMorePath,
        SH.oneOrMorePath,
        SH.zeroOrOnePath,
        SH.alternativePath,
        SH.targetNode,
        SH.targetObjectsOf,
        SH.target,
        SH.rule,
        SH.expression,
        SH.closed,
    }
)
"""Shape features whose reach partitioning does not know: with any of them, validation runs whole."""


@cache
def shapes_reach() -> Reach | None:
    """What the shipped shapes read about a focus node (``None``: more than partitioning can provide)."""
    return reach_of(shapes_graph())


def reach_of(shapes: Graph) -> Reach | None:
    """What ``shapes`` read about a focus node besides its own statements, or ``None`` when they use a
    feature (nested node shapes, complex paths, SPARQL constraints not in :data:`LOCAL_SPARQL`…) whose
    reach is not known, so that a graph must be validated whole."""
    if any((None, p, None) in shapes for p in UNSUPPORTED) or (None, RDF.type, SH.ConstraintComponent) in shapes:
        return None
    if set(shapes.objects(None, SH.sparql)) - LOCAL_SPARQL - {UNIQUE_NAME}:
        return None
    inverse: set[Node] = set()
    sequences: set[tuple[Node, Node]] = set()
    for shape, path in shapes.subject_objects(SH.path):
        if (shape, SH.property, None) in shapes:
            return None  # a property shape with properties of its own reads the values' values
        if isinstance(path, URIRef):
            continue
        step = shapes.value(path, SH.inversePath)
        if isinstance(step, URIRef):
            inverse.add(step)
            continue
        steps = list(Collection(shapes, path)) if (path, RDF.first, None) in shapes else []
        if len(steps) != 2 or not all(isinstance(s, URIRef) for s in steps):
            return None
        sequences.add((steps[0], steps[1]))
    for logical in (SH["or"], SH["and"], SH["not"], SH.xone):
        for _, members in shapes.subject_objects(logical):
            nested = [members] if logical == SH["not"] else list(Collection(shapes, members))
            if any((m, p, None) in shapes for m in nested for p in (SH.path, SH.property, SH.sparql)):
                return None
    return Reach(frozenset(inverse), frozenset(sequences), TRANSITIVE)


TARGETS = (SH.targetClass, SH.targetSubjectsOf)
"""The targets partitioned validation supports (see :data:`UNSUPPORTED`)."""


@cache
def partition_shapes() -> Graph:
    """The shapes as a batch runs them: without their SPARQL constraints (:func:`unique_name_results`
    answers the duplicate-name one for the whole graph, :func:`sparql_results` the others for a batch of
    nodes at a time), and with each node shape's property shapes given the node shape's targets instead of
    being reached through ``sh:property``: pySHACL checks a property shape reached that way one focus node
    at a time, and a targeted one once for all its focus nodes, with the same results."""
    shapes = shapes_graph()
    shapes.remove((None, SH.sparql, UNIQUE_NAME))
    for check in sparql_checks():
        shapes.remove((check.shape, SH.sparql, check.constraint))
    for shape, prop in list(shapes.subject_objects(SH.property)):
        for predicate in TARGETS:
            for target in shapes.objects(shape, predicate):
                shapes.add((prop, predicate, target))
        shapes.remove((shape, SH.property, prop))
    return shapes


def targeted(data: Graph, shapes: Graph, shape: Node) -> set[Node]:
    """The focus nodes of ``shape`` in ``data``: instances of its target classes, subjects of its target
    predicates."""
    found: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        found |= instances(data, cls)
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(data.subjects(predicate, None, unique=True))
    return found


@dataclass(frozen=True)
class SparqlCheck:
    """A SHACL-SPARQL constraint of a node shape, ready to run for many focus nodes at once: its query
    (``head`` + ``VALUES ?this {…}`` + ``tail``), and what each result carries."""

    shape: Node
    constraint: Node
    head: str
    tail: str
    severity: Node
    message: str | None

    def query(self, nodes: Iterable[Node]) -> str:
        """The query with ``$this`` bound to each of ``nodes`` in turn: the same rows as running it once
        per node with ``$this`` pre-bound (a ``VALUES`` block opening the ``WHERE`` group)."""
        values = " ".join(node.n3() for node in nodes)
        return f"{self.head} VALUES ?this {{ {values} }} {self.tail}"


def _prefix_lines(shapes: Graph, constraint: Node) -> str:
    """The ``PREFIX`` lines pySHACL puts before a constraint's query (its ``sh:prefixes`` declarations)."""
    lines = []
    for prefixes in shapes.objects(constraint, SH.prefixes):
        for declare in shapes.objects(prefixes, SH.declare):
            prefix, namespace = shapes.value(declare, SH.prefix), shapes.value(declare, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(lines))


@cache
def sparql_checks() -> tuple[SparqlCheck, ...]:
    """The shipped node shapes' SHACL-SPARQL constraints of :data:`LOCAL_SPARQL`, run by
    :func:`sparql_results` a batch at a time instead of once per focus node."""
    shapes = shapes_graph()
    checks = []
    for shape, constraint in sorted(shapes.subject_objects(SH.sparql), key=lambda pair: (str(pair[0]), str(pair[1]))):
        if constraint not in LOCAL_SPARQL or (shape, SH.path, None) in shapes:
            continue
        select = str(shapes.value(constraint, SH.select))
        head, brace, tail = select.partition("{")  # a SELECT's first brace opens its WHERE group
        message = shapes.value(constraint, SH.message) or shapes.value(shape, SH.message)
        checks.append(
            SparqlCheck(
                shape=shape,
                constraint=constraint,
                head=f"{_prefix_lines(shapes, constraint)}\n{head}{brace}",
                tail=tail,
                severity=shapes.value(shape, SH.severity) or SH.Violation,
                message=str(message) if message is not None else None,
            )
        )
    return tuple(checks)


def _fill(message: str, bound: Mapping[str, object]) -> str:
    """A SHACL-SPARQL message with ``{?var}``/``{$var}`` replaced by the row's values, as pySHACL fills it in."""
    for var, value in bound.items():
        message = re.sub(f"{{[?$]{var}}}", str(value), message)
    return message


def sparql_results(data: Graph, targets: Iterable[tuple[Node, Node, Node]]) -> list[ValidationResult]:
    """The results of the :func:`sparql_checks` for the focus nodes of ``targets`` (``sh:targetNode``
    triples, see :func:`focus_targets`), exactly as pySHACL reports them: Oxigraph runs each query once
    for all its shape's focus nodes (once per blank node, which a query's text cannot name)."""
    focus: dict[Node, set[Node]] = {}
    for shape, _, node in targets:
        focus.setdefault(shape, set()).add(node)
    if not any(check.shape in focus for check in sparql_checks()):
        return []
    store = ox.Store()
    store.extend(ox.parse(to_ntriples(data), format=ox.RdfFormat.N_TRIPLES))  # (loading renames blank nodes)
    results = []
    for check in sparql_checks():
        nodes = sorted(focus.get(check.shape, ()), key=str)
        iris = [node for node in nodes if isinstance(node, URIRef)]
        runs: list[tuple[str, Node | None]] = [(check.query(iris), None)] if iris else []
        runs += [(check.head + check.tail, node) for node in nodes if not isinstance(node, URIRef)]
        seen: set[tuple[object, ...]] = set()
        for query, blank in runs:
            substitutions: dict[ox.Variable, Any] | None = {ox.Variable("this"): to_ox(blank)} if blank else None
            solutions = store.query(query, substitutions=substitutions)
            assert isinstance(solutions, ox.QuerySolutions)
            names = [var.value for var in solutions.variables]
            for solution in solutions:
                bound: dict[str, Any] = {name: from_ox(solution[name]) for name in names if solution[name] is not None}
                this = bound.pop("this", None) or blank
                if this is None:
                    continue
                path = bound.pop("path", None)
                value = bound.pop("value", None)
                if value is None:
                    value = this  # a node shape's result value is its focus node
                key = (this, path, value, *sorted(bound.items(), key=str))
                if key in seen:
                    continue
                seen.add(key)
                named = {**bound, "this": this, **({"path": path} if path is not None else {}), "value": value}
                message = _fill(check.message, named) if check.message else "does not satisfy the shape"
                results.append(_sparql_result(data, this, path, value, message, check.severity, check.shape))
    return results


def _sparql_result(
    data: Graph, node: Node, path: Node | None, value: Node, message: str, severity: Node, shape: Node
) -> ValidationResult:
    """One result of a SHACL-SPARQL constraint, in the words pySHACL reports it with."""
    return ValidationResult(
        focus_node=_text(node),
        focus_label=_label(data, node),
        path=str(path) if isinstance(path, URIRef) else None,
        value=_text(value),
        message=message,
        severity=str(severity),
        source_shape=str(shape) if isinstance(shape, URIRef) else None,
        constraint=str(SH.SPARQLConstraintComponent),
    )


def instances(data: Graph, cls: Node) -> set[Node]:
    """SHACL instances of ``cls``: nodes whose ``rdf:type`` is ``cls`` or one of its subclasses."""
    classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
    return {node for c in classes for node in data.subjects(RDF.type, c)}


def unique_name_results(data: Graph, shapes: Graph | None = None) -> list[ValidationResult]:
    """The results of ``shapes:Program-uniqueNameConstraint`` on ``data``, exactly as pySHACL reports
    them, from an index of names instead of comparing every program with every other."""
    shapes = shapes if shapes is not None else shapes_graph()
    template = shapes.value(UNIQUE_NAME, SH.message)
    results = []
    for shape in sorted(shapes.subjects(SH.sparql, UNIQUE_NAME), key=str):
        path = shapes.value(shape, SH.path)
        severity = shapes.value(shape, SH.severity) or SH.Violation
        focus: set[Node] = set()
        for node_shape in shapes.subjects(SH.property, shape):
            for cls in shapes.objects(node_shape, SH.targetClass):
                focus |= instances(data, cls)
        for node, name in duplicate_names(data, sorted(focus, key=str), path if path is not None else RDFS.label):
            message = str(template) if template is not None else "does not satisfy the shape"
            for var, bound in (("this", node), ("value", name)):
                message = re.sub(f"{{[?$]{var}}}", str(bound), message)  # as pySHACL fills it in
            results.append(_sparql_result(data, node, path, name, message, severity, shape))
    return results


def validate_graph(
    data: Graph,
    *,
    strict: bool = False,
    partition: bool = True,
    progress: Progress = SILENT,
    batch_programs: int | None = None,
    workers: int | None = None,
) -> ValidationReport:
    """Validate every node of ``data`` (plus the ontology and vocabularies) against all shapes.

    By default the graph is validated a batch of programs at a time (linear in the number of programs,
    reported to ``progress`` as one step, ``"validating"``, counted in programs), with the results of one
    pySHACL run over the whole graph, which ``partition=False`` does instead. Large graphs' batches are
    validated in ``workers`` processes (default: one per CPU; ``1``: all in this process). Workers are
    forked, or spawned when other threads run (see :func:`start_method`); a script that validates a large
    graph while running threads must then start its work under ``if __name__ == "__main__":``, as
    :mod:`multiprocessing` requires.
    """
    merged = Graph()
    merged += vocabulary_graph()
    merged += data
    reach = shapes_reach()
    if not partition or reach is None:
        with progress.step("validating", 1) as advance:
            results = run_shacl(merged)
            advance(1)
        return ValidationReport(results, strict=strict, checked_triples=len(data))
    return ValidationReport(
        _partitioned(merged, reach, progress, batch_programs, workers), strict=strict, checked_triples=len(data)
    )


PARALLEL_TRIPLES = 20_000
"""From how many statements on a graph's batches are validated in worker processes (smaller graphs are
validated faster in this process than worker processes start)."""


def _partitioned(
    merged: Graph, reach: Reach, progress: Progress, batch_programs: int | None, workers: int | None
) -> list[ValidationResult]:
    vocabulary = set(vocabulary_graph().subjects()) | set(vocabulary_graph().objects())
    found = batches(merged, vocabulary, **({"programs": batch_programs} if batch_programs else {}))
    background = vocabulary_graph()
    background += transitive_statements(merged, reach)
    if workers is None:
        workers = min(os.cpu_count() or 1, len(found)) if len(merged) >= PARALLEL_TRIPLES else 1
    index = Statements(merged, reach.inverse)
    results: list[ValidationResult] = []
    with progress.step("validating", sum(b.parts for b in found)) as advance:
        if workers <= 1 or len(found) <= 1:
            for batch in found:
                results += check_batch(neighbourhood(index, batch.nodes, reach, background), batch.nodes)
                advance(batch.parts)
        else:
            results += _in_workers(index, reach, background, found, min(workers, len(found)), advance)
        results += unique_name_results(merged)
    return sort_results(results)


def check_batch(part: Graph, nodes: Sequence[Node]) -> list[ValidationResult]:
    """Validate ``nodes`` in ``part`` (which holds everything the shapes read about them, see
    :func:`~ppkg.validation.partition.neighbourhood`) against every shape but the duplicate-name rule.

    Every node of ``part`` a shape targets is checked, but only the results of ``nodes`` are kept: the
    other nodes (the vocabularies, the neighbours ``part`` holds) are checked in their own batch."""
    keep = {_text(node) for node in nodes}
    shapes = partition_shapes()
    results = [result for result in run_shacl(part, shapes) if result.focus_node in keep]
    chosen = set(nodes)
    targets = [
        (check.shape, SH.targetNode, node)
        for check in sparql_checks()
        for node in targeted(part, shapes, check.shape) & chosen
    ]
    return results + sparql_results(part, targets)


def _node(text: str) -> Node:
    """The IRI or blank node written as ``text`` (see :func:`_text`)."""
    return BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def _in_workers(
    index: Statements, reach: Reach, background: Graph, found: list[Batch], workers: int, advance: Advance
) -> list[ValidationResult]:
    """Validate the batches in ``workers`` processes, each sent its statements as N-Triples (and the
    background once); results are gathered as batches finish."""
    results: list[ValidationResult] = []
    context = multiprocessing.get_context(start_method())
    sent = to_ntriples(background)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(sent,)) as pool:
        pending = {}
        for batch in found:
            needed = needed_nodes(index, batch.nodes, reach)
            statements = to_ntriples(chain.from_iterable(index.triples(node) for node in needed))
            nodes = [_text(node) for node in batch.nodes]
            pending[pool.submit(_check_sent, statements, nodes)] = batch.parts
        for future in as_completed(pending):
            results += future.result()
            advance(pending[future])
    return results


def start_method() -> str:
    """How worker processes start: forked when this process runs one thread (nothing to re-import, the
    caller's script is not run again), spawned when it runs more (a thread drawing progress may hold a
    lock a forked child would inherit held)."""
    return "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"


_BACKGROUND: list[Graph] = []
"""A worker process's background (set once when it starts)."""


def _start_worker(background: bytes) -> None:
    _BACKGROUND.append(from_ntriples(background))


def _check_sent(statements: bytes, nodes: list[str]) -> list[ValidationResult]:
    part = Graph()
    part += _BACKGROUND[0]
    part += from_ntriples(statements)
    return check_batch(part, [_node(n) for n in nodes])
