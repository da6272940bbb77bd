"""Validating a contribution *in context*: the contribution, the vocabulary, and the part of the existing
graph its nodes touch, looked up in an Oxigraph store (so the check stays fast however large the graph is).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from ppkg.progress import SILENT, Progress
from ppkg.rdf import shipped
from ppkg.rdf.compiled import open_store
from ppkg.rdf.datadir import data_directory, data_files, data_graph_files, graph_files, vocabulary_files
from ppkg.rdf.io import load_into, loadable, merged_graph
from ppkg.rdf.namespaces import PPKG
from ppkg.rdf.terms import from_ox, to_ox
from ppkg.validation.report import ValidationReport, ValidationResult, sort_results
from ppkg.validation.shacl import focused_shapes, run_shacl, shapes_graph, vocabulary_graph


def existing_graph(directory: Path) -> Graph:
    """The union of every graph in a data directory, as an rdflib graph (for whole-graph validation)."""
    return merged_graph(data_files(directory))


def existing_store(directory: Path, *, held: bool = False) -> StoreView:
    """Every graph of a data directory in an Oxigraph store, fast to look up: the directory's persistent store
    (:mod:`ppkg.rdf.compiled`, brought up to date first; ``held``: the caller holds the directory's lock),
    or, for the shipped data, the files read into memory."""
    if directory.resolve() == (shipped.root() / "data").resolve():
        store = ox.Store()
        for f in loadable(data_graph_files(directory)):
            load_into(store, f.path, f.graph)
        return StoreView(store)
    opened = open_store(directory, graph_files(directory), held=held)
    vocabularies = frozenset(str(f.graph) for f in vocabulary_files())
    return StoreView(opened.store, cache=opened.cached if opened.generation is not None else None, hidden=vocabularies)


SAME_NAMED_LOOKUPS = 20
"""Up to this many contributed program names are looked up in the store by name; more, and every program's
name is read once and compared in a set (comparing each name with every program would be quadratic)."""


class StoreView:
    """Read access to the default graph of a pyoxigraph store, in rdflib terms.

    Context extraction only looks up a few patterns per contributed node; doing that in Oxigraph keeps a
    contribution check fast however large the existing graph is (parsing it into rdflib would not).
    """

    def __init__(self, store: ox.Store, cache: Cache | None = None, hidden: frozenset[str] = frozenset()) -> None:
        self.store = store
        self.hidden = hidden
        """Named graphs the view leaves out (the vocabularies, when the store holds them too)."""
        self.cache = cache
        """Where the index of program names is kept between processes (a persistent store's generation)."""

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

    def quads(self, s: Node | None, p: Node | None, o: Node | None) -> Iterator[ox.Quad]:
        """The statements of the data's named graphs that match (``None`` matches anything), with their graph;
        never the store's default graph, which only holds a copy for queries (:mod:`ppkg.rdf.union`)."""
        subject, predicate, obj = (None if t is None else to_ox(t) for t in (s, p, o))
        for quad in self.store.quads_for_pattern(subject, predicate, obj, None):  # type: ignore[arg-type]
            graph = quad.graph_name
            if isinstance(graph, ox.DefaultGraph) or (isinstance(graph, ox.NamedNode) and graph.value in self.hidden):
                continue
            yield quad

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]) -> Iterator[tuple[Node, Node, Node]]:
        """Triples matching a pattern (``None`` matches anything)."""
        for quad in self.quads(*pattern):
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
        names = {
            str(label).lower()
            for node in contribution.subjects(RDF.type, PPKG.Program)
            for label in contribution.objects(node, RDFS.label)
        }
        if not names:
            return set()
        if self.cache is not None:  # an index kept with the store: one lookup per name, whatever the size
            index: dict[str, list[str]] = json.loads(self.cache(PROGRAM_NAMES, self._program_names))
            return {URIRef(iri) for name in names for iri in index.get(name, ())}
        if len(names) > SAME_NAMED_LOOKUPS:  # one pass over the programs' names, compared in a set
            return {URIRef(iri) for name, iris in self._names().items() if name in names for iri in iris}
        values = " ".join(Literal(name).n3() for name in sorted(names))
        query = (
            "SELECT DISTINCT ?node WHERE { VALUES ?name { " + values + " } " + _PROGRAMS + ""
            "FILTER(LCASE(STR(?label)) = ?name) }"
        )
        found: set[Node] = set()
        for solution in self.store.query(query):  # type: ignore[union-attr]
            hit = from_ox(solution["node"])
            if hit is not None:
                found.add(hit)
        return found

    def _names(self) -> dict[str, list[str]]:
        """Every program's name, lower-cased, with the programs that have it."""
        index: dict[str, set[str]] = {}
        for row in self.store.query("SELECT DISTINCT ?node ?label WHERE { " + _PROGRAMS + "}"):  # type: ignore[union-attr]
            node, label = row["node"], row["label"]
            if isinstance(node, ox.NamedNode) and isinstance(label, ox.Literal):
                index.setdefault(label.value.lower(), set()).add(node.value)
        return {name: sorted(iris) for name, iris in sorted(index.items())}

    def _program_names(self) -> bytes:
        return json.dumps(self._names(), ensure_ascii=False).encode("utf-8")


