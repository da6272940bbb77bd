"""Tabular templates for data stewards who do not write RDF.

``ppkg template program`` prints a CSV with a header row and one example row; stewards fill one row per
program (or curriculum item, rating, resource). :func:`convert` turns a filled CSV into RDF, resolving
states, settings, topics, ratings and organizations by name as the query parameters do. Every problem is
reported with its row and column, and the node each row becomes is remembered so validation messages can
point back to the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS, XSD

from ppkg.errors import DataFileError, UnknownValueError
from ppkg.query.names import LabelIndex
from ppkg.query.safety import is_http_url
from ppkg.rdf.namespaces import ID, PPKG, SCHEMA

NULLS = {"", "na", "n/a", "null", "none", "-"}
"""Cell values read as empty."""

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHASES = {"before mentoring": "before-mentoring", "during the first year": "first-year", "first year": "first-year"}


@dataclass(frozen=True)
class Column:
    """One column of a template."""

    name: str
    required: bool
    help: str
    example: str


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
        ),
        Column("operated_by", False, "an organization already in the graph, by name", "Casey Family Programs"),
        Column("description", False, "what the source says the program does", "A peer mentoring program."),
        Column(
            "target_population",
            False,
            "who the program is for, in the source's words",
            "Parents involved with the child welfare system",
        ),
        Column("based_on", False, "a program already in the graph whose model it is built on", ""),
        Column("source_url", False, "where these facts come from", "https://example.org/program"),
    ],
    "curriculum": [
        Column("program", True, "a program in the graph (or in this contribution), by name or slug", "START"),
        Column("position", True, "1, 2, 3… in the source's order", "1"),
        Column("item", True, "the training item exactly as the source words it", "Motivational interviewing"),
        Column("topics", True, "training topics by name; ';' between several", "motivational interviewing"),
        Column("phase", False, "before mentoring or during the first year", ""),
        Column("hours", False, "hours, where the source gives them", ""),
    ],
    "rating": [
        Column("program", True, "a program in the graph, by name or slug", "Parents Anonymous"),
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
        Column("publisher", False, "an organization already in the graph, by name", "Casey Family Programs"),
        Column("url", False, "where it is", "https://example.org/toolkit"),
        Column("description", True, "what it is about", "Tools for engaging fathers."),
        Column("coverage", False, "subjects it covers; ';' between several", "engaging fathers; funding"),
    ],
}
"""The templates, by kind."""

RESOURCE_TYPES = {
    "website": PPKG.Website,
    "manual": PPKG.Manual,
    "toolkit": PPKG.Toolkit,
    "guide": PPKG.Guide,
    "report": PPKG.Report,
    "information notice": PPKG.InformationNotice,
    "training resource": PPKG.TrainingResource,
}


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


@dataclass
class Conversion:
    """The RDF a template became, the problems found, and which row each node came from."""

    graph: Graph = field(default_factory=Graph)
    problems: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def _cells(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip().casefold() not in NULLS]


def convert(path: Path, text: str, index: LabelIndex, kind: str | None = None) -> Conversion:
    """Turn a filled template into RDF; the kind is recognised from the header row when not given."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise DataFileError(str(path), "the CSV file is empty") from None
    if kind is None:
        kind = next((k for k, cols in TEMPLATES.items() if {c.name for c in cols if c.required} <= set(header)), None)
        if kind is None:
            raise DataFileError(
                str(path), "the header matches no template (see `ppkg template program|curriculum|rating|resource`)", 1
            )
    columns = TEMPLATES[kind]
    unknown = [h for h in header if h not in {c.name for c in columns}]
    if unknown:
        raise DataFileError(str(path), f"unknown column {unknown[0]!r} for the {kind} template", 1)
    missing = [c.name for c in columns if c.required and c.name not in header]
    if missing:
        raise DataFileError(str(path), f"missing required column {missing[0]!r} for the {kind} template", 1)
    out = Conversion()
    new_programs: dict[str, URIRef] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if [c.strip() for c in row] == header:
            out.problems.append(f"{path}:{line}: the header row is repeated inside the data")
            continue
        if len(row) != len(header):
            out.problems.append(f"{path}:{line}: expected {len(header)} cells, found {len(row)}")
            continue
        record = dict(zip(header, (c.strip() for c in row), strict=True))

        def problem(column: str, message: str, _line: int = line) -> None:
            col = header.index(column) + 1 if column in header else 0
            out.problems.append(f"{path}:{_line}:{col}: column {column!r}: {message}")

        for c in columns:
            if c.required and record.get(c.name, "").casefold() in NULLS:
                problem(c.name, "required, but empty")
        _ROW_BUILDERS[kind](record, out, index, problem, line, new_programs)
    return out


