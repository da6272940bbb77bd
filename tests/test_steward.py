"""Data stewards: validation messages, templates, and contributions that never lose or break data."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from rdflib import Graph

import ppkg
from ppkg.rdf import shipped
from ppkg.validation.context import existing_graph, validate_contribution
from ppkg.validation.shacl import validate_graph

from .conftest import ppkg_command, tree_digest

Run = Callable[..., CompletedProcess[str]]

PREFIXES = """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix program: <https://w3id.org/ppkg/id/program/> .
@prefix organization: <https://w3id.org/ppkg/id/organization/> .
@prefix state: <https://w3id.org/ppkg/id/state/> .
@prefix setting: <https://w3id.org/ppkg/id/setting/> .
@prefix topic: <https://w3id.org/ppkg/id/topic/> .
@prefix rating: <https://w3id.org/ppkg/id/rating/> .
@prefix cebc: <https://w3id.org/ppkg/id/scale/cebc/> .
@prefix source: <https://w3id.org/ppkg/id/source/> .
@prefix curriculum: <https://w3id.org/ppkg/id/curriculum/> .
"""

GOOD = (
    PREFIXES
    + """
program:mentor-moms a ppkg:Program ;
    rdfs:label "Mentor Moms"@en ;
    dcterms:description "A court-based peer mentoring program."@en ;
    ppkg:state state:ca ;
    ppkg:setting setting:court ;
    ppkg:operatedBy organization:casey-family-programs .
"""
)

BROKEN = {
    "missing-label": GOOD.replace('    rdfs:label "Mentor Moms"@en ;\n', ""),
    "rating-outside-scale": PREFIXES
    + """
rating:cebc-mentor-moms a ppkg:EvidenceRating ; rdfs:label "CEBC rating of Parents Anonymous, again"@en ;
    ppkg:ratedProgram program:parents-anonymous ; ppkg:ratingLevel cebc:7 ;
    ppkg:ratingScale <https://w3id.org/ppkg/id/scale/cebc> ; ppkg:ratedBy organization:cebc ;
    prov:wasDerivedFrom source:cebc-parent-partner-topic-area ; ppkg:ratingDate "2024-01-01"^^xsd:date .
""",
    "topic-outside-scheme": PREFIXES
    + """
curriculum:kentucky-start ppkg:hasItem <https://w3id.org/ppkg/id/curriculum/kentucky-start/item-13> .
<https://w3id.org/ppkg/id/curriculum/kentucky-start/item-13> a ppkg:CurriculumItem ;
    rdfs:label "Quantum knitting"@en ; ppkg:verbatimText "Quantum knitting" ; ppkg:position 13 ;
    ppkg:coversTopic topic:quantum-knitting .
""",
    "dangling-reference": GOOD.replace("organization:casey-family-programs", "organization:nobody-we-know"),
    "wrong-datatype": PREFIXES
    + """
curriculum:kentucky-start ppkg:hasItem <https://w3id.org/ppkg/id/curriculum/kentucky-start/item-13> .
<https://w3id.org/ppkg/id/curriculum/kentucky-start/item-13> a ppkg:CurriculumItem ;
    rdfs:label "Grief support"@en ; ppkg:verbatimText "Grief support" ; ppkg:position "thirteen" ;
    ppkg:coversTopic topic:self-care .
""",
    "duplicate-program": PREFIXES
    + """
program:northcare-oklahoma a ppkg:Program ; rdfs:label "NorthCare"@en ;
    dcterms:description "NorthCare again under another IRI."@en ; ppkg:state state:ok ;
    ppkg:setting setting:community-provider .
