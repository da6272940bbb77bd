"""The data steward's operations, as the command line runs them: validate, contribute and correct."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from ppkg.progress import SILENT, Progress
from ppkg.rdf.corrections import current_graph
from ppkg.rdf.datadir import data_directory, graph_files, writable_data_directory
from ppkg.rdf.io import input_paths
from ppkg.steward.corrections import Supersession, correction
from ppkg.steward.store import Contribution, check
from ppkg.steward.store import contribute as store_contribution
from ppkg.steward.submission import GraphNames, Submission, read_submission
from ppkg.validation.context import existing_graph, existing_store
from ppkg.validation.report import ValidationReport
from ppkg.validation.shacl import validate_graph


def validate(
    paths: Sequence[str | Path] = (),
    *,
    data_dir: str | Path | None = None,
    strict: bool = False,
    progress: Progress = SILENT,
) -> ValidationReport:
    """Check RDF files or filled CSV templates against the shapes, in the context of the graph.

    With no paths, the whole graph of the data directory (default ``$PPKG_DATA_DIR``, else the shipped
    data) is validated, as queries see it: without the statements corrections have superseded, a batch of
    programs at a time (reported to ``progress``). Unreadable input raises
    :class:`~ppkg.errors.DataFileError`.
    """
    directory = data_directory(data_dir)
    if not paths:
        return validate_graph(current_graph(existing_graph(directory)), strict=strict, progress=progress)
    submission = read_submission(input_paths(paths), GraphNames(graph_files(directory)), progress=progress)
    with progress.step("reading the data directory"):
        existing = existing_store(directory)
    return check(submission, existing, strict=strict, progress=progress)


def contribute(
    paths: Sequence[str | Path],
    *,
    by: str,
    source: str | None = None,
    data_dir: str | Path | None = None,
    strict: bool = False,
    progress: Progress = SILENT,
) -> tuple[Contribution | None, ValidationReport]:
    """Validate a contribution and merge it into its own named graph, atomically, with provenance.

    Files given together are one contribution: a CSV template may name what the other files add. The
    check does not hold the data directory's lock (others can contribute meanwhile); a contribution that
    landed in between is taken into account before writing, so two that conflict never both land. Returns
    the stored contribution (``None`` if nothing was new) and the report; raises
    :class:`~ppkg.errors.ContributionRejectedError` (nothing written) when it does not conform. A contribution
    of a thousand programs is one step like a small one; its steps (reading, checking, writing, updating the
    store) are reported to ``progress``.
    """
    directory = writable_data_directory(data_dir)
    submission = read_submission(input_paths(paths), GraphNames(graph_files(directory)), progress=progress)
    return store_contribution(submission, by=by, source=source, directory=directory, strict=strict, progress=progress)


@dataclass(frozen=True)
class CorrectionResult:
    """A stored correction: the contribution that holds it, what it supersedes, and the validation report."""

    contribution: Contribution | None
    correction: Supersession
    report: ValidationReport


def correct(
    subject: str,
    prop: str,
    new_value: str | None,
    *,
    by: str,
    why: str,
    source: str,
    old: str | None = None,
    data_dir: str | Path | None = None,
    strict: bool = False,
) -> CorrectionResult:
    """Supersede a statement with provenance: ``subject``'s ``prop`` becomes ``new_value``.

    ``subject`` is a name or IRI (``START``, ``program:kentucky-start``); ``prop`` a property it has, by
    CURIE or name (``ppkg:state``, ``state``); ``new_value`` a name or IRI for a thing, or text for a text
    value (``None`` withdraws the statement without a replacement). When the property has several values,
    ``old`` says which one. The correction is stored like a contribution (its own named graph, atomic,
    attributed to ``by`` with the time, ``why`` and ``source``); the superseded statement stays in its
    source's graph, and queries answer with the new value. Raises
    :class:`~ppkg.errors.ContributionRejectedError` (nothing written) if the result would not conform.
    """
    directory = writable_data_directory(data_dir)
    names = GraphNames(graph_files(directory))
    index = names(Graph())
    built = correction(
        names.engine, index, subject=subject, prop=prop, new=new_value, why=why, source=source, by=by, old=old
    )
    submission = Submission(
        graph=built.graph,
        names=["ppkg correct"],
        raw="".join(sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in built.graph)).encode("utf-8"),
    )
    record, report = store_contribution(submission, by=by, source=source, directory=directory, strict=strict)
    return CorrectionResult(record, built, report)
