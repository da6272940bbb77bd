"""Corrections: statements a data steward has superseded, and the current view that queries see.

A correction (``ppkg:Correction``) names the statement it supersedes by RDF reification (``rdf:subject``,
``rdf:predicate``, ``rdf:object``), and says which value replaces it (``schema:replacer``; none withdraws
the statement), who made it (``prov:wasAttributedTo``), when (``prov:generatedAtTime``), why
(``rdfs:comment``) and on what new source (``prov:wasDerivedFrom``). It is stored like any contribution.

Nothing is deleted: the superseded statement stays in the named graph of its source, where ``describe``
shows it as history. Only the default graph, the union that queries read, leaves it out. Corrections apply
in time order, so a later correction can restore a value that an earlier one superseded, and withdrawing a
correction restores what it superseded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.terms import from_ox, to_ox

if TYPE_CHECKING:
    from rdflib import Graph, Literal
    from rdflib.term import Identifier, Node

Triple: TypeAlias = "tuple[Node, Node, Node]"
Pattern: TypeAlias = "Callable[[Node | None, Node | None, Node | None], Iterable[Triple]]"
"""Something that lists the triples matching ``(subject, predicate, object)`` (``None`` matches anything)."""


@dataclass(frozen=True)
class Correction:
    """One correction: the statement it supersedes, the value that replaces it, who, when, why, from what."""

    node: Node
    subject: Node
    predicate: Node
    old: Node
    new: Node | None
    by: Node | None
    at: Literal | None
    why: str | None
    source: Node | None

    @property
    def statement(self) -> Triple:
        """The superseded statement."""
        return (self.subject, self.predicate, self.old)

    def order(self) -> tuple[float, str]:
        """Sort key: the time it was made (undated first), then its IRI (see :func:`in_order`)."""
        return (_timestamp(self.at), str(self.node))


def in_order(corrections: Iterable[Correction]) -> list[Correction]:
    """Corrections in the order they apply: by time; at the same time (times are kept to the second), one
    that supersedes the value another one set comes after it."""
    pending = sorted(corrections, key=Correction.order)
    ordered: list[Correction] = []
    while pending:
        moment = _timestamp(pending[0].at)
        group = [c for c in pending if _timestamp(c.at) == moment]
        pending = pending[len(group) :]
        while group:
            first = next(
                (
                    c
                    for c in group
                    if not any(
                        o is not c and (o.subject, o.predicate, o.new) == (c.subject, c.predicate, c.old) for o in group
                    )
                ),
                group[0],  # a cycle at the same second: fall back to the IRI order
            )
            ordered.append(first)
            group.remove(first)
    return ordered


def _timestamp(value: Literal | None) -> float:
    if value is None:
        return float("-inf")
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return float("-inf")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def read_corrections(triples: Pattern) -> list[Correction]:
    """The well-formed corrections among ``triples`` (one subject, predicate and object each), oldest first.

    A malformed correction is left out here; the shapes report it when it is contributed.
    """

    from rdflib import RDF, Literal
    from rdflib.namespace import PROV, RDFS

    from ppkg.rdf.namespaces import PPKG, SCHEMA

    def values(node: Node, prop: Node) -> list[Node]:
        return sorted({o for _, _, o in triples(node, prop, None)}, key=str)

    found = []
    for node in sorted({s for s, _, _ in triples(None, RDF.type, PPKG.Correction)}, key=str):
        subject, predicate, old = values(node, RDF.subject), values(node, RDF.predicate), values(node, RDF.object)
        new, by, at = (
            values(node, SCHEMA.replacer),
            values(node, PROV.wasAttributedTo),
            values(node, PROV.generatedAtTime),
        )
        why, source = values(node, RDFS.comment), values(node, PROV.wasDerivedFrom)
        if not (len(subject) == len(predicate) == len(old) == 1) or len(new) > 1:
            continue
        found.append(
            Correction(
                node=node,
                subject=subject[0],
                predicate=predicate[0],
                old=old[0],
                new=new[0] if new else None,
                by=by[0] if by else None,
                at=at[0] if at and isinstance(at[0], Literal) else None,
                why=str(why[0]) if why else None,
                source=source[0] if source else None,
            )
        )
    return in_order(found)


def superseded(corrections: Iterable[Correction]) -> set[Triple]:
    """The statements that are superseded once every correction is applied in time order.

    A correction supersedes its statement and makes its new value current again if an earlier correction
    had superseded that value.
    """
    out: set[Triple] = set()
    for c in in_order(corrections):
        out.add(c.statement)
        if c.new is not None:
            out.discard((c.subject, c.predicate, c.new))
    return out


_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_CORRECTION = ox.NamedNode(PREFIXES["ppkg"] + "Correction")


def has_corrections(store: ox.Store) -> bool:
    """Whether any graph of ``store`` states a correction (answered by pyoxigraph alone)."""
    return next(iter(store.quads_for_pattern(None, _RDF_TYPE, _CORRECTION)), None) is not None


def graph_pattern(graph: Graph) -> Pattern:
    """The triples of an rdflib graph, as a :data:`Pattern`."""
    return lambda s, p, o: graph.triples((s, p, o))


def store_pattern(store: ox.Store, graph: ox.DefaultGraph | ox.NamedNode | None = None) -> Pattern:
    """The triples of a pyoxigraph store (one graph, or every graph when ``graph`` is ``None``)."""

    def triples(s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
        subject, predicate, obj = (None if t is None else to_ox(t) for t in (s, p, o))
        for quad in store.quads_for_pattern(subject, predicate, obj, graph):  # type: ignore[arg-type]
            yield _term(quad.subject), _term(quad.predicate), _term(quad.object)

    return triples


def _term(term: object) -> Identifier:
    converted = from_ox(term)
    assert converted is not None
    return converted


def current_graph(graph: Graph) -> Graph:
    """Remove from ``graph``, in place, the statements its corrections supersede; return it."""
    for triple in superseded(read_corrections(graph_pattern(graph))):
        graph.remove(triple)
    return graph


def superseded_quads(store: ox.Store) -> list[ox.Quad]:
    """The superseded statements of a store's default graph, as quads of that graph (to remove them)."""
    default = ox.DefaultGraph()
    if not has_corrections(store):
        return []
    return [
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), default)  # type: ignore[arg-type]
        for s, p, o in sorted(superseded(read_corrections(store_pattern(store, default))), key=str)
    ]
