"""Conflicts and corrections: a single-valued fact has one current value, and a steward changes it by
superseding the existing statement, never by adding a second value.

Which facts are single-valued comes from the shapes: a property shape with ``sh:maxCount 1`` on a node
shape that targets a class of the subject. A contribution that gives such a fact a value other than its
current one is reported as a conflict, naming the existing value and its source (``shapes:lint-conflict``).
A correction (:mod:`ppkg.rdf.corrections`) must supersede a statement the graph makes now, and state the
value that replaces it (``shapes:lint-correction``). :func:`correction` builds the correction ``ppkg correct``
contributes from names a person types.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SH, SKOS
from rdflib.term import Node

from ppkg.errors import ParameterError, UnknownValueError
from ppkg.query.engines import OxigraphEngine
from ppkg.query.names import ENTITY_CLASSES, LabelIndex, as_iri
from ppkg.rdf.corrections import Correction, graph_pattern, read_corrections, store_pattern, superseded
from ppkg.rdf.namespaces import ID, PPKG, PREFIXES, SCHEMA, SHAPES, compact, local_name
from ppkg.rdf.terms import from_ox, to_ox
from ppkg.rdf.text import nearest, normalize
from ppkg.steward.templates import source_problem
from ppkg.validation.context import StoreView
from ppkg.validation.report import ValidationResult
from ppkg.validation.shacl import shapes_graph, vocabulary_graph

CONFLICT = str(SHAPES["lint-conflict"])
"""Constraint of a conflict: a second value for a single-valued fact."""
CORRECTION = str(SHAPES["lint-correction"])
"""Constraint of a correction that supersedes nothing current, or does not state its new value."""
MAX_COUNT = str(SH.MaxCountConstraintComponent)
HOW_TO_CORRECT = "ppkg correct {subject} {property} {value} --by NAME --why TEXT --source URL"

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class SingleValue:
    """A property that has one value for the instances of a class, and the property shape that says so."""

    shape: str
    name: str


@cache
def single_valued() -> dict[Node, dict[Node, SingleValue]]:
    """Class → property → rule: every property shape with ``sh:maxCount 1`` and a plain property path on a
    node shape with ``sh:targetClass`` (warnings left out)."""
    shapes = shapes_graph()
    found: dict[Node, dict[Node, SingleValue]] = defaultdict(dict)
    for node_shape, cls in sorted(shapes.subject_objects(SH.targetClass), key=str):
        for prop_shape in sorted(shapes.objects(node_shape, SH.property), key=str):
            count, path = shapes.value(prop_shape, SH.maxCount), shapes.value(prop_shape, SH.path)
            if not (isinstance(count, Literal) and count.toPython() == 1 and isinstance(path, URIRef)):
                continue
            if shapes.value(prop_shape, SH.severity) not in (None, SH.Violation):
                continue
            name = shapes.value(prop_shape, SH.name)
            found[cls].setdefault(path, SingleValue(str(prop_shape), str(name) if name else _words(path)))
    return dict(found)


@cache
def _property_names() -> dict[Node, str]:
    """The name the shapes give each property (``sh:name`` of a property shape on it)."""
    shapes = shapes_graph()
    names: dict[Node, str] = {}
    for prop_shape, path in sorted(shapes.subject_objects(SH.path), key=str):
        name = shapes.value(prop_shape, SH.name)
        if shapes.value(prop_shape, SH.severity) == SH.Warning:  # recommendations name checks, not properties
            continue
        if isinstance(path, URIRef) and name is not None:
            names.setdefault(path, str(name))
    return names


def _words(term: Node) -> str:
    """``ppkg:operatedBy`` → ``operated by``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local_name(str(term))).lower()


def property_name(prop: Node) -> str:
    """How messages name a property: its name in the shapes, else its words (``operated by``)."""
    return _property_names().get(prop, _words(prop))