_PROGRAMS = (
    "GRAPH ?g { ?node a <" + str(PPKG.Program) + "> } "
    "GRAPH ?h { ?node <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
)

PROGRAM_NAMES = "program-names-1.json"
"""The store cache that holds every program's lower-cased name (version 1 of its format)."""

Cache = Callable[[str, Callable[[], bytes]], bytes]
"""Returns the bytes kept under a name, computing and keeping them the first time."""


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
    contribution: Graph,
    existing: Graph | StoreView | None = None,
    *,
    strict: bool = False,
    progress: Progress = SILENT,
) -> ValidationReport:
    """Validate what ``contribution`` adds to ``existing`` (default: the shipped graph), in context.

    ``existing`` may be an rdflib graph or, for large graphs, a :class:`StoreView` of an Oxigraph store;
    by default it is the data directory (``$PPKG_DATA_DIR``, else the shipped data). The steps (finding the
    context, running the shapes) are reported to ``progress``.
    """
    if existing is None:
        existing = existing_store(data_directory())
    view = existing if isinstance(existing, StoreView) else StoreView.of(existing)
    with progress.step("finding the context in the graph"):
        nodes = contribution_nodes(contribution) | view.same_named(contribution)
        linked = {o for o in contribution.objects() if isinstance(o, (URIRef, BNode))}
        before = vocabulary_graph()  # a fresh copy
        before += context_of(view, nodes | linked)
    with progress.step(f"validating {len(nodes):,} nodes against the shapes"), _extended(contribution, before) as after:
        results = shapes_results(after, nodes)
    touched = [n for n in nodes if (n, None, None) in before or (None, None, n) in before]
    if touched:  # what the existing nodes already had is not the contribution's doing
        with progress.step(f"validating {len(touched):,} existing nodes as they were"):
            known = {r.key() for r in shapes_results(before, touched)}
        results = [r for r in results if r.key() not in known]
    return ValidationReport(results, strict=strict, checked_triples=len(contribution))


@contextmanager
def _extended(graph: Graph, extra: Graph) -> Iterator[Graph]:
    """``graph`` with the triples of ``extra`` added for the duration of the block, then removed again (a
    bulk contribution is large and the context small: copying the contribution would cost seconds)."""
    added = [t for t in extra if t not in graph]
    graph.addN((s, p, o, graph) for s, p, o in added)
    try:
        yield graph
    finally:
        for triple in added:
            graph.remove(triple)


SHAPE_LINKS = (SH.node, SH.qualifiedValueShape, SH["not"], SH["and"], SH["or"], SH.xone, RDF.first)
"""How one shape reaches another besides ``sh:property`` (a shape reached this way has other focus nodes)."""


