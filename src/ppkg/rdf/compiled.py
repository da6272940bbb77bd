"""The persistent store: a data directory compiled into an on-disk Oxigraph store, so that a query on a large
graph costs the query, not a reload.

The store lives in ``<data dir>/.ppkg-store/`` as *generations*: ``gen-000001/``, ``gen-000002/``, … each
holding an Oxigraph database (``oxigraph/``) and a ``manifest.json`` that names every file it was built from
with its SHA-256, size, modification time and the graphs it holds. ``CURRENT`` names the generation in use.

* **Reading** never writes: a reader compares the manifest of the current generation with the files (their
  size, modification time and inode first, the SHA-256 only when those differ) and, when they agree, opens
  that generation read-only. A generation is never changed once it is published, so readers and a writer
  never touch the same database.
* **Updating** (a file added, changed or removed; ``ppkg contribute`` and ``ppkg withdraw`` do it at once)
  happens under the data directory's lock (:func:`~ppkg.rdf.datadir.locked`): the current generation is
  copied by hard links (:meth:`pyoxigraph.Store.backup`), the changed files' graphs are replaced in the
  copy, and ``CURRENT`` is switched to it by an atomic rename. A crash at any point leaves ``CURRENT`` on a
  complete generation; if the files moved on meanwhile, the next reader sees it from the manifest and brings
  the store up to date first. A stale store is never read.
* **Rebuilding** from scratch happens when there is no store, when the shipped vocabularies, the store layout or
  Oxigraph changed, or when ``ppkg store rebuild`` asks for it. The same files always give the same
  statements (blank node labels aside).

The store holds each named graph once; :mod:`ppkg.rdf.union` says how its default graph is read as the union.
Old generations are removed once no reader holds them (each reader keeps a shared lock on its generation).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ppkg.errors import DataFileError, ParameterError, StoreWarning, UnreadableFileWarning
from ppkg.progress import SILENT, Progress
from ppkg.rdf.datadir import checkpoint, locked
from ppkg.rdf.io import GraphFile, read_quads, stream_checked, syntax_of
from ppkg.rdf.union import Shares, UnionView, arrange, compare_graphs, fresh_shares, rearranged

STORE_DIR = ".ppkg-store"
"""The store's directory inside a data directory."""

FORMAT = 2
"""The layout of a generation; a store of another layout is rebuilt."""

STREAM_BYTES = 8 << 20
"""A file this large is parsed and checked as it is loaded, never held whole in memory."""

SMALL_BUILD_BYTES = 16 << 20
"""Files smaller than this in all are loaded in one transaction, larger ones by Oxigraph's bulk loader."""

_CURRENT = "CURRENT"
_MANIFEST = "manifest.json"
_DATABASE = "oxigraph"
_IN_USE = "in-use"


def _versions() -> dict[str, str]:
    """What a generation's layout depends on beyond :data:`FORMAT`: the Oxigraph that wrote it (the shipped
    vocabularies are files of the manifest, so a new ppkg that changes them rebuilds the store anyway)."""
    return {"pyoxigraph": ox.__version__}


