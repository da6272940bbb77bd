"""Validation results and reports, in the forms a data steward reads: text, JSON and SHACL Turtle."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SH

from ppkg.rdf.namespaces import compact, local_name, new_graph
from ppkg.rdf.text import visible

SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@dataclass(frozen=True)
class ValidationResult:
    """One problem found: where (focus node, path), what (value, message), how bad (severity), which rule."""

    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    severity: str
    source_shape: str | None
    constraint: str | None

    @property
    def is_violation(self) -> bool:
        """True for ``sh:Violation`` results."""
        return self.severity == str(SH.Violation)

    def key(self) -> tuple[str, str | None, str | None, str | None]:
        """What identifies a result across validation runs: focus node, shape, constraint, value."""
        return (self.focus_node, self.source_shape, self.constraint, self.value)

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready mapping."""
        return {
            "focusNode": self.focus_node,
            "focusLabel": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "severity": local_name(self.severity),
            "sourceShape": self.source_shape,
            "constraint": self.constraint,
        }


@dataclass
class ValidationReport:
    """The outcome of a validation: results sorted by focus node, severity, shape and value."""

    results: list[ValidationResult] = field(default_factory=list)
    strict: bool = False
    checked_triples: int = 0

    @property
    def violations(self) -> list[ValidationResult]:
        """Results of severity ``sh:Violation``."""
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[ValidationResult]:
        """Results of severity ``sh:Warning`` (and ``sh:Info``)."""
        return [r for r in self.results if not r.is_violation]

    @property
    def conforms(self) -> bool:
        """No violations (and, when ``strict``, no warnings either)."""
        return not (self.results if self.strict else self.violations)

    def problem_count(self) -> int:
        """How many results keep the data from conforming (violations; with ``strict``, warnings too)."""
        return len(self.results) if self.strict else len(self.violations)

    def first_problem(self) -> str:
        """The first result that keeps the data from conforming, as one line (``""`` when it conforms)."""
        failing = self.results if self.strict else self.violations
        if not failing:
            return ""
        r = failing[0]
        where = "" if r.message.startswith(r.focus_node) else f"<{r.focus_node}>"
        if where:
            where += f" {compact(r.path)}: " if r.path else ": "
        return visible(" ".join(f"{where}{r.message}".split()), newlines=False)

    def by_focus_node(self) -> dict[str, list[ValidationResult]]:
        """Results grouped by focus node, in report order."""
        groups: dict[str, list[ValidationResult]] = {}
        for r in self.results:
            groups.setdefault(r.focus_node, []).append(r)
        return groups

    def text(self) -> str:
        """The human-readable report: one block per focus node (label and IRI), one line per problem; control
        characters in the data are shown as escapes."""
        if not self.results:
            return f"conforms: no problems found in {self.checked_triples:,} triples checked\n"
        lines: list[str] = []
        for focus, results in self.by_focus_node().items():
            label = next((r.focus_label for r in results if r.focus_label), None)
            lines.append(f"{label} <{focus}>" if label else f"<{focus}>")
            for r in results:
                where = compact(r.path) if r.path else "(the node itself)"
                shown = compact(r.value) if r.value and r.value.startswith(("http://", "https://")) else r.value
                value = f" = {shown!r}" if shown is not None else ""
                lines.append(f"  {local_name(r.severity).upper()}: {where}{value}")
                lines.append(f"    {r.message}")
                if r.source_shape:
                    lines.append(f"    rule: {compact(r.source_shape)} ({local_name(r.constraint or '')})")
            lines.append("")
        n_v, n_w = len(self.violations), len(self.warnings)
        verdict = "does not conform" if not self.conforms else "conforms"
        lines.append(f"{verdict}: {n_v} violation{'s' * (n_v != 1)}, {n_w} warning{'s' * (n_w != 1)}")
        return "".join(visible(line, newlines=False) + "\n" for line in lines)

    def to_json(self) -> str:
        """The report as JSON: ``{"conforms": …, "violations": n, "warnings": n, "results": […]}``."""
        doc = {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "results": [r.as_dict() for r in self.results],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        """The report as a SHACL validation report in Turtle."""
        graph = new_graph()
        report = URIRef("urn:ppkg:validation-report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(self.results, start=1):
            node = URIRef(f"urn:ppkg:validation-report:result:{i}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, URIRef(r.focus_node)))
            graph.add((node, SH.resultSeverity, URIRef(r.severity)))
            graph.add((node, SH.resultMessage, Literal(r.message)))
            if r.path:
                graph.add((node, SH.resultPath, URIRef(r.path)))
            if r.value is not None:
                graph.add((node, SH.value, Literal(r.value)))
            if r.source_shape:
                graph.add((node, SH.sourceShape, URIRef(r.source_shape)))
            if r.constraint:
                graph.add((node, SH.sourceConstraintComponent, URIRef(r.constraint)))
        return graph.serialize(format="turtle")

    def serialize(self, fmt: str = "text") -> str:
        """``text``, ``json`` or ``turtle``."""
        if fmt == "text":
            return self.text()
        if fmt == "json":
            return self.to_json()
        if fmt == "turtle":
            return self.to_turtle()
        raise ValueError(f"unknown format {fmt!r}: use text, json or turtle")


def sort_results(results: Iterable[ValidationResult]) -> list[ValidationResult]:
    """Deterministic order: focus node, severity, shape, constraint, value, message."""
    return sorted(
        set(results),
        key=lambda r: (
            r.focus_node,
            SEVERITY_ORDER.get(URIRef(r.severity), 9),
            r.source_shape or "",
            r.constraint or "",
            r.value or "",
            r.message,
        ),
    )
