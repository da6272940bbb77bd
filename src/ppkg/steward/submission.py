"""What ``ppkg validate`` and ``ppkg contribute`` read: RDF files or filled CSV templates, as one graph.

The files of one submission are read together: RDF files first, then the CSV templates that add things
other files may name (organizations, then topics, then programs), then the rest. Names in a CSV file resolve
against the existing graph plus everything the files read before it add, so ``ppkg contribute p.csv c.csv``
(or ``p.ttl c.csv``) may give a curriculum for a program the same contribution adds.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from ppkg.errors import DataFileError
from ppkg.progress import SILENT, Advance, Progress
from ppkg.query.engines import OxigraphEngine
from ppkg.query.names import LabelIndex
from ppkg.rdf.io import GraphFile, parse_merged, read_checked
from ppkg.rdf.namespaces import SHAPES
from ppkg.rdf.terms import to_ox
from ppkg.steward.templates import convert, template_kind
from ppkg.validation.lint import ORPHAN
from ppkg.validation.report import ValidationReport, ValidationResult, sort_results

MIN_COUNT = str(SH.MinCountConstraintComponent)
CLASS = str(SH.ClassConstraintComponent)
READ_ORDER = {"organization": 0, "topic": 1, "program": 2}
"""CSV templates that add things other files name are read first, in this order; the others after them."""

Names = Callable[[Graph], LabelIndex]
"""Gives the names of the existing graph plus the triples passed (what the submission adds so far)."""


@dataclass
class Submission:
    """A contribution as read from files: its triples, template problems, the row each node came from, and
    the ``(node, property)`` cells that named something unknown."""

    graph: Graph = field(default_factory=Graph)
    problems: list[ValidationResult] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    names: list[str] = field(default_factory=list)
    unresolved: set[tuple[str, str]] = field(default_factory=set)


class GraphNames:
    """The names of a graph's files plus the triples a submission adds, for resolving CSV cells.

    The files are loaded into Oxigraph once, on first use; each call adds the submission's new triples to
    that store's default graph and indexes the names again only if there were any.
    """

    def __init__(self, files: Sequence[GraphFile]) -> None:
        self.files = list(files)
        self._engine: OxigraphEngine | None = None
        self._added: set[tuple[Node, Node, Node]] = set()
        self._index: LabelIndex | None = None

    @property
    def engine(self) -> OxigraphEngine:
        """The files in Oxigraph (the current view in the default graph), plus what was added."""
        if self._engine is None:
            self._engine = OxigraphEngine.from_files(self.files)
        return self._engine

    def __call__(self, added: Graph) -> LabelIndex:
        """The names of the graph and of ``added``."""
        fresh = [t for t in added if t not in self._added]
        if fresh or self._index is None:
            default = ox.DefaultGraph()
            self.engine.store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), default) for s, p, o in fresh)  # type: ignore[arg-type]
            self._added.update(fresh)
            self._index = LabelIndex.of_engine(self.engine)
        return self._index


def read_submission(paths: Sequence[Path], names: Names, *, progress: Progress = SILENT) -> Submission:
    """Read Turtle/TriG/N-Triples/N-Quads files and CSV templates into one graph.

    ``names`` gives the names known to the graph plus those of the triples read so far; it is called only
    for CSV templates. Unreadable files raise :class:`~ppkg.errors.DataFileError` (``file:line:col: message``).
    Reading is one step of ``progress``, a unit per file.
    """
    with progress.step("reading the contribution", total=len(paths)) as advance:
        return _read(paths, names, advance)


def _read(paths: Sequence[Path], names: Names, advance: Advance) -> Submission:
    sub = Submission()
    templates: list[tuple[Path, str]] = []
    for path in paths:
        data = read_checked(path)
        sub.raw += data
        sub.names.append(path.name)
        if path.suffix.lower() == ".csv":
            templates.append((path, data.decode("utf-8")))
            continue
        advance(1)
        with _quiet_literals():  # an ill-typed literal is reported by the lint, not logged with a traceback
            parsed = parse_merged(data, path)  # strict (Oxigraph, errors with positions), then in rdflib
        if len(sub.graph):
            sub.graph += parsed
        else:  # the first file: its graph as it is (copying 100,000 statements takes seconds)
            sub.graph = parsed
    for path, text in sorted(templates, key=lambda t: _read_order(*t)):
        conversion = convert(path, text, names(sub.graph))
        sub.graph += conversion.graph
        sub.unresolved |= conversion.unresolved
        for node, line in conversion.rows.items():
            sub.rows.setdefault(node, f"{path.name}:{line}")
        sub.problems += [
            ValidationResult(
                focus_node=str(path),
                focus_label=path.name,
                path=None,
                value=None,
                message=message,
                severity=str(SH.Violation),
                source_shape=None,
                constraint=str(SHAPES["lint-template"]),
            )
            for message in conversion.problems
        ]
        advance(1)
    return sub


@contextmanager
def _quiet_literals() -> Iterator[None]:
    """Keep rdflib from logging "Failed to convert Literal lexical form" (with a traceback) on stderr."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_order(path: Path, text: str) -> int:
    try:
        kind = template_kind(path, text)
    except DataFileError:
        kind = None  # reported when the file is converted
    return READ_ORDER.get(kind or "", len(READ_ORDER))


def with_rows(report: ValidationReport, sub: Submission) -> ValidationReport:
    """Add the template problems to a report and point each result at the CSV row its node came from.

    A shape's "missing value" for a cell that named something unknown is left out: the template problem
    already says what is wrong with that cell. So is the lint's "refers to a node described nowhere" where a
    shape already says what kind of thing the value must be (and which ones exist).
    """
    typed = {(r.focus_node, r.path, r.value) for r in report.results if r.constraint == CLASS}
    results = []
    for r in report.results:
        if r.constraint == MIN_COUNT and (r.focus_node, r.path or "") in sub.unresolved:
            continue
        if r.constraint == ORPHAN and (r.focus_node, r.path, r.value) in typed:
            continue
        row = sub.rows.get(r.focus_node)
        results.append(dataclasses.replace(r, message=f"{row}: {r.message}") if row else r)
    report.results = sort_results([*sub.problems, *results])
    return report
