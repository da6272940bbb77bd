"""The graph as networkx graphs, one view at a time.

``topics``: the bipartite program–topic graph (``bipartite`` 0 for programs, 1 for topics), each edge
with the verbatim curriculum items behind it; rolled up, a program also links to every broader topic
(edge ``weight`` 1/2 per step up, ``via`` the topics it names). ``lineage``: programs and the programs,
models and organizations they are based on, affiliated with or grew out of, and who developed or runs
those models. ``roles``: roles and their functions and practice frameworks.

Nodes are IRIs, with ``label``, ``iri`` and ``kind``; every edge carries ``graph``, the named graph (or
graphs, space-separated) that states it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ppkg.errors import ParameterError
from ppkg.present.source import Source
from ppkg.present.topics import TopicSets

if TYPE_CHECKING:
    import networkx as nx

VIEWS = ("topics", "lineage", "roles")
"""The views :func:`to_networkx` builds."""

ITEMS_QUERY = """
SELECT ?program ?topic ?text ?graph WHERE {
  ?program a ppkg:Program ; ppkg:hasCurriculum/ppkg:hasItem ?item .
  ?item ppkg:verbatimText ?text ; ppkg:coversTopic ?topic .
  GRAPH ?graph { ?item ppkg:coversTopic ?topic }
  OPTIONAL { ?item ppkg:position ?position }
}
ORDER BY ?program ?topic ?position ?text ?graph
"""

LINEAGE_QUERY = """
SELECT ?from ?fromLabel ?fromKind ?relation ?relationLabel ?to ?toLabel ?toKind ?graph WHERE {
  VALUES ?relation { ppkg:basedOn ppkg:affiliateOf ppkg:grewOutOf ppkg:developedBy ppkg:operatedBy
                     ppkg:partnerOrganization }
  ?from ?relation ?to .
  GRAPH ?graph { ?from ?relation ?to }
  ?from a ?fromClass ; rdfs:label ?fromLabel .
  ?fromClass rdfs:label ?fromKind .
  FILTER(?fromClass IN (ppkg:Program, ppkg:ProgramModel, ppkg:RelatedProgram))
  ?to a ?toClass ; rdfs:label ?toLabel .
  ?toClass rdfs:label ?toKind .
  FILTER(?toClass IN (ppkg:Program, ppkg:ProgramModel, ppkg:RelatedProgram, ppkg:Organization))
  ?relation rdfs:label ?relationLabel .
  FILTER(?relation IN (ppkg:basedOn, ppkg:affiliateOf, ppkg:grewOutOf) || ?fromClass != ppkg:Program)
}
ORDER BY ?fromLabel ?from ?relation ?toLabel ?to ?graph
"""

ROLES_QUERY = """
SELECT ?from ?fromLabel ?fromKind ?relation ?relationLabel ?to ?toLabel ?toKind ?graph WHERE {
  VALUES ?relation { ppkg:hasFunction ppkg:connectsToFramework }
  ?from a ppkg:Role ; rdfs:label ?fromLabel ; ?relation ?to .
  GRAPH ?graph { ?from ?relation ?to }
  ppkg:Role rdfs:label ?fromKind .
  ?to a ?toClass ; rdfs:label ?toLabel .
  ?toClass rdfs:label ?toKind .
  FILTER(?toClass IN (ppkg:RoleFunction, ppkg:PracticeFramework))
  ?relation rdfs:label ?relationLabel .
}
ORDER BY ?fromLabel ?from ?relation ?toLabel ?to ?graph
"""


def _graphs(graphs: set[str]) -> str:
    return " ".join(sorted(graphs))


def topic_graph(source: Source, sets: TopicSets, rollup: bool = False) -> nx.Graph:
    """The bipartite program–topic graph of ``sets`` (rolled up the hierarchy when ``rollup``)."""
    import networkx as nx  # imported on first use: it costs a tenth of a second at start-up

    items: dict[tuple[str, str], list[str]] = {}
    graphs: dict[tuple[str, str], set[str]] = {}
    for p_term, t_term, text, graph in source.query(ITEMS_QUERY).terms:
        key = (str(p_term), str(t_term))
        if str(text) not in items.setdefault(key, []):
            items[key].append(str(text))
        graphs.setdefault(key, set()).add(str(graph))
    g = nx.Graph(view="topics", rollup=rollup)
    for program in sorted(sets.programs):
        g.add_node(program, label=sets.label(program), iri=program, kind="program", bipartite=0)
    for program, topic in sorted(items):
        g.add_node(topic, label=sets.label(topic), iri=topic, kind="topic", bipartite=1)
        g.add_edge(
            program, topic, weight=1.0, items="; ".join(items[(program, topic)]), via=sets.label(topic),
            graph=_graphs(graphs[(program, topic)]),
        )  # fmt: skip
    if not rollup:
        return g
    for program in sorted(sets.programs):
        weights = sets.weights(program)
        for broader in sorted(weights):
            if g.has_edge(program, broader):
                continue  # a topic the program names itself
            named = [t for t in sets.sort_topics(sets.programs[program]) if broader in sets.ancestors(t)]
            stated = set().union(*(graphs.get((program, t), set()) for t in named))
            stated |= {gr for (_, b), grs in sets.broader_graphs.items() if b == broader for gr in grs}
            g.add_node(broader, label=sets.label(broader), iri=broader, kind="topic", bipartite=1)
            g.add_edge(
                program, broader, weight=weights[broader], items="", via="; ".join(sets.label(t) for t in named),
                graph=_graphs(stated),
            )  # fmt: skip
    return g


def _relation_graph(source: Source, view: str, sparql: str) -> nx.DiGraph:
    import networkx as nx

    g = nx.DiGraph(view=view)
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    for row in source.query(sparql):
        g.add_node(row[0], label=row.fromLabel, iri=row[0], kind=row.fromKind)
        g.add_node(row.to, label=row.toLabel, iri=row.to, kind=row.toKind)
        edge = edges.setdefault((row[0], row.to), {"relations": {}, "graphs": set()})
        edge["relations"][row.relation] = row.relationLabel
        edge["graphs"].add(row.graph)
    for (a, b), edge in sorted(edges.items()):
        relations = sorted(edge["relations"].items())
        g.add_edge(
            a, b, relation=" ".join(r for r, _ in relations), label="; ".join(lbl for _, lbl in relations),
            graph=_graphs(edge["graphs"]),
        )  # fmt: skip
    return g


def to_networkx(
    source: Source, view: str = "topics", *, rollup: bool = False, sets: TopicSets | None = None
) -> nx.Graph:
    """The networkx graph of one view (:data:`VIEWS`) of ``source``; ``rollup`` applies to ``topics``."""
    if view == "topics":
        return topic_graph(source, sets or TopicSets.of(source), rollup)
    if rollup:
        raise ParameterError(f"rollup applies to the topics view, not to {view!r}")
    if view == "lineage":
        return _relation_graph(source, view, LINEAGE_QUERY)
    if view == "roles":
        return _relation_graph(source, view, ROLES_QUERY)
    raise ParameterError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")
