"""Validating a contribution *in context*: the contribution, the vocabulary, and the part of the existing
graph its nodes touch, looked up in an Oxigraph store (so the check stays fast however large the graph is).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

from ppkg.rdf.datadir import data_directory, data_files, data_graph_files
from ppkg.rdf.io import load_into, loadable, merged_graph
from ppkg.rdf.namespaces import PPKG
from ppkg.rdf.terms import from_ox, to_ox
from ppkg.validation.report import ValidationReport
from ppkg.validation.shacl import focused_shapes, run_shacl, shapes_graph, vocabulary_graph


def existing_graph(directory: Path) -> Graph:
    """The union of every graph in a data directory, as an rdflib graph (for whole-graph validation)."""
    return merged_graph(data_files(directory))


def existing_store(directory: Path) -> StoreView:
    """The union of every graph in a data directory, in an Oxigraph store (fast to load and look up)."""
    store = ox.Store()
    for f in loadable(data_graph_files(directory)):
        load_into(store, f.path, f.graph)
    return StoreView(store)


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

    ``existing`` may be an rdflib graph or, for large graphs, a :class:`StoreView` of an Oxigraph store;
    by default it is the data directory (``$PPKG_DATA_DIR``, else the shipped data).
    """
    if existing is None:
        existing = existing_store(data_directory())
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
