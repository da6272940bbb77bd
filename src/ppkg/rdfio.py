"""Reading RDF files strictly, with errors a person can act on: ``file:line:col: message (hint)``."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from ppkg.errors import DataFileError

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
}
"""File extensions ppkg reads, and their syntax. JSON-LD and RDF/XML are not accepted for data."""

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest RDF file ppkg parses (50 MB)."""

_HINTS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"prefix .*(not|never) (been )?(declared|defined|found)|unknown prefix|undefined prefix", re.I),
        "declare the prefix with @prefix before using it",
    ),
    (
        re.compile(r"dot is expected|followed by a dot|expected '\.'|unexpected end", re.I),
        "a statement may be missing its final '.'",
    ),
    (re.compile(r"iri|url", re.I), "IRIs go in <...> and may not contain spaces, quotes, <, >, {, } or |"),
    (re.compile(r"string|quote|literal", re.I), "a string may be missing its closing quote"),
]
_POSITION = re.compile(r"^Parser error (?:at|between) line \d+[^:]*: ", re.I)


def rdf_format(path: Path) -> ox.RdfFormat:
    """The syntax of an RDF file, by extension; other extensions are refused."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        allowed = ", ".join(sorted(FORMATS))
        raise DataFileError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; use {allowed}") from None


def hint_for(message: str) -> str | None:
    """A short hint for a parser message, when one applies."""
    for pattern, hint in _HINTS:
        if pattern.search(message):
            return hint
    return None


def syntax_error(path: Path, err: SyntaxError) -> DataFileError:
    """Turn a pyoxigraph ``SyntaxError`` into ``file:line:col: message (hint)``."""
    message = str(err.msg if getattr(err, "msg", None) else err)
    line = getattr(err, "lineno", None)
    column = getattr(err, "offset", None)
    match = _POSITION.match(message)
    if match:
        message = message[match.end() :]
    hint = hint_for(message)
    return DataFileError(str(path), message + (f" (hint: {hint})" if hint else ""), line, column)


def read_checked(path: Path) -> bytes:
    """The bytes of an RDF file, after checks that it exists, is not too large and is UTF-8."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataFileError(str(path), "no such file") from None
    except OSError as err:
        raise DataFileError(str(path), f"cannot read: {err.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise DataFileError(str(path), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataFileError(str(path), "the file is not UTF-8 (hint: save it as UTF-8)", line) from None
    if text.startswith("\ufeff"):
        data = text[1:].encode("utf-8")
    return data


def load_into(store: ox.Store, path: Path, graph: str | None) -> None:
    """Parse ``path`` strictly into ``store`` (into ``graph`` for triple formats)."""
    fmt = rdf_format(path)
    data = read_checked(path)
    to_graph = ox.NamedNode(graph) if graph and fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES) else None
    try:
        store.load(data, format=fmt, to_graph=to_graph)
    except SyntaxError as err:
        raise syntax_error(path, err) from None
