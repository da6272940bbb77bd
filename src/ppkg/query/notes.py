"""One-line notes that help read a result: what else the question could have reached."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any, Protocol

from ppkg.query.catalogue import read_form
from ppkg.query.results import QueryResult
from ppkg.query.safety import CheckedQuery
from ppkg.rdf.terms import OxTerm, as_term, term_text

if TYPE_CHECKING:
    from rdflib import URIRef

BROADER_EDGES_QUERY = """
SELECT DISTINCT ?narrower ?broader WHERE {
  ?topic skos:broader* ?narrower .
  ?narrower skos:broader ?broader .
}
"""
"""The ``skos:broader`` edges above ``?topic``."""

PROGRAMS_UNDER_QUERY = """
SELECT DISTINCT ?ancestor ?program WHERE {
  ?topic skos:broader* ?ancestor .
  ?covered skos:broader* ?ancestor .
  ?program a ppkg:Program ;
           ppkg:hasCurriculum/ppkg:hasItem/ppkg:coversTopic ?covered .
}
"""
"""For ``?topic`` and each topic above it, the programs whose curriculum covers it or a narrower topic."""

_BROADER_EDGES = read_form(BROADER_EDGES_QUERY) or BROADER_EDGES_QUERY
_PROGRAMS_UNDER = read_form(PROGRAMS_UNDER_QUERY) or PROGRAMS_UNDER_QUERY


class Queryable(Protocol):
    """Anything that runs read-only SPARQL with bound variables and knows labels (a ``KnowledgeGraph``)."""

    def query(self, sparql: str | CheckedQuery, **bindings: Any) -> QueryResult:
        """Run the query (ppkg's own queries come checked)."""
        ...

    def label(self, iri: str) -> str:
        """The display label of an entity."""
        ...


def broader_topic_note(kg: Queryable, topic: URIRef | OxTerm) -> str | None:
    """``"X is part of Y, which reaches N more programs"`` for the nearest topic Y above ``topic`` that
    reaches programs ``topic`` does not (``None`` when there is none).

    Nearest means fewest ``skos:broader`` steps; among equally near topics, the one that reaches more
    programs, then the first by label.
    """
    bound = as_term(topic)
    iri = term_text(bound)
    above: dict[str, set[str]] = defaultdict(set)
    for lower, upper in kg.query(_BROADER_EDGES, topic=bound).ox_rows:
        above[term_text(lower)].add(term_text(upper))
    if not above:
        return None
    programs: dict[str, set[str]] = defaultdict(set)
    for ancestor, program in kg.query(_PROGRAMS_UNDER, topic=bound).ox_rows:
        programs[term_text(ancestor)].add(term_text(program))
    own = programs[iri]
    distance = {iri: 0}
    queue = deque([iri])
    while queue:
        current = queue.popleft()
        for broader in sorted(above[current]):
            if broader not in distance:
                distance[broader] = distance[current] + 1
                queue.append(broader)
    reaching = [
        (d, -len(programs[t] - own), kg.label(t), t) for t, d in distance.items() if d > 0 and programs[t] - own
    ]
    if not reaching:
        return None
    _, minus_more, label, _ = min(reaching)
    more = -minus_more
    return f"{kg.label(iri)} is part of {label}, which reaches {more} more program{'s' * (more != 1)}"
