"""Validating data against ppkg's SHACL shapes, with results a data steward can read.

Two ways to validate:

* :func:`validate_graph` checks every node of a graph (the whole shipped graph, for instance);
* :func:`validate_contribution` checks only what a contribution adds, *in context*: the contribution,
  the ontology and vocabularies, and the part of the existing graph its nodes touch (their statements, the
  statements pointing at them, and the types of their neighbours). The shapes are focused on the
  contribution's nodes by turning their class targets into node targets, so nested ``sh:node``/``sh:or``
  constraints still see every value (pySHACL's own ``focus_nodes`` option filters those too). This stays
  well under a second however large the graph grows, and reports exactly what a full validation reports
  for those nodes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from ppkg import shipped
from ppkg.engines import merged_graph, quiet_rdflib
from ppkg.namespaces import PPKG, PREFIXES
from ppkg.results import compact
from ppkg.terms import from_ox, to_ox

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass(frozen=True)
class ValidationResult:
    """One problem found: where (focus node, path), what (value, message), how bad (severity), which rule."""

    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    severity: str
    source_shape: str | None
    constraint: str | None

    @property
    def is_violation(self) -> bool:
        """True for ``sh:Violation`` results."""
        return self.severity == str(SH.Violation)

    def key(self) -> tuple[str, str | None, str | None, str | None]:
        """What identifies a result across validation runs: focus node, shape, constraint, value."""
        return (self.focus_node, self.source_shape, self.constraint, self.value)

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready mapping."""
        return {
            "focusNode": self.focus_node,
            "focusLabel": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "severity": _local(self.severity),
            "sourceShape": self.source_shape,
            "constraint": self.constraint,
        }


