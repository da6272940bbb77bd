"""What ``ppkg validate`` and ``ppkg contribute`` read: RDF files or filled CSV templates, as one graph."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import SH

from ppkg.query.names import LabelIndex
from ppkg.rdf.io import load_into, parse_merged, read_checked
from ppkg.rdf.namespaces import SHAPES
from ppkg.steward.templates import convert
from ppkg.validation.report import ValidationReport, ValidationResult, sort_results


@dataclass
class Submission:
    """A contribution as read from files: its triples, template problems, and the row each node came from."""

    graph: Graph = field(default_factory=Graph)
    problems: list[ValidationResult] = field(default_factory=list)
    rows: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""
    names: list[str] = field(default_factory=list)


def read_submission(paths: Sequence[Path], index: Callable[[], LabelIndex]) -> Submission:
    """Read Turtle/TriG/N-Triples/N-Quads files and CSV templates into one graph.

    ``index`` gives the names known to the graph; it is called only for CSV templates. Unreadable files
    raise :class:`~ppkg.errors.DataFileError` (``file:line:col: message``).
    """
    sub = Submission()
    for path in paths:
        data = read_checked(path)
        sub.raw += data
        sub.names.append(path.name)
        if path.suffix.lower() == ".csv":
            conversion = convert(path, data.decode("utf-8"), index())
            sub.graph += conversion.graph
            for node, line in conversion.rows.items():
                sub.rows[node] = f"{path.name}:{line}"
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
            continue
        load_into(ox.Store(), path, None)  # strict syntax check with positions
        sub.graph += parse_merged(data, path)
    return sub


def with_rows(report: ValidationReport, sub: Submission) -> ValidationReport:
    """Add the template problems to a report and point each result at the CSV row its node came from."""
    results = []
    for r in report.results:
        row = sub.rows.get(r.focus_node)
        results.append(dataclasses.replace(r, message=f"{row}: {r.message}") if row else r)
    report.results = sort_results([*sub.problems, *results])
    return report
