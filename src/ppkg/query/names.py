"""Names people type for the things in the graph, and the one resolver that turns a name into an IRI.

Topics, programs, ratings, states, settings, roles, organizations and frameworks are named by any of
their labels (``rdfs:label``, ``skos:prefLabel``, ``skos:altLabel``, ``skos:notation``, the state code or
the IRI's slug), in any case and punctuation, or by IRI (full, ``<…>`` or ``prefix:local``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Identifier

from ppkg.errors import UnknownValueError
from ppkg.query.engines import Engine, OxigraphEngine
from ppkg.query.safety import check_iri
from ppkg.rdf.io import GraphFile
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.text import nearest, normalize

ENTITY_CLASSES: dict[str, str] = {
    "topic": "ppkg:TrainingTopic",
    "program": "ppkg:Program",
    "rating": "ppkg:RatingLevel",
    "state": "ppkg:State",
    "setting": "ppkg:Setting",
    "role": "ppkg:Role",
    "organization": "ppkg:Organization",
    "framework": "ppkg:PracticeFramework",
}
"""Parameter types that name things in the graph, and the class those things have."""

_CLASS_ROWS = " ".join(f'({cls} "{kind}")' for kind, cls in ENTITY_CLASSES.items())
LABEL_INDEX_QUERY = (
    """
SELECT ?kind ?entity ?display ?name WHERE {
  VALUES (?class ?kind) { """
    + _CLASS_ROWS
    + """ }
  ?entity a ?class .
  OPTIONAL { ?entity rdfs:label ?display }
  { ?entity rdfs:label ?name } UNION { ?entity skos:prefLabel ?name }
  UNION { ?entity skos:altLabel ?name } UNION { ?entity skos:notation ?name }
  UNION { ?entity ppkg:stateCode ?name }
}
"""
)


@dataclass
class LabelIndex:
    """Every name of every nameable entity, by parameter type."""

    by_name: dict[str, dict[str, set[str]]]
    display: dict[str, str]
    members: dict[str, set[str]]

    @classmethod
    def build(cls, rows: list[tuple[Identifier | None, ...]]) -> LabelIndex:
        """Build from rows of ``(kind, entity, display, name)``."""
        by_name: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        display: dict[str, str] = {}
        members: dict[str, set[str]] = defaultdict(set)
        for kind, entity, label, name in rows:
            k, e = str(kind), str(entity)
            members[k].add(e)
            if label is not None:
                display.setdefault(e, str(label))
            if name is not None:
                by_name[k][normalize(str(name))].add(e)
            slug = e.rstrip("/").rsplit("/", 1)[-1]
            by_name[k][normalize(slug)].add(e)
        return cls(by_name, display, members)

    @classmethod
    def of_engine(cls, engine: Engine) -> LabelIndex:
        """The names of everything nameable that ``engine``'s graph holds."""
        return cls.build(engine.execute(LABEL_INDEX_QUERY, "SELECT", {}).rows)

    @classmethod
    def of_files(cls, files: Iterable[GraphFile]) -> LabelIndex:
        """The names of everything nameable in RDF files (loaded into a scratch Oxigraph store)."""
        return cls.of_engine(OxigraphEngine.from_files(files))

    def label(self, iri: str) -> str:
        """The display label of an entity (its IRI when it has none)."""
        return self.display.get(iri, iri)

    def resolve(self, kind: str, value: str) -> URIRef:
        """The one entity of type ``kind`` that ``value`` names."""
        raw = value.strip()
        iri = as_iri(raw)
        if iri is not None:
            if iri in self.members.get(kind, set()):
                return URIRef(iri)
            raise UnknownValueError(kind, raw, self._suggest(kind, raw))
        hits = self.by_name.get(kind, {}).get(normalize(raw), set())
        if len(hits) == 1:
            return URIRef(next(iter(hits)))
        if len(hits) > 1:
            labels = sorted(f"{self.label(h)} <{h}>" for h in hits)
            raise UnknownValueError(kind, raw, labels, ambiguous=True)
        raise UnknownValueError(kind, raw, self._suggest(kind, raw))

    def _suggest(self, kind: str, value: str) -> list[str]:
        names = {self.label(e) for e in self.members.get(kind, set())}
        return nearest(value, sorted(names))


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
