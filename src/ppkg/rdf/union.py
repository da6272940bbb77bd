"""The default graph every query reads: the set union of the named graphs, without what corrections supersede,
answered from a store that holds each named graph once.

Oxigraph's own union of the named graphs counts a statement once per graph that states it, and it keeps the
superseded statements. Materialising the union as a second copy in the store's default graph fixes both,
at the price of the whole graph twice. Instead, the named graphs are sorted into two kinds:

* a graph that shares no statement with another graph and holds no superseded statement is *separate*: a
  query reads it where it is;
* the others (the few graphs that repeat a statement of another graph, and the graphs holding a superseded
  statement) are *merged*: the store's default graph holds the set union of their statements, minus the
  superseded statements and minus what a separate graph already states.

A query's default graph is then the store's default graph plus the separate graphs. They are disjoint, so
every statement of the current view counts exactly once, and no other does; ``GRAPH`` still sees every named
graph exactly as its source states it. Of two graphs that share a statement, the smaller one is merged, and
so is every graph of fewer than :data:`SEPARATE_MIN` statements, so the copy stays small: the source
documents, the vocabularies and small contributions are copied, a large graph of programs is read where it
is. When every graph is separate, the query uses Oxigraph's own union (:attr:`UnionView.separate` is
``None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ppkg.rdf.corrections import has_corrections, read_corrections, store_pattern, superseded
from ppkg.rdf.terms import to_ox

Shares = dict[str, list[str]]
"""For each graph that was compared with the others: the graphs it shares a statement with."""


@dataclass(frozen=True)
class UnionView:
    """How a query reads the union: the separate graphs beside the store's default graph (``None``: all
    graphs are separate and nothing is superseded, so Oxigraph's own union is exact)."""

    separate: tuple[str, ...] | None = None
    merged: tuple[str, ...] = ()

    def options(self) -> dict[str, Any]:
        """The keyword arguments of :meth:`pyoxigraph.Store.query` that make its default graph the union."""
        if self.separate is None:
            return {"use_default_graph_as_union": True}
        return {"default_graph": [ox.DefaultGraph(), *(ox.NamedNode(g) for g in self.separate)]}

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready form (kept in the store's manifest)."""
        return {"separate": None if self.separate is None else list(self.separate), "merged": list(self.merged)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> UnionView:
        """The view :meth:`as_json` wrote."""
        separate = data.get("separate")
        return cls(None if separate is None else tuple(separate), tuple(data.get("merged", ())))


AS_STORED = UnionView(separate=(), merged=())
"""Queries read the store's own default graph (a store someone filled by hand)."""


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """The number of statements of each named graph (IRI-named graphs only)."""
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    sizes: dict[str, int] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        graph, count = row["g"], row["n"]
        if isinstance(graph, ox.NamedNode) and isinstance(count, ox.Literal):
            sizes[graph.value] = int(count.value)
    return sizes


def shared_with(store: ox.Store, graph: str) -> list[str]:
    """The other named graphs that state at least one statement of ``graph`` (found inside the store)."""
    iri = ox.NamedNode(graph)  # a valid IRI: it cannot close the brackets it is written in
    found = store.query(
        f"SELECT DISTINCT ?h WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} GRAPH ?h {{ ?s ?p ?o }} FILTER(?h != {iri}) }}"
    )
    return sorted(row["h"].value for row in found if isinstance(row["h"], ox.NamedNode))  # type: ignore[union-attr]


def compare_graphs(store: ox.Store, sizes: Mapping[str, int], shares: Shares, compare: Iterable[str]) -> Shares:
    """``shares`` updated: graphs gone are dropped, and each graph of ``compare`` is compared with the others.

    A pair of graphs is found when either one is compared while both are there; so a fresh store compares
    every graph but the largest, and an update compares only the graphs it adds or changes.
    """
    present = set(sizes)
    kept: Shares = {g: [h for h in hs if h in present] for g, hs in shares.items() if g in present}
    for graph in compare:
        kept[graph] = shared_with(store, graph)
    return dict(sorted(kept.items()))


def fresh_shares(store: ox.Store, sizes: Mapping[str, int]) -> Shares:
    """The sharing between the graphs of a store loaded from scratch (the largest graph is not compared
    itself: each graph it shares with finds it)."""
    largest = max(sizes, key=lambda g: (sizes[g], g)) if sizes else None
    return compare_graphs(store, sizes, {}, [g for g in sorted(sizes) if g != largest])


SEPARATE_MIN = 50_000
"""A graph with fewer statements is merged whatever it shares: each graph a query reads where it is costs a
lookup per pattern (Oxigraph reads the graphs of a default graph one by one), and copying a small graph is
cheap. So in practice only the large graphs of programs are read where they are."""


def arrange(
    store: ox.Store, sizes: Mapping[str, int], shares: Shares, *, separate_min: int = SEPARATE_MIN
) -> UnionView:
    """Fill the store's default graph with the merged graphs' current statements and say how to query it
    (graphs of fewer than ``separate_min`` statements are merged too).

    The store must be writable. Its default graph is replaced; the named graphs are not touched.
    """
    store.clear_graph(ox.DefaultGraph())  # first: the corrections are read from the named graphs alone
    gone = superseded(read_corrections(store_pattern(store))) if has_corrections(store) else set()
    merged = {
        quad.graph_name.value
        for s, p, o in gone
        for quad in store.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o), None)  # type: ignore[arg-type]
        if isinstance(quad.graph_name, ox.NamedNode)
    }
    merged |= {graph for graph, size in sizes.items() if size < separate_min}
    for graph, others in sorted(shares.items()):
        for other in others:
            if graph not in merged and other not in merged:
                merged.add(min((graph, other), key=lambda g: (sizes.get(g, 0), g)))
    if not merged:
        return UnionView(None, ())
    separate = tuple(sorted(set(sizes) - merged))
    for graph in sorted(merged):  # copied by the store itself, blank nodes and all
        store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
    default = ox.DefaultGraph()
    for s, p, o in gone:
        store.remove(ox.Quad(to_ox(s), to_ox(p), to_ox(o), default))  # type: ignore[arg-type]
    if separate:  # what a separate graph states is read there (the copy is small: looked up one by one)
        apart = {ox.NamedNode(g) for g in separate}
        stated = [
            quad
            for quad in store.quads_for_pattern(None, None, None, default)
            if any(q.graph_name in apart for q in store.quads_for_pattern(quad.subject, quad.predicate, quad.object))
        ]
        for quad in stated:
            store.remove(quad)
    return UnionView(separate, tuple(sorted(merged)))


def rearranged(store: ox.Store) -> UnionView:
    """:func:`arrange` for a store whose graphs changed (it compares them all again)."""
    sizes = graph_sizes(store)
    return arrange(store, sizes, fresh_shares(store, sizes))


def materialise(store: ox.Store, union: UnionView) -> None:
    """Make a writable store's default graph the whole current view, as a copy (for an Oxigraph server, whose
    queries read the default graph, and for a triplestore that is sent the default graph)."""
    if union.separate is None:
        store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        return
    for graph in union.separate:
        store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}")