def shapes_results(data: Graph, nodes: Iterable[Node]) -> list[ValidationResult]:
    """The shapes' results for ``nodes`` in ``data``: exactly what pySHACL reports with the focused shapes.

    pySHACL runs a SPARQL constraint (``sh:sparql``) as one rdflib query per focus node, parsing it each time,
    and the duplicate-name constraint compares every program with every other: a bulk contribution of a
    thousand programs took minutes. So the shapes run without their SPARQL constraints, each constraint runs
    in Oxigraph to find the few focus nodes it fails on, and pySHACL reports on those only (with every
    constraint, keeping its SPARQL results), so the messages are pySHACL's own.
    """
    focus = list(nodes)
    shapes = focused_shapes(data, focus)
    plan = _sparql_plan(shapes)
    if plan is None:  # a SPARQL constraint this does not know how to run: pySHACL runs everything
        return run_shacl(data, shapes)
    for holder, constraint, _, _ in plan:
        shapes.remove((holder, SH.sparql, constraint))
    results = run_shacl(data, shapes)
    if not plan:
        return results
    store = ox.Store()
    store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data)  # type: ignore[arg-type]
    failing: set[Node] = set()
    for _, _, query, targets in plan:
        failing |= _failing(store, query, targets)
    if failing:
        found = run_shacl(data, focused_shapes(data, sorted(failing, key=str)))
        results = sort_results([*results, *(r for r in found if r.constraint == SPARQL_COMPONENT)])
    return results


SPARQL_COMPONENT = str(SH.SPARQLConstraintComponent)


WHERE_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
SELECTS_THIS = re.compile(r"^[^{]*\bSELECT\b[^{]*[?$]this\b", re.IGNORECASE)


def _failing(store: ox.Store, query: str, targets: set[Node]) -> set[Node]:
    """The ``targets`` the SELECT of a SPARQL constraint finds something for, as ``$this``.

    When the query selects ``$this`` and has one WHERE group (no subquery), the IRIs are checked in one
    query, bound by a ``VALUES`` at the start of that group; otherwise, and for blank nodes, one by one.
    """
    iris = sorted((t for t in targets if isinstance(t, URIRef)), key=str)
    single = sorted((t for t in targets if not isinstance(t, URIRef)), key=str)
    where = WHERE_GROUP.search(query)
    found: set[Node] = set()
    if iris and where and SELECTS_THIS.search(query) and len(re.findall(r"\bSELECT\b", query, re.I)) == 1:
        values = " VALUES ?this { " + " ".join(f"<{t}>" for t in iris) + " } "
        solutions = store.query(query[: where.end()] + values + query[where.end() :])
        for solution in solutions:  # type: ignore[union-attr]
            found.add(from_ox(solution["this"]))  # type: ignore[arg-type]
    else:
        single += iris
    this = ox.Variable("this")
    for node in single:
        solutions = store.query(query, substitutions={this: to_ox(node)})
        if next(iter(solutions), None) is not None:  # type: ignore[arg-type]
            found.add(node)
    return found & targets


def _sparql_plan(shapes: Graph) -> list[tuple[Node, Node, str, set[Node]]] | None:
    """Each SPARQL constraint of the focused shapes: the shape holding it, the constraint, its query ready for
    Oxigraph and the focus nodes it is checked on; ``None`` when one is beyond what :func:`shapes_results`
    runs (a shape reached other than by a target or ``sh:property``, a path that is not one IRI, a
    pre-bound variable other than ``$this`` and ``$PATH``)."""
    plan = []
    for holder, constraint in sorted(shapes.subject_objects(SH.sparql), key=str):
        select = shapes.value(constraint, SH.select)
        if select is None or any(True for link in SHAPE_LINKS if (None, link, holder) in shapes):
            return None
        text = str(select)
        if "$PATH" in text:
            path = shapes.value(holder, SH.path)
            if not isinstance(path, URIRef):
                return None
            text = text.replace("$PATH", f"<{path}>")
        if re.search(r"\$(?!this\b)\w", text):
            return None
        parents = [holder, *shapes.subjects(SH.property, holder)]
        if any((None, link, parent) in shapes for parent in parents[1:] for link in (*SHAPE_LINKS, SH.property)):
            return None
        targets = {t for parent in parents for t in shapes.objects(parent, SH.targetNode)}
        prefixes = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for declarer in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(declarer, SH.declare)
        )
        plan.append((holder, constraint, prefixes + text, targets))
    return plan
