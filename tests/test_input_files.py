"""Input files that are not what they claim to be: each is refused with one line and exit 2, before it is
opened where opening could hang or read something it should not, and the data directory is unchanged."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

import ppkg
from ppkg.errors import DataFileError, ParameterError
from ppkg.rdf.io import GraphFile, input_paths, load_dataset, merged_graph, parse_merged, read_quads

from .conftest import tree_digest

Run = Callable[..., subprocess.CompletedProcess[str]]


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.ttl"
    os.mkfifo(path)
    return path


def _dev_zero(tmp_path: Path) -> Path:
    path = tmp_path / "zero.ttl"
    path.symlink_to("/dev/zero")
    return path


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "folder.ttl"
    path.mkdir()
    return path


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0\n", encoding="utf-8")
    (tmp_path / "inputs").mkdir()
    return tmp_path / "inputs" / ".." / "outside" / "secret"


CASES = {
    "fifo": (_fifo, "not a regular file"),
    "symlink to /dev/zero": (_dev_zero, "not a regular file"),
    "directory named .ttl": (_directory, "a directory"),
    "path with .. to a file without an RDF extension": (_outside, "unsupported file type"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_and_contribute_refuse_with_one_line(run_ppkg: Run, tmp_path: Path, data_dir: Path, case: str) -> None:
    make, expected = CASES[case]
    path = make(tmp_path)
    before = tree_digest(data_dir)
    for args in (
        ("validate", str(path), "--data-dir", str(data_dir)),
        ("contribute", str(path), "--by", "Ada", "--data-dir", str(data_dir)),
    ):
        done = run_ppkg(*args)
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ppkg: error: "), done.stderr
        assert expected in lines[0]
        assert "root:x" not in done.stdout + done.stderr
    assert tree_digest(data_dir) == before


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_api_refuses_them_too(tmp_path: Path, case: str) -> None:
    make, expected = CASES[case]
    with pytest.raises(ppkg.PpkgError, match=expected):
        ppkg.validate([make(tmp_path)])


@pytest.mark.parametrize(
    "source",
    ["https://example.org/x\n", "javascript:alert(1)", "not a url", "https://example.org/a b", "file:///etc/passwd"],
)
def test_a_source_that_is_not_an_http_url_is_refused(
    run_ppkg: Run, tmp_path: Path, data_dir: Path, source: str
) -> None:
    contribution = tmp_path / "program.ttl"
    contribution.write_text(
        "@prefix ppkg: <https://w3id.org/ppkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/ppkg/id/program/sunrise-mentors> a ppkg:Program ; rdfs:label "Sunrise Mentors"@en .\n',
        encoding="utf-8",
    )
    before = tree_digest(data_dir)
    done = run_ppkg("contribute", str(contribution), "--by", "Ada", "--source", source, "--data-dir", str(data_dir))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--source must be an http" in lines[0]
    assert tree_digest(data_dir) == before
    assert ppkg.load(data_dir=data_dir).run("programs-by-rating", rating="promising").rows  # the data still answers


def test_an_unreadable_contribution_is_skipped_with_one_warning(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    """One broken contribution file never takes the data directory down: it is reported, left in place, and
    every command answers from the rest."""
    good = tmp_path / "program.ttl"
    good.write_text(
        "@prefix ppkg: <https://w3id.org/ppkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix state: <https://w3id.org/ppkg/id/state/> .\n"
        '<https://w3id.org/ppkg/id/program/sunrise-mentors> a ppkg:Program ; rdfs:label "Sunrise Mentors"@en ;'
        " ppkg:state state:or ; ppkg:setting <https://w3id.org/ppkg/id/setting/community-provider> .\n",
        encoding="utf-8",
    )
    assert run_ppkg("contribute", str(good), "--by", "Ada", "--data-dir", str(data_dir)).returncode == 0
    broken = data_dir / "contributions" / "20260101-000000000000.trig"
    broken.write_bytes(b"<https://w3id.org/ppkg/id/graph/contribution/x> { <a> <b> \x00 ")
    before = tree_digest(data_dir)
    env = {"PPKG_DATA_DIR": str(data_dir)}

    done = run_ppkg("query", "programs-by-state-or-setting", "--param", "state=OR", "--format", "csv", env=env)
    assert done.returncode == 0, done.stderr
    assert "Sunrise Mentors" in done.stdout and "Morrison Child & Family Services" in done.stdout
    warnings = [line for line in done.stderr.splitlines() if line.startswith("ppkg: warning: ")]
    assert len(warnings) == 1 and str(broken) in warnings[0] and "left in place and skipped" in warnings[0]

    listed = run_ppkg("contributions", "--data-dir", str(data_dir), "--format", "json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1
    assert str(broken) in listed.stderr

    with pytest.warns(ppkg.UnreadableFileWarning, match="left in place"):
        rows = ppkg.load(data_dir=data_dir).run("programs-by-state-or-setting", state="OR").rows
    assert "Sunrise Mentors" in {r.programLabel for r in rows}
    assert tree_digest(data_dir) == before


def _turtle(tmp_path: Path, body: str, name: str = "x.ttl") -> Path:
    path = tmp_path / name
    path.write_text("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + body, encoding="utf-8")
    return path


def test_the_literal_limit_is_exact_and_can_be_lifted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at_limit = _turtle(tmp_path, f'<https://w3id.org/ppkg/id/program/a> rdfs:comment "{"a" * 65_536}" .\n', "a.ttl")
    over = _turtle(tmp_path, f'<https://w3id.org/ppkg/id/program/b> rdfs:comment "{"b" * 65_537}" .\n', "b.ttl")
    assert len(read_quads(at_limit)) == 1
    with pytest.raises(DataFileError, match=r"b\.ttl:2: a literal of 65,537 characters; the limit is 65,536 \(set "):
        read_quads(over)
    monkeypatch.setenv("PPKG_MAX_LITERAL_CHARS", "70_000")
    assert len(read_quads(over)) == 1


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1e6"])
def test_a_bad_limit_setting_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PPKG_MAX_NESTING", value)
    with pytest.raises(ParameterError, match=rf"PPKG_MAX_NESTING='{value}': give a"):
        read_quads(_turtle(tmp_path, '<https://w3id.org/ppkg/id/program/a> rdfs:label "A" .\n'))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<urn:x> rdfs:seeAlso " + "[ rdfs:seeAlso " * 65 + "<urn:y>" + " ]" * 65 + " .\n", "nested 65 deep"),
        ("<urn:x> rdfs:seeAlso " + "( " * 65 + "<urn:y>" + " )" * 65 + " .\n", "nested 65 deep"),
        ("<urn:x> rdfs:seeAlso ( " + "<urn:i> " * 10_001 + ") .\n", "a list of 10,001 items"),
    ],
)
def test_nesting_and_list_limits(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataFileError, match=message):
        read_quads(_turtle(tmp_path, body))


def test_what_is_just_within_the_limits_is_read(tmp_path: Path) -> None:
    """64 levels of brackets, a list of 10,000 items, a cycle of labelled blank nodes and a list of lists."""
    body = (
        "<urn:x> rdfs:seeAlso " + "[ rdfs:seeAlso " * 63 + "<urn:y>" + " ]" * 63 + " .\n"
        "<urn:x> rdfs:seeAlso ( " + "<urn:i> " * 10_000 + ") .\n"
        "_:a rdfs:seeAlso _:b . _:b rdfs:seeAlso _:a .\n"
        "<urn:x> rdfs:seeAlso ( ( <urn:a> ) ( <urn:b> <urn:c> ) ) .\n"
    )
    assert len(read_quads(_turtle(tmp_path, body))) == 63 + 1 + 2 * 10_000 + 2 + 2 + 4 + 2 + 4


def test_both_engines_read_the_same_statements_from_every_syntax(tmp_path: Path) -> None:
    """rdflib's graphs are built from Oxigraph's parse: the same triples, blank nodes and named graphs."""
    trig = tmp_path / "x.trig"
    trig.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<urn:g> { <urn:s> rdfs:label "Sunrise"@EN-us ; rdfs:seeAlso [ rdfs:label "inner" ] , ( <urn:a> ) . }\n'
        '<urn:s> rdfs:comment "in the default graph" .\n',
        encoding="utf-8",
    )
    dataset = load_dataset([GraphFile(trig, None)])
    named = dataset.graph(URIRef("urn:g"))
    assert (URIRef("urn:s"), RDFS.label, Literal("Sunrise", lang="en-us")) in named
    assert len(named) == 2 + 1 + 1 + 2
    assert len(dataset.default_graph) == 2 + 1 + 1 + 2 + 1  # the union of the graphs, plus its own statement
    assert len(parse_merged(trig.read_bytes(), trig)) == 7


def test_a_relative_iri_is_never_resolved_against_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rel.ttl"
    path.write_text('<program> <http://www.w3.org/2000/01/rdf-schema#label> "P" .\n', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"rel\.ttl:1:1: .*relative IRIs are not resolved"):
        ppkg.load(path, engine="rdflib").run("programs-by-rating", rating="promising")
    based = tmp_path / "based.ttl"
    based.write_text(
        '@base <https://w3id.org/ppkg/id/program/> .\n<based> <http://www.w3.org/2000/01/rdf-schema#label> "B" .\n',
        encoding="utf-8",
    )
    assert (URIRef("https://w3id.org/ppkg/id/program/based"), RDFS.label, Literal("B")) in merged_graph([based])


def test_a_url_string_is_one_path_and_is_refused_in_the_api() -> None:
    assert input_paths("a.ttl") == [Path("a.ttl")]
    with pytest.raises(DataFileError, match=r"a URL, not a file: ppkg reads local files only"):
        ppkg.validate("https://example.org/data.ttl")
