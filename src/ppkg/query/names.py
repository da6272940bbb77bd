"""Names people type for the things in the graph, and the one resolver that turns a name into an IRI.

Every place a user names a thing (query parameters, ``describe``, CSV templates) goes through
:meth:`LabelIndex.resolve`. A thing is named by any of its names (``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel``, ``skos:hiddenLabel``, ``skos:notation``, the state code), compared without case,
accents or punctuation, or by IRI (full, ``<…>`` or ``prefix:local``). The rules, in order:

1. an IRI names that entity, if it is of the kind asked for;
2. an exact name of one entity of the kind names it (an exact name wins over partial matches);
3. the IRI's last segment (``kentucky-start``);
4. the start of a name (``Stanford Sierra``, ``Iowa``);
5. a run of whole words inside a name (``Sierra Youth``);
6. the initials of a name (``FIC`` for Family Involvement Center).

Only names of the kind asked for are compared, so ``NorthCare`` is the program where a program is
expected and the organization where an organization is. The kind ``thing`` means anything that has a
name. Several candidates at the first rule that matches are an ambiguity error listing them; none at
all is an error listing the nearest names.

An index is built from the graph by one query per kind, or read back from :meth:`LabelIndex.to_json`'s
dict (the persistent store keeps one beside it); neither needs rdflib.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ppkg.errors import ParameterError, UnknownValueError
from ppkg.query.engines import Engine, OxigraphEngine
from ppkg.query.safety import check_iri
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.terms import OxTerm, is_rdflib_iri, term_text
from ppkg.rdf.text import nearest, normalize

if TYPE_CHECKING:
    from rdflib import URIRef
    from rdflib.term import Identifier

    from ppkg.rdf.io import GraphFile

ENTITY_CLASSES: dict[str, str] = {
    "topic": "ppkg:TrainingTopic",
    "program": "ppkg:Program",
    "rating": "ppkg:RatingLevel",
    "state": "ppkg:State",
    "setting": "ppkg:Setting",
    "role": "ppkg:Role",
    "organization": "ppkg:Organization",
    "framework": "ppkg:PracticeFramework",
    "scale": "ppkg:RatingScale",
}
"""Parameter types that name things of one class, and that class."""

ANY_THING = "thing"
"""The parameter type (and resolver kind) for anything in the graph that has a name."""

ENTITY_KINDS: tuple[str, ...] = (*ENTITY_CLASSES, ANY_THING)
"""Every kind :meth:`LabelIndex.resolve` accepts."""

NAME_PROPERTIES = "rdfs:label skos:prefLabel skos:altLabel skos:hiddenLabel skos:notation ppkg:stateCode"
"""The properties whose values are names of a thing."""

_KIND_QUERY = """
SELECT ?entity ?property ?name WHERE {{
  VALUES ?property {{ {properties} }}
  ?entity a {cls} ; ?property ?name .
  FILTER(isIRI(?entity))
}}
"""

_THING_QUERY = """
SELECT ?entity ?property ?name ?class WHERE {{
  VALUES ?property {{ {properties} }}
  ?entity ?property ?name .
  FILTER(isIRI(?entity))
  OPTIONAL {{ ?entity a ?class }}
}}
"""

_DISPLAY_RANK = {
    "http://www.w3.org/2000/01/rdf-schema#label": 0,
    "http://www.w3.org/2004/02/skos/core#prefLabel": 1,
}
_SMALL_WORDS = frozenset({"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"})
_MAX_LISTED = 10
_PPKG_ONTOLOGY = PREFIXES["ppkg"]


def _slug(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _initials(key: str) -> set[str]:
    words = key.split()
    out = set()
    if len(words) >= 2:
        out.add("".join(w[0] for w in words))
    content = [w for w in words if w not in _SMALL_WORDS]
    if len(content) >= 2:
        out.add("".join(w[0] for w in content))
    return out


def _words(local: str) -> str:
    """``CurriculumItem`` → ``curriculum item``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).lower()


