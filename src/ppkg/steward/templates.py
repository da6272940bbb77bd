"""Tabular templates for data stewards who do not write RDF.

``ppkg template program`` prints a CSV with a header row and one example row; stewards fill one row per
program (or organization, training topic, curriculum item, rating, resource). :func:`convert` turns a filled
CSV into RDF, resolving states, settings, topics, ratings and organizations by name as the query parameters
do, and also by the names the other rows of the file, and the other files of the same contribution, give
(a curriculum may name a program added in the same contribution). Every problem is reported with its row
and column, and the node each row becomes is remembered so validation messages can point back to the row.
The kind of template is recognised from the header row; files exported with ``;`` or tabs between the
cells (as some spreadsheet programs write them) are read too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS, XSD
from rdflib.term import Node

from ppkg.errors import DataFileError, ParameterError, UnknownValueError
from ppkg.query.names import LabelIndex
from ppkg.rdf.namespaces import ID, PPKG, SCHEMA
from ppkg.rdf.text import normalize
from ppkg.validation.lint import NOT_IN_IRI, SCHEME

NULLS = {"", "na", "n/a", "null", "none", "-"}
"""Cell values read as empty (case does not matter): a cell holding one of them adds nothing."""

MAX_CELL_CHARS = 65_536
"""The longest cell a template may have, in characters (a longer one is refused with its row and column)."""

SOURCE_SCHEMES = ("http", "https", "urn")
"""The schemes a source IRI may have: a web page (``https://…``) or a URN (``urn:isbn:…``)."""

WEB_SCHEMES = ("http", "https")
"""The schemes a web address (a ``url`` column) may have."""

_WEB = re.compile(r"^https?://[^/?#@:]+(?::[0-9]{1,5})?(?:[/?#].*)?$", re.IGNORECASE)
_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:.+$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

DELIMITERS = (",", ";", "\t")
"""Cell separators a template may use, tried in this order."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHASES = {"before mentoring": "before-mentoring", "during the first year": "first-year", "first year": "first-year"}
TOPIC_SCHEME = URIRef(ID["scheme/training-topics"])
"""The concept scheme of the training topics."""


def iri_problem(value: str, schemes: tuple[str, ...] = SOURCE_SCHEMES) -> str | None:
    """Why ``value`` cannot be used as a source (or, with ``schemes=WEB_SCHEMES``, a web address), or
    ``None`` if it can: an absolute IRI of one of ``schemes``, without spaces or control characters."""
    bad = NOT_IN_IRI.search(value)
    if bad:
        char = bad.group()
        what = "a space" if char == " " else f"the character U+{ord(char):04X}"
        return f"{value!r} is not an IRI: it contains {what}"
    scheme = SCHEME.match(value)
    allowed = ", ".join(schemes[:-1]) + f" or {schemes[-1]}"
    if scheme is None:
        return f"{value!r} is not an IRI: it has no scheme; use an {allowed} IRI"
    name = scheme.group()[:-1].lower()
    if name not in schemes:
        return f"{value!r} has the scheme {name!r}; only {allowed} IRIs are accepted"
    if name == "urn" and not _URN.match(value):
        return f"{value!r} is not a URN: write urn:<namespace>:<name>"
    if name in WEB_SCHEMES and not _WEB.match(value):
        return f"{value!r} is not a web address: write {name}://<host>/<path>"
    return None


def source_problem(value: str) -> str | None:
    """Why ``value`` cannot be a source IRI (``None`` if it can): sources are http, https or urn IRIs."""
    return iri_problem(value, SOURCE_SCHEMES)


@dataclass(frozen=True)
class Column:
    """One column of a template; ``multi``: it takes several values, with ``;`` between them."""

    name: str
    required: bool
    help: str
    example: str
    multi: bool = False


TEMPLATES: dict[str, list[Column]] = {
    "program": [
        Column("slug", True, "identifier: lowercase words joined by hyphens", "example-parent-partner-program"),
        Column("name", True, "the program's name", "Example Parent Partner Program"),
        Column("state", False, "two-letter code or name", "CA"),
        Column(
            "setting",
            False,
            "community provider, court or child welfare agency; ';' between several",
            "community provider",
            multi=True,
        ),
        Column(
            "operated_by",
            False,
            "an organization in the graph (or in this contribution), by name; ';' between several",
            "Casey Family Programs",
            multi=True,
        ),
        Column("description", False, "what the source says the program does", "A peer mentoring program."),
        Column(
            "target_population",
            False,
            "who the program is for, in the source's words",
            "Parents involved with the child welfare system",
        ),
        Column(
            "based_on",
            False,
            "a program in the graph (or in this contribution) whose model it is built on; ';' between several",
            "",
            multi=True,
        ),
        Column("source_url", False, "where these facts come from", "https://example.org/program"),
    ],
    "organization": [
        Column("slug", True, "identifier: lowercase words joined by hyphens", "example-family-services"),
        Column("name", True, "the organization's name", "Example Family Services"),
        Column("type", True, "organization, or rating body for an evidence clearinghouse", "organization"),
        Column("alt_names", False, "other names or abbreviations; ';' between several", "EFS", multi=True),
        Column("state", False, "two-letter code or name, where it is based", "OR"),
        Column("url", False, "its website", "https://example.org/"),
        Column("description", False, "what the source says it does", "A nonprofit serving families."),
        Column("source_url", False, "where these facts come from", "https://example.org/about"),
    ],
    "topic": [
        Column("slug", True, "identifier: lowercase words joined by hyphens", "grief-and-loss"),
        Column("label", True, "the topic's name, lowercase unless a proper name", "grief and loss"),
        Column(
            "alt_labels", False, "other words people use for it; ';' between several", "grief; bereavement", multi=True
        ),
        Column(
            "broader",
            False,
            "the topic it is part of, in the graph (or in this contribution); empty: a top topic",
            "self-care and wellness",
        ),
        Column(
            "definition",
            False,
            "one sentence saying what it covers",
            "Coping with grief and loss, one's own and others'.",
        ),
        Column("source_url", False, "where the topic or its definition comes from", "https://example.org/curriculum"),
    ],
    "curriculum": [
        Column("program", True, "a program in the graph (or in this contribution), by name or slug", "START"),
        Column("position", True, "1, 2, 3… in the source's order", "1"),
        Column("item", True, "the training item exactly as the source words it", "Motivational interviewing"),
        Column("topics", True, "training topics by name; ';' between several", "motivational interviewing", multi=True),
        Column("phase", False, "before mentoring or during the first year", ""),
        Column("hours", False, "hours, where the source gives them", ""),
    ],
    "rating": [
        Column(
            "program", True, "a program in the graph (or in this contribution), by name or slug", "Parents Anonymous"
        ),
        Column("level", True, "a level of the CEBC scale: 1–5, NR, or its name", "3"),
        Column("date", False, "YYYY-MM-DD the rating was made or reviewed", "2024-05-01"),
        Column("source_title", True, "title of the page or document that states the rating", "CEBC program page"),
        Column("source_url", True, "its URL", "https://www.cebc4cw.org/program/example/"),
    ],
    "resource": [
        Column("slug", True, "identifier: lowercase words joined by hyphens", "example-toolkit"),
        Column("title", True, "the resource's title", "Example Toolkit"),
        Column(
            "type", True, "website, manual, toolkit, guide, report, information notice or training resource", "toolkit"
        ),
        Column(
            "publisher",
            False,
            "an organization in the graph (or in this contribution), by name; ';' between several",
            "Casey Family Programs",
            multi=True,
        ),
        Column("url", False, "where it is", "https://example.org/toolkit"),
        Column("description", True, "what it is about", "Tools for engaging fathers."),
        Column("coverage", False, "subjects it covers; ';' between several", "engaging fathers; funding", multi=True),
    ],
}
"""The templates, by kind."""

DEFINES: dict[str, tuple[str, ...]] = {"organization": ("organization",), "topic": ("topic",), "program": ("program",)}
"""What each template adds that other rows and files may name: template kind → the kinds of things."""

RESOURCE_TYPES = {
    "website": PPKG.Website,
    "manual": PPKG.Manual,
    "toolkit": PPKG.Toolkit,
    "guide": PPKG.Guide,
    "report": PPKG.Report,
    "information notice": PPKG.InformationNotice,
    "training resource": PPKG.TrainingResource,
}

ORGANIZATION_TYPES = {"organization": PPKG.Organization, "rating body": PPKG.RatingBody}


def render(kind: str) -> str:
    """The CSV template of ``kind``: header and one example row."""
    if kind not in TEMPLATES:
        raise UnknownValueError("template", kind, sorted(TEMPLATES))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.name for c in TEMPLATES[kind]])
    writer.writerow([c.example for c in TEMPLATES[kind]])
    return buf.getvalue()


def describe_template(kind: str) -> str:
    """The columns of a template with what goes in them (for ``--help``-style output)."""
    if kind not in TEMPLATES:
        raise UnknownValueError("template", kind, sorted(TEMPLATES))
    return "\n".join(f"{c.name}{' (required)' if c.required else ''}: {c.help}" for c in TEMPLATES[kind])


# -- reading the header ------------------------------------------------------------------------------------


def kind_of_header(header: list[str]) -> str | None:
    """The template whose columns these are: every required column present and no unknown one."""
    for kind, columns in TEMPLATES.items():
        names = {c.name for c in columns}
        if {c.name for c in columns if c.required} <= set(header) <= names:
            return kind
    return None


def _loose(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().casefold())


def _header_problem(header: list[str]) -> str:
    """Why a header matches no template, and which template it is closest to."""

    def score(kind: str) -> int:
        names = {_loose(c.name) for c in TEMPLATES[kind]}
        return sum(_loose(h) in names for h in header)

    closest = max(TEMPLATES, key=lambda kind: (score(kind), -list(TEMPLATES).index(kind)))
    see = f"see `ppkg template {closest} --explain`"
    if score(closest) == 0:
        return f"the header matches no template; the templates are {', '.join(TEMPLATES)} (see `ppkg template KIND`)"
    by_loose = {_loose(c.name): c.name for c in TEMPLATES[closest]}
    renamed = [(h, by_loose[_loose(h)]) for h in header if _loose(h) in by_loose and by_loose[_loose(h)] != h]
    if renamed:
        shown = ", ".join(f"{h!r} should be {name!r}" for h, name in renamed[:3])
        return (
            f"the header matches no template: column names are case-sensitive and lowercase ({shown}); "
            f"closest: the {closest} template ({see})"
        )
    known = {c.name for c in TEMPLATES[closest]}
    missing = [c.name for c in TEMPLATES[closest] if c.required and c.name not in header]
    unknown = [h for h in header if h not in known]
    details = "; ".join(
        part
        for part in (
            f"missing {', '.join(map(repr, missing))}" if missing else "",
            f"unknown {', '.join(map(repr, unknown))}" if unknown else "",
        )
        if part
    )
    return f"the header matches no template; closest: the {closest} template ({details}; {see})"


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read cells up to ``limit`` characters (the size check is ours, with row and column)."""
    old = csv.field_size_limit(max(limit, csv.field_size_limit()))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _parse(path: Path, text: str, delimiter: str) -> list[list[str]]:
    """Every row of ``text``; a malformed file raises :class:`DataFileError` with the line."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        with _field_limit(len(text) + 1):
            return list(reader)
    except csv.Error as err:
        raise DataFileError(str(path), f"not a readable CSV file: {err}", reader.line_num) from None


def _check_cells(path: Path, rows: list[list[str]]) -> None:
    """Refuse a cell over :data:`MAX_CELL_CHARS` or holding a control character (such as NUL), with its row
    and column: neither can be meant as a value."""
    for line, row in enumerate(rows, start=1):
        for col, cell in enumerate(row, start=1):
            if len(cell) > MAX_CELL_CHARS:
                raise DataFileError(
                    str(path),
                    f"the cell has {len(cell):,} characters; the limit is {MAX_CELL_CHARS:,}",
                    line,
                    col,
                )
            bad = _CONTROL.search(cell)
            if bad:
                what = (
                    "a NUL character (byte 0)"
                    if bad.group() == "\x00"
                    else f"the control character U+{ord(bad.group()):04X}"
                )
                raise DataFileError(str(path), f"the cell contains {what}; save the file as plain text", line, col)


def _read_rows(path: Path, text: str) -> list[list[str]]:
    """The rows of the CSV file, with the cell separator that makes its header a template's.

    Raises :class:`DataFileError` (file, row, column) for a malformed file, a cell over
    :data:`MAX_CELL_CHARS` characters, or a control character in a cell.
    """
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise DataFileError(str(path), "the CSV file is empty")
    tried = []
    chosen = None
    for delimiter in DELIMITERS:
        header = [h.strip() for h in _parse(path, first, delimiter)[0]]
        tried.append((delimiter, header))
        if kind_of_header(header) is not None:
            chosen = delimiter
            break
    if chosen is None:
        chosen = max(tried, key=lambda t: len(t[1]))[0]  # the separator the file most likely uses
    rows = _parse(path, text, chosen)
    _check_cells(path, rows)
    return rows


def template_kind(path: Path, text: str) -> str | None:
    """The kind of template a CSV file is (``None`` when its header matches none)."""
    rows = _read_rows(path, text)
    return kind_of_header([h.strip() for h in rows[0]])


# -- converting rows ---------------------------------------------------------------------------------------


@dataclass
class Conversion:
    """The RDF a template became, the problems found, which row each node came from, and which
    ``(node, property)`` cells named something unknown (so the shapes' "missing value" is not reported too)."""

    graph: Graph = field(default_factory=Graph)
    problems: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    unresolved: set[tuple[str, str]] = field(default_factory=set)


def _cells(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip().casefold() not in NULLS]


def _empty(value: str | None) -> bool:
    return (value or "").strip().casefold() in NULLS


@dataclass
class _Row:
    """What a row builder works with: the row's cells, the output, the names known, and how to complain."""

    cells: dict[str, str]
    line: int
    out: Conversion
    index: LabelIndex
    local: dict[tuple[str, str], URIRef]
    complain: Callable[[str, str], None]
    multi: frozenset[str] = frozenset()

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def values(self, column: str) -> list[str]:
        """The values of a cell: ``;`` between several in a column that takes several, else at most one (a
        ``;`` there is a problem, not a split: only the columns that say so take several values)."""
        value = self.get(column)
        if column in self.multi:
            return _cells(value)
        if _empty(value):
            return []
        if ";" in value:
            self.complain(
                column, f"one value only, found {value!r} (';' separates values only in columns that take several)"
            )
            return []
        return [value.strip()]

    def resolve(
        self, kind: str, value: str, column: str, node: Node | None = None, prop: Node | None = None
    ) -> URIRef | None:
        """The thing of ``kind`` that ``value`` names: in this file first, then in the graph (and the rest of
        the contribution); an unknown name is a problem in ``column``, remembered for ``(node, prop)``."""
        if _empty(value):  # a required cell left empty is reported as such
            return None
        key = normalize(value)
        if (kind, key) in self.local:
            return self.local[(kind, key)]
        try:
            return self.index.resolve(kind, value)
        except (UnknownValueError, ParameterError) as err:  # also a malformed IRI
            self.complain(column, str(err))
            if node is not None and prop is not None:
                self.out.unresolved.add((str(node), str(prop)))
            return None

    def add_names(self, node: URIRef, prop: Node, column: str, lang: bool = True) -> None:
        for value in _cells(self.get(column)):
            self.out.graph.add((node, prop, Literal(value, lang="en") if lang else Literal(value)))

    def add_url(self, node: URIRef, prop: Node, column: str) -> None:
        """A web address (``url``: http or https) or a source (``source_url``: http, https or urn)."""
        url = self.get(column)
        if _empty(url):
            return
        problem = iri_problem(url, SOURCE_SCHEMES if column == "source_url" else WEB_SCHEMES)
        if problem:
            self.complain(column, problem)
        else:
            self.out.graph.add((node, prop, URIRef(url)))


def _local_names(kind: str, header: list[str], rows: list[list[str]]) -> dict[tuple[str, str], URIRef]:
    """The things the rows of a file add, by slug and by name, so other rows of the file can name them."""
    local: dict[tuple[str, str], URIRef] = {}
    if kind not in DEFINES or "slug" not in header:
        return local
    name_column = "label" if kind == "topic" else "name"
    for row in rows:
        if len(row) != len(header):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        slug = cells.get("slug", "")
        if not _SLUG.match(slug):
            continue
        node = URIRef(ID[f"{kind}/{slug}"])
        for name in (slug, cells.get(name_column, "")):
            if normalize(name):
                local.setdefault((kind, normalize(name)), node)
    return local


def convert(path: Path, text: str, index: LabelIndex, kind: str | None = None) -> Conversion:
    """Turn a filled template into RDF; the kind is recognised from the header row when not given.

    ``index`` knows the names of the graph (and of the rest of the contribution); a row may also name a thing
    another row of the same file adds.
    """
    rows = _read_rows(path, text)
    header = [h.strip() for h in rows[0]]
    if kind is None:
        kind = kind_of_header(header)
        if kind is None:
            raise DataFileError(str(path), _header_problem(header), 1)
    columns = TEMPLATES[kind]
    unknown = [h for h in header if h not in {c.name for c in columns}]
    if unknown:
        raise DataFileError(str(path), f"unknown column {unknown[0]!r} for the {kind} template", 1)
    missing = [c.name for c in columns if c.required and c.name not in header]
    if missing:
        raise DataFileError(str(path), f"missing required column {missing[0]!r} for the {kind} template", 1)
    out = Conversion()
    body = list(enumerate(rows[1:], start=2))
    local = _local_names(kind, header, [row for _, row in body])
    positions: dict[tuple[URIRef, int], int] = {}
    for line, row in body:
        if not any(cell.strip() for cell in row):
            continue
        if [c.strip() for c in row] == header:
            out.problems.append(f"{path}:{line}: the header row is repeated inside the data")
            continue
        if len(row) != len(header):
            out.problems.append(f"{path}:{line}: expected {len(header)} cells, found {len(row)}")
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=True))

        def problem(column: str, message: str, _line: int = line) -> None:
            col = header.index(column) + 1 if column in header else 0
            out.problems.append(f"{path}:{_line}:{col}: column {column!r}: {message}")

        for c in columns:
            if c.required and _empty(cells.get(c.name)):
                problem(c.name, "required, but empty")
        r = _Row(cells, line, out, index, local, problem, frozenset(c.name for c in columns if c.multi))
        if kind == "curriculum":
            _curriculum_row(r, path, positions)
        else:
            _ROW_BUILDERS[kind](r)
    return out


