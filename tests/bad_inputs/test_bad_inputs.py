"""Run every case of the ``cases_*.py`` modules (see :mod:`tests.bad_inputs.harness`)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.bad_inputs as package
from tests.bad_inputs.bad_server import BadServer
from tests.bad_inputs.harness import Case, Workspace, check, run, run_before
from tests.conftest import tree_digest
from tests.listener import Listener


def all_cases() -> list[Case]:
    """The cases of every ``cases_*`` module, in module order."""
    cases: list[Case] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("cases_")):
        cases += importlib.import_module(f"{package.__name__}.{module}").CASES
    return cases


CASES = all_cases()


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.fixture(scope="module")
def bad_server() -> Iterator[BadServer]:
    """The misbehaving SPARQL endpoint the remote cases talk to."""
    server = BadServer()
    yield server
    server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """The loopback listener that stands for "outside"."""
    server = Listener()
    yield server
    server.close()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, tmp_path: Path, listener: Listener, bad_server: BadServer) -> None:
    space = Workspace(tmp_path, listener.url, listener.port, bad_server.url)
    space.prepare(case)
    run_before(case, space)
    before = tree_digest(space.data)
    outcome = run(case, space)
    if not case.changes_data:
        assert tree_digest(space.data) == before, f"{case.id}: the data directory changed"
    check(case, outcome, space)
    assert listener.connections == 0, f"{case.id}: {listener.connections} connection(s) to the listener"
