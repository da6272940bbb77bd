"""What the site shows, read from the graph with one query per kind of content (never one per page).

Every statement of every named graph is read once (:data:`QUADS`) and grouped by the things it is about, into
the same :class:`~ppkg.query.describe.Fact` lists that ``ppkg describe`` gives (:func:`facts_about`), with
the statements themselves kept as terms for each page's JSON-LD.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier, Node

from ppkg.present.site.paths import thing_path
from ppkg.present.source import Source
from ppkg.present.topics import TopicSets
from ppkg.query.describe import Fact
from ppkg.query.history import HISTORY_QUERY, history_notes
from ppkg.rdf.namespaces import ID, PPKG, local_name

QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
LABELS = """
SELECT ?x ?label ?pref WHERE {
  { ?x rdfs:label ?label } UNION { ?x skos:prefLabel ?pref }
}
"""
GRAPH_SOURCES = """
SELECT ?graph ?title WHERE {
  { ?graph prov:wasDerivedFrom/dcterms:title ?title FILTER NOT EXISTS { ?graph a ppkg:Curation } }
  UNION
  { ?graph a ppkg:Curation ; rdfs:label ?title }
}
"""
CURRICULA = """
SELECT ?program ?curriculum ?item ?position ?text ?phase ?hours ?topic WHERE {
  ?program a ppkg:Program ; ppkg:hasCurriculum ?curriculum .
  ?curriculum ppkg:hasItem ?item .
  OPTIONAL { ?item ppkg:position ?position }
  OPTIONAL { ?item ppkg:verbatimText ?text }
  OPTIONAL { ?item ppkg:phase ?phase }
  OPTIONAL { ?item ppkg:hours ?hours }
  OPTIONAL { ?item ppkg:coversTopic ?topic }
}
"""
RATINGS = """
SELECT ?claim ?program ?level ?body ?date ?source WHERE {
  ?claim a ppkg:EvidenceRating ; ppkg:ratedProgram ?program .
  OPTIONAL { ?claim ppkg:ratingLevel ?level }
  OPTIONAL { ?claim ppkg:ratedBy ?body }
  OPTIONAL { ?claim ppkg:ratingDate ?date }
  OPTIONAL { ?claim prov:wasDerivedFrom ?source }
}
"""

KINDS: tuple[tuple[str, str, str], ...] = (
    (str(PPKG.Program), "programs", "Programs"),
    (str(PPKG.TrainingTopic), "topics", "Training topics"),
    (str(PPKG.Role), "roles", "Roles"),
    (str(PPKG.PracticeFramework), "frameworks", "Practice frameworks"),
    (str(PPKG.Organization), "organizations", "Organizations"),
    (str(PPKG.RatingLevel), "rating-levels", "Rating levels"),
    (str(PPKG.SourceDocument), "sources", "Source documents"),
)
"""The kinds the index lists first: class IRI, file name under ``kinds/``, heading."""


@dataclass
class CurriculumItem:
    """One item of a training curriculum, with the topics it covers."""

    iri: str
    position: int | None
    text: str
    phase: str | None
    hours: str | None
    topics: list[str] = field(default_factory=list)


@dataclass
class Rating:
    """One rating claim: who rated the program, at what level, when, on what source."""

    claim: str
    program: str
    level: str | None
    body: str | None
    date: str | None
    sources: list[str] = field(default_factory=list)


@dataclass
class Thing:
    """Something that gets a page: its label, classes, facts and the statements behind them."""

    iri: str
    path: str
    label: str
    classes: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    triples: set[tuple[Node, Node, Node]] = field(default_factory=set)


@dataclass
class SiteModel:
    """Everything the pages show."""

    things: dict[str, Thing]
    labels: dict[str, str]
    graph_titles: dict[str, list[str]]
    curricula: dict[str, list[tuple[str, list[CurriculumItem]]]]
    ratings: dict[str, list[Rating]]
    sets: TopicSets
    by_class: dict[str, list[str]]

    def label(self, iri: str) -> str:
        """The label of ``iri``: its ``rdfs:label`` (or ``skos:prefLabel``), else its local name."""
        return self.labels.get(iri) or local_name(iri) or iri

    def sort_key(self, iri: str) -> tuple[str, str]:
        """Sort by label (case-insensitive), then IRI."""
        return (self.label(iri).casefold(), iri)


def _pick(values: set[Literal]) -> str:
    """One label of several, the same every time: English or untagged first, then alphabetical."""
    return min(values, key=lambda v: (v.language not in (None, "en"), str(v), str(v.language))).__str__()


def read_labels(source: Source) -> tuple[dict[str, str], dict[str, str]]:
    """``rdfs:label`` of everything that has one (what ``describe`` shows), and the display label of everything
    (``rdfs:label``, else ``skos:prefLabel``)."""
    rdfs: dict[str, set[Literal]] = defaultdict(set)
    pref: dict[str, set[Literal]] = defaultdict(set)
    for x, label, prefered in source.query(LABELS).terms:
        if isinstance(label, Literal):
            rdfs[str(x)].add(label)
        if isinstance(prefered, Literal):
            pref[str(x)].add(prefered)
    described = {iri: _pick(values) for iri, values in rdfs.items()}
    shown = {iri: _pick(values) for iri, values in pref.items()}
    shown.update(described)
    return described, shown


def _history(source: Source) -> dict[str, dict[tuple[str, str], str]]:
    rows: dict[str, list[tuple[Identifier | None, ...]]] = defaultdict(list)
    for row in source.query(HISTORY_QUERY).terms:
        if row[1] is not None:
            rows[str(row[1])].append(row)
    return {thing: history_notes(found) for thing, found in rows.items()}


def _graph_titles(source: Source) -> dict[str, list[str]]:
    titles: dict[str, set[str]] = defaultdict(set)
    for graph, title in source.query(GRAPH_SOURCES).terms:
        titles[str(graph)].add(str(title))
    return {g: sorted(t) for g, t in titles.items()}


def graph_sources(graph: str, titles: dict[str, list[str]]) -> list[str]:
    """The sources of a named graph as ``describe`` names them: its source's titles, else its short name."""
    return titles.get(graph) or [graph.removeprefix(str(ID["graph/"]))]


