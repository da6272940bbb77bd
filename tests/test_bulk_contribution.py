"""Bulk contributions: many new programs checked and merged in one ``ppkg contribute``, and the progress
bars ``contribute``/``validate`` draw on a terminal (and never on a pipe)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS

import ppkg
from ppkg.rdf.namespaces import PPKG
from tests.conftest import ROOT, ppkg_command, tree_digest

Run = Callable[..., subprocess.CompletedProcess[str]]

PROGRAM = "https://w3id.org/ppkg/id/program/"

BULK = 200
"""Programs in the bulk contribution (1,000 is the benchmark; this keeps the test run short)."""


def generate(path: Path, programs: int) -> Path:
    """``benchmarks/generate.py --contribution PATH --contribution-programs N``: N new valid programs."""
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--contribution", str(path)]
        + ["--contribution-programs", str(programs)],
        check=True,
        capture_output=True,
    )
    return path


def program_names(path: Path) -> dict[URIRef, str]:
    """The programs a Turtle file describes, with their names."""
    graph = Graph().parse(path, format="turtle")
    return {s: str(graph.value(s, RDFS.label)) for s in graph.subjects(RDF.type, PPKG.Program)}  # type: ignore[misc]


def on_terminal(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run the installed ``ppkg`` with stderr on a pseudo-terminal: exit code, stdout, what the terminal got."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*ppkg_command(), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, **env},
    )
    os.close(follower)
    screen = bytearray()
    while True:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            screen += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    assert process.stdout is not None
    out = process.stdout.read().decode("utf-8")
    return process.wait(timeout=60), out, screen.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def bulk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("bulk") / "programs.ttl", BULK)


def test_generator_writes_the_bulk_contribution(bulk_file: Path) -> None:
    names = program_names(bulk_file)
    assert len(names) == BULK
    assert len({n.lower() for n in names.values()}) == BULK  # unique names
    assert names[URIRef("https://w3id.org/ppkg/id/program/contributed-poplar-1")] == (
        "Contributed Poplar Family Mentor Program 1"
    )


def test_bulk_contribution_lands_in_one_step_with_progress_on_a_terminal(bulk_file: Path, data_dir: Path) -> None:
    code, out, screen = on_terminal(
        "contribute", str(bulk_file), "--by", "Ada Steward", "--data-dir", str(data_dir),
        env={"PPKG_PROGRESS_DELAY": "0", "COLUMNS": "120"},
    )  # fmt: skip
    assert code == 0, screen
    assert re.match(r"ppkg: merged contribution \d{8}-[0-9a-f]{12}: \d+ statements into <", out)
    # the bars were drawn on the terminal, for each step, and cleared at the end
    for step in ("reading the contribution", "checking conflicts", "against the shapes", "writing the contribution"):
        assert step in screen
    assert "\x1b[" in screen  # drawn with terminal control sequences
    assert len(list((data_dir / "contributions").glob("*.trig"))) == 1  # one contribution holds them all

    kg = ppkg.load(data_dir=data_dir)
    rows = kg.query(
        "SELECT ?program ?name WHERE { ?program a ppkg:Program ; rdfs:label ?name "
        'FILTER(STRSTARTS(STR(?name), "Contributed ")) }'
    ).rows
    assert {URIRef(str(p)): str(n) for p, n in rows} == program_names(bulk_file)
    # a catalogued query finds them among the shipped programs (program 1 is in California)
    california = {str(row[1]) for row in kg.run("programs-by-state-or-setting", state="CA").rows}
    assert {"Contributed Poplar Family Mentor Program 1", "Stanford Sierra Youth & Families"} <= california


def test_a_contributed_program_is_found_by_name_on_the_command_line(
    run_ppkg: Run, bulk_file: Path, tmp_path: Path, data_dir: Path
) -> None:
    small = generate(tmp_path / "five.ttl", 5)
    merged = run_ppkg("contribute", str(small), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert merged.returncode == 0, merged.stderr
    assert merged.stderr == ""  # no progress bar on a pipe, nothing else either
    described = run_ppkg(
        "describe", "contributed birch parent advocate program 3", env={"PPKG_DATA_DIR": str(data_dir)}
    )
    assert described.returncode == 0, described.stderr
    assert "program/contributed-birch-3" in described.stdout


def test_duplicate_names_inside_and_against_the_graph_are_refused_in_one_line(
    run_ppkg: Run, tmp_path: Path, data_dir: Path
) -> None:
    path = generate(tmp_path / "bulk.ttl", 30)
    text = path.read_text(encoding="utf-8")
    names = program_names(path)
    inner = names[URIRef(PROGRAM + "contributed-poplar-1")]
    # program 3 takes program 1's name (in capitals), program 4 the name of a shipped program (in lowercase)
    text = text.replace(f'"{names[URIRef(PROGRAM + "contributed-birch-3")]}"@en', f'"{inner.upper()}"@en', 1)
    text = text.replace(f'"{names[URIRef(PROGRAM + "contributed-tupelo-4")]}"@en', '"circle of parents"@en', 1)
    path.write_text(text, encoding="utf-8")
    before = tree_digest(data_dir)

    refused = run_ppkg("contribute", str(path), "--by", "Ada Steward", "--data-dir", str(data_dir))

    assert refused.returncode == 1
    lines = refused.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "ppkg: error: contribution rejected: 4 problems; nothing was written"
    )
    assert (
        f'programs with the same name: "circle of parents" (program:circle-of-parents, program:contributed-tupelo-4), '
        f'"{inner.lower()}" (program:contributed-birch-3, program:contributed-poplar-1)'
    ) in lines[0]
    assert "Traceback" not in refused.stderr
    assert tree_digest(data_dir) == before
    assert not (data_dir / "contributions").exists() or not list((data_dir / "contributions").iterdir())


def test_validate_draws_nothing_when_stderr_is_a_pipe(run_ppkg: Run, tmp_path: Path) -> None:
    path = generate(tmp_path / "three.ttl", 3)
    checked = run_ppkg("validate", str(path), env={"PPKG_PROGRESS_DELAY": "0"})
    assert checked.returncode == 0
    assert checked.stderr == ""
    assert checked.stdout.startswith("conforms: no problems found in ")


def test_validate_shows_its_steps_on_a_terminal(tmp_path: Path) -> None:
    path = generate(tmp_path / "three.ttl", 3)
    code, out, screen = on_terminal("validate", str(path), env={"PPKG_PROGRESS_DELAY": "0", "COLUMNS": "120"})
    assert code == 0, screen
    assert out.startswith("conforms: no problems found in ")
    assert "reading the contribution" in screen and "against the shapes" in screen
    assert "ppkg: error" not in screen