""",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_graph_conforms(run_ppkg: Run) -> None:
    done = run_ppkg("validate")
    assert done.returncode == 0, done.stdout
    assert "0 violations" in done.stdout or done.stdout.startswith("conforms")


def test_valid_file(run_ppkg: Run, tmp_path: Path) -> None:
    done = run_ppkg("validate", str(write(tmp_path, "good.ttl", GOOD)))
    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith("conforms")


@pytest.mark.parametrize(
    ("case", "shape"),
    [
        ("missing-label", "labelShape"),
        ("rating-outside-scale", "EvidenceRating-ratingLevelShape"),
        ("topic-outside-scheme", "CurriculumItem-coversTopicShape"),
        ("dangling-reference", "Intervention-operatedByShape"),
        ("wrong-datatype", "CurriculumItem-positionShape"),
        ("duplicate-program", "Program-uniqueNameShape"),
    ],
)
def test_broken_contribution_is_reported_by_its_shape(run_ppkg: Run, tmp_path: Path, case: str, shape: str) -> None:
    done = run_ppkg("validate", str(write(tmp_path, f"{case}.ttl", BROKEN[case])), "--format", "json")
    assert done.returncode == 1, done.stdout
    doc = json.loads(done.stdout)
    assert doc["conforms"] is False
    shapes = {(r["sourceShape"] or "").rsplit("#", 1)[-1] for r in doc["results"] if r["severity"] == "Violation"}
    assert shape in shapes


@pytest.fixture(scope="module")
def shipped_baseline() -> tuple[Graph, set[tuple[str, str | None, str | None, str | None]]]:
    """The shipped graph and the results a full validation gives on it (warnings only)."""
    existing = existing_graph(shipped.root() / "data")
    return existing, {r.key() for r in validate_graph(existing).results}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_contribution_validation_equals_full_validation(
    case: str, shipped_baseline: tuple[Graph, set[tuple[str, str | None, str | None, str | None]]]
) -> None:
    existing, baseline = shipped_baseline
    contribution = Graph().parse(data=BROKEN[case], format="turtle")
    focused = validate_contribution(contribution, existing)
    merged = Graph()
    merged += existing
    merged += contribution
    full = [r.key() for r in validate_graph(merged).results if r.key() not in baseline]
    assert full, "the broken contribution must produce results"
    assert sorted(full) == sorted(r.key() for r in focused.results)


def test_text_report_groups_by_focus_node(run_ppkg: Run, tmp_path: Path) -> None:
    done = run_ppkg("validate", str(write(tmp_path, "x.ttl", BROKEN["dangling-reference"])))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "Mentor Moms <https://w3id.org/ppkg/id/program/mentor-moms>"
    assert "  VIOLATION: ppkg:operatedBy = 'organization:nobody-we-know'" in lines
    assert lines[-1].startswith("does not conform: 1 violation")


def test_turtle_report(run_ppkg: Run, tmp_path: Path) -> None:
    done = run_ppkg("validate", str(write(tmp_path, "x.ttl", BROKEN["missing-label"])), "--format", "turtle")
    graph = Graph().parse(data=done.stdout, format="turtle")
    assert len(list(graph.subjects(None, None))) > 1


def test_strict_turns_warnings_into_failures(run_ppkg: Run, tmp_path: Path) -> None:
    no_description = write(
        tmp_path, "warn.ttl", GOOD.replace('    dcterms:description "A court-based peer mentoring program."@en ;\n', "")
    )
    assert run_ppkg("validate", str(no_description)).returncode == 0
    strict = run_ppkg("validate", str(no_description), "--strict")
    assert strict.returncode == 1
    assert "WARNING: dcterms:description" in strict.stdout


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        ("ex:a ex:b ex:c .\n", ":1:1:", "declare the prefix"),
        (PREFIXES + 'program:x rdfs:label "x"\n', ":17:1:", "final '.'"),
        (PREFIXES + 'program:x rdfs:label "unclosed .\n', ":16:", None),
        (PREFIXES + '<http://ex/a b> rdfs:label "x" .\n', ":16:1:", "IRIs"),
    ],
)
def test_parse_errors_are_file_line_col_with_hint(
    run_ppkg: Run, tmp_path: Path, text: str, where: str, hint: str | None
) -> None:
    path = write(tmp_path, "bad.ttl", text)
    done = run_ppkg("validate", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"ppkg: error: {path}{where}")
    if hint:
        assert hint in line


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.ttl", 'ex:a rdfs:label "caf\xe9" .'.encode("latin-1"), "not UTF-8"),
        ("data.json", b"{}", "unsupported file type"),
        ("missing.ttl", None, "no such file"),
    ],
)
def test_unreadable_input_exits_2(
    run_ppkg: Run, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    done = run_ppkg("validate", str(path))
    assert done.returncode == 2
    assert message in done.stderr


def test_lint_catches_typos_outside_names_and_blank_nodes(run_ppkg: Run, tmp_path: Path) -> None:
    text = (
        GOOD.replace("ppkg:operatedBy", "ppkg:operatedby")
        + '\n<http://example.org/x> rdfs:label "x"@en .\n[] rdfs:label "y"@en .\n'
    )
    done = run_ppkg("validate", str(write(tmp_path, "lint.ttl", text)), "--format", "json")
    assert done.returncode == 1
    messages = " ".join(r["message"] for r in json.loads(done.stdout)["results"])
    assert "did you mean ppkg:operatedBy" in messages
    assert "outside it" in messages
    assert "blank node" in messages


# -- templates ---------------------------------------------------------------------------------------------


def test_template_round_trip(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    template = tmp_path / "program.csv"
    assert run_ppkg("template", "program", "-o", str(template)).returncode == 0
    assert template.read_text(encoding="utf-8").startswith("slug,name,state,setting")
    done = run_ppkg("contribute", str(template), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    kg = ppkg.load(data_dir=data_dir)
    rows = kg.query(
        "SELECT ?state WHERE { program:example-parent-partner-program ppkg:state/ppkg:stateCode ?state }"
    ).rows
    assert rows == [("CA",)]


def test_template_errors_name_row_and_column(run_ppkg: Run, tmp_path: Path) -> None:
    csv_text = (
        "program,position,item,topics,phase,hours\n"
        "START,13,Grief support,self-care,,\n"
        "START,14,Knitting,quantum knitting,later,lots\n"
    )
    done = run_ppkg("validate", str(write(tmp_path, "items.csv", csv_text)))
    assert done.returncode == 1
    out = done.stdout
    assert "items.csv:3:4: column 'topics': unknown topic 'quantum knitting'" in out
    assert "items.csv:3:5: column 'phase': unknown phase 'later'" in out
    assert "items.csv:3:6: column 'hours': 'lots' is not a number of hours" in out
    assert "items.csv:2" not in out.replace("items.csv:2:", "")  # row 2 is fine


def test_template_kinds(run_ppkg: Run) -> None:
    for kind in ("program", "organization", "topic", "curriculum", "rating", "resource"):
        assert run_ppkg("template", kind).returncode == 0
    bad = run_ppkg("template", "spaceship")
    assert bad.returncode == 2 and "unknown template 'spaceship'" in bad.stderr


def test_organization_and_topic_templates_can_be_contributed(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    organization, topic = tmp_path / "organization.csv", tmp_path / "topic.csv"
    assert run_ppkg("template", "organization", "-o", str(organization)).returncode == 0
    assert run_ppkg("template", "topic", "-o", str(topic)).returncode == 0
    assert organization.read_text(encoding="utf-8").startswith("slug,name,type,alt_names,state,url")
    assert topic.read_text(encoding="utf-8").startswith("slug,label,alt_labels,broader,definition,source_url")
    checked = run_ppkg("validate", str(organization), str(topic), "--data-dir", str(data_dir))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("conforms: no problems found")  # not even a warning
    done = run_ppkg("contribute", str(organization), str(topic), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    kg = ppkg.load(data_dir=data_dir)
    assert kg.resolve("organization", "EFS") == ppkg.ID["organization/example-family-services"]
    assert kg.query("ASK { organization:example-family-services ppkg:state state:or }")
    grief = kg.resolve("topic", "bereavement")
    assert grief == ppkg.ID["topic/grief-and-loss"]
    assert kg.query(
        "ASK { topic:grief-and-loss skos:broader topic:self-care-and-wellness ; "
        "skos:inScheme <https://w3id.org/ppkg/id/scheme/training-topics> ; skos:prefLabel 'grief and loss'@en }"
    )


def test_a_top_topic_and_its_narrower_topic_in_one_file(tmp_path: Path, data_dir: Path) -> None:
    text = (
        "slug,label,broader,definition\n"
        "bereavement-support,bereavement support,grief and loss,Supporting parents who lost someone.\n"
        "grief-and-loss,grief and loss,,Coping with grief and loss.\n"
    )
    path = write(tmp_path, "topics.csv", text)
    assert ppkg.validate([path], data_dir=data_dir).results == []
    ppkg.contribute([path], by="Ada Steward", data_dir=data_dir)
    kg = ppkg.load(data_dir=data_dir)
    assert kg.query("ASK { topic:bereavement-support skos:broader topic:grief-and-loss }")
    assert kg.query("ASK { topic:grief-and-loss skos:topConceptOf <https://w3id.org/ppkg/id/scheme/training-topics> }")


PROGRAM_CSV = "slug,name,state,setting,operated_by\nmoonrise-mentors,Moonrise Mentors,CA,court,{operator}\n"
CURRICULUM_CSV = (
    "program,position,item,topics\n"
    "Moonrise Mentors,1,Sharing your story,story sharing\n"
    "Moonrise Mentors,2,Grief and loss,grief and loss\n"
)
ORGANIZATION_CSV = "slug,name,type,state\nsunrise-family-services,Sunrise Family Services,organization,CA\n"
TOPIC_CSV = "slug,label,broader\ngrief-and-loss,grief and loss,self-care and wellness\n"


@pytest.mark.parametrize("program_as", ["csv", "ttl"])
def test_a_curriculum_may_name_a_program_of_the_same_contribution(
    run_ppkg: Run, tmp_path: Path, data_dir: Path, program_as: str
) -> None:
    """``p.csv c.csv`` (or ``p.ttl c.csv``): names resolve against the graph plus what the other files add, in
    any order of the files (organizations and topics, then programs, then the rest)."""
    curriculum = write(tmp_path, "c.csv", CURRICULUM_CSV)
    if program_as == "csv":
        program = write(tmp_path, "p.csv", PROGRAM_CSV.format(operator="Sunrise Family Services"))
    else:
        program = write(
            tmp_path,
            "p.ttl",
            PREFIXES
            + """program:moonrise-mentors a ppkg:Program ; rdfs:label "Moonrise Mentors"@en ;
    dcterms:description "A court-based program."@en ; ppkg:state state:ca ; ppkg:setting setting:court ;
    ppkg:operatedBy organization:sunrise-family-services .