def _slug_node(r: _Row, kind: str) -> URIRef | None:
    slug = r.get("slug")
    if not _SLUG.match(slug):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", slug.casefold()))
        hint = f"; for example {suggestion!r}" if suggestion and suggestion != slug else ""
        r.complain("slug", f"{slug!r} is not lowercase words joined by hyphens{hint}")
        return None
    node = URIRef(ID[f"{kind}/{slug}"])
    r.out.rows[str(node)] = r.line
    return node


def _program_row(r: _Row) -> None:
    node = _slug_node(r, "program")
    if node is None:
        return
    g = r.out.graph
    g.add((node, RDF.type, PPKG.Program))
    if r.get("name"):
        g.add((node, RDFS.label, Literal(r.get("name"), lang="en")))
    if not _empty(r.get("description")):
        g.add((node, DCTERMS.description, Literal(r.get("description"), lang="en")))
    for column, kind, prop in (
        ("state", "state", PPKG.state),
        ("setting", "setting", PPKG.setting),
        ("operated_by", "organization", PPKG.operatedBy),
        ("based_on", "program", PPKG.basedOn),
    ):
        for value in r.values(column):
            target = r.resolve(kind, value, column, node, prop)
            if target is not None:
                g.add((node, prop, target))
    if not _empty(r.get("target_population")):
        slug = r.get("slug")
        population = URIRef(ID[f"population/{slug}"])
        g.add((node, PPKG.targetPopulation, population))
        g.add((population, RDF.type, PPKG.TargetPopulation))
        g.add((population, RDFS.label, Literal(f"Target population of {r.get('name') or slug}", lang="en")))
        g.add((population, PPKG.verbatimText, Literal(r.get("target_population"))))
        g.add((population, SKOS.inScheme, URIRef(ID["scheme/target-populations"])))
        r.out.rows[str(population)] = r.line
    r.add_url(node, DCTERMS.source, "source_url")


