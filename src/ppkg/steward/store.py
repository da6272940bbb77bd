"""Contributions: validated additions, each in its own named graph with provenance, written atomically.

A contribution is stored as ``<data dir>/contributions/<id>.trig``: one named graph
``https://w3id.org/ppkg/id/graph/contribution/<id>`` holding the contributed statements and a description
of the contribution itself (who, when, from which file and its SHA-256, from which source). The file is
written to a temporary file in the same directory, flushed, fsynced, renamed into place and the directory
fsynced, under an exclusive lock: a rejected, failed or killed contribution leaves every existing file
byte-for-byte unchanged. Withdrawing removes that one file. A correction (``ppkg correct``, or a
``ppkg:Correction`` in a contributed file) is a contribution too; the store records on it who made it and
when, unless it says so itself, and withdrawing it restores what it superseded.

Testing hook: :func:`checkpoint` marks the stages of a write. With ``PPKG_TEST_PAUSE_AT=<stage>`` in the
environment the process announces the stage on stderr and waits there, so that a test can kill it at
that exact point and check that the data is unchanged or fully merged. Without the variable it does
nothing.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, XSD
from rdflib.term import Node

from ppkg.errors import ContributionRejectedError, DataFileError, ParameterError, PpkgError, UnknownValueError
from ppkg.query.safety import is_http_url
from ppkg.rdf.datadir import CONTRIBUTIONS, data_files, writable_data_directory
from ppkg.rdf.io import GraphFile, loadable, merged_graph, quiet_rdflib
from ppkg.rdf.namespaces import ID, PPKG, new_dataset
from ppkg.rdf.text import nearest
from ppkg.steward.corrections import MAX_COUNT, check_facts, current_view
from ppkg.steward.submission import Submission, with_rows
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


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on the data directory itself for the read-validate-write cycle (no lock file)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def checkpoint(stage: str) -> None:
    """Testing hook: with ``PPKG_TEST_PAUSE_AT=<stage>``, announce the stage on stderr and wait to be killed."""
    if os.environ.get("PPKG_TEST_PAUSE_AT") == stage:
        import sys
        import time

        sys.stderr.write(f"ppkg: paused at {stage}\n")
        sys.stderr.flush()
        time.sleep(600)


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


def check(submission: Submission, existing: Graph | StoreView, *, strict: bool = False) -> ValidationReport:
    """Everything ``ppkg validate`` checks about a submission: template problems, lint, shapes in context
    (the graph as it is once the submission's corrections apply), conflicts with single-valued facts, and
    corrections that supersede nothing current.

    A conflict replaces the shapes' "at most one value" result for the same node and property, which says
    the same thing without naming the existing value and its source.
    """
    view = existing if isinstance(existing, StoreView) else StoreView.of(existing)
    facts = check_facts(submission.graph, view)
    report = validate_contribution(submission.graph, current_view(view, facts.superseded), strict=strict)
    shapes = [
        r for r in report.results if not (r.constraint == MAX_COUNT and (r.focus_node, r.path) in facts.in_conflict)
    ]
    report.results = [*lint(submission.graph), *facts.results, *shapes]
    return with_rows(report, submission)


def contribute(
    submission: Submission,
    *,
    by: str,
    source: str | None = None,
    directory: Path | None = None,
    strict: bool = False,
    now: dt.datetime | None = None,
) -> tuple[Contribution | None, ValidationReport]:
    """Validate a submission against the data directory and, if it conforms, store it.

    Returns the stored contribution (``None`` when every triple is already in the graph) and the report.
    Raises :class:`ContributionRejectedError` when it does not conform; nothing is written then.
    """
    contribution = submission.graph
    input_name = ", ".join(submission.names)
    input_bytes = submission.raw
    if not by.strip():
        raise ParameterError("--by needs the name of the person contributing")
    if source is not None and not is_http_url(source):
        raise ParameterError(f"--source must be an http(s) URL, got {source!r}")
    directory = writable_data_directory(directory)
    with locked(directory):
        _clean_stale_temporaries(directory)
        existing = existing_store(directory)
        report = check(submission, existing, strict=strict)
        if not report.conforms:
            raise ContributionRejectedError(report)
        checkpoint("after-validate")
        new = Graph()
        for triple in contribution:
            if triple not in existing:
                new.add(triple)
        if len(new) == 0:
            return None, report
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
        target.add((graph_iri, PPKG.contentHash, Literal(hashlib.sha256(input_bytes).hexdigest())))
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
        path = directory / CONTRIBUTIONS / f"{cid}.trig"
        with quiet_rdflib():
            payload = dataset.serialize(format="trig", encoding="utf-8")
        atomic_write(path, payload)
        record = _record(path)
        assert record is not None
        return record, report


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
        fsync_directory(record.path.parent)
        return record


def _typed_only_in(path: Path, remaining: Graph) -> set[Node]:
    """Nodes the contribution at ``path`` types and nothing else does (removing it would leave them dangling)."""
    return {s for s in merged_graph([path]).subjects(RDF.type, None) if (s, RDF.type, None) not in remaining}
