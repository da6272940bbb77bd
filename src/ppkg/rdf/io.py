"""Reading RDF files strictly, with errors a person can act on: ``file:line:col: message (hint)``.

Every RDF file ppkg reads goes through :func:`read_checked` and the strict Oxigraph parser first; rdflib
parses only files that passed. :data:`FORMATS` is the one table of file extensions and their syntaxes.
"""

from __future__ import annotations

import re
import stat
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from ppkg.errors import DataFileError, UnreadableFileWarning
from ppkg.rdf.corrections import current_graph


@dataclass(frozen=True)
class RdfSyntax:
    """An RDF syntax ppkg reads: its Oxigraph format, its rdflib format name, and whether it names graphs."""

    oxigraph: ox.RdfFormat
    rdflib: str
    quads: bool


FORMATS: dict[str, RdfSyntax] = {
    ".ttl": RdfSyntax(ox.RdfFormat.TURTLE, "turtle", False),
    ".trig": RdfSyntax(ox.RdfFormat.TRIG, "trig", True),
    ".nt": RdfSyntax(ox.RdfFormat.N_TRIPLES, "nt", False),
    ".nq": RdfSyntax(ox.RdfFormat.N_QUADS, "nquads", True),
}
"""File extensions ppkg reads, and their syntax. JSON-LD and RDF/XML are not accepted for data."""

INPUT_SUFFIXES = (*FORMATS, ".csv")
"""Every file type ppkg reads as input: the RDF syntaxes, and CSV for the stewards' templates."""


@dataclass(frozen=True)
class GraphFile:
    """One RDF file and the named graph it is loaded into (``None``: the file names its own graphs)."""

    path: Path
    graph: str | None
    skippable: bool = False
    """A contribution: when it cannot be read it is skipped with a warning instead of failing the graph."""

    @property
    def format(self) -> str:
        """The rdflib name of the file's syntax."""
        return syntax_of(self.path).rdflib


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


def syntax_of(path: Path) -> RdfSyntax:
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
    """The bytes of an input file, after checks that it is a regular file of a type ppkg reads, not too
    large, and UTF-8.

    The type is checked on the name before anything is opened, and only regular files are opened: a
    directory, a FIFO (which would block), a device such as ``/dev/zero`` or a symlink to one is refused.
    """
    if path.suffix.lower() not in INPUT_SUFFIXES:
        allowed = ", ".join(INPUT_SUFFIXES)
        raise DataFileError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; use {allowed}")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataFileError(str(path), "no such file") from None
    except OSError as err:
        raise DataFileError(str(path), f"cannot read: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise DataFileError(str(path), f"{kind}; give a file")
    if info.st_size > MAX_FILE_BYTES:
        raise DataFileError(str(path), f"file is {info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise DataFileError(str(path), f"cannot read: {err.strerror}") from None
    if len(data) > MAX_FILE_BYTES:  # it grew after the size check
        raise DataFileError(str(path), f"file is over the limit of {MAX_FILE_BYTES:,} bytes")
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
    syntax = syntax_of(path)
    data = read_checked(path)
    to_graph = ox.NamedNode(graph) if graph and not syntax.quads else None
    try:
        store.load(data, format=syntax.oxigraph, to_graph=to_graph)
    except SyntaxError as err:
        raise syntax_error(path, err) from None


def loadable(files: Iterable[GraphFile]) -> list[GraphFile]:
    """The files to load: all of them, except a skippable file (a contribution) that cannot be read, which is
    left in place, skipped and reported as an :class:`~ppkg.errors.UnreadableFileWarning` (one line with its
    path), so that one broken contribution never takes the whole data directory down."""
    kept = []
    for f in files:
        if f.skippable:
            try:
                load_into(ox.Store(), f.path, f.graph)
            except DataFileError as err:
                warnings.warn(UnreadableFileWarning(f"{err}; the file is left in place and skipped"), stacklevel=2)
                continue
        kept.append(f)
    return kept


def load_dataset(files: Iterable[GraphFile]) -> Dataset:
    """Parse RDF files into an rdflib dataset whose default graph is the union of its named graphs minus
    the statements that corrections supersede (:mod:`ppkg.rdf.corrections`), as in the Oxigraph engine.

    Files are checked with the strict parser first, so a broken file fails with ``file:line:col``.
    """
    dataset = Dataset()
    for f in loadable(files):
        load_into(ox.Store(), f.path, f.graph)
        with quiet_rdflib():
            if f.graph is None:
                dataset.parse(f.path, format=f.format)
            else:
                dataset.graph(URIRef(f.graph)).parse(f.path, format=f.format)
    default = dataset.default_graph
    with quiet_rdflib():
        union = [(s, p, o, default) for s, p, o, _ in dataset.quads((None, None, None, None))]
        default.addN(union)
        current_graph(default)
    return dataset


def parse_merged(data: bytes, path: Path) -> Graph:
    """The triples of one RDF document (``path`` names its syntax), every named graph merged into one graph."""
    dataset = Dataset()
    with quiet_rdflib():
        try:
            dataset.parse(data=data, format=syntax_of(path).rdflib)
        except Exception as err:  # rdflib raises many kinds; the strict parser has already passed the file
            raise DataFileError(str(path), f"cannot parse: {err}") from None
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def merged_graph(paths: Iterable[Path]) -> Graph:
    """The triples of RDF files, every named graph merged into one rdflib graph."""
    graph = Graph()
    for path in paths:
        graph += parse_merged(read_checked(path), path)
    return graph


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence the deprecation warnings rdflib 7 raises from its own internals (not from ppkg's calls)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        yield