""",
        )
    files = [str(curriculum), str(program), str(write(tmp_path, "o.csv", ORGANIZATION_CSV))]
    files.append(str(write(tmp_path, "t.csv", TOPIC_CSV)))
    done = run_ppkg("contribute", *files, "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    kg = ppkg.load(data_dir=data_dir)
    items = kg.run("program-curriculum", program="Moonrise Mentors")
    assert list(dict.fromkeys(items.column("itemLabel"))) == ["Sharing your story", "Grief and loss"]
    assert kg.query("ASK { program:moonrise-mentors ppkg:operatedBy organization:sunrise-family-services }")
    assert kg.run("programs-by-training-topic", topic="grief and loss").column("programLabel") == ["Moonrise Mentors"]


def test_a_curriculum_alone_still_needs_its_program(tmp_path: Path, data_dir: Path) -> None:
    report = ppkg.validate([write(tmp_path, "c.csv", CURRICULUM_CSV)], data_dir=data_dir)
    assert any("c.csv:2:1: column 'program': unknown program 'Moonrise Mentors'" in r.message for r in report.results)


def test_a_repeated_position_names_both_rows(run_ppkg: Run, tmp_path: Path) -> None:
    text = (
        "program,position,item,topics\n"
        "START,13,Grief support,self-care\n"
        "START,14,Court 101,court structure\n"
        "START,14,Self care,self-care\n"
    )
    path = write(tmp_path, "c.csv", text)
    done = run_ppkg("validate", str(path), "--format", "json")
    assert done.returncode == 1
    results = json.loads(done.stdout)["results"]
    assert [r["message"] for r in results] == [f"{path}:4: position 14 of program START is already used on row 3"]


def test_an_unknown_state_is_reported_once(tmp_path: Path) -> None:
    """The cell that names an unknown state is the problem; the shapes' "this program has no state" is not added."""
    path = write(tmp_path, "m1.csv", "slug,name,state,setting\nsunrise-mentors,Sunrise Mentors,Califronia,court\n")
    report = ppkg.validate([path])
    messages = [r.message for r in report.results]
    unknown = "m1.csv:2:3: column 'state': unknown state 'Califronia'; nearest known: California"
    assert any(unknown in m for m in messages)
    assert not any("has no state" in m for m in messages)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "Slug,Name,State,Setting",
            "the header matches no template: column names are case-sensitive and lowercase ('Slug' should be 'slug', "
            "'Name' should be 'name', 'State' should be 'state'); closest: the program template "
            "(see `ppkg template program --explain`)",
        ),
        (
            "slug,name,colour",
            "the header matches no template; closest: the program template (unknown 'colour'; "
            "see `ppkg template program --explain`)",
        ),
    ],
)
def test_a_header_that_matches_no_template_names_the_closest(
    run_ppkg: Run, tmp_path: Path, header: str, message: str
) -> None:
    path = write(tmp_path, "m5.csv", header + "\nsunrise-mentors,Sunrise Mentors,CA,court\n")
    done = run_ppkg("validate", str(path))
    assert done.returncode == 2
    assert done.stderr == f"ppkg: error: {path}:1: {message}\n"


