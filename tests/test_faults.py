"""Contributions that do not lock each other out, and the short fault run (real ``ppkg`` subprocesses).

A contribution is validated without the data directory's lock and only written under it (see
:mod:`ppkg.steward.store`). These tests hold one contribution at the ``validating`` checkpoint
(``PPKG_TEST_PAUSE_AT``: the process says ``ppkg: paused at validating`` and waits for SIGUSR1) while another
one runs to the end, then let the first go on: it must see the new state, so two contributions that
conflict never both land, and two that do not both do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import ppkg

from .conftest import ppkg_command, tree_digest

Run = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[1]

PROGRAM = """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix program: <https://w3id.org/ppkg/id/program/> .
@prefix organization: <https://w3id.org/ppkg/id/organization/> .
@prefix state: <https://w3id.org/ppkg/id/state/> .
@prefix setting: <https://w3id.org/ppkg/id/setting/> .

program:{slug} a ppkg:Program ;
    rdfs:label "{name}"@en ;
    dcterms:description "A peer mentoring program for parents."@en ;
    ppkg:state state:{state} ;
    ppkg:setting setting:court ;
    ppkg:operatedBy organization:casey-family-programs .
"""

LARGE = 60
"""Programs in the large contribution (about 5,600 triples: re-checked without the lock when it must be)."""


def program(tmp_path: Path, slug: str, name: str, state: str = "ca") -> Path:
    path = tmp_path / f"{slug}.ttl"
    path.write_text(PROGRAM.format(slug=slug, name=name, state=state), encoding="utf-8")
    return path


def contribute(path: Path, by: str, data_dir: Path) -> list[str]:
    return [*ppkg_command(), "contribute", str(path), "--by", by, "--data-dir", str(data_dir)]


@contextmanager
def paused(args: list[str], stage: str = "validating") -> Iterator[subprocess.Popen[str]]:
    """Run ``args`` until it waits at ``stage``; the caller resumes it with SIGUSR1 (killed if left)."""
    env = {**os.environ, "PPKG_TEST_PAUSE_AT": stage, "NO_COLOR": "1", "COLUMNS": "200"}
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = "-"
        while line and f"paused at {stage}" not in line:
            line = process.stderr.readline()
        assert line, f"it never reached {stage}: exit {process.wait()}"
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def resume(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Let a paused process go on; its exit status, stdout and the rest of its stderr."""
    process.send_signal(signal.SIGUSR1)
    out, err = process.communicate(timeout=600)
    return process.returncode, out, err


def contributed(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "contributions").glob("*.trig"))


def programs_named(data_dir: Path, name: str) -> list[str]:
    kg = ppkg.load(data_dir=data_dir)
    rows = kg.query(f'SELECT ?p WHERE {{ ?p a ppkg:Program ; rdfs:label "{name}"@en }} ORDER BY ?p')
    return [row.p for row in rows]


