"""Shared fixtures: the shipped graph on both engines, and a runner for the installed ``ppkg`` command."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

import ppkg
from ppkg.rdf import shipped
from ppkg.rdf.compiled import STORE_DIR

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def kg() -> ppkg.KnowledgeGraph:
    """The shipped graph on the default (Oxigraph) engine."""
    return ppkg.load()


@pytest.fixture(scope="session")
def kg_rdflib() -> ppkg.KnowledgeGraph:
    """The shipped graph on rdflib's engine."""
    return ppkg.load(engine="rdflib")


def ppkg_command() -> list[str]:
    """The installed ``ppkg`` console script (beside this Python, else on PATH)."""
    beside = Path(sys.executable).with_name("ppkg")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("ppkg")
    assert found, "the ppkg command is not installed"
    return [found]


@pytest.fixture(scope="session")
def run_ppkg() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``ppkg`` command with arguments; returns the completed process (text)."""

    def run(
        *args: str, stdin: str | None = None, cwd: Path | None = None, env: Mapping[str, str | None] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``env`` overrides variables (``None`` unsets one, e.g. ``{"COLUMNS": None}``)."""
        merged: dict[str, str | None] = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
        environ = {key: value for key, value in merged.items() if value is not None}
        return subprocess.run(
            [*ppkg_command(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=cwd,
            env=environ,
            timeout=300,
        )

    return run


def tree_digest(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory`` (to prove nothing changed), except the persistent store,
    which queries build from the files and which is checked on its own (``.ppkg-store/``)."""
    digest = {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and STORE_DIR not in p.relative_to(directory).parts
    }
    return digest


def copy_data(target: Path) -> Path:
    """A private copy of the shipped data directory at ``target`` (without contributions)."""
    shutil.copytree(shipped.root() / "data", target, ignore=shutil.ignore_patterns("contributions"))
    return target


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped data directory (contributions go here, never into the repository)."""
    return copy_data(tmp_path / "data")


@pytest.fixture
def shipped_digest() -> Iterator[dict[str, str]]:
    """Digest of the shipped data before a test; the test asserts it is unchanged after."""
    yield tree_digest(shipped.root() / "data")


@pytest.fixture(scope="session")
def sparql_endpoint(kg: ppkg.KnowledgeGraph) -> Iterator[str]:
    """A real Oxigraph SPARQL server on 127.0.0.1 (free port) serving the shipped graph; its query URL."""
    from ppkg.serve.server import SparqlServer

    with SparqlServer(kg.files) as server:
        yield server.query_url