class Context:
    """What a submission is checked against: the existing graph (with the named graph of each statement),
    the vocabularies, and which existing statements corrections have superseded."""

    def __init__(self, existing: StoreView, submission: Graph) -> None:
        self.existing = existing
        self.submission = submission
        self.vocabulary = vocabulary_graph()
        self.superseded = superseded(read_corrections(store_pattern(existing.store)))
        self._sources: dict[str, str] = {}

    def stated(self, subject: Node, prop: Node) -> dict[Node, list[str]]:
        """The values the graph states for ``subject prop``, each with the sources that state it."""
        found: dict[Node, list[str]] = defaultdict(list)
        for quad in self.existing.quads(subject, prop, None):
            term = from_ox(quad.object)
            if term is not None:
                found[term].append(self.source(quad.graph_name))
        for value in self.vocabulary.objects(subject, prop):
            found[value].append("the ppkg vocabularies")
        return {value: sorted(set(sources)) for value, sources in found.items()}

    def current(self, subject: Node, prop: Node) -> dict[Node, list[str]]:
        """The values stated for ``subject prop`` that no correction has superseded."""
        return {v: s for v, s in self.stated(subject, prop).items() if (subject, prop, v) not in self.superseded}

    def source(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
        """How a message names the named graph a statement comes from."""
        if not isinstance(graph, ox.NamedNode):
            return "the data directory"
        iri = graph.value
        if iri not in self._sources:
            self._sources[iri] = self._describe_graph(URIRef(iri))
        return self._sources[iri]

    def _describe_graph(self, graph: URIRef) -> str:
        view = self.existing
        if (graph, RDF.type, PPKG.Contribution) in view:
            who = next(view.objects(graph, PROV.wasAttributedTo), None)
            name = self.label(who) if who is not None else "unknown"
            return f"contribution {local_name(str(graph))} by {name}"
        titles = sorted(
            {str(t) for src in view.objects(graph, PROV.wasDerivedFrom) for t in view.objects(src, DCTERMS.title)}
        )
        if len(titles) == 1:
            return titles[0]
        label = next(view.objects(graph, RDFS.label), None)
        if label is not None:
            return str(label)
        return "the existing graph" if str(graph).startswith("urn:") else compact(str(graph))

    def label(self, node: Node) -> str:
        """A value as messages show it: a name for a thing (its name in the graph before the one the
        submission gives), quoted text for a literal."""
        if isinstance(node, Literal):
            return f'"{node}"'
        for prop in (RDFS.label, SKOS.prefLabel):
            names = sorted(str(n) for n in self.existing.objects(node, prop) if (node, prop, n) not in self.superseded)
            names += [str(n) for n in self.vocabulary.objects(node, prop)]
            names += [str(n) for n in self.submission.objects(node, prop)]
            if names:
                return names[0]
        return compact(str(node))

    def direct_types(self, node: Node) -> set[Node]:
        """The classes ``node`` is typed with, in the graph, the vocabularies or the submission."""
        found = set(self.submission.objects(node, RDF.type)) | set(self.existing.objects(node, RDF.type))
        return found | set(self.vocabulary.objects(node, RDF.type))

    def types(self, node: Node) -> set[Node]:
        """The classes of ``node`` and their superclasses."""
        direct = self.direct_types(node)
        return {c for t in direct for c in self.vocabulary.transitive_objects(t, RDFS.subClassOf) if c is not None}

    def kind(self, node: Node) -> str:
        """What kind of thing ``node`` is, in words (``program``, ``training topic``, ``curriculum item``)."""
        direct = self.direct_types(node)
        own = sorted(str(t) for t in direct if str(t).startswith(str(PPKG)))
        return entity_kind(direct) or (_words(URIRef(own[0])) if own else "thing")


def entity_kind(types: Iterable[Node]) -> str | None:
    """The resolver's kind (:data:`~ppkg.query.names.ENTITY_CLASSES`) of a thing of these classes, if any."""
    classes = {str(t) for t in types}
    for kind, curie in ENTITY_CLASSES.items():
        if PREFIXES["ppkg"] + curie.removeprefix("ppkg:") in classes:
            return kind
    return None


def _values_with_sources(ctx: Context, values: dict[Node, list[str]]) -> str:
    """``Kentucky (stated by …); …``: values as messages show them, each with its sources."""
    return "; ".join(
        f"{ctx.label(v)} (stated by {', '.join(s)})" for v, s in sorted(values.items(), key=lambda i: str(i[0]))
    )


def _result(focus: Node, message: str, constraint: str, ctx: Context, **extra: str | None) -> ValidationResult:
    return ValidationResult(
        focus_node=str(focus),
        focus_label=ctx.label(focus) if not isinstance(focus, Literal) else None,
        path=extra.get("path"),
        value=extra.get("value"),
        message=message,
        severity=str(SH.Violation),
        source_shape=extra.get("shape"),
        constraint=constraint,
    )


def _argument(node: Node) -> str:
    return compact(str(node)) if isinstance(node, URIRef) else shlex.quote(str(node))


def superseded_after(ctx: Context, corrections: Iterable[Correction]) -> set[Triple]:
    """The statements superseded once the submission's corrections apply, after every existing one."""
    gone = set(ctx.superseded)
    for c in corrections:
        gone.add(c.statement)
        if c.new is not None:
            gone.discard((c.subject, c.predicate, c.new))
    return gone


def conflicts(ctx: Context, gone: set[Triple]) -> list[ValidationResult]:
    """Every value the submission gives a single-valued fact that already has another current value
    (``gone``: the statements no longer current, see :func:`superseded_after`)."""
    rules = single_valued()
    results = []
    for subject in sorted(set(ctx.submission.subjects()), key=str):
        applicable: dict[Node, SingleValue] = {}
        for cls in sorted(ctx.types(subject), key=str):
            for prop, rule in rules.get(cls, {}).items():
                applicable.setdefault(prop, rule)
        for prop, rule in sorted(applicable.items(), key=lambda item: str(item[0])):
            given = set(ctx.submission.objects(subject, prop))
            if not given:
                continue
            current = {v: s for v, s in ctx.stated(subject, prop).items() if (subject, prop, v) not in gone}
            if not current:
                continue
            for value in sorted(given - set(current), key=str):
                held = _values_with_sources(ctx, current)
                how = HOW_TO_CORRECT.format(
                    subject=_argument(subject), property=compact(str(prop)), value=_argument(value)
                )
                message = (
                    f"{ctx.kind(subject)} {ctx.label(subject)} already has {rule.name} {held}; a second {rule.name} "
                    f"is a conflict — to correct it, supersede the existing statement: {how}"
                )
                results.append(
                    _result(subject, message, CONFLICT, ctx, path=str(prop), value=str(value), shape=rule.shape)
                )
    return results


def correction_problems(ctx: Context, corrections: Iterable[Correction]) -> list[ValidationResult]:
    """Corrections that supersede no current statement, or do not state the value that replaces it."""
    results = []
    for c in corrections:
        prop = property_name(c.predicate)
        what = f"{ctx.kind(c.subject)} {ctx.label(c.subject)}"
        stated = ctx.stated(c.subject, c.predicate)
        current = ctx.current(c.subject, c.predicate)
        if c.old not in current:
            now = _values_with_sources(ctx, current)
            if c.old in stated:
                message = (
                    f"{what}: {prop} {ctx.label(c.old)} is already superseded; its current {prop} is {now or 'none'}"
                )
            elif current:
                message = f"{what} has no {prop} {ctx.label(c.old)} to supersede; its {prop} is {now}"
            else:
                message = f"{what} has no {prop} to supersede"
            results.append(_result(c.node, message, CORRECTION, ctx, path=str(RDF.object), value=str(c.old)))
        if c.new is None:
            continue
        if c.new == c.old:
            message = f"the new value of {what}'s {prop} is the value it supersedes, {ctx.label(c.old)}"
            results.append(_result(c.node, message, CORRECTION, ctx, path=str(SCHEMA.replacer), value=str(c.new)))
        elif (c.subject, c.predicate, c.new) not in ctx.submission and c.new not in current:
            statement = f"{c.subject.n3()} {c.predicate.n3()} {c.new.n3()} ."
            message = f"the new value {ctx.label(c.new)} must be stated too: add {statement}"
            results.append(_result(c.node, message, CORRECTION, ctx, path=str(SCHEMA.replacer), value=str(c.new)))
    return results


@dataclass(frozen=True)
class FactCheck:
    """What :func:`check_facts` finds: the problems, the ``(node, property)`` pairs in conflict (whose
    ``sh:maxCount`` results from the shapes say the same thing less clearly), and the existing statements
    that are not current once the submission is merged."""

    results: list[ValidationResult]
    in_conflict: set[tuple[str, str | None]]
    superseded: set[Triple]


def check_facts(submission: Graph, existing: StoreView) -> FactCheck:
    """Conflicts with single-valued facts and problems of the corrections of a submission."""
    ctx = Context(existing, submission)
    own = read_corrections(graph_pattern(submission))
    gone = superseded_after(ctx, own)
    found = conflicts(ctx, gone)
    return FactCheck([*found, *correction_problems(ctx, own)], {(r.focus_node, r.path) for r in found}, gone)


def current_view(view: StoreView, gone: set[Triple]) -> StoreView:
    """``view`` without the statements in ``gone`` (a copy; ``view`` itself when there are none)."""
    if not gone:
        return view
    store = ox.Store()
    store.load(view.store.dump(format=ox.RdfFormat.N_QUADS) or b"", format=ox.RdfFormat.N_QUADS)
    for s, p, o in gone:
        for quad in list(store.quads_for_pattern(to_ox(s), to_ox(p), to_ox(o), None)):  # type: ignore[arg-type]
            store.remove(quad)
    return StoreView(store, hidden=view.hidden)


# -- building a correction from what a person types --------------------------------------------------------


@dataclass(frozen=True)
class Supersession:
    """A correction ready to be contributed, and what it says in words."""

    graph: Graph
    node: URIRef
    subject: URIRef
    predicate: URIRef
    old: Node
    new: Node | None
    summary: str


def _rows(engine: OxigraphEngine, query: str, **bindings: Node) -> list[Node]:
    """The first column of a query's answer (bound variables must be selected, as SEP-0007 asks)."""
    return [row[0] for row in engine.execute(query, "SELECT", bindings).rows if row[0] is not None]


def _label_in(engine: OxigraphEngine, index: LabelIndex, node: Node) -> str:
    if isinstance(node, Literal):
        return f'"{node}"'
    name = index.label(str(node))
    return compact(name) if name == str(node) else name


def _choose_property(engine: OxigraphEngine, subject: URIRef, text: str, what: str) -> URIRef:
    """The property ``text`` names among those the subject has now (by CURIE, IRI, label or name)."""
    props = sorted(
        {p for p in _rows(engine, "SELECT DISTINCT ?p ?s WHERE { ?s ?p ?o }", s=subject) if isinstance(p, URIRef)},
        key=str,
    )
    vocabulary = vocabulary_graph()

    def names(p: URIRef) -> set[str]:
        found = {local_name(str(p)), _words(p), compact(str(p)), property_name(p)}
        found |= {str(label) for label in vocabulary.objects(p, RDFS.label)}
        return {normalize(n) for n in found}

    iri = as_iri(text.strip())
    if iri is not None:
        hits = [p for p in props if str(p) == iri]
    else:
        hits = [p for p in props if normalize(text) in names(p)]
    if len(hits) == 1:
        return hits[0]
    listing = [f"{property_name(p)} ({compact(str(p))})" for p in props if p != RDF.type]
    if hits:
        raise UnknownValueError(
            "property", text, [f"{property_name(p)} ({compact(str(p))})" for p in hits], ambiguous=True
        )
    raise UnknownValueError(f"property of {what}", text, nearest(text, listing) or listing[:5])


def _choose_old(engine: OxigraphEngine, index: LabelIndex, values: list[Node], old: str | None, what: str) -> Node:
    shown = ", ".join(_label_in(engine, index, v) for v in values)
    if old is None:
        if len(values) == 1:
            return values[0]
        raise ParameterError(f"{what} has {len(values)} values ({shown}); say which one to supersede with --old")
    iri = as_iri(old.strip())
    for value in values:
        if iri is not None and str(value) == iri:
            return value
        if iri is None and normalize(old) in (normalize(str(value)), normalize(_label_in(engine, index, value))):
            return value
    raise UnknownValueError(f"current value of {what}", old, [_label_in(engine, index, v) for v in values])


def _new_value(engine: OxigraphEngine, index: LabelIndex, old: Node, text: str) -> Node:
    """``text`` as a value like ``old``: a thing of the same kind by name or IRI, or text like the old text."""
    if isinstance(old, Literal):
        if old.language:
            return Literal(text, lang=old.language)
        return Literal(text, datatype=old.datatype) if old.datatype else Literal(text)
    iri = as_iri(text.strip())
    if iri is not None:
        return URIRef(iri)
    kind = entity_kind(_rows(engine, "SELECT ?t ?o WHERE { ?o a ?t }", o=old))
    return index.resolve(kind or "thing", text)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text).casefold()).strip("-")