def _organization_row(r: _Row) -> None:
    node = _slug_node(r, "organization")
    kind = ORGANIZATION_TYPES.get(" ".join(r.get("type").casefold().split()))
    if kind is None:
        r.complain("type", f"unknown organization type {r.get('type')!r}; use {' or '.join(ORGANIZATION_TYPES)}")
    if node is None or kind is None:
        return
    g = r.out.graph
    g.add((node, RDF.type, kind))
    if r.get("name"):
        g.add((node, RDFS.label, Literal(r.get("name"), lang="en")))
    r.add_names(node, SKOS.altLabel, "alt_names")
    if not _empty(r.get("description")):
        g.add((node, DCTERMS.description, Literal(r.get("description"), lang="en")))
    for value in r.values("state"):
        state = r.resolve("state", value, "state", node, PPKG.state)
        if state is not None:
            g.add((node, PPKG.state, state))
    r.add_url(node, SCHEMA.url, "url")
    r.add_url(node, DCTERMS.source, "source_url")


def _topic_row(r: _Row) -> None:
    node = _slug_node(r, "topic")
    if node is None:
        return
    g = r.out.graph
    label = r.get("label")
    g.add((node, RDF.type, PPKG.TrainingTopic))
    g.add((node, RDF.type, SKOS.Concept))
    if label:
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    r.add_names(node, SKOS.altLabel, "alt_labels")
    if not _empty(r.get("definition")):
        g.add((node, SKOS.definition, Literal(r.get("definition"), lang="en")))
    g.add((node, SKOS.inScheme, TOPIC_SCHEME))
    broader = _cells(r.get("broader"))
    if len(broader) > 1:
        r.complain("broader", "a topic is part of at most one broader topic (the topics form a tree)")
    elif broader:
        parent = r.resolve("topic", broader[0], "broader", node, SKOS.broader)
        if parent == node:
            r.complain("broader", "a topic cannot be part of itself")
        elif parent is not None:
            g.add((node, SKOS.broader, parent))
    else:
        g.add((node, SKOS.topConceptOf, TOPIC_SCHEME))
        g.add((TOPIC_SCHEME, SKOS.hasTopConcept, node))
    r.add_url(node, DCTERMS.source, "source_url")


