"""Contributions: validated additions, each in its own named graph with provenance, written atomically.

A contribution is stored as ``<data dir>/contributions/<id>.trig``: one named graph
``https://w3id.org/ppkg/id/graph/contribution/<id>`` holding the contributed statements and a description
of the contribution itself (who, when, from which file and its SHA-256, from which source). The file is
written to a temporary file in the same directory, flushed, fsynced, renamed into place and the directory
fsynced, under an exclusive lock: a rejected, failed or killed contribution leaves every existing file
byte-for-byte unchanged. Withdrawing removes that one file. A correction (``ppkg correct``, or a
``ppkg:Correction`` in a contributed file) is a contribution too; the store records on it who made it and
when, unless it says so itself, and withdrawing it restores what it superseded.

The check does not lock others out: a contribution is validated against a snapshot of the data directory
read *without* the lock, together with a :func:`fingerprint` of the files it was read from. Then the lock
is taken and the fingerprint compared: if nothing changed, the contribution is written at once; if another
contribution or a withdrawal landed meanwhile, the contribution is checked again against what is there
now, under the lock for a small contribution (a check in context takes a fraction of a second), and for a
large one first without it (up to :data:`OPTIMISTIC_ATTEMPTS` times, then under the lock), so two
contributions that each pass alone but conflict together never both land.

Testing hook: :func:`checkpoint` marks the stages of a write. With ``PPKG_TEST_PAUSE_AT=<stage>`` in the
environment the process announces the stage on stderr (``ppkg: paused at <stage>``) and waits there until
it is killed or sent ``SIGUSR1`` (which resumes it), so that a test can kill it at that exact point and
check that the data is unchanged or fully merged, or let another command run in between. Without the
variable it does nothing. The stages: ``validating`` (snapshot read, check about to start, no lock held),
``after-validate`` (lock held, checked against the current data), ``after-temp-write``, ``before-rename``,
``after-rename`` and, for a withdrawal, ``before-unlink`` and ``after-unlink``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, XSD
from rdflib.term import Node

from ppkg.errors import ContributionRejectedError, DataFileError, ParameterError, PpkgError, UnknownValueError
from ppkg.progress import SILENT, Progress
from ppkg.rdf.compiled import refresh
from ppkg.rdf.datadir import CONTRIBUTIONS, checkpoint, data_files, graph_files, locked, writable_data_directory
from ppkg.rdf.io import GraphFile, loadable, merged_graph, quiet_rdflib
from ppkg.rdf.namespaces import ID, PPKG, new_dataset
from ppkg.rdf.text import nearest
from ppkg.steward.corrections import MAX_COUNT, check_facts, current_view
from ppkg.steward.submission import Submission, with_rows
from ppkg.steward.templates import source_problem
from ppkg.validation.context import StoreView, existing_store, validate_contribution
from ppkg.validation.lint import lint
from ppkg.validation.report import ValidationReport


@dataclass(frozen=True)
class Contribution:
    """A stored contribution, as ``ppkg contributions`` lists it."""

    id: str
    graph: str
    path: Path
    by: str
    at: str
    input_file: str
    sha256: str
    source: str | None
    triples: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "id": self.id,
            "graph": self.graph,
            "by": self.by,
            "at": self.at,
            "file": self.input_file,
            "sha256": self.sha256,
            "source": self.source,
            "statements": self.triples,
        }


def canonical_hash(graph: Graph) -> str:
    """SHA-256 of the sorted N-Triples of a graph without blank nodes (the same triples, the same hash)."""
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in graph)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


OPTIMISTIC_ATTEMPTS = 3
"""How many times a large contribution is checked again *without* the lock when the data changed while it
was being checked, before it is checked under the lock."""

RECHECK_UNDER_LOCK = 2_000
"""A contribution of at most this many triples is checked again under the lock when the data changed
meanwhile (it takes a fraction of a second); a larger one is first checked again without it."""

Fingerprint = tuple[tuple[str, int, int, int, int], ...]


def fingerprint(directory: Path) -> Fingerprint:
    """What identifies the state of a data directory's files: for each source graph and contribution, its
    name, size, inode and modification and change times (contributions are written by rename, so a new
    file always has a new inode; an edit in place changes the times)."""
    found = []
    for path in data_files(directory):
        try:
            st = path.stat()
        except FileNotFoundError:  # withdrawn while listing: the next fingerprint differs anyway
            continue
        found.append((str(path.relative_to(directory)), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(found)


@dataclass(frozen=True)
class Snapshot:
    """The data directory's graph as it was when its files had ``fingerprint``."""

    fingerprint: Fingerprint
    view: StoreView


