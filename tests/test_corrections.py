"""Stewards can correct, not only add: conflicts with single-valued facts, corrections with provenance,
the current value in queries on both engines, the history in ``describe``, and withdrawal.

START is ``program:kentucky-start``; the Casey training-models brief places it in Kentucky. The tests
correct it to Tennessee in a private copy of the shipped data directory.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

import ppkg
from ppkg.errors import ContributionRejectedError, ParameterError, UnknownValueError
from ppkg.rdf import shipped
from ppkg.rdf.io import merged_graph
from ppkg.rdf.namespaces import ID, PPKG, SHAPES
from ppkg.steward.api import correct
from ppkg.steward.store import list_contributions

from .conftest import copy_data, tree_digest

Run = Callable[..., CompletedProcess[str]]

START = "https://w3id.org/ppkg/id/program/kentucky-start"
CASEY_BRIEF = "What training models exist for new parent partners to become effective advocates?"
WHY = "START moved its office to Nashville"
SOURCE = "https://example.org/start/contact"
PREFIXES = """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix program: <https://w3id.org/ppkg/id/program/> .
@prefix state: <https://w3id.org/ppkg/id/state/> .
@prefix correction: <https://w3id.org/ppkg/id/correction/> .
"""
SECOND_STATE = PREFIXES + "program:kentucky-start ppkg:state state:tn .\n"
TURTLE_CORRECTION = (
    PREFIXES
    + """
correction:start-moved a ppkg:Correction ;
    rdfs:label "START: state Kentucky superseded by Tennessee"@en ;
    rdf:subject program:kentucky-start ; rdf:predicate ppkg:state ; rdf:object state:ky ;
    schema:replacer state:tn ;
    rdfs:comment "START moved its office to Nashville"@en ;
    prov:wasDerivedFrom <https://example.org/start/contact> .
program:kentucky-start ppkg:state state:tn .
"""
)


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory, run_ppkg: Run) -> tuple[Path, CompletedProcess[str]]:
    """A data directory in which ``ppkg correct`` moved START to Tennessee, and that command's run."""
    directory = copy_data(tmp_path_factory.mktemp("corrected") / "data")
    done = run_ppkg(
        "correct", "START", "state", "Tennessee", "--by", "Ada Steward", "--why", WHY, "--source", SOURCE,
        "--data-dir", str(directory),
    )  # fmt: skip
    return directory, done


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def states(directory: Path, state: str, engine: str = "oxigraph") -> list[str]:
    kg = ppkg.load(data_dir=directory, engine=engine)
    return sorted(kg.run("programs-by-state-or-setting", state=state).column("programLabel"))


# -- conflicts ---------------------------------------------------------------------------------------------


