"""The data steward's two operations, as the command line runs them: validate and contribute."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ppkg.query.names import LabelIndex
from ppkg.rdf.datadir import data_directory, graph_files, writable_data_directory
from ppkg.steward.store import Contribution, check
from ppkg.steward.store import contribute as store_contribution
from ppkg.steward.submission import read_submission
from ppkg.validation.context import existing_graph, existing_store
from ppkg.validation.report import ValidationReport
from ppkg.validation.shacl import validate_graph


def validate(
    paths: Sequence[str | Path] = (), *, data_dir: str | Path | None = None, strict: bool = False
) -> ValidationReport:
    """Check RDF files or filled CSV templates against the shapes, in the context of the graph.

    With no paths, the whole graph of the data directory (default ``$PPKG_DATA_DIR``, else the shipped
    data) is validated. Unreadable input raises :class:`~ppkg.errors.DataFileError`.
    """
    directory = data_directory(data_dir)
    if not paths:
        return validate_graph(existing_graph(directory), strict=strict)
    submission = read_submission([Path(p) for p in paths], lambda: LabelIndex.of_files(graph_files(directory)))
    return check(submission, existing_store(directory), strict=strict)


def contribute(
    paths: Sequence[str | Path],
    *,
    by: str,
    source: str | None = None,
    data_dir: str | Path | None = None,
    strict: bool = False,
) -> tuple[Contribution | None, ValidationReport]:
    """Validate a contribution and merge it into its own named graph, atomically, with provenance.

    Returns the stored contribution (``None`` if nothing was new) and the report; raises
    :class:`~ppkg.contributions.ContributionRejectedError` (nothing written) when it does not conform.
    """
    directory = writable_data_directory(data_dir)
    submission = read_submission([Path(p) for p in paths], lambda: LabelIndex.of_files(graph_files(directory)))
    return store_contribution(submission, by=by, source=source, directory=directory, strict=strict)