def _curriculum_row(r: _Row, path: Path, positions: dict[tuple[URIRef, int], int]) -> None:
    program = r.resolve("program", r.get("program"), "program")
    try:
        position = int(r.get("position"))
        if position < 1:
            raise ValueError
    except ValueError:
        r.complain("position", f"{r.get('position')!r} is not a whole number from 1 up")
        return
    if program is None:
        return
    if (program, position) in positions:
        r.out.problems.append(
            f"{path}:{r.line}: position {position} of program {r.get('program')} is already used on row "
            f"{positions[(program, position)]}"
        )
        return
    positions[(program, position)] = r.line
    slug = str(program).rsplit("/", 1)[-1]
    curriculum = URIRef(ID[f"curriculum/{slug}"])
    item = URIRef(ID[f"curriculum/{slug}/item-{position:02d}"])
    g = r.out.graph
    r.out.rows[str(item)] = r.line
    g.add((program, PPKG.hasCurriculum, curriculum))
    g.add((curriculum, RDF.type, PPKG.TrainingCurriculum))
    known = r.index.label(str(curriculum)) != str(curriculum)  # already in the graph, with its own name
    if not known and (curriculum, RDFS.label, None) not in g:
        name = r.index.label(str(program))
        if name == str(program):  # a program of this contribution the index does not name
            name = r.get("program")
        g.add((curriculum, RDFS.label, Literal(f"Training curriculum of {name}", lang="en")))
        r.out.rows.setdefault(str(curriculum), r.line)
    g.add((curriculum, PPKG.hasItem, item))
    g.add((item, RDF.type, PPKG.CurriculumItem))
    text = r.get("item")
    g.add((item, RDFS.label, Literal(text, lang="en")))
    g.add((item, PPKG.verbatimText, Literal(text)))
    g.add((item, PPKG.position, Literal(position)))
    for value in r.values("topics"):
        topic = r.resolve("topic", value, "topics", item, PPKG.coversTopic)
        if topic is not None:
            g.add((item, PPKG.coversTopic, topic))
    phase = r.get("phase")
    if not _empty(phase):
        key = _PHASES.get(" ".join(phase.casefold().split()))
        if key is None:
            r.complain("phase", f"unknown phase {phase!r}; use 'before mentoring' or 'during the first year'")
        else:
            g.add((item, PPKG.phase, URIRef(ID[f"phase/{key}"])))
    hours = r.get("hours")
    if not _empty(hours):
        try:
            g.add((item, PPKG.hours, Literal(Decimal(hours), datatype=XSD.decimal)))
        except InvalidOperation:
            r.complain("hours", f"{hours!r} is not a number of hours")