def snapshot(directory: Path, *, attempts: int = 5, progress: Progress = SILENT) -> Snapshot | None:
    """Read the data directory without the lock: a consistent snapshot (the fingerprint was the same before
    and after reading it), or ``None`` if it kept changing. Warnings about unreadable contributions are only
    given for the snapshot that is kept."""
    for _ in range(attempts):
        before = fingerprint(directory)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with progress.step("reading the data directory"):
                    view = existing_store(directory)
            except DataFileError:
                if fingerprint(directory) != before:
                    continue  # a file went away while it was read: read again
                raise
        if fingerprint(directory) == before:
            for warning in caught:
                warnings.warn(warning.message, stacklevel=2)
            return Snapshot(before, view)
    return None


def _checked(submission: Submission, state: Snapshot, *, strict: bool, progress: Progress) -> ValidationReport:
    report = check(submission, state.view, strict=strict, progress=progress)
    if not report.conforms:
        raise ContributionRejectedError(report)
    return report


def atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` so that ``target`` is either absent/old or complete, never partial."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            checkpoint("after-temp-write")
            handle.flush()
            os.fsync(handle.fileno())
        checkpoint("before-rename")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    checkpoint("after-rename")
    fsync_directory(target.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable."""
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _clean_stale_temporaries(directory: Path) -> None:
    for stale in (directory / CONTRIBUTIONS).glob(".tmp-*.part"):
        stale.unlink(missing_ok=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "anonymous"


def check(
    submission: Submission, existing: Graph | StoreView, *, strict: bool = False, progress: Progress = SILENT
) -> ValidationReport:
    """Everything ``ppkg validate`` checks about a submission: template problems, lint, shapes in context
    (the graph as it is once the submission's corrections apply), conflicts with single-valued facts, and
    corrections that supersede nothing current.

    A conflict replaces the shapes' "at most one value" result for the same node and property, which says
    the same thing without naming the existing value and its source.
    """
    view = existing if isinstance(existing, StoreView) else StoreView.of(existing)
    with progress.step("checking conflicts"):
        facts = check_facts(submission.graph, view)
    current = current_view(view, facts.superseded)
    report = validate_contribution(submission.graph, current, strict=strict, progress=progress)
    shapes = [
        r for r in report.results if not (r.constraint == MAX_COUNT and (r.focus_node, r.path) in facts.in_conflict)
    ]
    with progress.step("checking names, IRIs and terms"):
        linted = lint(submission.graph, view)
    report.results = [*linted, *facts.results, *shapes]
    return with_rows(report, submission)


def contribute(
    submission: Submission,
    *,
    by: str,
    source: str | None = None,
    directory: Path | None = None,
    strict: bool = False,
    now: dt.datetime | None = None,
    progress: Progress = SILENT,
) -> tuple[Contribution | None, ValidationReport]:
    """Validate a submission against the data directory and, if it conforms, store it.

    The check runs without the data directory's lock, so others can contribute meanwhile; the lock is held
    only to confirm the data is still what was checked (else to check again) and to write the file.
    Returns the stored contribution (``None`` when every triple is already in the graph) and the report.
    Raises :class:`ContributionRejectedError` when it does not conform; nothing is written then.
    """
    if not by.strip():
        raise ParameterError("--by needs the name of the person contributing")
    if source is not None and (problem := source_problem(source)):
        raise ParameterError(f"--source must be an http, https or urn IRI: {problem}")
    directory = writable_data_directory(directory)
    small = len(submission.graph) <= RECHECK_UNDER_LOCK
    state = snapshot(directory, progress=progress)
    attempt = 1
    while True:
        report = prepared = None
        if state is not None:  # the long part, without the lock: the check, and the file to write
            if attempt == 1:
                checkpoint("validating")
            report = _checked(submission, state, strict=strict, progress=progress)
            with progress.step("preparing the contribution file"):
                prepared = _prepare(submission, state.view, by=by, source=source, directory=directory, now=now)
        with locked(directory):
            _clean_stale_temporaries(directory)
            if state is None or report is None or fingerprint(directory) != state.fingerprint:
                if not small and attempt < OPTIMISTIC_ATTEMPTS:
                    state = None  # a large one is checked again without the lock (below)
                else:  # changed meanwhile: check again against what is there now
                    with progress.step("reading the data directory"):
                        state = Snapshot(fingerprint(directory), existing_store(directory, held=True))
                    report = _checked(submission, state, strict=strict, progress=progress)
                    with progress.step("preparing the contribution file"):
                        prepared = _prepare(submission, state.view, by=by, source=source, directory=directory, now=now)
            if state is not None and report is not None:
                checkpoint("after-validate")
                if prepared is None:  # every statement is already in the graph
                    return None, report
                with progress.step("writing the contribution"):
                    atomic_write(prepared.record.path, prepared.payload)
                refresh(directory, graph_files(directory), progress=progress)
                return prepared.record, report
        attempt += 1
        state = snapshot(directory, progress=progress)


@dataclass(frozen=True)
class _Prepared:
    """A contribution file ready to be written, and how ``ppkg contributions`` will list it."""

    record: Contribution
    payload: bytes


def _prepare(
    submission: Submission,
    existing: StoreView,
    *,
    by: str,
    source: str | None,
    directory: Path,
    now: dt.datetime | None,
) -> _Prepared | None:
    """The contribution file of what ``submission`` adds to ``existing`` (``None`` if it adds nothing)."""
    contribution = submission.graph
    input_name = ", ".join(submission.names)
    input_bytes = submission.raw
    new = Graph()
    for triple in contribution:
        if triple not in existing:
            new.add(triple)
    if len(new) == 0:
        return None
    digest = canonical_hash(new)
    moment = now or dt.datetime.now(dt.timezone.utc)
    when = moment.replace(microsecond=0)
    cid = f"{when:%Y%m%d}-{digest[:12]}"
    graph_iri = URIRef(ID[f"graph/contribution/{cid}"])
    dataset = new_dataset()
    target = dataset.graph(graph_iri)
    for triple in new:
        target.add(triple)
    person = URIRef(ID[f"person/{_slug(by)}"])
    target.add((graph_iri, RDF.type, PPKG.Contribution))
    target.add((graph_iri, RDF.type, PROV.Entity))
    target.add((graph_iri, RDFS.label, Literal(f"Contribution {cid} by {by}", lang="en")))
    target.add((graph_iri, PROV.wasAttributedTo, person))
    target.add((graph_iri, PROV.generatedAtTime, Literal(when.isoformat(), datatype=XSD.dateTime)))
    target.add((graph_iri, DCTERMS.source, Literal(input_name)))
    sha256 = hashlib.sha256(input_bytes).hexdigest()
    target.add((graph_iri, PPKG.contentHash, Literal(sha256)))
    target.add((graph_iri, PPKG.tripleCount, Literal(len(new))))
    if source:
        target.add((graph_iri, PROV.wasDerivedFrom, URIRef(source)))
    target.add((person, RDF.type, PPKG.Person))  # in every contribution, so each can be withdrawn alone
    target.add((person, RDFS.label, Literal(by, lang="en")))
    for correction in set(target.subjects(RDF.type, PPKG.Correction)):  # who and when, unless it says
        if (correction, PROV.wasAttributedTo, None) not in target:
            target.add((correction, PROV.wasAttributedTo, person))
        if (
            correction,
            PROV.generatedAtTime,
            None,
        ) not in target:  # to the microsecond: corrections apply in time order
            target.add((correction, PROV.generatedAtTime, Literal(moment.isoformat(), datatype=XSD.dateTime)))
    with quiet_rdflib():
        payload = dataset.serialize(format="trig", encoding="utf-8")
    record = Contribution(
        id=cid,
        graph=str(graph_iri),
        path=directory / CONTRIBUTIONS / f"{cid}.trig",
        by=by,
        at=when.isoformat(),
        input_file=input_name,
        sha256=sha256,
        source=source or None,
        triples=len(new),
    )
    return _Prepared(record, payload)


def _record(path: Path) -> Contribution | None:
    dataset = Dataset()
    try:
        with quiet_rdflib():
            dataset.parse(path, format="trig")
    except Exception as err:  # a contribution file that no longer parses is reported, not hidden
        raise DataFileError(str(path), f"cannot read the contribution: {err}") from None
    for graph in dataset.graphs():
        iri = graph.identifier
        if (iri, RDF.type, PPKG.Contribution) not in graph:
            continue
        agent = graph.value(iri, PROV.wasAttributedTo)
        source = graph.value(iri, PROV.wasDerivedFrom)
        count = graph.value(iri, PPKG.tripleCount)
        return Contribution(
            id=path.stem,
            graph=str(iri),
            path=path,
            by=str(graph.value(agent, RDFS.label) or agent),
            at=str(graph.value(iri, PROV.generatedAtTime)),
            input_file=str(graph.value(iri, DCTERMS.source)),
            sha256=str(graph.value(iri, PPKG.contentHash)),
            source=str(source) if source else None,
            triples=int(count.toPython()) if isinstance(count, Literal) else 0,
        )
    return None


def list_contributions(directory: Path | None = None) -> list[Contribution]:
    """The stored contributions, oldest first (a file that cannot be read is reported with a warning and left out)."""
    directory = writable_data_directory(directory)
    files = loadable(GraphFile(p, None, skippable=True) for p in sorted((directory / CONTRIBUTIONS).glob("*.trig")))
    records = [_record(f.path) for f in files]
    return sorted((r for r in records if r is not None), key=lambda r: (r.at, r.id))


def withdraw(cid: str, directory: Path | None = None) -> Contribution:
    """Remove one contribution; refused while other data uses a node only it describes (that would dangle)."""
    directory = writable_data_directory(directory)
    with locked(directory):
        known = {c.id: c for c in list_contributions(directory)}
        if cid not in known:
            raise UnknownValueError("contribution", cid, nearest(cid, list(known)))
        record = known[cid]
        others = {path: merged_graph([path]) for path in data_files(directory) if path != record.path}
        remaining = Graph()
        for graph in others.values():
            remaining += graph
        defined_here = _typed_only_in(record.path, remaining)
        users = sorted(
            {
                (path.name, str(node))
                for path, graph in others.items()
                for node in defined_here
                if (node, None, None) in graph or (None, None, node) in graph
            }
        )
        if users:
            where = "; ".join(f"<{node}> in {name}" for name, node in users[:3])
            raise PpkgError(f"cannot withdraw {cid}: other data uses what it defines ({where}); withdraw that first")
        checkpoint("before-unlink")
        record.path.unlink()
        checkpoint("after-unlink")
        fsync_directory(record.path.parent)
        refresh(directory, graph_files(directory))
        return record


def _typed_only_in(path: Path, remaining: Graph) -> set[Node]:
    """Nodes the contribution at ``path`` types and nothing else does (removing it would leave them dangling)."""
    return {s for s in merged_graph([path]).subjects(RDF.type, None) if (s, RDF.type, None) not in remaining}