def correction(
    engine: OxigraphEngine,
    index: LabelIndex,
    *,
    subject: str,
    prop: str,
    new: str | None,
    why: str,
    source: str,
    by: str,
    old: str | None = None,
) -> Supersession:
    """The correction that supersedes ``subject prop`` (its one current value, or ``old``) with ``new``
    (``None``: withdraw the statement), named as a person types them, over the current graph of ``engine``."""
    if not why.strip():
        raise ParameterError("--why needs the reason for the correction")
    if problem := source_problem(source):
        raise ParameterError(f"--source must be an http, https or urn IRI: {problem}")
    thing = index.resolve("thing", subject)
    what = _label_in(engine, index, thing)
    predicate = _choose_property(engine, thing, prop, what)
    name = property_name(predicate)
    values = sorted(_rows(engine, "SELECT ?o ?s ?p WHERE { ?s ?p ?o }", s=thing, p=predicate), key=str)
    superseded_value = _choose_old(engine, index, values, old, f"{what}'s {name}")
    replacement = None if new is None else _new_value(engine, index, superseded_value, new)
    if replacement == superseded_value:
        raise ParameterError(f"{what}'s {name} is already {_label_in(engine, index, replacement)}")
    old_label = _label_in(engine, index, superseded_value)
    if replacement is None:
        summary = f"{what}: {name} {old_label} withdrawn"
    else:
        summary = f"{what}: {name} {old_label} superseded by {_label_in(engine, index, replacement)}"
    digest = hashlib.sha256(
        "\n".join(
            t.n3() if isinstance(t, Node) else t
            for t in (thing, predicate, superseded_value, replacement or Literal(""), why, source, by)
        ).encode("utf-8")
    ).hexdigest()
    node = URIRef(ID[f"correction/{_slug(local_name(str(thing)))}-{_slug(local_name(str(predicate)))}-{digest[:10]}"])
    graph = Graph()
    graph.add((node, RDF.type, PPKG.Correction))
    graph.add((node, RDFS.label, Literal(summary, lang="en")))
    graph.add((node, RDF.subject, thing))
    graph.add((node, RDF.predicate, predicate))
    graph.add((node, RDF.object, superseded_value))
    graph.add((node, RDFS.comment, Literal(why.strip(), lang="en")))
    graph.add((node, PROV.wasDerivedFrom, URIRef(source)))
    if replacement is not None:
        graph.add((node, SCHEMA.replacer, replacement))
        graph.add((thing, predicate, replacement))
    return Supersession(graph, node, thing, predicate, superseded_value, replacement, summary)