@dataclass(frozen=True)
class FileState:
    """One file as a generation was built from it."""

    sha256: str
    size: int
    mtime_ns: int
    inode: int
    graphs: tuple[str, ...] = ()
    skipped: str | None = None
    """Why the file was left out (an unreadable contribution), or ``None``."""

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready form."""
        data: dict[str, Any] = {
            "sha256": self.sha256,
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "inode": self.inode,
            "graphs": list(self.graphs),
        }
        if self.skipped is not None:
            data["skipped"] = self.skipped
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileState:
        """The state :meth:`as_json` wrote."""
        return cls(
            data["sha256"],
            data["size"],
            data["mtime_ns"],
            data["inode"],
            tuple(data.get("graphs", ())),
            data.get("skipped"),
        )


@dataclass
class Manifest:
    """What a generation was built from, and how its union is read."""

    files: dict[str, FileState]
    union: UnionView
    shares: Shares
    sizes: dict[str, int]
    versions: dict[str, str] = field(default_factory=_versions)
    format: int = FORMAT

    @property
    def statements(self) -> int:
        """The number of statements in the named graphs."""
        return sum(self.sizes.values())

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready form (sorted, so the same store gives the same manifest)."""
        return {
            "format": self.format,
            "versions": self.versions,
            "files": {k: v.as_json() for k, v in sorted(self.files.items())},
            "union": self.union.as_json(),
            "shares": self.shares,
            "sizes": dict(sorted(self.sizes.items())),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        """The manifest :meth:`as_json` wrote."""
        return cls(
            files={k: FileState.from_json(v) for k, v in data["files"].items()},
            union=UnionView.from_json(data["union"]),
            shares={k: list(v) for k, v in data.get("shares", {}).items()},
            sizes=dict(data.get("sizes", {})),
            versions=dict(data.get("versions", {})),
            format=int(data.get("format", 0)),
        )

    def compatible(self) -> bool:
        """Whether this ppkg and this Oxigraph read the generation as it was written."""
        return self.format == FORMAT and self.versions == _versions()


@dataclass(frozen=True)
class StoreStatus:
    """What ``ppkg store status`` shows."""

    directory: Path
    exists: bool
    generation: str | None = None
    fresh: bool = False
    statements: int = 0
    graphs: int = 0
    files: int = 0
    merged: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()
    """The files that changed since the store was built (``+`` added, ``-`` removed, ``~`` changed)."""
    bytes_on_disk: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "directory": str(self.directory),
            "exists": self.exists,
            "generation": self.generation,
            "fresh": self.fresh,
            "statements": self.statements,
            "graphs": self.graphs,
            "files": self.files,
            "merged_graphs": list(self.merged),
            "stale": list(self.stale),
            "bytes_on_disk": self.bytes_on_disk,
        }


def _signature(path: Path) -> tuple[int, int, int] | None:
    """Size, modification time and inode of a regular file; ``None`` for anything else (never opened)."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino) if stat.S_ISREG(found.st_mode) else None


def _size(path: Path) -> int:
    signature = _signature(path)
    return 0 if signature is None else signature[0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _key(directory: Path, path: Path) -> str:
    try:
        return path.relative_to(directory).as_posix()
    except ValueError:
        return str(path)


def _changes(directory: Path, manifest: Manifest, files: Sequence[GraphFile]) -> dict[str, str]:
    """The files that differ from the manifest: key → ``+`` (new), ``-`` (gone) or ``~`` (changed)."""
    changes: dict[str, str] = {}
    seen = set()
    for f in files:
        key = _key(directory, f.path)
        seen.add(key)
        known = manifest.files.get(key)
        if known is None:
            changes[key] = "+"
            continue
        signature = _signature(f.path)
        if signature is None:  # missing, a dangling link, a FIFO …: never opened
            if known.sha256:
                changes[key] = "~"
        elif signature != (known.size, known.mtime_ns, known.inode) and _sha256(f.path) != known.sha256:
            changes[key] = "~"
    for key in manifest.files:
        if key not in seen:
            changes[key] = "-"
    return dict(sorted(changes.items()))


# -- generations ------------------------------------------------------------------------------------


def _root(directory: Path) -> Path:
    return directory / STORE_DIR


def _current(root: Path) -> tuple[Path, Manifest] | None:
    """The published generation and its manifest, or ``None`` (no store, or one this ppkg cannot read)."""
    try:
        name = (root / _CURRENT).read_text(encoding="utf-8").strip()
        generation = root / name
        manifest = Manifest.from_json(json.loads((generation / _MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not name.startswith("gen-") or not manifest.compatible():
        return None
    return generation, manifest


def _next_generation(root: Path) -> Path:
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    return root / f"gen-{max(numbers, default=0) + 1:06d}"


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(root: Path, generation: Path) -> None:
    checkpoint("store-updated")
    _write_atomically(root / _CURRENT, (generation.name + "\n").encode("utf-8"))
    checkpoint("store-published")
    _collect(root, keep=generation)


def _collect(root: Path, keep: Path) -> None:
    """Remove the generations nobody reads any more (a reader holds a shared lock on its generation)."""
    for old in sorted(root.glob("gen-*")):
        if old == keep or not old.is_dir():
            continue
        try:
            fd = os.open(old / _IN_USE, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError:
            shutil.rmtree(old, ignore_errors=True)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a reader still has it open
        try:  # the lock is held until it is gone: a reader that waits for it then finds no manifest
            (old / _MANIFEST).unlink(missing_ok=True)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            os.close(fd)
    for stray in root.glob("*.tmp"):
        stray.unlink(missing_ok=True)


# -- building -----------------------------------------------------------------------------------------


def _read(f: GraphFile) -> tuple[list[ox.Quad], str | None]:
    """The file's statements (in its named graph for a triple format), or why a skippable file was skipped."""
    try:
        quads = read_quads(f.path)
    except DataFileError as err:
        if not f.skippable:
            raise
        return [], f"{err}; the file is left in place and skipped"
    if f.graph and not syntax_of(f.path).quads:
        graph = ox.NamedNode(f.graph)
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]
    return quads, None