def _facts(
    statements: dict[tuple[bool, str, str], set[str]],
    described: dict[str, str],
    titles: dict[str, list[str]],
    notes: dict[tuple[str, str], str],
) -> list[Fact]:
    facts = []
    for (incoming, prop, value), graphs in statements.items():
        sources = {s for g in graphs for s in graph_sources(g, titles)}
        facts.append(
            Fact(
                incoming=incoming,
                predicate=prop,
                predicate_label=described.get(prop) or local_name(prop),
                value=value,
                value_label=described.get(value),
                graphs=tuple(sorted(graphs)),
                sources=tuple(sorted(sources)),
                history=None if incoming else notes.get((prop, value)),
            )
        )
    facts.sort(
        key=lambda f: (
            f.incoming,
            f.predicate_label.casefold(),
            (f.value_label or f.value).casefold(),
            f.value,
            f.predicate,
        )
    )
    return facts


def _things(
    source: Source, described: dict[str, str], shown: dict[str, str], titles: dict[str, list[str]]
) -> dict[str, Thing]:
    statements: dict[str, dict[tuple[bool, str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    triples: dict[str, set[tuple[Node, Node, Node]]] = defaultdict(set)
    classes: dict[str, set[str]] = defaultdict(set)
    type_iri = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    for s, p, o, g in source.query(QUADS).terms:
        assert s is not None and p is not None and o is not None
        subject, prop, value, graph = str(s), str(p), str(o), str(g)
        if isinstance(s, URIRef) and thing_path(subject) is not None:
            statements[subject][(False, prop, value)].add(graph)
            triples[subject].add((s, p, o))
            if prop == type_iri:
                classes[subject].add(value)
        if isinstance(o, URIRef) and thing_path(value) is not None:
            statements[value][(True, prop, subject)].add(graph)
            triples[value].add((s, p, o))
    notes = _history(source)
    things = {}
    for iri in sorted(statements):
        path = thing_path(iri)
        assert path is not None
        things[iri] = Thing(
            iri=iri,
            path=path,
            label=shown.get(iri) or local_name(iri),
            classes=sorted(classes.get(iri, ())),
            facts=_facts(statements[iri], described, titles, notes.get(iri, {})),
            triples=triples[iri],
        )
    return things


def _text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def _curricula(source: Source, label: Any) -> dict[str, list[tuple[str, list[CurriculumItem]]]]:
    items: dict[tuple[str, str], dict[str, CurriculumItem]] = defaultdict(dict)
    for program, curriculum, item, position, text, phase, hours, topic in source.query(CURRICULA).terms:
        found = items[(str(program), str(curriculum))].setdefault(
            str(item),
            CurriculumItem(
                iri=str(item),
                position=int(position) if isinstance(position, Literal) and str(position).isdigit() else None,
                text=str(text) if text is not None else label(str(item)),
                phase=_text(phase),
                hours=_text(hours),
            ),
        )
        if topic is not None and str(topic) not in found.topics:
            found.topics.append(str(topic))
    by_program: dict[str, list[tuple[str, list[CurriculumItem]]]] = defaultdict(list)
    for (program_iri, curriculum_iri), members in sorted(items.items()):
        ordered = sorted(
            members.values(), key=lambda i: (i.position is None, i.position or 0, i.text.casefold(), i.iri)
        )
        for i in ordered:
            i.topics.sort(key=lambda t: (label(t).casefold(), t))
        by_program[program_iri].append((curriculum_iri, ordered))
    return dict(by_program)


def _ratings(source: Source) -> dict[str, list[Rating]]:
    claims: dict[str, Rating] = {}
    for claim, program, level, body, date, src in source.query(RATINGS).terms:
        rating = claims.setdefault(str(claim), Rating(str(claim), str(program), _text(level), _text(body), _text(date)))
        if src is not None and str(src) not in rating.sources:
            rating.sources.append(str(src))
    by_program: dict[str, list[Rating]] = defaultdict(list)
    for rating in sorted(claims.values(), key=lambda r: (r.program, r.date or "", r.claim)):
        rating.sources.sort()
        by_program[rating.program].append(rating)
    return dict(by_program)


def read_model(source: Source, sets: TopicSets | None = None) -> SiteModel:
    """Read what the site shows from ``source`` (a handful of queries, whatever the size of the graph)."""
    described, shown = read_labels(source)
    titles = _graph_titles(source)
    things = _things(source, described, shown, titles)
    by_class: dict[str, list[str]] = defaultdict(list)
    for thing in things.values():
        for cls in thing.classes or [""]:
            by_class[cls].append(thing.iri)
    model = SiteModel(
        things=things,
        labels=shown,
        graph_titles=titles,
        curricula={},
        ratings=_ratings(source),
        sets=sets or TopicSets.of(source),
        by_class={},
    )
    model.curricula = _curricula(source, model.label)
    model.by_class = {cls: sorted(iris, key=model.sort_key) for cls, iris in sorted(by_class.items())}
    return model