Problem = Callable[[str, str], None]


def _resolve(index: LabelIndex, kind: str, value: str, column: str, problem: Problem) -> URIRef | None:
    try:
        return index.resolve(kind, value)
    except UnknownValueError as err:
        problem(column, str(err))
        return None


def _program_row(
    r: dict[str, str], out: Conversion, index: LabelIndex, problem: Problem, line: int, new: dict[str, URIRef]
) -> None:
    slug = r.get("slug", "")
    if not _SLUG.match(slug):
        problem("slug", f"{slug!r} is not lowercase words joined by hyphens")
        return
    node = URIRef(ID[f"program/{slug}"])
    g = out.graph
    out.rows[str(node)] = line
    new[slug] = node
    g.add((node, RDF.type, PPKG.Program))
    if r.get("name"):
        g.add((node, RDFS.label, Literal(r["name"], lang="en")))
    if r.get("description", "").casefold() not in NULLS:
        g.add((node, DCTERMS.description, Literal(r["description"], lang="en")))
    for column, kind, prop in (
        ("state", "state", PPKG.state),
        ("operated_by", "organization", PPKG.operatedBy),
        ("based_on", "program", PPKG.basedOn),
    ):
        for value in _cells(r.get(column, "")):
            target = _resolve(index, kind, value, column, problem)
            if target is not None:
                g.add((node, prop, target))
    for value in _cells(r.get("setting", "")):
        target = _resolve(index, "setting", value, "setting", problem)
        if target is not None:
            g.add((node, PPKG.setting, target))
    if r.get("target_population", "").casefold() not in NULLS:
        population = URIRef(ID[f"population/{slug}"])
        g.add((node, PPKG.targetPopulation, population))
        g.add((population, RDF.type, PPKG.TargetPopulation))
        g.add((population, RDFS.label, Literal(f"Target population of {r.get('name') or slug}", lang="en")))
        g.add((population, PPKG.verbatimText, Literal(r["target_population"])))
        g.add((population, SKOS.inScheme, URIRef(ID["scheme/target-populations"])))
        out.rows[str(population)] = line
    if r.get("source_url", "").casefold() not in NULLS:
        g.add((node, SCHEMA.url, URIRef(r["source_url"])))


def _curriculum_row(
    r: dict[str, str], out: Conversion, index: LabelIndex, problem: Problem, line: int, new: dict[str, URIRef]
) -> None:
    program = new.get(r.get("program", "")) or _resolve(index, "program", r.get("program", ""), "program", problem)
    try:
        position = int(r.get("position", ""))
        if position < 1:
            raise ValueError
    except ValueError:
        problem("position", f"{r.get('position')!r} is not a whole number from 1 up")
        return
    if program is None:
        return
    slug = str(program).rsplit("/", 1)[-1]
    curriculum = URIRef(ID[f"curriculum/{slug}"])
    item = URIRef(ID[f"curriculum/{slug}/item-{position:02d}"])
    g = out.graph
    out.rows[str(item)] = line
    g.add((program, PPKG.hasCurriculum, curriculum))
    g.add((curriculum, RDF.type, PPKG.TrainingCurriculum))
    if (curriculum, RDFS.label, None) not in g:
        name = r.get("program", "") if program in new.values() else index.label(str(program))
        g.add((curriculum, RDFS.label, Literal(f"Training curriculum of {name}", lang="en")))
        out.rows.setdefault(str(curriculum), line)
    g.add((curriculum, PPKG.hasItem, item))
    g.add((item, RDF.type, PPKG.CurriculumItem))
    text = r.get("item", "")
    g.add((item, RDFS.label, Literal(text, lang="en")))
    g.add((item, PPKG.verbatimText, Literal(text)))
    g.add((item, PPKG.position, Literal(position)))
    for value in _cells(r.get("topics", "")):
        topic = _resolve(index, "topic", value, "topics", problem)
        if topic is not None:
            g.add((item, PPKG.coversTopic, topic))
    phase = r.get("phase", "")
    if phase.casefold() not in NULLS:
        phases = {
            "before mentoring": "before-mentoring",
            "during the first year": "first-year",
            "first year": "first-year",
        }
        key = phases.get(" ".join(phase.casefold().split()))
        if key is None:
            problem("phase", f"unknown phase {phase!r}; use 'before mentoring' or 'during the first year'")
        else:
            g.add((item, PPKG.phase, URIRef(ID[f"phase/{key}"])))
    hours = r.get("hours", "")
    if hours.casefold() not in NULLS:
        try:
            g.add((item, PPKG.hours, Literal(Decimal(hours), datatype=XSD.decimal)))
        except InvalidOperation:
            problem("hours", f"{hours!r} is not a number of hours")