def _state(f: GraphFile, graphs: dict[str, int], skipped: str | None) -> FileState:
    signature = _signature(f.path)
    if signature is None:  # a skipped contribution that is not a regular file
        return FileState("", 0, 0, 0, (), skipped)
    return FileState(_sha256(f.path), *signature, tuple(sorted(graphs)), skipped)


class _SkipFileError(Exception):
    """A large contribution failed its checks while it was being loaded: build again without it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key, self.message = key, message


def _graph_sizes(quads: Sequence[ox.Quad]) -> dict[str, int]:
    return dict(Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)))


def _build(directory: Path, root: Path, files: Sequence[GraphFile], progress: Progress) -> Path:
    """A new generation built from scratch (a generation left unfinished is removed)."""
    skip: dict[str, str] = {}
    while True:
        generation = _next_generation(root)
        generation.mkdir()
        try:
            _build_into(generation, directory, files, progress, skip)
            return generation
        except _SkipFileError as bad:
            skip[bad.key] = bad.message  # a broken large contribution: built again without it
            shutil.rmtree(generation, ignore_errors=True)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise


def _build_into(
    generation: Path, directory: Path, files: Sequence[GraphFile], progress: Progress, skip: dict[str, str]
) -> None:
    store = ox.Store(str(generation / _DATABASE))
    states: dict[str, FileState] = {}
    sizes: Counter[str] = Counter()
    with progress.step("building the store", total=sum(_size(f.path) for f in files)) as advance:

        def statements() -> Iterator[ox.Quad]:
            for f in files:
                key = _key(directory, f.path)
                if _size(f.path) >= STREAM_BYTES and key not in skip:
                    counts: Counter[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = Counter()
                    try:
                        for q in stream_checked(f.path, f.graph):
                            counts[q.graph_name] += 1
                            yield q
                    except DataFileError as err:
                        if not f.skippable:
                            raise
                        raise _SkipFileError(key, f"{err}; the file is left in place and skipped") from None
                    graphs = {g.value: n for g, n in counts.items() if isinstance(g, ox.NamedNode)}
                    states[key] = _state(f, graphs, None)
                else:
                    quads, skipped = _read(f) if key not in skip else ([], skip[key])
                    graphs = _graph_sizes(quads)
                    states[key] = _state(f, graphs, skipped)
                    yield from quads
                    del quads
                sizes.update(graphs)
                advance(_size(f.path))

        if sum(_size(f.path) for f in files) < SMALL_BUILD_BYTES:
            store.extend(list(statements()))  # one transaction: a bulk load's fixed cost is not worth it
        else:
            store.bulk_extend(statements())  # one bulk load for every file: its fixed cost is paid once
    with progress.step("comparing the graphs"):
        shares = fresh_shares(store, sizes)
        union = arrange(store, sizes, shares)
    store.flush()
    _finish(generation, store, Manifest(states, union, shares, dict(sorted(sizes.items()))))


def _finish(generation: Path, store: ox.Store, manifest: Manifest) -> None:
    del store  # closes the database before it is published
    _write_atomically(generation / _MANIFEST, json.dumps(manifest.as_json(), indent=1).encode("utf-8"))
    (generation / _IN_USE).touch()


def _update(
    directory: Path,
    root: Path,
    current: tuple[Path, Manifest],
    files: Sequence[GraphFile],
    changes: dict[str, str],
    progress: Progress,
) -> Path | None:
    """A new generation: the current one with the changed files' graphs replaced (``None``: a rebuild is
    needed, because a changed file shares a graph with another file or a vocabulary changed)."""
    old, manifest = current
    by_key = {_key(directory, f.path): f for f in files}
    changed = [k for k, c in changes.items() if c != "+"]
    owners: Counter[str] = Counter(g for state in manifest.files.values() for g in state.graphs)
    if any(owners[g] > 1 for k in changed for g in manifest.files[k].graphs):
        return None  # a changed file shares a graph with another file: rebuilt from scratch
    read = {k: _read(by_key[k]) for k, c in changes.items() if c != "-"}
    kept_graphs = {g for k, s in manifest.files.items() if k not in changes for g in s.graphs}
    new_graphs: Counter[str] = Counter(
        q.graph_name.value for quads, _ in read.values() for q in quads if isinstance(q.graph_name, ox.NamedNode)
    )
    if kept_graphs & set(new_graphs) or any(
        not isinstance(q.graph_name, ox.NamedNode) for quads, _ in read.values() for q in quads
    ):
        return None  # a new file adds to a graph another file holds (or to the default graph)
    generation = _next_generation(root)
    generation.mkdir()
    with progress.step("updating the store", total=len(changes)) as advance:
        ox.Store.read_only(str(old / _DATABASE)).backup(str(generation / _DATABASE))
        checkpoint("store-copied")
        store = ox.Store(str(generation / _DATABASE))
        states = {k: v for k, v in manifest.files.items() if k not in changes}
        for key in changed:
            for graph in manifest.files[key].graphs:
                store.remove_graph(ox.NamedNode(graph))
            advance(1)
        for key, (quads, skipped) in read.items():
            store.extend(quads)
            states[key] = _state(by_key[key], _graph_sizes(quads), skipped)
            advance(1)
        sizes = {g: n for g, n in manifest.sizes.items() if g in kept_graphs}
        sizes.update(new_graphs)
        shares = compare_graphs(store, sizes, manifest.shares, sorted(new_graphs))
        union = arrange(store, sizes, shares)
        store.flush()
    _finish(generation, store, Manifest(states, union, shares, dict(sorted(sizes.items()))))
    return generation


def sync(
    directory: Path,
    files: Sequence[GraphFile],
    *,
    progress: Progress = SILENT,
    force: bool = False,
    held: bool = False,
) -> StoreStatus:
    """Bring the store of ``directory`` up to date with ``files`` (``force``: rebuild it from scratch).

    Takes the data directory's lock, unless the caller ``held`` it already. Returns the new status.
    """
    with contextlib.nullcontext() if held else locked(directory):
        root = _root(directory)
        root.mkdir(exist_ok=True)
        current = None if force else _current(root)
        changes = None if current is None else _changes(directory, current[1], files)
        if current is not None and not changes:
            return status(directory, files)
        generation = None
        if current is not None and changes:
            generation = _update(directory, root, current, files, changes, progress)
        if generation is None:
            generation = _build(directory, root, files, progress)
        _publish(root, generation)
    return status(directory, files)


def refresh(directory: Path, files: Sequence[GraphFile], *, progress: Progress = SILENT) -> None:
    """Update the store of ``directory``, if it has one, after a change made under the lock the caller holds
    (a contribution written, one withdrawn). A failure is a warning: the change stands, and the next query
    brings the store up to date."""
    if not (_root(directory) / _CURRENT).exists():
        return  # no store yet: the first query builds it
    try:
        sync(directory, files, progress=progress, held=True)
    except (OSError, DataFileError) as err:
        warnings.warn(
            StoreWarning(f"{_root(directory)}: the store was not updated ({err}); the next query updates it"),
            stacklevel=2,
        )


def status(directory: Path, files: Sequence[GraphFile]) -> StoreStatus:
    """The store of ``directory``: its generation, size, and whether it matches ``files``."""
    root = _root(directory)
    current = _current(root)
    if current is None:
        return StoreStatus(directory=root, exists=False)
    generation, manifest = current
    changes = _changes(directory, manifest, files)
    size = sum(p.stat().st_size for p in generation.rglob("*") if p.is_file())
    return StoreStatus(
        directory=root,
        exists=True,
        generation=generation.name,
        fresh=not changes,
        statements=manifest.statements,
        graphs=len(manifest.sizes),
        files=len(manifest.files),
        merged=manifest.union.merged,
        stale=tuple(f"{c} {k}" for k, c in changes.items()),
        bytes_on_disk=size,
    )


# -- reading --------------------------------------------------------------------------------------------


class OpenGraph:
    """A graph ready to query: a store, how to read its union, and (on disk) its generation."""

    def __init__(self, store: ox.Store, union: UnionView, generation: Path | None = None, fd: int | None = None):
        self.store = store
        self.union = union
        self.generation = generation
        self._fd = fd

    def cached(self, name: str, compute: Callable[[], bytes]) -> bytes:
        """A value derived from this graph (say, its label index), computed once per generation and kept
        beside it; in memory it is just computed."""
        if self.generation is None:
            return compute()
        path = self.generation / name
        try:
            return path.read_bytes()
        except OSError:
            pass
        data = compute()
        with contextlib.suppress(OSError):  # a read-only directory: computed each time
            temporary = path.with_name(f"{name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        return data

    def close(self) -> None:
        """Let the generation go (its lock is released; the store object may still be referenced)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()


