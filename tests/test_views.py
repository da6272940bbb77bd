"""networkx views of the graph: program–topic (plain and rolled up), lineage, roles; labels, IRIs, source graphs."""

from __future__ import annotations

import networkx as nx
import pytest

import ppkg
from tests.test_catalogue_answers import BRIEF_PROGRAMS

ID = str(ppkg.ID)
CURATION = ID + "graph/curation"
CASEY = ID + "graph/casey-training-models"
CDSS = ID + "graph/cdss-peer-partners"
IOWA = ID + "program/iowa-parent-partner-approach"


def test_topic_view_is_bipartite_with_the_verbatim_items(kg: ppkg.KnowledgeGraph) -> None:
    g = kg.to_networkx("topics")
    programs = {n for n, d in g.nodes(data=True) if d["bipartite"] == 0}
    assert nx.is_bipartite(g)
    assert sorted(g.nodes[p]["label"] for p in programs if g.degree(p)) == BRIEF_PROGRAMS
    iowa_topics = sorted((g.nodes[t]["label"] for t in g[IOWA]), key=str.casefold)
    assert iowa_topics[:3] == ["boundaries", "Building a Better Future", "child welfare system overview"]
    safety = g.edges[IOWA, ID + "topic/safety"]
    assert safety["items"] == "Boundaries and safety issues"  # seed 002, verbatim
    assert safety["graph"] == CURATION  # the item-to-topic mapping is the project's reading
    assert g.nodes[IOWA] == {"label": "Iowa Parent Partner Approach", "iri": IOWA, "kind": "program", "bipartite": 0}
    assert g.number_of_edges() == 107


def test_rolled_up_topic_view_links_programs_to_broader_topics(kg: ppkg.KnowledgeGraph) -> None:
    g = kg.to_networkx("topics", rollup=True)
    edge = g.edges[IOWA, ID + "topic/child-welfare-system-knowledge"]
    assert edge["weight"] == 0.5
    assert edge["via"] == "child welfare system overview; mandated reporting"
    assert edge["graph"] == f"{CURATION} {ID}graph/vocabulary/training-topics"
    # Iowa's "Cultural competency" reaches cultural responsiveness; the plain view has no such edge
    assert g.has_edge(IOWA, ID + "topic/cultural-responsiveness")
    assert not kg.to_networkx("topics").has_edge(IOWA, ID + "topic/cultural-responsiveness")


def test_lineage_view(kg: ppkg.KnowledgeGraph) -> None:
    g = kg.to_networkx("lineage")
    assert isinstance(g, nx.DiGraph)
    edges = sorted((g.nodes[a]["label"], d["label"], g.nodes[b]["label"]) for a, b, d in g.edges(data=True))
    assert edges == [
        ("Family Hui", "operated by", "Lead4Tomorrow"),
        ("Family Involvement Center", "based on", "Parents for Parents"),
        ("National START Model", "developed by", "Children and Family Futures"),
        ("START", "affiliate of", "National START Model"),
        ("Stanford Sierra Youth & Families", "grew out of", "Wraparound services model"),
        ("Wraparound services model", "operated by", "Stanford Sierra Youth & Families"),
    ]
    start = ID + "program/kentucky-start"
    assert g.edges[start, ID + "program-model/national-start-model"]["graph"] == CASEY
    assert g.nodes[start]["kind"] == "parent partner program"


def test_roles_view(kg: ppkg.KnowledgeGraph) -> None:
    g = kg.to_networkx("roles")
    partner = ID + "role/parent-partner"
    frameworks = sorted(g.nodes[b]["label"] for b in g[partner] if g.nodes[b]["kind"] == "practice framework")
    assert frameworks == [
        "Child and Adolescent Needs and Strengths",
        "Child and Family Teams",
        "Integrated Core Practice Model",
        "Safety Organized Practice",
        "Structured Decision Making",
        "System of Care for Children and Youth",
    ]
    assert sum(1 for b in g[partner] if g.nodes[b]["kind"] == "role function") == 4  # the four key functions
    # the frameworks come from the peer partners page; both CDSS pages name the four key functions
    both = f"{ID}graph/cdss-parent-partner-resources {CDSS}"
    assert {d["graph"] for _, b, d in g.edges(data=True) if g.nodes[b]["kind"] == "practice framework"} == {CDSS}
    assert {d["graph"] for _, b, d in g.edges(data=True) if g.nodes[b]["kind"] == "role function"} == {both}


def test_a_view_writes_as_graphml(kg: ppkg.KnowledgeGraph, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "lineage.graphml"
    nx.write_graphml(kg.to_networkx("lineage"), path)
    back = nx.read_graphml(path)
    assert back.nodes[ID + "program/kentucky-start"]["label"] == "START"


def test_unknown_view_and_misplaced_rollup(kg: ppkg.KnowledgeGraph) -> None:
    with pytest.raises(ppkg.ParameterError, match="unknown view 'lineages'; use one of topics, lineage, roles"):
        kg.to_networkx("lineages")
    with pytest.raises(ppkg.ParameterError, match="rollup applies to the topics view"):
        kg.to_networkx("roles", rollup=True)
