"""Reading RDF files strictly, with errors a person can act on: ``file:line:col: message (hint)``.

Every RDF file ppkg reads goes through :func:`read_checked` (a regular local file of a known type, size-capped,
UTF-8) and then one strict parser, Oxigraph's, whose statements :func:`parse_checked` checks against the input
limits (:class:`InputLimits`). rdflib never parses a file: its graphs are built from Oxigraph's statements, so
no file is read twice with different rules, a relative IRI is never resolved against the file's path, and
deep nesting cannot exhaust Python's stack. :data:`FORMATS` is the one table of file extensions and syntaxes.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ppkg.errors import DataFileError, ParameterError, UnreadableFileWarning
from ppkg.rdf.corrections import current_graph
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.terms import from_ox

if TYPE_CHECKING:
    from rdflib import Dataset, Graph


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
class InputLimits:
    """The limits every input file is read under; each is lifted with the environment variable
    ``PPKG_MAX_<FIELD NAME IN CAPITALS>`` (e.g. ``PPKG_MAX_LITERAL_CHARS=1000000``), read when a file is read."""

    max_file_bytes: int = 50 * 1024 * 1024
    """Largest input file, in bytes (checked before it is read)."""
    max_literal_chars: int = 64 * 1024
    """Longest literal (a label, a description…), in characters."""
    max_nesting: int = 64
    """Deepest nesting of blank nodes, ``[ … ]`` or ``( … )`` inside each other."""
    max_list_items: int = 10_000
    """Longest RDF list ``( … )``, in items."""

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable that sets the limit ``name``."""
        return f"PPKG_{name.upper()}"

    @classmethod
    def current(cls) -> InputLimits:
        """The limits in force: the defaults, each replaced by its environment variable when set."""
        values: dict[str, int] = {}
        for f in fields(cls):
            raw = os.environ.get(cls.variable(f.name))
            if raw is None or not raw.strip():
                continue
            try:
                values[f.name] = int(raw.replace("_", ""))
            except ValueError:
                raise ParameterError(f"{cls.variable(f.name)}={raw!r}: give a whole number") from None
            if values[f.name] < 1:
                raise ParameterError(f"{cls.variable(f.name)}={raw!r}: give a number above 0")
        return cls(**values)

    def exceeded(self, name: str, what: str) -> str:
        """The message for ``what`` going past the limit ``name``, saying how to lift it."""
        return f"{what}; the limit is {getattr(self, name):,} (set {self.variable(name)} to lift it)"


PARSER_TOKEN_BYTES = 16 * 1024 * 1024
"""The longest single token (a literal or IRI) Oxigraph's parser reads; beyond it the file cannot be parsed."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 control characters (and DEL) other than tab, line feed and carriage return: refused in literals."""

_RDF_REST = ox.NamedNode(PREFIXES["rdf"] + "rest")
_OWL_IMPORTS = ox.NamedNode(PREFIXES["owl"] + "imports")


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


MAX_FILE_BYTES = InputLimits.max_file_bytes
"""Largest RDF file ppkg parses by default (50 MB; see :class:`InputLimits`)."""

_HINTS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"prefix .*(not|never) (been )?(declared|defined|found)|unknown prefix|undefined prefix", re.I),
        "declare the prefix with @prefix before using it",
    ),
    (
        re.compile(r"dot is expected|followed by a dot|expected '\.'|unexpected end", re.I),
        "a statement may be missing its final '.'",
    ),
    (
        re.compile(r"no scheme found|relative iri|base iri", re.I),
        "relative IRIs are not resolved (there is no base, and never the file's path): write full IRIs such as "
        "<https://w3id.org/ppkg/id/program/NAME>, or declare @base",
    ),
    (re.compile(r"iri|url", re.I), "IRIs go in <...> and may not contain spaces, quotes, <, >, {, } or |"),
    (re.compile(r"string|quote|literal", re.I), "a string may be missing its closing quote"),
]
_POSITION = re.compile(r"^Parser error (?:at|between) line \d+[^:]*: ", re.I)
_LOOKS_LIKE = [
    (re.compile(rb"^\s*(\{|\[\s*\{|\[\s*\])"), "JSON-LD"),
    (re.compile(rb"^\s*<(\?xml|!DOCTYPE|!ENTITY|rdf:RDF)", re.I), "RDF/XML"),
]


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