def _rating_row(r: _Row) -> None:
    program = r.resolve("program", r.get("program"), "program")
    level = r.resolve("rating", r.get("level"), "level")
    date = r.get("date")
    parsed = None
    if not _empty(date):
        try:
            parsed = dt.date.fromisoformat(date)
        except ValueError:
            r.complain("date", f"{date!r} is not a date as YYYY-MM-DD")
    url = r.get("source_url")
    problem = None if _empty(url) else source_problem(url)
    if problem:
        r.complain("source_url", problem)
        return
    if program is None or level is None or _empty(url):
        return
    slug = str(program).rsplit("/", 1)[-1]
    suffix = f"-{parsed.isoformat()}" if parsed else ""
    node = URIRef(ID[f"rating/cebc-{slug}{suffix}"])
    source = URIRef(ID[f"source/{re.sub(r'[^a-z0-9]+', '-', url.casefold()).strip('-')[:80]}"])
    g = r.out.graph
    r.out.rows[str(node)] = r.line
    r.out.rows[str(source)] = r.line
    name = r.index.label(str(program))
    if name == str(program):
        name = r.get("program")
    g.add((node, RDF.type, PPKG.EvidenceRating))
    g.add((node, RDFS.label, Literal(f"CEBC rating of {name}{' on ' + date if parsed else ''}", lang="en")))
    g.add((node, PPKG.ratedProgram, program))
    g.add((node, PPKG.ratingLevel, level))
    g.add((node, PPKG.ratingScale, URIRef(ID["scale/cebc"])))
    g.add((node, PPKG.ratedBy, URIRef(ID["organization/cebc"])))
    g.add((node, PROV.wasDerivedFrom, source))
    if parsed:
        g.add((node, PPKG.ratingDate, Literal(parsed, datatype=XSD.date)))
    g.add((source, RDF.type, PPKG.SourceDocument))
    g.add((source, RDFS.label, Literal(r.get("source_title"), lang="en")))
    g.add((source, DCTERMS.title, Literal(r.get("source_title"), lang="en")))
    g.add((source, DCTERMS.publisher, URIRef(ID["organization/cebc"])))
    g.add((source, SCHEMA.url, URIRef(url)))


def _resource_row(r: _Row) -> None:
    kind = RESOURCE_TYPES.get(" ".join(r.get("type").casefold().split()))
    node = _slug_node(r, "resource")
    if node is None:
        return
    if kind is None:
        r.complain("type", f"unknown resource type {r.get('type')!r}; use one of {', '.join(RESOURCE_TYPES)}")
        return
    g = r.out.graph
    g.add((node, RDF.type, kind))
    g.add((node, RDFS.label, Literal(r.get("title"), lang="en")))
    g.add((node, DCTERMS.title, Literal(r.get("title"), lang="en")))
    g.add((node, DCTERMS.description, Literal(r.get("description"), lang="en")))
    for value in r.values("publisher"):
        org = r.resolve("organization", value, "publisher", node, DCTERMS.publisher)
        if org is not None:
            g.add((node, DCTERMS.publisher, org))
    r.add_url(node, SCHEMA.url, "url")
    r.add_names(node, PPKG.coverage, "coverage", lang=False)


_ROW_BUILDERS: dict[str, Callable[[_Row], None]] = {
    "program": _program_row,
    "organization": _organization_row,
    "topic": _topic_row,
    "rating": _rating_row,
    "resource": _resource_row,
}