@dataclass
class KindIndex:
    """The names of the entities of one kind, indexed for each matching rule (see the module)."""

    members: set[str] = field(default_factory=set)
    exact: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    slugs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    words: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    initials: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    display: dict[str, str] = field(default_factory=dict)
    kind_of: dict[str, str] = field(default_factory=dict)
    sorted_names: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, rows: Iterable[tuple[OxTerm | Identifier | None, ...]]) -> KindIndex:
        """Index rows of ``(entity, name property, name)``, with the entity's class as a fourth column
        for the kind ``thing`` (pyoxigraph or rdflib terms)."""
        names = cls()
        display: dict[str, tuple[int, str]] = {}
        classes: dict[str, set[str]] = defaultdict(set)
        for entity, prop, name, *rest in rows:
            if entity is None or name is None:
                continue
            e, text = term_text(entity), term_text(name)
            names.members.add(e)
            key = normalize(text)
            if key:
                names.exact[key].add(e)
            rank = (_DISPLAY_RANK.get(term_text(prop), 2), text)
            if e not in display or rank < display[e]:
                display[e] = rank
            if rest and rest[0] is not None:
                classes[e].add(term_text(rest[0]))
        for e in names.members:
            names.display[e] = display[e][1]
            if slug := normalize(_slug(e)):
                names.slugs[slug].add(e)
            if classes:
                names.kind_of[e] = _kind_word(classes.get(e, set()))
        for key in names.exact:
            for word in set(key.split()):
                names.words[word].add(key)
            for initials in _initials(key):
                names.initials[initials] |= names.exact[key]
        names.sorted_names = sorted(names.exact)
        return names

    def prefixed(self, key: str) -> set[str]:
        """Entities with a name that starts with ``key``."""
        keys: set[str] = set()
        i = bisect.bisect_left(self.sorted_names, key)
        while i < len(self.sorted_names) and self.sorted_names[i].startswith(key):
            keys.add(self.sorted_names[i])
            i += 1
        return {e for k in keys for e in self.exact[k]}

    def worded(self, key: str) -> set[str]:
        """Entities with a name that holds the words of ``key`` as a run of whole words."""
        first, padded = key.split()[0], f" {key} "
        return {e for k in self.words.get(first, set()) if padded in f" {k} " for e in self.exact[k]}

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the index, every key and list sorted (the same index gives the same dict)."""
        return {
            "members": sorted(self.members),
            "exact": _sorted_sets(self.exact),
            "slugs": _sorted_sets(self.slugs),
            "words": _sorted_sets(self.words),
            "initials": _sorted_sets(self.initials),
            "display": dict(sorted(self.display.items())),
            "kind_of": dict(sorted(self.kind_of.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KindIndex:
        """The index :meth:`to_json` wrote."""
        names = cls(
            members=set(data["members"]),
            display=dict(data["display"]),
            kind_of=dict(data["kind_of"]),
        )
        for key in ("exact", "slugs", "words", "initials"):
            target: dict[str, set[str]] = getattr(names, key)
            for name, values in data[key].items():
                target[name] = set(values)
        names.sorted_names = sorted(names.exact)
        return names


def _sorted_sets(mapping: Mapping[str, set[str]]) -> dict[str, list[str]]:
    return {key: sorted(values) for key, values in sorted(mapping.items()) if values}


def _matches(names: KindIndex, key: str) -> Iterator[set[str]]:
    """The entities each rule finds for a normalised name, rule by rule (computed only when reached)."""
    if not key:
        return
    yield names.exact.get(key, set())
    yield names.slugs.get(key, set())
    yield names.prefixed(key)
    yield names.worded(key)
    if " " not in key:
        yield names.initials.get(key, set())


def _kind_word(classes: set[str]) -> str:
    """A readable kind for an entity of these classes: ``program``, ``curriculum item``, ``concept``…"""
    for kind, cls in ENTITY_CLASSES.items():
        if PREFIXES["ppkg"] + cls.removeprefix("ppkg:") in classes:
            return kind
    own = sorted(c for c in classes if c.startswith(_PPKG_ONTOLOGY))
    chosen = own or sorted(classes)
    return _words(_slug(chosen[0])) if chosen else ANY_THING


Cache = Callable[[str, Callable[[], bytes]], bytes]
"""Something that returns the bytes kept under a name, computing and keeping them the first time."""


class LabelIndex:
    """Every name of every nameable entity, by kind; each kind is indexed on first use (or read back from
    :meth:`to_json`'s dict, see :meth:`from_json`)."""

    JSON_VERSION = 1
    """The version of the dict :meth:`to_json` writes; :meth:`from_json` refuses another."""

    def __init__(self, engine: Engine | None, cache: Cache | None = None) -> None:
        self.engine = engine
        self.cache = cache
        """Where an index, once built, is kept for the next process (the persistent store keeps it per
        generation); ``None``: built in every process."""
        self._kinds: dict[str, KindIndex] = {}

    @classmethod
    def of_engine(cls, engine: Engine) -> LabelIndex:
        """The names of everything nameable that ``engine``'s graph holds."""
        return cls(engine)

    @classmethod
    def of_files(cls, files: Iterable[GraphFile]) -> LabelIndex:
        """The names of everything nameable in RDF files (loaded into a scratch Oxigraph store)."""
        return cls(OxigraphEngine.from_files(files))

    def names(self, kind: str) -> KindIndex:
        """The index of one kind (built on first use)."""
        if kind not in self._kinds:
            if kind == ANY_THING:
                query = _THING_QUERY.format(properties=NAME_PROPERTIES)
            elif kind in ENTITY_CLASSES:
                query = _KIND_QUERY.format(properties=NAME_PROPERTIES, cls=ENTITY_CLASSES[kind])
            else:
                raise ParameterError(f"unknown kind of thing {kind!r}; use one of {', '.join(ENTITY_KINDS)}")
            engine = self.engine
            if engine is None:
                raise ParameterError(f"this label index has no names of kind {kind!r} and no graph to read them from")
            if self.cache is None:
                self._kinds[kind] = KindIndex.build(engine.execute(query, "SELECT", {}).ox_rows)
            else:

                def built() -> bytes:
                    index = KindIndex.build(engine.execute(query, "SELECT", {}).ox_rows)
                    return json.dumps(index.to_json(), sort_keys=True, ensure_ascii=False).encode("utf-8")

                cached = self.cache(f"labels-{self.JSON_VERSION}-{kind}.json", built)
                self._kinds[kind] = KindIndex.from_json(json.loads(cached))
        return self._kinds[kind]

    def to_json(self, kinds: Iterable[str] = ENTITY_KINDS) -> dict[str, Any]:
        """A JSON-ready dict of the index of ``kinds`` (each built now if it is not yet), deterministic: the same
        graph gives the same dict, whatever was looked up before. :meth:`from_json` reads it back."""
        chosen = sorted(set(kinds))
        return {"version": self.JSON_VERSION, "kinds": {kind: self.names(kind).to_json() for kind in chosen}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], engine: Engine | None = None) -> LabelIndex:
        """The index :meth:`to_json` wrote; a kind it does not hold is built from ``engine`` on first use."""
        if not isinstance(data, Mapping) or data.get("version") != cls.JSON_VERSION:
            found = data.get("version") if isinstance(data, Mapping) else type(data).__name__
            raise ValueError(f"not a label index of version {cls.JSON_VERSION} (found {found!r})")
        index = cls(engine)
        for kind, names in data["kinds"].items():
            if kind not in ENTITY_KINDS:
                raise ValueError(f"not a label index: unknown kind {kind!r}")
            index._kinds[kind] = KindIndex.from_json(names)
        return index

    def members(self, kind: str) -> set[str]:
        """The IRIs of every entity of ``kind`` that has a name."""
        return self.names(kind).members

    def label(self, iri: str) -> str:
        """The display label of an entity (its IRI when it has none)."""
        for names in self._kinds.values():
            if iri in names.display:
                return names.display[iri]
        return self.names(ANY_THING).display.get(iri, iri)

    def resolve(self, kind: str, value: str) -> URIRef:
        """The one entity of ``kind`` (see :data:`ENTITY_KINDS`) that ``value`` names, by the module's rules.

        Raises :class:`~ppkg.errors.ParameterError` for an empty value and
        :class:`~ppkg.errors.UnknownValueError` when ``value`` names nothing or several things.
        """
        from rdflib import URIRef

        return URIRef(self.resolve_iri(kind, value))

    def resolve_iri(self, kind: str, value: str) -> str:
        """The IRI of :meth:`resolve`, as text (without rdflib)."""
        names = self.names(kind)
        raw = str(value).strip()
        if not raw:
            raise ParameterError(f"the {kind} needs a value: a name or an IRI")
        iri = str(value) if is_rdflib_iri(value) else as_iri(raw)
        if iri is not None:
            if iri in names.members:
                return iri
            raise UnknownValueError(kind, raw, self._suggest(names, raw))
        key = normalize(raw)
        for found in _matches(names, key):
            if len(found) == 1:
                return next(iter(found))
            if found:
                raise UnknownValueError(kind, raw, self._listing(names, found), ambiguous=True)
        raise UnknownValueError(kind, raw, self._suggest(names, raw))

    @staticmethod
    def _listing(names: KindIndex, hits: set[str]) -> list[str]:
        def entry(e: str) -> str:
            kind = f" ({names.kind_of[e]})" if e in names.kind_of else ""
            return f"{names.display[e]}{kind} <{e}>"

        listed = sorted(hits, key=lambda e: (names.display[e].casefold(), e))
        out = [entry(e) for e in listed[:_MAX_LISTED]]
        if len(listed) > _MAX_LISTED:
            out.append(f"… {len(listed) - _MAX_LISTED} more")
        return out

    @staticmethod
    def _suggest(names: KindIndex, value: str) -> list[str]:
        return nearest(value, sorted(set(names.display.values())))


def as_iri(value: str) -> str | None:
    """The IRI ``value`` spells, if it spells one (``<…>``, ``scheme://…`` or a known ``prefix:local``)."""
    if value.startswith("<") and value.endswith(">"):
        return check_iri(value[1:-1])
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and " " not in value:
        return check_iri(PREFIXES[prefix] + local)
    if sep and local.startswith("//"):
        return check_iri(value)
    return None
