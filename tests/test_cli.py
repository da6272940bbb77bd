"""The installed ``ppkg`` command, run as a user runs it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

Run = Callable[..., CompletedProcess[str]]


def test_queries_lists_the_catalogue(run_ppkg: Run) -> None:
    done = run_ppkg("queries", "--format", "json")
    assert done.returncode == 0, done.stderr
    names = {q["name"] for q in json.loads(done.stdout)}
    assert {"programs-by-training-topic", "programs-by-rating"} <= names
    table = run_ppkg("queries")
    assert table.returncode == 0
    assert "programs-by-training-topic" in table.stdout


def test_motivational_interviewing_table(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-training-topic", "--param", "topic=motivational interviewing")
    assert done.returncode == 0, done.stderr
    for name in ("Riverside County Children's Services", "START", "NorthCare", "Morrison Child & Family"):
        assert name in done.stdout
    assert "4 rows" in done.stdout


def test_promising_csv(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-rating", "--param", "rating=promising", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["programLabel"] for r in rows] == ["Iowa Parent Partner Approach", "Parents Anonymous"]


def test_json_is_sparql_results_json(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-rating", "-p", "rating=3", "-f", "json")
    doc = json.loads(done.stdout)
    assert doc["head"]["vars"][:2] == ["program", "programLabel"]
    first = doc["results"]["bindings"][0]
    assert first["programLabel"]["value"] == "Iowa Parent Partner Approach"
    assert first["program"]["type"] == "uri"


def test_unknown_topic_is_one_line_with_nearest_topics(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-training-topic", "--param", "topic=quantum knitting")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("ppkg: error: unknown topic 'quantum knitting'; nearest known: ")
    assert "Traceback" not in done.stderr


def test_near_miss_topic_suggests_the_right_one(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-training-topic", "--param", "topic=motivashunal interviewing")
    assert done.returncode == 2
    assert "motivational interviewing" in done.stderr


def test_unknown_query_name(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-topic")
    assert done.returncode == 2
    assert "unknown query 'programs-by-topic'" in done.stderr
    assert "programs-by-training-topic" in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("query", "programs-by-rating", "--param", "rating"),
        ("query", "programs-by-rating", "--param", "colour=blue"),
        ("query", "programs-by-rating", "--format", "xlsx"),
        ("query",),
        ("query", "programs-by-rating", "--sparql", "ASK {}"),
    ],
)
def test_usage_errors_exit_2(run_ppkg: Run, args: tuple[str, ...]) -> None:
    done = run_ppkg(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_adhoc_file_stdin_and_string(run_ppkg: Run, tmp_path: Path) -> None:
    query = "SELECT ?label WHERE { ?p a ppkg:Program ; ppkg:state state:ca ; rdfs:label ?label } ORDER BY ?label"
    rq = tmp_path / "my.rq"
    rq.write_text(query, encoding="utf-8")
    expected = "label\nRiverside County Children's Services\nStanford Sierra Youth & Families\n"
    assert run_ppkg("query", "--file", str(rq), "-f", "csv").stdout == expected
    assert run_ppkg("query", "--file", "-", "-f", "csv", stdin=query).stdout == expected
    assert run_ppkg("query", "--sparql", query, "-f", "csv").stdout == expected


def test_output_file(run_ppkg: Run, tmp_path: Path) -> None:
    out = tmp_path / "promising.csv"
    done = run_ppkg("query", "programs-by-rating", "-f", "csv", "-o", str(out))
    assert done.returncode == 0 and done.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("program,programLabel,")


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "DROP ALL",
        "INSERT DATA { <http://a> <http://b> <http://c> }",
    ],
)
def test_unsafe_queries_refused(run_ppkg: Run, query: str) -> None:
    done = run_ppkg("query", "--sparql", query)
    assert done.returncode == 2
    assert done.stderr.startswith("ppkg: error: ")


def test_syntax_error_is_one_line(run_ppkg: Run) -> None:
    done = run_ppkg("query", "--sparql", "SELECT ?x WHERE { ?x ?y }")
    assert done.returncode == 2
    assert done.stderr.startswith("ppkg: error: SPARQL syntax error")
    assert "Traceback" not in done.stderr


def test_missing_query_file(run_ppkg: Run, tmp_path: Path) -> None:
    done = run_ppkg("query", "--file", str(tmp_path / "nope.rq"))
    assert done.returncode == 2
    assert "no such file" in done.stderr


def test_version(run_ppkg: Run) -> None:
    done = run_ppkg("--version")
    assert done.returncode == 0 and done.stdout.startswith("ppkg ")
