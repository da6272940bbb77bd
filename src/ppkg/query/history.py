"""The history of a thing's statements: which ones corrections superseded, and which replaced them.

``describe`` reads every named graph, so a superseded statement still shows there, next to the value that
replaced it; :func:`history_notes` says which is which, by whom, when, why and on what source
(see :mod:`ppkg.rdf.corrections`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Identifier, Node

from ppkg.rdf.corrections import Correction, in_order, superseded
from ppkg.rdf.namespaces import compact

HISTORY_QUERY = """
SELECT ?correction ?thing ?property ?old ?oldLabel ?new ?newLabel ?when ?who ?why ?source WHERE {
  ?correction a ppkg:Correction ; rdf:subject ?thing ; rdf:predicate ?property ; rdf:object ?old .
  OPTIONAL { ?old rdfs:label ?oldLabel }
  OPTIONAL { ?correction schema:replacer ?new OPTIONAL { ?new rdfs:label ?newLabel } }
  OPTIONAL { ?correction prov:generatedAtTime ?when }
  OPTIONAL { ?correction prov:wasAttributedTo/rdfs:label ?who }
  OPTIONAL { ?correction rdfs:comment ?why }
  OPTIONAL { ?correction prov:wasDerivedFrom ?source }
}
ORDER BY ?correction
"""
"""The corrections of the statements of ``?thing`` (bind it), with who, when, why and the source."""


@dataclass(frozen=True)
class _Row:
    correction: Correction
    old_label: str
    new_label: str | None
    who: str | None


def _shown(value: Node | None, label: Identifier | None) -> str:
    if label is not None:
        return str(label)
    if isinstance(value, Literal):
        return f'"{value}"'
    return compact(str(value))


def _read(rows: Iterable[Sequence[Identifier | None]]) -> list[_Row]:
    found: dict[str, _Row] = {}
    for node, thing, prop, old, old_label, new, new_label, when, who, why, source in rows:
        if node is None or thing is None or prop is None or old is None or str(node) in found:
            continue
        correction = Correction(
            node=node,
            subject=thing,
            predicate=prop,
            old=old,
            new=new,
            by=None,
            at=when if isinstance(when, Literal) else None,
            why=str(why) if why is not None else None,
            source=source,
        )
        found[str(node)] = _Row(
            correction, _shown(old, old_label), _shown(new, new_label) if new is not None else None, _text(who)
        )
    ordered = in_order(r.correction for r in found.values())
    return [found[str(c.node)] for c in ordered]


def _text(term: Identifier | None) -> str | None:
    return str(term) if term is not None else None


def _by_whom(row: _Row) -> str:
    c = row.correction
    parts = [f"on {str(c.at)[:10]}" if c.at is not None else "", f"by {row.who}" if row.who else ""]
    said = " ".join(p for p in parts if p)
    why = f": {c.why}" if c.why else ""
    source = f"; source: {c.source}" if c.source is not None else ""
    return f"{said}{why}{source}".strip()


def history_notes(rows: Iterable[Sequence[Identifier | None]]) -> dict[tuple[str, str], str]:
    """``(property, value)`` → what the corrections say about that statement of the thing, for the rows
    of :data:`HISTORY_QUERY`: ``superseded by …`` for a statement no longer current, ``corrected …`` for
    the value that replaced it."""
    history = _read(rows)
    gone = superseded(r.correction for r in history)
    notes: dict[tuple[str, str], str] = {}
    for row in history:  # oldest first: the latest correction of a statement has the last word
        c = row.correction
        if c.statement in gone:
            replaced = f"by {row.new_label} " if row.new_label else "without replacement "
            notes[(str(c.predicate), str(c.old))] = f"superseded {replaced}{_by_whom(row)}".strip()
        if c.new is not None and (c.subject, c.predicate, c.new) not in gone:
            notes[(str(c.predicate), str(c.new))] = f"corrected from {row.old_label} {_by_whom(row)}".strip()
    return notes
