"""The data directory: where the source graphs and contributions a graph is built from live.

One rule everywhere: an explicit directory, else ``$PPKG_DATA_DIR``, else the shipped data. Writing needs a
directory the user owns, so the data inside an installed package is never written to.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ppkg.errors import ParameterError
from ppkg.rdf import shipped
from ppkg.rdf.io import GraphFile
from ppkg.rdf.namespaces import ONTOLOGY_GRAPH_IRI, vocabulary_graph

CONTRIBUTIONS = "contributions"
"""Sub-directory of the data directory that holds the contributions."""


def data_directory(explicit: str | Path | None = None) -> Path:
    """The data directory to read: ``explicit``, else ``$PPKG_DATA_DIR``, else the shipped data."""
    chosen = explicit or os.environ.get("PPKG_DATA_DIR")
    directory = Path(chosen) if chosen else shipped.root() / "data"
    if not directory.is_dir():
        raise ParameterError(f"{directory}: the data directory does not exist")
    return directory


def own_data_directory(explicit: str | Path | None = None) -> Path | None:
    """The data directory the user chose (``explicit``, else ``$PPKG_DATA_DIR``), or ``None`` for the
    shipped data."""
    chosen = explicit or os.environ.get("PPKG_DATA_DIR")
    return data_directory(chosen) if chosen else None


def writable_data_directory(explicit: str | Path | None = None) -> Path:
    """The data directory to write to, by the same rule; the installed package's own data is refused."""
    if not (explicit or os.environ.get("PPKG_DATA_DIR")) and shipped.root().name == "_shipped":
        raise ParameterError(
            "the installed package's data is read-only: pass --data-dir DIR (or set PPKG_DATA_DIR) to a copy "
            "made with `ppkg export --format trig -o DIR/ppkg.trig`"
        )
    return data_directory(explicit)


def data_files(directory: Path) -> list[Path]:
    """The source graphs and contributions of a data directory, sorted."""
    return sorted(directory.glob("*.trig")) + sorted((directory / CONTRIBUTIONS).glob("*.trig"))


def vocabulary_files() -> list[GraphFile]:
    """The ontology and the vocabularies, each with the named graph it goes into."""
    files = [GraphFile(shipped.ontology_file(), ONTOLOGY_GRAPH_IRI)]
    files += [GraphFile(p, vocabulary_graph(p.stem)) for p in shipped.vocabulary_files()]
    return files


def graph_files(explicit: str | Path | None = None) -> list[GraphFile]:
    """Everything a graph is built from: the ontology, the vocabularies and the data directory's files."""
    return vocabulary_files() + data_graph_files(data_directory(explicit))


def data_graph_files(directory: Path) -> list[GraphFile]:
    """The data directory's files as graph files; contributions are skippable (a broken one is skipped)."""
    contributions = directory / CONTRIBUTIONS
    return [GraphFile(p, None, skippable=p.parent == contributions) for p in data_files(directory)]


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on the data directory itself (no lock file), held to compare, write or remove files
    and to update the directory's store; a contribution is validated before it is taken."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def checkpoint(stage: str) -> None:
    """Testing hook: with ``PPKG_TEST_PAUSE_AT=<stage>``, announce the stage on stderr and wait there until
    killed or sent ``SIGUSR1`` (at most 600 s)."""
    if os.environ.get("PPKG_TEST_PAUSE_AT") != stage:
        return
    resume = {signal.SIGUSR1}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, resume)  # blocked before the announcement: never lost
    try:
        sys.stderr.write(f"ppkg: paused at {stage}\n")
        sys.stderr.flush()
        signal.sigtimedwait(resume, 600)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