def test_a_semicolon_separated_template_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m6.csv"
    rows = ["\ufeffslug;name;state;setting", 'sunrise-mentors;Sunrise Mentors;California;"court; community provider"']
    path.write_bytes("".join(row + "\r\n" for row in rows).encode("utf-8"))  # as a spreadsheet exports it
    report = ppkg.validate([path])
    assert report.violations == []
    assert [r.message for r in report.warnings] == [
        "m6.csv:2: This program has no description (dcterms:description); add the source's description."
    ]


# -- contributions -----------------------------------------------------------------------------------------


def test_rejected_contribution_changes_nothing(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    before = tree_digest(data_dir)
    for case, text in BROKEN.items():
        done = run_ppkg(
            "contribute", str(write(tmp_path, f"{case}.ttl", text)), "--by", "Ada", "--data-dir", str(data_dir)
        )
        assert done.returncode == 1, case
        assert "nothing was written" in done.stderr
        assert tree_digest(data_dir) == before, case


def test_contribute_list_query_withdraw(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    before = tree_digest(data_dir)
    good = write(tmp_path, "mentor-moms.ttl", GOOD)
    done = run_ppkg(
        "contribute",
        str(good),
        "--by",
        "Ada Steward",
        "--source",
        "https://example.org/mm",
        "--data-dir",
        str(data_dir),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "merged contribution" in done.stdout
    listed = json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "--format", "json").stdout)
    assert len(listed) == 1
    entry = listed[0]
    assert entry["by"] == "Ada Steward" and entry["file"] == "mentor-moms.ttl"
    assert entry["source"] == "https://example.org/mm" and entry["statements"] == 6
    kg = ppkg.load(data_dir=data_dir)
    assert kg.run("programs-by-state-or-setting", state="CA").column("programLabel").count("Mentor Moms") == 1
    provenance = kg.query(
        "SELECT ?who ?when WHERE { GRAPH ?g { program:mentor-moms a ppkg:Program } "
        "?g prov:wasAttributedTo/rdfs:label ?who ; prov:generatedAtTime ?when }"
    ).rows
    assert provenance and provenance[0][0] == "Ada Steward"
    again = run_ppkg("contribute", str(good), "--by", "Ada Steward", "--data-dir", str(data_dir))
    assert again.returncode == 0 and "nothing new" in again.stderr
    assert len(json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "-f", "json").stdout)) == 1
    gone = run_ppkg("withdraw", entry["id"], "--data-dir", str(data_dir))
    assert gone.returncode == 0, gone.stderr
    assert tree_digest(data_dir) == before
    unknown = run_ppkg("withdraw", "20990101-000000000000", "--data-dir", str(data_dir))
    assert unknown.returncode == 2