def syntax_error(path: Path, err: SyntaxError, data: bytes = b"") -> DataFileError:
    """Turn a pyoxigraph ``SyntaxError`` into ``file:line:col: message (hint)``.

    A file whose content is JSON-LD or RDF/XML under an RDF extension is named as such: ppkg never guesses a
    syntax from the content.
    """
    message = str(err.msg if getattr(err, "msg", None) else err)
    line = getattr(err, "lineno", None)
    column = getattr(err, "offset", None)
    match = _POSITION.match(message)
    if match:
        message = message[match.end() :]
    hint = hint_for(message)
    for pattern, name in _LOOKS_LIKE:
        if pattern.match(data[:4096]):
            syntax = syntax_of(path).rdflib.capitalize().replace("Nt", "N-Triples").replace("Nquads", "N-Quads")
            hint = (
                f"the file holds {name}, not {syntax}; ppkg reads only Turtle, TriG, N-Triples and N-Quads, "
                "chosen by the file's extension"
            )
    return DataFileError(str(path), message + (f" (hint: {hint})" if hint else ""), line, column)


def is_url(name: str | Path) -> bool:
    """Whether a name given as a file is a URL (``http://…``, ``file:…``; a ``Path`` keeps ``http:/…``)."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", str(name)))


def input_paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The paths of input files, given one path or several (a single string is one path, not its characters)."""
    if isinstance(paths, (str, Path)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def _refuse_url(path: Path) -> None:
    if is_url(path):
        raise DataFileError(str(path), "a URL, not a file: ppkg reads local files only and fetches nothing")


def _regular(path: Path) -> os.stat_result:
    """The file's status, if it is a regular file (following symlinks); opens nothing."""
    _refuse_url(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise DataFileError(str(path), "no such file") from None
    except OSError as err:
        raise DataFileError(str(path), f"cannot read: {err.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise DataFileError(str(path), f"{kind}; give a file")
    return info


def _check_suffix(path: Path) -> None:
    _refuse_url(path)
    if path.suffix.lower() not in INPUT_SUFFIXES:
        allowed = ", ".join(INPUT_SUFFIXES)
        raise DataFileError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; use {allowed}")


def check_input(path: Path) -> None:
    """Refuse, without opening it, a path that is not a local regular file of a type ppkg reads: a URL, another
    extension, a directory, a FIFO, a device (or a symlink to one), a missing file."""
    _check_suffix(path)
    _regular(path)


def read_regular(path: Path, limit: int, *, limit_name: str | None = None) -> bytes:
    """The bytes of a regular local file of at most ``limit`` bytes.

    A URL is refused (nothing is fetched), and only regular files are opened: a directory, a FIFO (which
    would block), a device such as ``/dev/zero`` or a symlink to one is refused before it is opened. The size
    is checked before reading, and the read stops at the limit in case the file grows meanwhile.
    """
    info = _regular(path)

    def too_large(what: str) -> DataFileError:
        if limit_name is None:
            return DataFileError(str(path), f"{what}; the limit is {limit:,} bytes")
        return DataFileError(str(path), InputLimits.current().exceeded(limit_name, what))

    if info.st_size > limit:
        raise too_large(f"file of {info.st_size:,} bytes")
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise DataFileError(str(path), f"cannot read: {err.strerror}") from None
    if len(data) > limit:  # it grew after the size check
        raise too_large("file over the limit")
    return data


def read_checked(path: Path) -> bytes:
    """The bytes of an input file, after checks that it is a regular file of a type ppkg reads, not too
    large (:attr:`InputLimits.max_file_bytes`), and UTF-8. A UTF-8 byte order mark is dropped.

    The type is checked on the name before anything is opened (see :func:`read_regular`).
    """
    _check_suffix(path)
    data = read_regular(path, InputLimits.current().max_file_bytes, limit_name="max_file_bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise DataFileError(str(path), "the file is not UTF-8 (hint: save it as UTF-8)", line) from None
    if text.startswith("\ufeff"):
        data = text[1:].encode("utf-8")
    return data


def parse_checked(data: bytes, path: Path) -> list[ox.Quad]:
    """The statements of one RDF document (``path`` names its syntax), parsed strictly by Oxigraph and checked
    against the :class:`InputLimits`: literal length, control characters, blank-node nesting, list length.

    Triple formats give quads in the default graph. Raises :class:`~ppkg.errors.DataFileError`.
    """
    syntax = syntax_of(path)
    try:
        quads = list(ox.parse(data, format=syntax.oxigraph))
    except SyntaxError as err:
        raise syntax_error(path, err, data) from None
    except MemoryError:  # Oxigraph's token buffer: a literal or IRI of more than PARSER_TOKEN_BYTES
        limits = InputLimits.current()
        what = f"a literal or IRI of more than {PARSER_TOKEN_BYTES:,} bytes"
        raise DataFileError(str(path), limits.exceeded("max_literal_chars", what), _long_line(data)) from None
    check_limits(quads, path, data)
    return quads


def check_limits(quads: Sequence[ox.Quad], path: Path, data: bytes = b"") -> None:
    """Refuse statements that go past the :class:`InputLimits` or that tools downstream cannot handle."""
    limits = InputLimits.current()
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal):
            value = o.value
            if len(value) > limits.max_literal_chars:
                what = f"a literal of {len(value):,} characters"
                raise DataFileError(str(path), limits.exceeded("max_literal_chars", what), _line_of(data, value))
            if control := _CONTROL.search(value):
                code = f"U+{ord(control.group()):04X}"
                raise DataFileError(
                    str(path),
                    f"a literal holds the control character {code}; remove it (only tab and line breaks are allowed)",
                    _line_of(data, control.group()),
                )
        elif isinstance(o, ox.Triple) or isinstance(q.subject, ox.Triple):
            raise DataFileError(str(path), "quoted triples (RDF-star) are not supported")
    nesting, items = _blank_node_shape(quads)
    if nesting > limits.max_nesting:
        what = f"blank nodes nested {nesting:,} deep ([ ] or ( ) inside each other)"
        raise DataFileError(str(path), limits.exceeded("max_nesting", what))
    if items > limits.max_list_items:
        raise DataFileError(str(path), limits.exceeded("max_list_items", f"a list of {items:,} items"))


def stream_checked(path: Path, graph: str | None = None) -> Iterator[ox.Quad]:
    """The statements of a large RDF file, parsed by Oxigraph straight from disk and checked one by one against
    the :class:`InputLimits` as :func:`parse_checked` does, without holding them all (``graph``: the named
    graph of a triple format). The nesting and list checks need every blank node and run at the end, so a
    file that breaks them raises :class:`~ppkg.errors.DataFileError` after its statements were yielded: a
    caller that must not keep part of a file builds into something it can throw away."""
    syntax = syntax_of(path)
    _check_suffix(path)
    _regular(path)
    limits = InputLimits.current()
    if path.stat().st_size > limits.max_file_bytes:
        read_checked(path)  # raises the usual message
    target = ox.NamedNode(graph) if graph and not syntax.quads else None
    parents: list[ox.Quad] = []
    try:
        for q in ox.parse(path=str(path), format=syntax.oxigraph):
            o = q.object
            if isinstance(o, ox.Literal):
                if len(o.value) > limits.max_literal_chars or _CONTROL.search(o.value):
                    check_limits([q], path, path.read_bytes())
            elif isinstance(o, ox.BlankNode):
                parents.append(q)
            elif isinstance(o, ox.Triple) or isinstance(q.subject, ox.Triple):
                check_limits([q], path)
            yield q if target is None else ox.Quad(q.subject, q.predicate, q.object, target)
    except SyntaxError as err:
        raise syntax_error(path, err, path.read_bytes()) from None
    except MemoryError:  # Oxigraph's token buffer: a literal or IRI of more than PARSER_TOKEN_BYTES
        what = f"a literal or IRI of more than {PARSER_TOKEN_BYTES:,} bytes"
        raise DataFileError(str(path), limits.exceeded("max_literal_chars", what)) from None
    check_limits(parents, path)


def _blank_node_shape(quads: Sequence[ox.Quad]) -> tuple[int, int]:
    """The deepest nesting of blank nodes and the longest ``rdf:rest`` chain, computed without recursion."""
    parent: dict[str, tuple[str | None, bool]] = {}
    for q in quads:
        o = q.object
        if isinstance(o, ox.BlankNode) and o.value not in parent:
            s = q.subject
            parent[o.value] = (s.value if isinstance(s, ox.BlankNode) else None, q.predicate == _RDF_REST)
    shape: dict[str, tuple[int, int]] = {}
    deepest = longest = 0
    for start in parent:
        chain: list[str] = []
        node: str | None = start
        seen: set[str] = set()
        base = (0, 0)
        while node is not None and node not in shape:
            if node in seen:  # a cycle of labelled blank nodes: count it once
                break
            seen.add(node)
            chain.append(node)
            node = parent[node][0] if node in parent else None
        if node is not None and node in shape:
            base = shape[node]
        for n in reversed(chain):
            depth, run = base
            rest = parent[n][1] if n in parent else False
            base = (depth, run + 1) if rest else (depth + 1, 0)
            shape[n] = base
            deepest, longest = max(deepest, base[0]), max(longest, base[1] + 1)
    return deepest, (longest if longest > 1 else 0)


def _line_of(data: bytes, value: str) -> int | None:
    """The line where ``value`` (the start of a literal, or a control character) is written, when it appears as
    is or, for one character, as a ``\\uXXXX`` escape."""
    probes = [value[:64]]
    if len(value) == 1:
        probes += [f"\\u{ord(value):04X}", f"\\u{ord(value):04x}", f"\\U{ord(value):08X}", f"\\U{ord(value):08x}"]
    for probe in probes:
        at = data.find(probe.encode("utf-8")) if probe else -1
        if at >= 0:
            return data[:at].count(b"\n") + 1
    return None


def _long_line(data: bytes) -> int | None:
    """The first line longer than the parser's token limit, if any."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if len(line) > PARSER_TOKEN_BYTES:
            return number
    return None


def read_quads(path: Path) -> list[ox.Quad]:
    """The checked statements of an RDF file (:func:`read_checked`, then :func:`parse_checked`)."""
    return parse_checked(read_checked(path), path)


def load_into(store: ox.Store, path: Path, graph: str | None) -> None:
    """Parse ``path`` strictly into ``store`` (into ``graph`` for triple formats), after the checks of
    :func:`parse_checked`."""
    syntax = syntax_of(path)
    data = read_checked(path)
    parse_checked(data, path)
    to_graph = ox.NamedNode(graph) if graph and not syntax.quads else None
    try:
        store.load(data, format=syntax.oxigraph, to_graph=to_graph)
    except SyntaxError as err:  # not reached: the same parser has just read the file
        raise syntax_error(path, err, data) from None


def loadable(files: Iterable[GraphFile]) -> list[GraphFile]:
    """The files to load: all of them, except a skippable file (a contribution) that cannot be read, which is
    left in place, skipped and reported as an :class:`~ppkg.errors.UnreadableFileWarning` (one line with its
    path), so that one broken contribution never takes the whole data directory down."""
    kept = []
    for f in files:
        if f.skippable:
            try:
                read_quads(f.path)
            except DataFileError as err:
                warnings.warn(UnreadableFileWarning(f"{err}; the file is left in place and skipped"), stacklevel=2)
                continue
        kept.append(f)
    return kept


def add_quads(dataset: Dataset, quads: Iterable[ox.Quad], graph: str | None = None) -> None:
    """Add Oxigraph statements to an rdflib dataset: into ``graph`` if given, else into each one's own graph
    (the dataset's default graph for statements in the default graph)."""
    from rdflib import URIRef

    contexts: dict[str, Graph] = {}

    def context(name: str | None) -> Graph:
        if name is None:
            default: Graph = dataset.default_graph
            return default
        if name not in contexts:
            contexts[name] = dataset.graph(URIRef(name))
        return contexts[name]

    fixed = context(graph) if graph is not None else None
    batch = []
    for q in quads:
        target = fixed
        if target is None:
            name = q.graph_name
            target = context(name.value if isinstance(name, ox.NamedNode) else None)
        batch.append((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), target))
    with quiet_rdflib():
        dataset.addN(batch)  # type: ignore[arg-type]


def load_dataset(files: Iterable[GraphFile]) -> Dataset:
    """Read RDF files into an rdflib dataset whose default graph is the union of its named graphs minus
    the statements that corrections supersede (:mod:`ppkg.rdf.corrections`), as in the Oxigraph engine.

    Each file is read and checked as :func:`read_quads` does, so a broken file fails with ``file:line:col``.
    """
    from rdflib import Dataset

    dataset = Dataset()
    for f in loadable(files):
        add_quads(dataset, read_quads(f.path), f.graph if not syntax_of(f.path).quads else None)
    default = dataset.default_graph
    with quiet_rdflib():
        union = [(s, p, o, default) for s, p, o, _ in dataset.quads((None, None, None, None))]
        default.addN(union)
        current_graph(default)
    return dataset


def _merged(quads: Iterable[ox.Quad]) -> Graph:
    from rdflib import Graph

    graph = Graph()
    with quiet_rdflib():
        graph.addN((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), graph) for q in quads)  # type: ignore[misc]
    return graph


def parse_merged(data: bytes, path: Path) -> Graph:
    """The triples of one submitted RDF document (``path`` names its syntax), every named graph merged into one
    graph, checked as :func:`parse_checked` does.

    ``owl:imports`` is refused here: a contribution is the statements it holds, and nothing it names is ever
    fetched or read.
    """
    quads = parse_checked(data, path)
    for q in quads:
        if q.predicate == _OWL_IMPORTS:
            target = q.object.value if isinstance(q.object, ox.NamedNode) else str(q.object)
            raise DataFileError(
                str(path),
                f"owl:imports <{target}> is not accepted in a contribution and is never fetched; "
                "add the statements you need to the contribution itself",
                _line_of(data, target),
            )
    return _merged(quads)


def merged_graph(paths: Iterable[Path]) -> Graph:
    """The triples of RDF files, every named graph merged into one rdflib graph."""
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        graph += _merged(read_quads(path))
    return graph


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Silence the deprecation warnings rdflib 7 raises from its own internals (not from ppkg's calls)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        yield
