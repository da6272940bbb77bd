"""Splitting a graph into parts that can be validated one at a time, and the index of program names.

Whole-graph validation with pySHACL grows faster than the graph: every SHACL-SPARQL constraint is parsed
once per focus node, and the duplicate-name rule compares every program with every other. Validating
the graph part by part keeps the cost linear; it gives exactly the results of one run because each part
holds everything the shapes read about its focus nodes (see :func:`neighbourhood`). The parts follow the
programs: a program, the nodes only it points at (its organization, curriculum and curriculum items…)
and the nodes that point at it (its ratings), so that a part is mostly what its own focus nodes need.

The one rule that compares a program with every other, one name per program, is answered by an index
(:func:`duplicate_names`) instead of being run in each part. A part travels to a worker process as
N-Triples (:func:`to_ntriples`, :func:`from_ntriples`), blank nodes keeping their identifiers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ppkg.rdf.namespaces import PPKG
from ppkg.rdf.terms import from_ox, to_ox

BATCH_PROGRAMS = 200
"""Programs validated together in one pySHACL run."""

SHARED_BATCH = 4000
"""Nodes that belong to no program, validated together in one pySHACL run."""

FOLLOW_DEPTH = 3
"""How far from a program its own nodes are looked for (program → curriculum → item → its parts)."""


@dataclass(frozen=True)
class Reach:
    """What the shapes read about a focus node besides its own statements: the statements of each node
    it points at, and of the nodes pointing at it along ``inverse`` predicates; the values at the end of
    each two-step path in ``sequences``; and every statement of the ``transitive`` predicates (followed
    to any depth)."""

    inverse: frozenset[Node] = frozenset()
    sequences: frozenset[tuple[Node, Node]] = frozenset()
    transitive: frozenset[Node] = frozenset()


@dataclass
class Batch:
    """Focus nodes validated together, and how many parts (programs, or the nodes of no program) they are."""

    nodes: list[Node] = field(default_factory=list)
    parts: int = 0


def _linked(term: Node) -> bool:
    return isinstance(term, (URIRef, BNode))


def program_parts(graph: Graph, shared: set[Node]) -> tuple[list[list[Node]], list[Node]]:
    """Every subject of ``graph``, grouped by the program it belongs to; and those of no program.

    A program owns itself, what it points at that nothing else points at (recursively, up to
    :data:`FOLLOW_DEPTH` steps) and the nodes that point at it, except ``shared`` nodes (the
    vocabularies) and other programs. The grouping only makes parts small; any grouping gives the same
    results.
    """
    subjects = set(graph.subjects(unique=True))
    references: Counter[Node] = Counter(o for o in graph.objects() if _linked(o))
    programs = sorted(
        (p for p in set(graph.subjects(RDF.type, PPKG.Program)) if p not in shared and p in subjects), key=str
    )
    owner: dict[Node, int] = {program: i for i, program in enumerate(programs)}
    parts: list[list[Node]] = [[program] for program in programs]
    for i, program in enumerate(programs):
        frontier = [program]
        for s in graph.subjects(None, program, unique=True):
            if s not in owner and s not in shared:
                owner[s] = i
                parts[i].append(s)
                frontier.append(s)
        for _ in range(FOLLOW_DEPTH):
            reached: list[Node] = []
            for node in frontier:
                for o in graph.objects(node, None, unique=True):
                    if o in subjects and o not in owner and o not in shared and references[o] == 1:
                        owner[o] = i
                        parts[i].append(o)
                        reached.append(o)
            frontier = reached
    rest = sorted((s for s in subjects if s not in owner), key=str)
    return parts, rest


def batches(
    graph: Graph, shared: set[Node], *, programs: int = BATCH_PROGRAMS, shared_batch: int = SHARED_BATCH
) -> list[Batch]:
    """The subjects of ``graph`` in batches: ``programs`` programs' parts at a time, then the nodes of no
    program ``shared_batch`` at a time. Every subject is in exactly one batch."""
    parts, rest = program_parts(graph, shared)
    found: list[Batch] = []
    for start in range(0, len(parts), programs):
        chunk = parts[start : start + programs]
        found.append(Batch([node for part in chunk for node in part], len(chunk)))
    for start in range(0, len(rest), shared_batch):
        found.append(Batch(rest[start : start + shared_batch], 1))
    return found


class Statements:
    """The statements of a graph by subject, and the subjects of the ``inverse`` predicates by object:
    what :func:`needed_nodes` looks up, indexed once (each lookup in an rdflib graph costs more than a
    whole batch's share of one pass over it)."""

    def __init__(self, graph: Graph, inverse: Iterable[Node] = ()) -> None:
        self.about: dict[Node, dict[Node, list[Node]]] = {}
        for s, p, o in graph:
            self.about.setdefault(s, {}).setdefault(p, []).append(o)
        self.pointing: dict[Node, dict[Node, list[Node]]] = {}
        for predicate in inverse:
            into = self.pointing[predicate] = {}
            for s, o in graph.subject_objects(predicate):
                into.setdefault(o, []).append(s)

    def objects(self, node: Node, predicate: Node | None = None) -> list[Node]:
        """The values of ``node``'s ``predicate`` (of all its predicates for ``None``)."""
        values = self.about.get(node, {})
        if predicate is not None:
            return values.get(predicate, [])
        return [o for objects in values.values() for o in objects]

    def triples(self, node: Node) -> Iterator[tuple[Node, Node, Node]]:
        """Every statement about ``node``."""
        for p, objects in self.about.get(node, {}).items():
            for o in objects:
                yield node, p, o


def needed_nodes(index: Statements, nodes: Iterable[Node], reach: Reach) -> set[Node]:
    """The nodes whose statements validating ``nodes`` reads (``nodes`` included); ``index`` must hold the
    subjects of ``reach.inverse``."""
    needed: set[Node] = set()
    for node in nodes:
        needed.add(node)
        needed.update(o for o in index.objects(node) if _linked(o))
        for predicate in reach.inverse:
            needed.update(index.pointing[predicate].get(node, ()))
        for first, second in reach.sequences:
            for middle in index.objects(node, first):
                needed.update(o for o in index.objects(middle, second) if _linked(o))
    return needed


def transitive_statements(graph: Graph, reach: Reach) -> Graph:
    """Every statement of the transitive predicates (class hierarchy, topic tree): part of every batch."""
    found = Graph()
    for predicate in reach.transitive:
        found.addN((s, predicate, o, found) for s, o in graph.subject_objects(predicate))
    return found


def neighbourhood(index: Statements, nodes: Sequence[Node], reach: Reach, background: Graph) -> Graph:
    """``background`` plus the statements of every node validating ``nodes`` reads: enough for the
    shapes to give each of ``nodes`` exactly the results they give it in the whole graph ``index`` holds."""
    part = Graph()
    part += background
    for node in needed_nodes(index, nodes, reach):
        part.addN((s, p, o, part) for s, p, o in index.triples(node))
    return part


def to_ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """Statements as N-Triples (blank nodes keep their identifiers), to send to another process."""
    converted: dict[Node, Any] = {}

    def term(node: Node) -> Any:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_ox(node)
        return found

    written = ox.serialize((ox.Triple(term(s), term(p), term(o)) for s, p, o in triples), format=ox.RdfFormat.N_TRIPLES)
    return written or b""


def from_ntriples(data: bytes) -> Graph:
    """The graph of statements :func:`to_ntriples` wrote (equal terms, the same blank node identifiers)."""
    converted: dict[Any, Node] = {}

    def term(node: Any) -> Node:
        found = converted.get(node)
        if found is None:
            found = converted[node] = cast("Node", from_ox(node))
        return found

    graph = Graph()
    graph.addN(
        (term(t.subject), term(t.predicate), term(t.object), graph)
        for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
    )
    return graph


def _name_key(name: Node) -> str | None:
    """What the duplicate-name rule compares: ``LCASE(STR(?name))`` (blank nodes have no string)."""
    return str(name).lower() if isinstance(name, (Literal, URIRef)) else None


def name_index(graph: Graph) -> dict[str, set[Node]]:
    """Programs (``?p a ppkg:Program``) by lower-cased name (``rdfs:label``)."""
    index: dict[str, set[Node]] = {}
    for program in graph.subjects(RDF.type, PPKG.Program, unique=True):
        for name in graph.objects(program, RDFS.label):
            key = _name_key(name)
            if key is not None:
                index.setdefault(key, set()).add(program)
    return index


def duplicate_names(graph: Graph, focus: Iterable[Node], path: Node = RDFS.label) -> Iterator[tuple[Node, Node]]:
    """``(node, name)`` for each name (value of ``path``) of each ``focus`` node that another program also
    has, ignoring case: what ``shapes:Program-uniqueNameConstraint`` selects, found through an index."""
    index = name_index(graph)
    for node in focus:
        for name in set(graph.objects(node, path)):
            key = _name_key(name)
            if key is not None and index.get(key, set()) - {node}:
                yield node, name