def test_withdraw_refuses_when_others_depend(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    assert (
        run_ppkg(
            "contribute", str(write(tmp_path, "a.ttl", GOOD)), "--by", "Ada", "--data-dir", str(data_dir)
        ).returncode
        == 0
    )
    item = (
        PREFIXES
        + """
program:mentor-moms ppkg:hasCurriculum curriculum:mentor-moms .
curriculum:mentor-moms a ppkg:TrainingCurriculum ; rdfs:label "Training curriculum of Mentor Moms"@en ;
    ppkg:hasItem <https://w3id.org/ppkg/id/curriculum/mentor-moms/item-01> .
<https://w3id.org/ppkg/id/curriculum/mentor-moms/item-01> a ppkg:CurriculumItem ; rdfs:label "Self-care"@en ;
    ppkg:verbatimText "Self-care" ; ppkg:position 1 ; ppkg:coversTopic topic:self-care .
"""
    )
    second = run_ppkg("contribute", str(write(tmp_path, "b.ttl", item)), "--by", "Bo", "--data-dir", str(data_dir))
    assert second.returncode == 0, second.stdout + second.stderr
    first_id = json.loads(run_ppkg("contributions", "--data-dir", str(data_dir), "-f", "json").stdout)[0]["id"]
    refused = run_ppkg("withdraw", first_id, "--data-dir", str(data_dir))
    assert refused.returncode == 2 and "withdraw that first" in refused.stderr


def test_installed_data_needs_a_data_dir_when_not_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    from ppkg.rdf import datadir, shipped

    monkeypatch.delenv("PPKG_DATA_DIR", raising=False)
    monkeypatch.setattr(shipped, "root", lambda: Path("/nonexistent/ppkg/_shipped"))
    with pytest.raises(ppkg.PpkgError, match="read-only"):
        datadir.writable_data_directory(None)


@pytest.mark.parametrize("stage", ["after-validate", "after-temp-write", "before-rename", "after-rename"])
def test_killed_contribution_leaves_data_unchanged_or_fully_merged(tmp_path: Path, data_dir: Path, stage: str) -> None:
    before = tree_digest(data_dir)
    good = write(tmp_path, "mentor-moms.ttl", GOOD)
    env = {**os.environ, "PPKG_TEST_PAUSE_AT": stage}
    process = subprocess.Popen(
        [*ppkg_command(), "contribute", str(good), "--by", "Ada", "--data-dir", str(data_dir)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    line = ""
    while time.monotonic() < deadline and "paused at" not in line:
        line = process.stderr.readline()
    assert f"paused at {stage}" in line
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()
    after = {k: v for k, v in tree_digest(data_dir).items() if not k.startswith("contributions/.tmp-")}
    merged = {k: v for k, v in after.items() if k.startswith("contributions/")}
    if stage == "after-rename":
        assert len(merged) == 1  # fully merged
        kg = ppkg.load(data_dir=data_dir)
        assert kg.query('ASK { program:mentor-moms rdfs:label "Mentor Moms"@en }')
    else:
        assert merged == {}  # unchanged
    assert {k: v for k, v in after.items() if k not in merged} == before
    # the next run cleans up and succeeds (or finds nothing new)
    done = subprocess.run(
        [*ppkg_command(), "contribute", str(good), "--by", "Ada", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not list((data_dir / "contributions").glob(".tmp-*"))
    assert ppkg.load(data_dir=data_dir).query("ASK { program:mentor-moms a ppkg:Program }")