def test_a_conflicting_contribution_that_was_validated_before_the_other_landed_is_rejected(
    run_ppkg: Run, tmp_path: Path, data_dir: Path
) -> None:
    first = program(tmp_path, "harbor-light", "Harbor Light Parent Partners")
    second = program(tmp_path, "harbor-light-mentors", "Harbor Light Parent Partners", state="or")
    with paused(contribute(second, "Grace", data_dir)) as waiting:  # read the data, about to validate
        done = run_ppkg("contribute", str(first), "--by", "Ada", "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr  # the lock was free: the other one has not taken it
        landed = tree_digest(data_dir)
        code, _, err = resume(waiting)
    assert code == 1, err
    assert "contribution rejected" in err and "nothing was written" in err
    assert 'Another program already has the name "Harbor Light Parent Partners"' in err
    assert tree_digest(data_dir) == landed
    assert programs_named(data_dir, "Harbor Light Parent Partners") == ["https://w3id.org/ppkg/id/program/harbor-light"]


def test_of_two_conflicting_contributions_started_together_exactly_one_lands(tmp_path: Path, data_dir: Path) -> None:
    files = [
        program(tmp_path, "tideway", "Tideway Family Partners"),
        program(tmp_path, "tideway-two", "tideway family partners", state="wa"),  # the same name, ignoring case
    ]
    processes = [
        subprocess.Popen(contribute(f, by, data_dir), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for f, by in zip(files, ["Ada", "Grace"], strict=True)
    ]
    results = [(p.wait(timeout=600), p.communicate()[1]) for p in processes]
    assert sorted(code for code, _ in results) == [0, 1], results
    rejected = next(err for code, err in results if code == 1)
    assert "Another program already has the name" in rejected and "nothing was written" in rejected
    assert len(contributed(data_dir)) == 1
    kg = ppkg.load(data_dir=data_dir)
    count = kg.query(
        'SELECT ?p WHERE { ?p a ppkg:Program ; rdfs:label ?n FILTER(LCASE(STR(?n)) = "tideway family partners") }'
    )
    assert len(count) == 1


def test_a_small_contribution_lands_while_a_large_one_validates_and_then_both_are_merged(
    run_ppkg: Run, tmp_path: Path, data_dir: Path
) -> None:
    generated = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--programs", str(LARGE), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stderr
    large = tmp_path / "synthetic.trig"
    small = program(tmp_path, "quay-street", "Quay Street Parent Partners")
    with paused(contribute(large, "Ada", data_dir)) as waiting:
        done = run_ppkg("contribute", str(small), "--by", "Grace", "--data-dir", str(data_dir))
        assert done.returncode == 0, done.stderr
        assert contributed(data_dir) != [] and waiting.poll() is None  # landed; the large one still waits
        code, _, err = resume(waiting)
    assert code == 0, err
    assert len(contributed(data_dir)) == 2
    kg = ppkg.load(data_dir=data_dir)
    assert kg.query('ASK { program:quay-street rdfs:label "Quay Street Parent Partners"@en }')
    assert len(kg.query("SELECT ?p WHERE { ?p a ppkg:Program FILTER(STRSTARTS(STR(?p), STR(program:syn-))) }")) == LARGE


def test_a_contribution_is_checked_again_against_a_withdrawal_that_landed_meanwhile(
    run_ppkg: Run, tmp_path: Path, data_dir: Path
) -> None:
    """A curriculum for a program that is withdrawn while the curriculum is being validated is refused."""
    base = program(tmp_path, "lantern-house", "Lantern House Parent Partners")
    done = run_ppkg("contribute", str(base), "--by", "Ada", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    (cid,) = (p.removesuffix(".trig") for p in contributed(data_dir))
    rating = tmp_path / "rating.ttl"
    rating.write_text(
        """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<https://w3id.org/ppkg/id/rating/cebc-lantern-house> a ppkg:EvidenceRating ;
    rdfs:label "CEBC rating of Lantern House Parent Partners"@en ;
    ppkg:ratedProgram <https://w3id.org/ppkg/id/program/lantern-house> ;
    ppkg:ratingLevel <https://w3id.org/ppkg/id/scale/cebc/nr> ;
    ppkg:ratingScale <https://w3id.org/ppkg/id/scale/cebc> ;
    ppkg:ratedBy <https://w3id.org/ppkg/id/organization/cebc> ;
    prov:wasDerivedFrom <https://w3id.org/ppkg/id/source/cebc-parent-partner-topic-area> ;
    ppkg:ratingDate "2024-01-01"^^xsd:date .
""",
        encoding="utf-8",
    )
    alone = run_ppkg("validate", str(rating), "--data-dir", str(data_dir))
    assert alone.returncode == 0, alone.stdout + alone.stderr  # valid while the program is there
    with paused(contribute(rating, "Grace", data_dir)) as waiting:
        gone = run_ppkg("withdraw", cid, "--data-dir", str(data_dir))
        assert gone.returncode == 0, gone.stderr
        code, _, err = resume(waiting)
    assert code == 1, err
    assert "contribution rejected" in err and "lantern-house" in err
    assert contributed(data_dir) == []


def fault_run(*args: str) -> dict[str, Any]:
    """Run ``benchmarks/faults.py`` with ``args``; its JSON figures (after checking it found no failure)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "faults.py"), *args, "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines[-2] == "failures: 0"
    figures: dict[str, Any] = json.loads(lines[-1])
    assert figures["failures"] == 0
    return figures


@pytest.mark.slow
def test_short_fault_run_loses_and_corrupts_nothing() -> None:
    """3 SIGKILL trials each of ``ppkg contribute`` and ``ppkg withdraw`` at random moments or stages, the
    store checked after each (the long run is 100 each)."""
    figures = fault_run("--trials", "3", "--reader-cycles", "0")
    for operation in ("contribute", "withdraw"):
        tally = figures[operation]
        assert tally["trials"] == 3 and tally["failures"] == 0
        assert tally["unchanged"] + tally["complete"] == 3
        assert tally["landed"] >= 1  # at least one kill hit a running command


@pytest.mark.slow
def test_a_kill_at_each_stage_of_the_store_update_and_a_concurrent_reader_never_see_a_wrong_answer() -> None:
    """contribute and withdraw killed at store-copied, store-updated and store-published: the file change
    had landed, and the first ``ppkg query`` after the kill answers exactly what the files hold; a reader
    querying beside two contribute/withdraw cycles sees only whole states, never an error."""
    figures = fault_run("--store-stages", "--reader-cycles", "2")
    for operation in ("contribute", "withdraw"):
        tally = figures[operation]
        assert tally["trials"] == 3 and tally["failures"] == 0
        assert tally["landed"] == 3 and tally["at_stage"] == 3  # every kill waited at its store stage
        assert tally["complete"] == 3  # the store is updated after the file is renamed or unlinked
    reader = figures["reader"]
    assert reader["cycles"] == 2 and reader["failures"] == 0
    assert reader["reads"] >= 1