def test_a_second_state_is_a_conflict_with_the_existing_statement(
    run_ppkg: Run, tmp_path: Path, data_dir: Path
) -> None:
    before = tree_digest(data_dir)
    path = write(tmp_path, "tn.ttl", SECOND_STATE)
    done = run_ppkg("validate", str(path), "--data-dir", str(data_dir))
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        f"program START already has state Kentucky (stated by {CASEY_BRIEF}); a second state is a conflict — "
        "to correct it, supersede the existing statement: ppkg correct program:kentucky-start ppkg:state state:tn"
    ) in done.stdout
    assert done.stdout.rstrip().endswith("does not conform: 1 violation, 0 warnings")

    report = json.loads(run_ppkg("validate", str(path), "--data-dir", str(data_dir), "-f", "json").stdout)
    [result] = report["results"]  # the conflict only, not also the shapes' "at most one state"
    assert result["constraint"] == str(SHAPES["lint-conflict"])
    assert result["severity"] == "Violation"
    assert (result["focusNode"], result["path"], result["value"]) == (START, str(PPKG.state), str(ID["state/tn"]))
    assert result["sourceShape"] == str(SHAPES["ProgramState-stateShape"])

    refused = run_ppkg("contribute", str(path), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert refused.returncode == 1
    assert "program START already has state Kentucky" in refused.stdout
    assert "nothing was written" in refused.stderr
    assert tree_digest(data_dir) == before


def test_a_conflict_in_a_template_names_its_row(tmp_path: Path, data_dir: Path) -> None:
    path = write(tmp_path, "k.csv", "slug,name,state\nkentucky-start,START,TN\n")
    report = ppkg.validate([path], data_dir=data_dir)
    assert not report.conforms
    [conflict] = report.violations
    assert conflict.message.startswith("k.csv:2: program START already has state Kentucky")
    assert conflict.constraint == str(SHAPES["lint-conflict"])


def test_stating_the_current_value_again_is_no_conflict(tmp_path: Path, data_dir: Path) -> None:
    text = PREFIXES + 'program:kentucky-start ppkg:state state:ky ; rdfs:label "START"@en .\n'
    assert ppkg.validate([write(tmp_path, "ky.ttl", text)], data_dir=data_dir).conforms


def test_a_second_name_is_a_conflict_too(tmp_path: Path, data_dir: Path) -> None:
    """Which facts are single-valued comes from the shapes (``sh:maxCount 1``): a program has one name."""
    text = PREFIXES + 'program:kentucky-start rdfs:label "START Kentucky"@en .\n'
    [conflict] = ppkg.validate([write(tmp_path, "name.ttl", text)], data_dir=data_dir).violations
    assert conflict.message.startswith('program START already has name "START"')
    assert "a second name is a conflict" in conflict.message


def test_a_new_item_of_an_existing_curriculum_is_no_conflict_but_a_used_position_is(
    tmp_path: Path, data_dir: Path
) -> None:
    """Iowa's curriculum has its own name ("… of Parent Partners for Families"); a row adds an item, not a name."""
    new = write(tmp_path, "new.csv", "program,position,item,topics\nIowa Parent Partner Approach,40,Grief,self-care\n")
    assert ppkg.validate([new], data_dir=data_dir).violations == []
    used = write(tmp_path, "used.csv", "program,position,item,topics\nSTART,1,Grief,self-care\n")
    messages = [r.message for r in ppkg.validate([used], data_dir=data_dir).violations]
    assert messages and all(m.startswith("used.csv:2: curriculum item ") for m in messages)
    assert any("a second verbatim text is a conflict" in m or "a second name is a conflict" in m for m in messages)


# -- a correction and what queries, describe and validation see -------------------------------------------


def test_correct_supersedes_and_keeps_the_sources(corrected: tuple[Path, CompletedProcess[str]]) -> None:
    directory, done = corrected
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "ppkg: START: state Kentucky superseded by Tennessee"

    def sources(root: Path) -> dict[str, str]:
        return {k: v for k, v in tree_digest(root).items() if not k.startswith("contributions/")}

    assert sources(directory) == sources(shipped.root() / "data")  # nothing from a source graph is deleted
    [record] = list_contributions(directory)
    assert record.by == "Ada Steward" and record.source == SOURCE and record.input_file == "ppkg correct"


def test_queries_answer_with_the_current_value(
    corrected: tuple[Path, CompletedProcess[str]], run_ppkg: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, _ = corrected
    monkeypatch.setenv("PPKG_DATA_DIR", str(directory))
    tn = run_ppkg("query", "programs-by-state-or-setting", "--param", "state=TN", "--format", "csv")
    assert tn.returncode == 0, tn.stderr
    assert [line.split(",")[1] for line in tn.stdout.splitlines()[1:]] == ["START"]
    ky = run_ppkg("query", "programs-by-state-or-setting", "--param", "state=KY", "--format", "csv")
    assert ky.returncode == 0 and ky.stdout.splitlines()[1:] == []


def test_both_engines_agree_after_a_correction(corrected: tuple[Path, CompletedProcess[str]]) -> None:
    directory, _ = corrected
    for engine in ("oxigraph", "rdflib"):
        assert states(directory, "TN", engine) == ["START"], engine
        assert states(directory, "KY", engine) == [], engine
    fast, reference = ppkg.load(data_dir=directory), ppkg.load(data_dir=directory, engine="rdflib")
    for spec in fast.catalogue:
        assert fast.run(spec.name).terms == reference.run(spec.name).terms, spec.name
    assert fast.run("fact-provenance", thing="START").terms == reference.run("fact-provenance", thing="START").terms


def test_the_superseded_statement_stays_in_its_source_graph(corrected: tuple[Path, CompletedProcess[str]]) -> None:
    directory, _ = corrected
    for engine in ("oxigraph", "rdflib"):
        kg = ppkg.load(data_dir=directory, engine=engine)
        assert kg.query("ASK { GRAPH graph:casey-training-models { program:kentucky-start ppkg:state state:ky } }")
        assert not kg.query("ASK { program:kentucky-start ppkg:state state:ky }"), engine
        assert kg.query("ASK { program:kentucky-start ppkg:state state:tn }"), engine


def test_describe_shows_the_history(
    corrected: tuple[Path, CompletedProcess[str]], run_ppkg: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory, _ = corrected
    monkeypatch.setenv("PPKG_DATA_DIR", str(directory))
    done = run_ppkg("describe", "START", "--format", "json")
    assert done.returncode == 0, done.stderr
    facts = {f["valueLabel"]: f for f in json.loads(done.stdout)["facts"] if f["property"] == str(PPKG.state)}
    assert set(facts) == {"Kentucky", "Tennessee"}
    old, new = facts["Kentucky"], facts["Tennessee"]
    assert old["sources"] == [CASEY_BRIEF]
    assert old["history"].startswith("superseded by Tennessee on 20")
    assert f"by Ada Steward: {WHY}; source: {SOURCE}" in old["history"]
    assert new["history"].startswith("corrected from Kentucky on 20") and f"by Ada Steward: {WHY}" in new["history"]
    table = run_ppkg("describe", "START")
    assert "Kentucky (superseded by Tennessee on" in " ".join(table.stdout.split())


def test_the_whole_graph_conforms_after_a_correction(corrected: tuple[Path, CompletedProcess[str]]) -> None:
    """Whole-graph validation sees the current view: START is in one state."""
    directory, _ = corrected
    assert ppkg.validate(data_dir=directory).violations == []


def test_withdrawing_the_correction_restores_the_old_value(run_ppkg: Run, data_dir: Path) -> None:
    before = tree_digest(data_dir)
    done = run_ppkg(
        "correct", "program:kentucky-start", "ppkg:state", "state:tn", "--by", "Ada Steward", "--why", WHY,
        "--source", SOURCE, "--data-dir", str(data_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert states(data_dir, "KY") == []
    [entry] = json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "--format", "json").stdout)
    gone = run_ppkg("withdraw", entry["id"], "--data-dir", str(data_dir))
    assert gone.returncode == 0, gone.stderr
    assert tree_digest(data_dir) == before
    for engine in ("oxigraph", "rdflib"):
        assert "START" in states(data_dir, "KY", engine)
        assert states(data_dir, "TN", engine) == []


def test_a_later_correction_can_restore_the_superseded_value(data_dir: Path) -> None:
    first = correct("START", "state", "TN", by="Ada Steward", why=WHY, source=SOURCE, data_dir=data_dir)
    second = correct(
        "START", "state", "Kentucky", by="Bo Reviewer", why="it did not move", source=SOURCE, data_dir=data_dir
    )
    assert first.contribution is not None and second.contribution is not None
    assert second.correction.summary == "START: state Tennessee superseded by Kentucky"
    for engine in ("oxigraph", "rdflib"):
        assert "START" in states(data_dir, "KY", engine)
        assert states(data_dir, "TN", engine) == []
    _, facts = ppkg.load(data_dir=data_dir).describe("START")
    history = {f.value_label: f.history for f in facts if f.predicate == str(PPKG.state)}
    assert history["Tennessee"] is not None and history["Tennessee"].startswith("superseded by Kentucky")
    assert history["Kentucky"] is not None and history["Kentucky"].startswith("corrected from Tennessee")


def test_a_correction_written_in_turtle(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    path = write(tmp_path, "correction.ttl", TURTLE_CORRECTION)
    assert run_ppkg("validate", str(path), "--data-dir", str(data_dir)).returncode == 0
    done = run_ppkg("contribute", str(path), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    assert states(data_dir, "TN") == ["START"]
    [stored] = (data_dir / "contributions").glob("*.trig")
    graph = merged_graph([stored])
    node = URIRef(ID["correction/start-moved"])
    assert (node, RDF.type, PPKG.Correction) in graph
    assert graph.value(node, PROV.wasAttributedTo) == URIRef(ID["person/ada-steward"])  # the contributor
    assert isinstance(graph.value(node, PROV.generatedAtTime), Literal)  # the time of the contribution


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("rdf:object state:ky", "rdf:object state:oh"),
            f"program START has no state Ohio to supersede; its state is Kentucky (stated by {CASEY_BRIEF})",
        ),
        (
            ("program:kentucky-start ppkg:state state:tn .\n", ""),
            "the new value Tennessee must be stated too: add <https://w3id.org/ppkg/id/program/kentucky-start> "
            "<https://w3id.org/ppkg/ontology#state> <https://w3id.org/ppkg/id/state/tn> .",
        ),
    ],
)
def test_a_correction_must_supersede_a_current_statement_and_state_the_new_one(
    tmp_path: Path, data_dir: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, "bad.ttl", TURTLE_CORRECTION.replace(*change))
    report = ppkg.validate([path], data_dir=data_dir)
    assert message in [r.message for r in report.violations if r.constraint == str(SHAPES["lint-correction"])]
    with pytest.raises(ContributionRejectedError):
        ppkg.contribute([path], by="Ada Steward", data_dir=data_dir)


def test_correct_explains_what_it_cannot_do(run_ppkg: Run, data_dir: Path) -> None:
    before = tree_digest(data_dir)
    common = ["--by", "Ada", "--why", "a reason", "--source", SOURCE, "--data-dir", str(data_dir)]
    unknown = run_ppkg("correct", "START", "colour", "blue", *common)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("ppkg: error: unknown property of START 'colour'; nearest known:")
    several = run_ppkg("correct", "START", "altLabel", "START Kentucky", *common)
    assert several.returncode == 2
    assert "START's other names has 2 values" in several.stderr and "--old" in several.stderr
    neither = run_ppkg("correct", "START", "state", *common)
    assert neither.returncode == 2 and "or --remove" in neither.stderr
    assert tree_digest(data_dir) == before
    with pytest.raises(UnknownValueError, match="unknown state 'Atlantis'"):
        correct("START", "state", "Atlantis", by="Ada", why="x", source=SOURCE, data_dir=data_dir)
    with pytest.raises(ParameterError, match="http"):
        correct("START", "state", "TN", by="Ada", why="x", source="a phone call", data_dir=data_dir)


def test_remove_withdraws_a_statement_without_replacement(run_ppkg: Run, data_dir: Path) -> None:
    old = "Sobriety Treatment and Recovery Team in Kentucky"
    done = run_ppkg(
        "correct", "START", "skos:altLabel", "--old", old, "--remove", "--by", "Ada", "--why", "no source gives it",
        "--source", SOURCE, "--data-dir", str(data_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == f'ppkg: START: other names "{old}" withdrawn'
    kg = ppkg.load(data_dir=data_dir)
    assert kg.query("SELECT ?n WHERE { program:kentucky-start skos:altLabel ?n }").column("n") == [
        "Sobriety, Treatment, and Recovery Team (START)"
    ]