def in_memory(files: Sequence[GraphFile]) -> OpenGraph:
    """The files loaded into a fresh in-memory store (for the shipped data, extra files and reasoning)."""
    store = ox.Store()
    for f in files:
        quads, skipped = _read(f)
        if skipped is not None:
            warnings.warn(UnreadableFileWarning(skipped), stacklevel=3)
            continue
        store.extend(quads)
    return OpenGraph(store, rearranged(store))


def open_store(
    directory: Path, files: Sequence[GraphFile], *, progress: Progress = SILENT, held: bool = False
) -> OpenGraph:
    """The store of ``directory`` opened read-only, brought up to date first when the files changed (``held``:
    the caller holds the directory's lock already).

    A directory that cannot be written to and has no up-to-date store is read into memory instead.
    """
    root = _root(directory)
    for _attempt in range(3):
        current = _current(root)
        if current is not None and not _changes(directory, current[1], files):
            opened = _open(*current)
            if opened is not None:
                return opened
            continue  # replaced and removed meanwhile: read CURRENT again
        if not os.access(directory, os.W_OK):
            return in_memory(files)
        try:
            sync(directory, files, progress=progress, held=held)
        except OSError as err:
            raise ParameterError(f"{root}: the store cannot be updated: {err.strerror or err}") from None
    return in_memory(files)


def _open(generation: Path, manifest: Manifest) -> OpenGraph | None:
    try:
        fd = os.open(generation / _IN_USE, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        if not (generation / _MANIFEST).exists():
            os.close(fd)
            return None
        store = ox.Store.read_only(str(generation / _DATABASE))
    except OSError:
        os.close(fd)
        return None
    for _, state in sorted(manifest.files.items()):
        if state.skipped is not None:
            warnings.warn(UnreadableFileWarning(state.skipped), stacklevel=3)
    return OpenGraph(store, manifest.union, generation, fd)


def generations(directory: Path) -> Iterator[Path]:
    """The generation directories of a data directory's store (the current one and any not yet removed)."""
    yield from sorted(_root(directory).glob("gen-*"))
