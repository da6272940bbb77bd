"""What the installed ``ppkg`` command prints: tables that fit the terminal, formats, help, completion and
output that neither a spreadsheet nor a terminal can be made to run."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import urllib.request
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from rdflib import Dataset, Literal
from rdflib.term import Node

import ppkg
from ppkg.query.catalogue import Catalogue

from .conftest import ROOT, ppkg_command

Run = Callable[..., CompletedProcess[str]]

BOX = re.compile(r"[\s│┃]+")

EVIL_TTL = r"""
@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix program: <https://w3id.org/ppkg/id/program/> .

program:evil-formula a ppkg:Program ; rdfs:label "=HYPERLINK(\"http://127.0.0.1:9/x\",\"Click\")" .
program:evil-plus a ppkg:Program ; rdfs:label "+1+cmd|' /C calc'!A0" .
program:evil-minus a ppkg:Program ; rdfs:label "-2+3" .
program:evil-at a ppkg:Program ; rdfs:label "@SUM(1+1)" .
program:evil-tab a ppkg:Program ; rdfs:label "\t=1+1" .
program:evil-plain a ppkg:Program ; rdfs:label "Plain Program" .
"""
EVIL_QUERY = (
    "SELECT ?label WHERE { ?p a ppkg:Program ; rdfs:label ?label FILTER(STRSTARTS(STR(?p), STR(program:evil))) } "
    "ORDER BY ?label"
)
FORMULA_LABELS = {
    '=HYPERLINK("http://127.0.0.1:9/x","Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
}
ESCAPE_LABEL = "Red\x1b[31m Alert\x1b]0;owned\x07\x1b[2J"
ESCAPE_QUERY = r'SELECT ?label WHERE { BIND("Red\u001b[31m Alert\u001b]0;owned\u0007\u001b[2J" AS ?label) }'
"""A value with terminal escape sequences: data files may not hold control characters, queries can make them."""


@pytest.fixture
def evil_ttl(tmp_path: Path) -> Path:
    path = tmp_path / "evil.ttl"
    path.write_text(EVIL_TTL, encoding="utf-8")
    return path


def _visible_words(kg: ppkg.KnowledgeGraph, name: str) -> list[str]:
    """Every word of every value the table view shows of a catalogued query (literals, not ``?x`` beside
    ``?xLabel``)."""
    result = kg.run(name)
    names = set(result.variables)
    words = []
    for row in result.terms:
        for variable, term in zip(result.variables, row, strict=True):
            if isinstance(term, Literal) and f"{variable}Label" not in names:
                words += str(term).split()
    return words


# -- tables that fit ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", Catalogue().names)
def test_every_catalogued_query_fits_80_columns_without_splitting_a_word(
    run_ppkg: Run, kg: ppkg.KnowledgeGraph, name: str
) -> None:
    done = run_ppkg("query", name, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert not [line for line in lines if line != line.rstrip()], "a line ends in spaces"
    rows = len(kg.run(name).terms)
    assert lines[-1] == f"{rows} row{'' if rows == 1 else 's'}"
    tokens = set(BOX.split(done.stdout))
    split = sorted({w for w in _visible_words(kg, name) if w not in tokens})
    assert not split, f"words split across lines: {split[:10]}"
    assert "https://" not in done.stdout


def test_a_wide_result_becomes_one_record_per_row(run_ppkg: Run) -> None:
    narrow = run_ppkg("query", "fact-provenance", "-p", "thing=Iowa Parent Partner Approach", env={"COLUMNS": "80"})
    assert narrow.returncode == 0, narrow.stderr
    assert "── 1 ──" in narrow.stdout and "┏" not in narrow.stdout
    assert "thingLabel: Iowa Parent Partner Approach" in narrow.stdout.splitlines()
    assert re.search(r"^propertyLabel: +description$", narrow.stdout, re.M)
    assert re.search(r"^publisherLabel: +Casey Family Programs$", narrow.stdout, re.M)
    wide = run_ppkg("query", "fact-provenance", "-p", "thing=Iowa Parent Partner Approach", env={"COLUMNS": "400"})
    assert "┏" in wide.stdout and "── 1 ──" not in wide.stdout
    assert max(len(line) for line in wide.stdout.splitlines()) <= 400


def test_constant_and_empty_columns(run_ppkg: Run) -> None:
    done = run_ppkg("query", "program-curriculum", "-p", "program=Iowa Parent Partner Approach", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "programLabel: Iowa Parent Partner Approach"
    assert done.stdout.count("Iowa Parent Partner Approach") == 1
    header = next(line for line in lines if line.startswith("┃"))
    assert [w for w in BOX.split(header) if w] == ["position", "phaseLabel", "itemLabel", "topicLabel"]
    assert "hours" not in done.stdout  # no item of Iowa's curriculum gives hours
    assert "Mandated reporter" in done.stdout and "mandated reporting" in done.stdout
    full = run_ppkg("query", "program-curriculum", "-p", "program=Iowa Parent Partner Approach", "-f", "csv")
    assert next(csv.reader(io.StringIO(full.stdout)))[:4] == ["position", "phase", "phaseLabel", "hours"]


def test_iri_columns_left_out_of_the_table_kept_in_csv(run_ppkg: Run) -> None:
    table = run_ppkg("query", "programs-by-state-or-setting", "-p", "state=California", env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    assert "program:" not in table.stdout and "state:ca" not in table.stdout and "https://" not in table.stdout
    assert "Riverside County Children's Services" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run_ppkg("query", "programs-by-state-or-setting", "-f", "csv").stdout)))
    assert {r["state"] for r in rows} >= {"https://w3id.org/ppkg/id/state/ca"}
    assert all(r["program"].startswith("https://w3id.org/ppkg/id/program/") for r in rows)


def test_adhoc_results_without_labels_keep_their_iris_and_ask_is_a_word(run_ppkg: Run) -> None:
    done = run_ppkg("query", "--sparql", "SELECT ?p ?o WHERE { program:kentucky-start ?p ?o } ORDER BY ?p LIMIT 3")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^│rdf:type +│ ppkg:Program +│$", done.stdout, re.M)
    assert re.search(r"^│rdfs:label +│ START +│$", done.stdout, re.M)
    assert run_ppkg("query", "--sparql", "ASK { program:kentucky-start ppkg:state state:ky }").stdout == "true\n"
    assert run_ppkg("query", "--sparql", "ASK { program:kentucky-start ppkg:state state:ca }").stdout == "false\n"


def test_piped_output_has_its_natural_width(run_ppkg: Run) -> None:
    done = run_ppkg("query", "programs-by-training-topic", "-p", "topic=MI", env={"COLUMNS": None})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert not [line for line in lines if line != line.rstrip()]
    row = next(line for line in lines if "Morrison Child & Family Services" in line)
    assert "Mentoring skills: motivational interviewing and stages of change" in row  # not wrapped
    table = [line for line in lines if line and line[0] in "┏┃┡│└"]
    assert len({len(line) for line in table}) == 1  # one width, that of the content
    assert len(table[0]) < 160
    assert lines[-1] == "4 rows"


def test_columns_is_respected(run_ppkg: Run) -> None:
    for width in (40, 60, 100):
        done = run_ppkg("query", "rating-scale-levels", env={"COLUMNS": str(width)})
        assert done.returncode == 0, done.stderr
        assert max(len(line) for line in done.stdout.splitlines()) <= width
        assert "Well-Supported by Research Evidence".split()[0] in BOX.split(done.stdout)


def test_catalogue_list_fits(run_ppkg: Run) -> None:
    listing = run_ppkg("queries", env={"COLUMNS": "80"})
    assert listing.returncode == 0, listing.stderr
    assert max(len(line) for line in listing.stdout.splitlines()) <= 80
    assert "programs-by-training-topic" in BOX.split(listing.stdout)
    assert listing.stdout.splitlines()[-1] == f"{len(Catalogue())} queries; details: ppkg queries NAME"


# -- formats -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "check"),
    [
        ("out.csv", lambda text: text.startswith("program,programLabel,")),
        ("out.tsv", lambda text: text.startswith("program\tprogramLabel\t")),
        ("out.json", lambda text: json.loads(text)["head"]["vars"][:2] == ["program", "programLabel"]),
        ("out.jsonl", lambda text: json.loads(text.splitlines()[0])["programLabel"] == "Iowa Parent Partner Approach"),
        ("out.txt", lambda text: "┃programLabel" in text and text.endswith("2 rows\n")),
        ("OUT.CSV", lambda text: text.startswith("program,programLabel,")),
    ],
)
def test_output_file_extension_picks_the_format(
    run_ppkg: Run, tmp_path: Path, filename: str, check: Callable[[str], bool]
) -> None:
    out = tmp_path / filename
    done = run_ppkg("query", "programs-by-rating", "-p", "rating=promising", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert check(out.read_text(encoding="utf-8"))


def test_explicit_format_wins_over_the_extension(run_ppkg: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    assert run_ppkg("query", "programs-by-rating", "-f", "csv", "-o", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8").startswith("program,programLabel,")


def test_unknown_extension_is_an_error_naming_the_choices(run_ppkg: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    done = run_ppkg("query", "programs-by-rating", "-o", str(out))
    assert done.returncode == 2
    assert done.stderr.startswith(f"ppkg: error: cannot tell the format of {out} from its extension .xlsx: ")
    assert "csv" in done.stderr and ".tsv" in done.stderr
    assert not out.exists()
    wrong_kind = run_ppkg("query", "programs-by-rating", "-o", str(tmp_path / "out.ttl"))
    assert wrong_kind.returncode == 2
    assert "the result is a table of rows (SELECT/ASK); name the file .csv" in wrong_kind.stderr


def test_export_and_construct_formats_from_the_extension(run_ppkg: Run, tmp_path: Path) -> None:
    nq = tmp_path / "graph.nq"
    assert run_ppkg("export", "--graph", "cdss-peer-partners", "-o", str(nq)).returncode == 0
    first = nq.read_text(encoding="utf-8").splitlines()[0]
    assert first.endswith("<https://w3id.org/ppkg/id/graph/cdss-peer-partners> .")
    ttl = tmp_path / "graph.ttl"
    assert run_ppkg("export", "--graph", "cdss-peer-partners", "-o", str(ttl)).returncode == 0
    assert ttl.read_text(encoding="utf-8").startswith("@prefix ")
    construct = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a ppkg:Program ; ppkg:state state:ca ; rdfs:label ?l }"
    jsonld = tmp_path / "ca.jsonld"
    assert run_ppkg("query", "--sparql", construct, "-o", str(jsonld)).returncode == 0
    labels = {
        node["http://www.w3.org/2000/01/rdf-schema#label"][0]["@value"] for node in json.loads(jsonld.read_text())
    }
    assert labels == {"Riverside County Children's Services", "Stanford Sierra Youth & Families"}
    assert "Riverside County Children's Services" in run_ppkg("query", "--sparql", construct).stdout  # turtle


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (("query",), ["table", "csv", "tsv", "json", "jsonl", "turtle", "json-ld", "nt", "xml", "trig"]),
        (("queries",), ["table", "json", "markdown"]),
        (("describe",), ["table", "json"]),
        (("export",), ["trig", "turtle", "nquads", "nt", "jsonld"]),
        (("validate",), ["text", "json", "turtle"]),
        (("contribute",), ["text", "json"]),
        (("contributions",), ["table", "json"]),
    ],
)
def test_format_choices_show_in_help(run_ppkg: Run, command: tuple[str, ...], choices: list[str]) -> None:
    done = run_ppkg(*command, "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(BOX.split(done.stdout))
    for choice in choices:
        assert re.search(rf"(?<![\w-]){re.escape(choice)}(?![\w-])", text), (command, choice)


def _triples(text: str, syntax: str) -> set[tuple[Node, Node, Node]]:
    """The statements of ``text``, whichever graph each is in (JSON-LD keeps its named graphs)."""
    dataset = Dataset()
    dataset.parse(data=text, format=syntax)
    return {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}


def test_format_names_any_case_and_aliases(run_ppkg: Run, kg: ppkg.KnowledgeGraph) -> None:
    upper = run_ppkg("query", "programs-by-rating", "-p", "rating=3", "-f", "CSV")
    assert upper.returncode == 0 and upper.stdout.startswith("program,programLabel,")
    for alias, fmt, syntax in (("JSON-LD", "jsonld", "json-ld"), ("ttl", "turtle", "turtle")):
        done = run_ppkg("export", "--graph", "cdss-peer-partners", "-f", alias)
        assert done.returncode == 0, done.stderr
        expected = _triples(kg.export(fmt, "cdss-peer-partners"), syntax)
        assert expected and _triples(done.stdout, syntax) == expected
    construct = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p ppkg:state state:ca ; rdfs:label ?l }"
    nt = run_ppkg("query", "--sparql", construct, "-f", "ntriples")
    assert '"Stanford Sierra Youth & Families"@en .' in nt.stdout and not nt.stdout.startswith("@prefix")
    bad = run_ppkg("query", "programs-by-rating", "-f", "xlsx")
    assert bad.returncode == 2
    assert "unknown format 'xlsx'; use one of table, csv, tsv, json, jsonl" in bad.stderr
    assert run_ppkg("validate", "docs/examples/mentor-moms.ttl", "-f", "JSON", cwd=ROOT).returncode == 0


# -- help and completion -------------------------------------------------------------------------------


def test_query_name_help_lists_its_parameters(run_ppkg: Run) -> None:
    done = run_ppkg("query", "curriculum-gaps", "--help")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("curriculum-gaps: Curriculum gaps of a program\n")
    assert re.search(r"^  program +program; default: Riverside County Children's Services$", out, re.M)
    assert re.search(r"^  min_programs +int; default: 3$", out, re.M)
    assert "The least number of programs that must cover a topic" in out
    assert 'ppkg query curriculum-gaps --param program="Riverside County Children\'s Services"' in out
    assert run_ppkg("queries", "curriculum-gaps").stdout == out
    with_options = run_ppkg("query", "programs-by-training-topic", "-p", "topic=MI", "-f", "csv", "--help")
    assert with_options.stdout.startswith("programs-by-training-topic: Programs by training topic\n")
    general = run_ppkg("query", "--help")
    assert general.returncode == 0 and "--sparql" in general.stdout and "ppkg query NAME --help" in general.stdout
    detail = json.loads(run_ppkg("queries", "rating-scale-levels", "-f", "json").stdout)
    assert detail["name"] == "rating-scale-levels" and [p["name"] for p in detail["params"]] == ["scale"]
    unknown = run_ppkg("queries", "curriculum-gap")
    assert unknown.returncode == 2 and "unknown query 'curriculum-gap'" in unknown.stderr
    assert "curriculum-gaps" in unknown.stderr


def _complete(shell: str, line: str) -> list[str]:
    """Ask the installed ``ppkg`` for completions the way typer's shell scripts do."""
    import os

    env = {**os.environ, "_PPKG_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(len(line.split()) - (0 if line.endswith(" ") else 1))}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line, "_TYPER_COMPLETE_FISH_ACTION": "get-args"}
    done = subprocess.run(ppkg_command(), env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_completion_of_query_names_params_and_labels() -> None:
    assert _complete("bash", "ppkg query programs-by-r") == ["programs-by-rating"]
    assert "curriculum-gaps" in _complete("bash", "ppkg queries cur")
    assert _complete("fish", "ppkg query curriculum-gaps --param ") == ["program=", "min_programs="]
    programs = _complete("fish", "ppkg query curriculum-gaps --param program=Mor")
    assert "program=Morrison Child & Family Services" in programs
    topics = _complete("fish", "ppkg query programs-by-training-topic -p topic=motivational")
    assert "topic=motivational interviewing" in topics
    assert all(t.startswith("topic=motivational") for t in topics)
    assert _complete("fish", "ppkg query curriculum-gaps -p min_programs=") == []  # an int: nothing to offer
    assert _complete("bash", "ppkg query programs-by-rating -f js") == ["json", "jsonl", "json-ld"]
    assert _complete("bash", "ppkg export -f n") == ["nquads", "nt"]


def test_completion_can_be_installed(run_ppkg: Run) -> None:
    done = run_ppkg("--show-completion", "bash")
    assert done.returncode == 0, done.stderr
    assert "_PPKG_COMPLETE=complete_bash" in done.stdout
    assert "--install-completion" in run_ppkg("--help").stdout


# -- notes ---------------------------------------------------------------------------------------------


def test_notes_go_to_stderr_one_per_line(run_ppkg: Run, kg: ppkg.KnowledgeGraph) -> None:
    notes = getattr(kg.run("programs-by-training-topic", topic="motivational interviewing"), "notes", [])
    done = run_ppkg("query", "programs-by-training-topic", "-p", "topic=motivational interviewing", "-f", "csv")
    assert done.returncode == 0
    assert done.stderr.splitlines() == [f"ppkg: note: {note}" for note in notes]
    assert [r["state"] for r in csv.DictReader(io.StringIO(done.stdout))] == ["OR", "OK", "CA", "KY"]


# -- output that cannot be made to run --------------------------------------------------------------------


def test_csv_and_tsv_neutralise_formulas_json_keeps_values(run_ppkg: Run, evil_ttl: Path) -> None:
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        done = run_ppkg("query", "--data", str(evil_ttl), "--sparql", EVIL_QUERY, "-f", fmt)
        assert done.returncode == 0, done.stderr
        cells = [row[0] for row in csv.reader(io.StringIO(done.stdout), delimiter=delimiter)][1:]
        assert {c for c in cells if c.startswith("'")} == {"'" + label for label in FORMULA_LABELS}
        assert "Plain Program" in cells
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    exact = json.loads(run_ppkg("query", "--data", str(evil_ttl), "--sparql", EVIL_QUERY, "-f", "json").stdout)
    values = {b["label"]["value"] for b in exact["results"]["bindings"]}
    assert FORMULA_LABELS <= values
    numbers = run_ppkg("query", "--sparql", "SELECT (-5 AS ?n) (-2.5 AS ?x) WHERE {}", "-f", "csv")
    assert numbers.stdout == "n,x\n-5,-2.5\n"


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_csv_formulas_keep_writes_values_exactly(run_ppkg: Run, evil_ttl: Path, fmt: str, delimiter: str) -> None:
    done = run_ppkg("query", "--data", str(evil_ttl), "--sparql", EVIL_QUERY, "-f", fmt, "--csv-formulas", "keep")
    assert done.returncode == 0, done.stderr
    cells = [row[0] for row in csv.reader(io.StringIO(done.stdout), delimiter=delimiter)]
    assert cells[0] == "label"
    assert set(cells[1:]) == {*FORMULA_LABELS, "Plain Program"}
    assert not [c for c in cells if c.startswith("'")]
    quoted = run_ppkg("query", "--data", str(evil_ttl), "--sparql", EVIL_QUERY, "-f", fmt, "--csv-formulas", "QUOTE")
    assert "'@SUM(1+1)" in quoted.stdout


def test_csv_formulas_option_is_documented_and_checked(run_ppkg: Run) -> None:
    help_text = " ".join(run_ppkg("query", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "--csv-formulas [quote|keep]" in help_text
    assert "keep writes it exactly" in help_text
    done = run_ppkg("query", "--sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--csv-formulas", "run")
    assert done.returncode == 2
    assert "unknown --csv-formulas choice 'run'; use one of quote, keep" in done.stderr


@pytest.mark.parametrize("columns", ["200", "20"])
def test_terminal_escapes_are_shown_not_sent(run_ppkg: Run, columns: str) -> None:
    done = run_ppkg("query", "--sparql", ESCAPE_QUERY, env={"COLUMNS": columns})
    assert done.returncode == 0, done.stderr
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", done.stdout)
    assert "Red\\x1b[31m" in done.stdout and "\\x07\\x1b[2J" in done.stdout
    exact = json.loads(run_ppkg("query", "--sparql", ESCAPE_QUERY, "-f", "json").stdout)
    assert exact["results"]["bindings"][0]["label"]["value"] == ESCAPE_LABEL


def test_tab_in_a_label_is_shown_as_an_escape(run_ppkg: Run, evil_ttl: Path) -> None:
    done = run_ppkg("query", "--data", str(evil_ttl), "--sparql", EVIL_QUERY, env={"COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert "\\t=1+1" in done.stdout and "\t" not in done.stdout


def test_escapes_in_a_name_are_shown_in_the_error(run_ppkg: Run) -> None:
    done = run_ppkg("describe", "Red\x1b[31m Alert\x07")
    assert done.returncode == 2
    assert done.stderr.startswith("ppkg: error: unknown thing 'Red\\x1b[31m Alert\\x07'")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", done.stderr)


# -- the query page of ppkg serve ----------------------------------------------------------------------


def test_oxigraph_server_is_a_regular_dependency() -> None:
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(re.match(r"oxigraph\b", dep) for dep in project["dependencies"])


@pytest.mark.server
def test_serve_announces_its_query_page() -> None:
    from ppkg.serve.server import free_port

    port = free_port()
    process = subprocess.Popen(
        [*ppkg_command(), "serve", "--port", str(port)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline(), process.stderr.readline()]
        assert f"ppkg: query page at http://127.0.0.1:{port}/\n" in lines, lines
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200
            assert page.headers.get_content_type() == "text/html"
            assert b"yasgui" in page.read().lower()
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def test_rows_are_counted_below_records(run_ppkg: Run) -> None:
    done = run_ppkg("query", "rating-scale-levels", env={"COLUMNS": "30"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "6 rows"
    assert "── 6 ──" in lines
    assert max(len(line) for line in lines) <= 30
    assert "cebc:1" not in done.stdout  # the IRIs of the levels are not shown


@pytest.mark.parametrize(
    "args",
    [
        ("export", "--format", "jsonld"),
        ("export", "--format", "nt"),
        ("query", "--sparql", "CONSTRUCT { ?p ?q ?o } WHERE { ?p a ppkg:Program ; ?q ?o }", "--format", "json-ld"),
        ("query", "--sparql", "CONSTRUCT { ?p ?q ?o } WHERE { ?p a ppkg:Program ; ?q ?o }", "--format", "nt"),
    ],
)
def test_graph_output_is_the_same_in_every_process(run_ppkg: Run, args: tuple[str, ...]) -> None:
    """Each process hashes differently (PYTHONHASHSEED), so this catches output in hash order."""
    first = run_ppkg(*args, env={"PYTHONHASHSEED": "1"})
    second = run_ppkg(*args, env={"PYTHONHASHSEED": "2"})
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert "https://w3id.org/ppkg/id/program/kentucky-start" in first.stdout


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """``ppkg export | head -1``: the rest is dropped quietly, exit 0, nothing on stderr."""
    from .conftest import ppkg_command

    with subprocess.Popen(
        [*ppkg_command(), "export", "--format", "nt"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith(b"<")
        process.stdout.close()  # far more than a pipe's buffer is still to come
        stderr = process.stderr.read()
        assert process.wait(timeout=120) == 0
    assert stderr == b""
