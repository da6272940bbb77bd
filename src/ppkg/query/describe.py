"""Everything the graph knows about one thing, with the source of each statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import URIRef

from ppkg.query.history import HISTORY_QUERY, history_notes
from ppkg.query.results import QueryResult
from ppkg.rdf.namespaces import ID, local_name


class Queryable(Protocol):
    """Anything that runs read-only SPARQL with bound variables (a :class:`~ppkg.graph.KnowledgeGraph`)."""

    def query(self, sparql: str, **bindings: Any) -> QueryResult:
        """Run the query."""
        ...


FACTS_QUERY = """
SELECT ?thing ?direction ?property ?propertyLabel ?value ?valueLabel ?graph ?sourceTitle WHERE {
  {
    GRAPH ?graph { ?thing ?property ?value }
    BIND("out" AS ?direction)
  } UNION {
    GRAPH ?graph { ?value ?property ?thing }
    BIND("in" AS ?direction)
  }
  OPTIONAL { ?property rdfs:label ?propertyLabel }
  OPTIONAL { ?value rdfs:label ?valueLabel }
  OPTIONAL {
    { ?graph prov:wasDerivedFrom/dcterms:title ?sourceTitle FILTER NOT EXISTS { ?graph a ppkg:Curation } }
    UNION
    { ?graph a ppkg:Curation ; rdfs:label ?sourceTitle }
  }
}
ORDER BY ?direction ?property ?value ?graph
"""


@dataclass(frozen=True)
class Fact:
    """One statement about the described thing (``thing property value``, or ``value property thing``
    when ``incoming``), with every named graph that states it and those graphs' sources."""

    incoming: bool
    predicate: str
    predicate_label: str
    value: str
    value_label: str | None
    graphs: tuple[str, ...]
    sources: tuple[str, ...]
    history: str | None = None
    """What corrections say about the statement: ``superseded by … on … by …: why`` or ``corrected from …``."""

    @property
    def source(self) -> str:
        """The sources, ``; ``-separated (source titles; short graph names for vocabularies)."""
        return "; ".join(self.sources)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "direction": "in" if self.incoming else "out",
            "property": self.predicate,
            "value": self.value,
            "valueLabel": self.value_label,
            "graphs": list(self.graphs),
            "sources": list(self.sources),
            "history": self.history,
        }


@dataclass
class _Grouped:
    predicate_label: str
    value_label: str | None
    graphs: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def facts_about(kg: Queryable, iri: URIRef) -> list[Fact]:
    """Every statement about ``iri`` (outgoing first), each with its sources.

    Names are resolved by :class:`~ppkg.query.names.LabelIndex` (kind ``thing``) before this is called.
    """
    grouped: dict[tuple[bool, str, str], _Grouped] = {}
    for row in kg.query(FACTS_QUERY, thing=iri).terms:
        _, direction, prop, plabel, value, vlabel, graph, title = row
        key = (str(direction) == "in", str(prop), str(value))
        entry = grouped.setdefault(
            key,
            _Grouped(
                str(plabel) if plabel is not None else local_name(str(prop)),
                str(vlabel) if vlabel is not None else None,
            ),
        )
        entry.graphs.add(str(graph))
        entry.sources.add(str(title) if title is not None else str(graph).removeprefix(str(ID["graph/"])))
    notes = history_notes(kg.query(HISTORY_QUERY, thing=iri).terms)
    facts = [
        Fact(
            incoming=incoming,
            predicate=prop,
            predicate_label=e.predicate_label,
            value=value,
            value_label=e.value_label,
            graphs=tuple(sorted(e.graphs)),
            sources=tuple(sorted(e.sources)),
            history=None if incoming else notes.get((prop, value)),
        )
        for (incoming, prop, value), e in grouped.items()
    ]
    facts.sort(key=lambda f: (f.incoming, f.predicate_label.casefold(), (f.value_label or f.value).casefold()))
    return facts