def _rating_row(
    r: dict[str, str], out: Conversion, index: LabelIndex, problem: Problem, line: int, new: dict[str, URIRef]
) -> None:
    program = _resolve(index, "program", r.get("program", ""), "program", problem)
    level = _resolve(index, "rating", r.get("level", ""), "level", problem)
    date = r.get("date", "")
    parsed = None
    if date.casefold() not in NULLS:
        try:
            parsed = dt.date.fromisoformat(date)
        except ValueError:
            problem("date", f"{date!r} is not a date as YYYY-MM-DD")
    url = r.get("source_url", "")
    if url and not is_http_url(url):
        problem("source_url", f"{url!r} is not an http(s) URL")
        return
    if program is None or level is None or not url:
        return
    slug = str(program).rsplit("/", 1)[-1]
    suffix = f"-{parsed.isoformat()}" if parsed else ""
    node = URIRef(ID[f"rating/cebc-{slug}{suffix}"])
    source = URIRef(ID[f"source/{re.sub(r'[^a-z0-9]+', '-', url.casefold()).strip('-')[:80]}"])
    g = out.graph
    out.rows[str(node)] = line
    out.rows[str(source)] = line
    g.add((node, RDF.type, PPKG.EvidenceRating))
    g.add(
        (
            node,
            RDFS.label,
            Literal(f"CEBC rating of {index.label(str(program))}{' on ' + date if parsed else ''}", lang="en"),
        )
    )
    g.add((node, PPKG.ratedProgram, program))
    g.add((node, PPKG.ratingLevel, level))
    g.add((node, PPKG.ratingScale, URIRef(ID["scale/cebc"])))
    g.add((node, PPKG.ratedBy, URIRef(ID["organization/cebc"])))
    g.add((node, PROV.wasDerivedFrom, source))
    if parsed:
        g.add((node, PPKG.ratingDate, Literal(parsed, datatype=XSD.date)))
    g.add((source, RDF.type, PPKG.SourceDocument))
    g.add((source, RDFS.label, Literal(r.get("source_title", ""), lang="en")))
    g.add((source, DCTERMS.title, Literal(r.get("source_title", ""), lang="en")))
    g.add((source, DCTERMS.publisher, URIRef(ID["organization/cebc"])))
    g.add((source, SCHEMA.url, URIRef(url)))


def _resource_row(
    r: dict[str, str], out: Conversion, index: LabelIndex, problem: Problem, line: int, new: dict[str, URIRef]
) -> None:
    slug = r.get("slug", "")
    if not _SLUG.match(slug):
        problem("slug", f"{slug!r} is not lowercase words joined by hyphens")
        return
    kind = RESOURCE_TYPES.get(" ".join(r.get("type", "").casefold().split()))
    if kind is None:
        problem("type", f"unknown resource type {r.get('type')!r}; use one of {', '.join(RESOURCE_TYPES)}")
        return
    node = URIRef(ID[f"resource/{slug}"])
    g = out.graph
    out.rows[str(node)] = line
    g.add((node, RDF.type, kind))
    g.add((node, RDFS.label, Literal(r.get("title", ""), lang="en")))
    g.add((node, DCTERMS.title, Literal(r.get("title", ""), lang="en")))
    g.add((node, DCTERMS.description, Literal(r.get("description", ""), lang="en")))
    for value in _cells(r.get("publisher", "")):
        org = _resolve(index, "organization", value, "publisher", problem)
        if org is not None:
            g.add((node, DCTERMS.publisher, org))
    url = r.get("url", "")
    if url.casefold() not in NULLS:
        if is_http_url(url):
            g.add((node, SCHEMA.url, URIRef(url)))
        else:
            problem("url", f"{url!r} is not an http(s) URL")
    for value in _cells(r.get("coverage", "")):
        g.add((node, PPKG.coverage, Literal(value)))


_ROW_BUILDERS = {
    "program": _program_row,
    "curriculum": _curriculum_row,
    "rating": _rating_row,
    "resource": _resource_row,
}
