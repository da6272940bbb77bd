"""Everything the graph knows about one thing, with the source of each statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import URIRef

from ppkg.errors import UnknownValueError
from ppkg.query.names import as_iri
from ppkg.query.results import QueryResult
from ppkg.rdf.namespaces import ID, local_name
from ppkg.rdf.text import nearest, normalize


class Queryable(Protocol):
    """Anything that runs read-only SPARQL with bound variables (a :class:`~ppkg.graph.KnowledgeGraph`)."""

    def query(self, sparql: str, **bindings: Any) -> QueryResult:
        """Run the query."""
        ...


NAMES_QUERY = """
SELECT DISTINCT ?entity ?name WHERE {
  { ?entity rdfs:label ?name } UNION { ?entity skos:prefLabel ?name } UNION { ?entity skos:altLabel ?name }
  FILTER(isIRI(?entity) && STRSTARTS(STR(?entity), "https://w3id.org/ppkg/"))
}
"""

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
  OPTIONAL { ?graph prov:wasDerivedFrom/dcterms:title ?sourceTitle }
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
        }


@dataclass
class _Grouped:
    predicate_label: str
    value_label: str | None
    graphs: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def resolve_thing(kg: Queryable, thing: str) -> URIRef:
    """The IRI of the thing a label, slug or IRI names (any kind of thing)."""
    iri = as_iri(thing.strip())
    names: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for entity, name in kg.query(NAMES_QUERY).terms:
        names.setdefault(normalize(str(name)), set()).add(str(entity))
        names.setdefault(normalize(str(entity).rsplit("/", 1)[-1]), set()).add(str(entity))
        labels.setdefault(str(entity), str(name))
    if iri is not None:
        if iri in labels:
            return URIRef(iri)
        raise UnknownValueError("thing", thing, nearest(thing, sorted(set(labels.values()))))
    hits = names.get(normalize(thing), set())
    if len(hits) == 1:
        return URIRef(next(iter(hits)))
    if hits:
        raise UnknownValueError("thing", thing, sorted(f"{labels[h]} <{h}>" for h in hits), ambiguous=True)
    raise UnknownValueError("thing", thing, nearest(thing, sorted(set(labels.values()))))


def describe(kg: Queryable, thing: str) -> tuple[URIRef, list[Fact]]:
    """Resolve ``thing`` and return every statement about it (outgoing first), each with its source."""
    iri = resolve_thing(kg, thing)
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
    facts = [
        Fact(
            incoming=incoming,
            predicate=prop,
            predicate_label=e.predicate_label,
            value=value,
            value_label=e.value_label,
            graphs=tuple(sorted(e.graphs)),
            sources=tuple(sorted(e.sources)),
        )
        for (incoming, prop, value), e in grouped.items()
    ]
    facts.sort(key=lambda f: (f.incoming, f.predicate_label.casefold(), (f.value_label or f.value).casefold()))
    return iri, facts