@dataclass
class ValidationReport:
    """The outcome of a validation: results sorted by focus node, severity, shape and value."""

    results: list[ValidationResult] = field(default_factory=list)
    strict: bool = False
    checked_triples: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        """Results of severity ``sh:Violation``."""
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Results of severity ``sh:Warning`` (and ``sh:Info``)."""
        return [r for r in self.results if not r.is_violation]

    @property
    def conforms(self) -> bool:
        """No violations (and, when ``strict``, no warnings either)."""
        return not (self.results if self.strict else self.violations)

    def by_focus_node(self) -> dict[str, list[ValidationResult]]:
        """Results grouped by focus node, in report order."""
        groups: dict[str, list[ValidationResult]] = {}
        for r in self.results:
            groups.setdefault(r.focus_node, []).append(r)
        return groups

    def text(self) -> str:
        """The human-readable report: one block per focus node (label and IRI), one line per problem."""
        if not self.results:
            return f"conforms: no problems found in {self.checked_triples:,} triples checked\n"
        lines: list[str] = []
        for focus, results in self.by_focus_node().items():
            label = next((r.focus_label for r in results if r.focus_label), None)
            lines.append(f"{label} <{focus}>" if label else f"<{focus}>")
            for r in results:
                where = compact(r.path) if r.path else "(the node itself)"
                shown = compact(r.value) if r.value and r.value.startswith(("http://", "https://")) else r.value
                value = f" = {shown!r}" if shown is not None else ""
                lines.append(f"  {_local(r.severity).upper()}: {where}{value}")
                lines.append(f"    {r.message}")
                if r.source_shape:
                    lines.append(f"    rule: {compact(r.source_shape)} ({_local(r.constraint or '')})")
            lines.append("")
        n_v, n_w = len(self.violations), len(self.warnings)
        verdict = "does not conform" if not self.conforms else "conforms"
        lines.append(f"{verdict}: {n_v} violation{'s' * (n_v != 1)}, {n_w} warning{'s' * (n_w != 1)}")
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The report as JSON: ``{"conforms": …, "violations": n, "warnings": n, "results": […]}``."""
        doc = {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.as_dict() for r in self.results],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        """The report as a SHACL validation report in Turtle."""
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        report = URIRef("urn:ppkg:validation-report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.results, start=1):
            node = URIRef(f"urn:ppkg:validation-report:result:{i}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, URIRef(r.focus_node)))
            graph.add((node, SH.resultSeverity, URIRef(r.severity)))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            if r.path:
                graph.add((node, SH.resultPath, URIRef(r.path)))
            if r.value is not None:
                graph.add((node, SH.value, Literal(r.value)))
            if r.source_shape:
                graph.add((node, SH.sourceShape, URIRef(r.source_shape)))
            if r.constraint:
                graph.add((node, SH.sourceConstraintComponent, URIRef(r.constraint)))
        return graph.serialize(format="turtle")

    def serialize(self, fmt: str = "text") -> str:
        """``text``, ``json`` or ``turtle``."""
        if fmt == "text":
            return self.text()
        if fmt == "json":
            return self.to_json()
        if fmt == "turtle":
            return self.to_turtle()
        raise ValueError(f"unknown format {fmt!r}: use text, json or turtle")


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# -- inputs ------------------------------------------------------------------------------------------------


@cache
def shapes_graph() -> Graph:
    """All shipped shapes (``shapes/*.ttl``) as one graph."""
    graph = Graph()
    for path in shipped.shapes_files():
        graph.parse(path, format="turtle")
    return graph


@cache
def vocabulary_graph() -> Graph:
    """The ontology and every vocabulary, as one graph: the background every validation runs against."""
    graph = Graph()
    graph.parse(shipped.ontology_file(), format="turtle")
    for path in shipped.vocabulary_files():
        graph.parse(path, format="turtle")
    return graph


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


def sort_results(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    """Deterministic order: focus node, severity, shape, constraint, value, message."""
    return sorted(
        set(results),
        key=lambda r: (
            r.focus_node,
            SEVERITY_ORDER.get(URIRef(r.severity), 9),
            r.source_shape or "",
            r.constraint or "",
            r.value or "",
            r.message,
        ),
    )


# -- whole graphs ------------------------------------------------------------------------------------------


def validate_graph(data: Graph, *, strict: bool = False) -> ValidationReport:
    """Validate every node of ``data`` (plus the ontology and vocabularies) against all shapes."""
    merged = Graph()
    merged += vocabulary_graph()
    merged += data
    return ValidationReport(run_shacl(merged), strict=strict, checked_triples=len(data))


# -- contributions in context ------------------------------------------------------------------------------


class StoreView:
    """Read access to the default graph of a pyoxigraph store, in rdflib terms.

    Context extraction only looks up a few patterns per contributed node; doing that in Oxigraph keeps a
    contribution check fast however large the existing graph is (parsing it into rdflib would not).
    """

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    @classmethod
    def of(cls, graph: Graph) -> StoreView:
        """A view over a copy of an rdflib graph."""
        store = ox.Store()
        store.load(
            graph.serialize(format="nt", encoding="utf-8"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode("urn:ppkg:existing"),
        )
        return cls(store)

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[tuple[Node, Node, Node]]:
        """Triples matching a pattern (``None`` matches anything)."""
        s, p, o = (None if t is None else to_ox(t) for t in pattern)
        for quad in self.store.quads_for_pattern(s, p, o, None):  # type: ignore[arg-type]  # every graph
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)  # type: ignore[misc]

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """Objects of ``subject predicate ?o``."""
        for _, _, o in self.triples((subject, predicate, None)):
            yield o

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        return next(self.triples(triple), None) is not None

    def same_named(self, contribution: Graph) -> set[Node]:
        """Existing programs whose name equals the name of a contributed program, ignoring case (what the
        duplicate-name rule compares)."""
        names = [
            Literal(str(label).lower()).n3()
            for node in contribution.subjects(RDF.type, PPKG.Program)
            for label in contribution.objects(node, RDFS.label)
        ]
        if not names:
            return set()
        query = (
            "SELECT DISTINCT ?node WHERE { VALUES ?name { " + " ".join(names) + " } "
            "GRAPH ?g { ?node a <" + str(PPKG.Program) + "> } "
            "GRAPH ?h { ?node <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
            "FILTER(LCASE(STR(?label)) = ?name) }"
        )
        found: set[Node] = set()
        for solution in self.store.query(query):  # type: ignore[union-attr]
            hit = from_ox(solution["node"])
            if hit is not None:
                found.add(hit)
        return found


@cache
def inverse_path_predicates() -> frozenset[Node]:
    """Predicates the shapes follow backwards (``sh:inversePath``): a node's incoming links on these matter."""
    return frozenset(shapes_graph().objects(None, SH.inversePath))


def contribution_nodes(contribution: Graph) -> set[Node]:
    """The nodes whose validity a contribution can change: its subjects, and what it links to along a
    predicate the shapes read backwards."""
    nodes: set[Node] = set(contribution.subjects())
    for predicate in inverse_path_predicates():
        nodes |= {o for o in contribution.objects(None, predicate) if isinstance(o, (URIRef, BNode))}
    return nodes


def context_of(existing: StoreView, nodes: Iterable[Node]) -> Graph:
    """The part of ``existing`` that validating ``nodes`` needs.

    For each node: its statements, and the statements of the nodes it points at (so nested shapes and
    ordering checks see them); the statements pointing at it along the predicates shapes read backwards;
    and the types, schemes and names of every node reached, so class and vocabulary checks are exact.
    """
    context = Graph()
    reached: set[Node] = set()
    inverse = inverse_path_predicates()
    for node in nodes:
        for s, p, o in existing.triples((node, None, None)):
            context.add((s, p, o))
            if isinstance(o, (URIRef, BNode)):
                reached.add(o)
                for triple in existing.triples((o, None, None)):
                    context.add(triple)
                    if isinstance(triple[2], (URIRef, BNode)):
                        reached.add(triple[2])
        for predicate in inverse:
            for s, p, o in existing.triples((None, predicate, node)):
                context.add((s, p, o))
                reached.add(s)
    for node in reached:
        for prop in (RDF.type, SKOS.inScheme, RDFS.label):
            for value in existing.objects(node, prop):
                context.add((node, prop, value))
    return context


def validate_contribution(
    contribution: Graph, existing: Graph | StoreView | None = None, *, strict: bool = False
) -> ValidationReport:
    """Validate what ``contribution`` adds to ``existing`` (default: the shipped graph), in context.

    ``existing`` may be an rdflib graph or, for large graphs, a :class:`StoreView` of an Oxigraph store.
    """
    if existing is None:
        existing = shipped_union()
    view = existing if isinstance(existing, StoreView) else StoreView.of(existing)
    nodes = contribution_nodes(contribution) | view.same_named(contribution)
    linked = {o for o in contribution.objects() if isinstance(o, (URIRef, BNode))}
    before = Graph()
    before += vocabulary_graph()
    before += context_of(view, nodes | linked)
    after = Graph()
    after += before
    after += contribution
    results = run_shacl(after, focused_shapes(after, nodes))
    touched = [n for n in nodes if (n, None, None) in before or (None, None, n) in before]
    if touched:  # what the existing nodes already had is not the contribution's doing
        known = {r.key() for r in run_shacl(before, focused_shapes(before, touched))}
        results = [r for r in results if r.key() not in known]
    return ValidationReport(results, strict=strict, checked_triples=len(contribution))


@cache
def shipped_union() -> Graph:
    """The union of the shipped data graphs (without the vocabularies), as one graph."""
    from ppkg.graph import shipped_files

    return merged_graph(f.path for f in shipped_files() if f.graph is None)
