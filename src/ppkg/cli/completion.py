"""Shell completion: query names, ``--param`` names, and the labels a parameter of a query accepts.

Typer runs these when the shell asks (``ppkg --install-completion`` sets that up). Query names come from
the catalogue's file names; labels are read from the graph only when a parameter value is completed.
"""

from __future__ import annotations

import os
import shlex

import typer

from ppkg.query.names import ENTITY_CLASSES

_LABELS_QUERY = """
SELECT DISTINCT ?name WHERE {{
  ?entity a {cls} .
  {{ ?entity rdfs:label ?name }} UNION {{ ?entity skos:prefLabel ?name }} UNION {{ ?entity skos:altLabel ?name }}
  UNION {{ ?entity skos:notation ?name }} UNION {{ ?entity ppkg:stateCode ?name }}
}}
"""


def complete_query_name(incomplete: str) -> list[str]:
    """The catalogued query names that begin with ``incomplete``."""
    from ppkg.query.catalogue import Catalogue

    return [name for name in Catalogue().names if name.startswith(incomplete)]


def _command_words() -> list[str]:
    """The words of the command line being completed, as the shell passed them to typer."""
    line = os.environ.get("_TYPER_COMPLETE_ARGS") or os.environ.get("COMP_WORDS") or ""
    try:
        return shlex.split(line)
    except ValueError:  # an open quote in the word being completed
        return line.split()


def _query_name(ctx: typer.Context) -> str | None:
    from ppkg.query.catalogue import Catalogue

    catalogue = Catalogue()
    given = ctx.params.get("name")
    if isinstance(given, str) and given in catalogue:
        return given
    # while an option's value is being completed the parser may not have reached NAME: read the words
    return next((word for word in _command_words() if word in catalogue), None)


def complete_param(ctx: typer.Context, incomplete: str) -> list[str]:
    """``--param`` completion: the query's parameter names (``topic=``), then the labels a value may be.

    Labels are offered for parameters that name things in the graph (topic, program, rating, state,
    setting, role, organization, framework); the graph is loaded only for those.
    """
    from ppkg.query.catalogue import Catalogue

    name = _query_name(ctx)
    if name is None:
        return []
    spec = Catalogue().get(name)
    key, sep, prefix = incomplete.partition("=")
    if not sep:
        return [f"{p.name}=" for p in spec.params if p.name.startswith(key)]
    try:
        kind = spec.param(key).type
    except KeyError:
        return []
    if kind not in ENTITY_CLASSES:
        return []
    matches: dict[str, str] = {}  # one completion for spellings that differ only in case: the one as typed
    for label in _labels(kind):
        if label.casefold().startswith(prefix.casefold()):
            kept = matches.setdefault(label.casefold(), label)
            if not kept.startswith(prefix) and label.startswith(prefix):
                matches[label.casefold()] = label
    return [f"{key}={prefix}{label[len(prefix) :]}" for label in matches.values()]


def _labels(kind: str) -> list[str]:
    """Every name of every thing of ``kind`` in the graph (labels, alternative labels, codes), sorted."""
    import ppkg
    from ppkg.rdf.text import visible

    result = ppkg.load().query(_LABELS_QUERY.format(cls=ENTITY_CLASSES[kind]))
    names = {str(row[0]) for row in result.terms if row[0] is not None}
    return sorted((n for n in names if visible(n, newlines=False) == n), key=lambda n: (n.casefold(), n))
