"""The ``rating`` and ``resource`` CSV templates, filled as a steward fills them and run through the real ``ppkg``.

Good rows become RDF that conforms to the shapes and, once contributed, answers the catalogued queries;
bad rows are reported as ``file:row:column: column 'name': problem`` and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

import ppkg
from ppkg.rdf.namespaces import ID, PPKG, SCHEMA
from ppkg.steward.templates import convert

from .conftest import tree_digest

Run = Callable[..., CompletedProcess[str]]

RATING_HEADER = "program,level,date,source_title,source_url\n"
RESOURCE_HEADER = "slug,title,type,publisher,url,description,coverage\n"

GOOD_RATINGS = RATING_HEADER + (
    "Parents Anonymous,well-supported,2024-05-01,CEBC: Parents Anonymous,https://www.cebc4cw.org/program/parents-anonymous/\n"
    "iowa-parent-partner-approach,NR,2019-02-01,CEBC: Iowa Parent Partner Approach,https://www.cebc4cw.org/program/iowa/\n"
    "START,Promising Research Evidence,,CEBC: START,https://www.cebc4cw.org/program/start/\n"
)
GOOD_RESOURCES = RESOURCE_HEADER + (
    "fathers-toolkit,Fathers Toolkit,Toolkit,Casey Family Programs,https://example.org/fathers,"
    "Tools for engaging fathers.,engaging fathers; funding\n"
    "peer-partner-notice,Peer Partner Notice, Information  Notice ,California Department of Social Services,"
    "https://www.cdss.ca.gov/peer-partner-notice,An all-county information notice on peer partners.,peer partners\n"
)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(done: CompletedProcess[str], name: str) -> list[str]:
    """The template problems ``ppkg validate`` printed for the CSV file ``name`` (``name:row:col: …``), in order."""
    at_cell = re.compile(rf"^{re.escape(name)}:\d+:\d+: ")
    return [line.strip() for line in done.stdout.splitlines() if at_cell.match(line.strip())]


def assert_starts(found: list[str], expected: list[str]) -> None:
    """Each problem found begins with the expected text (the rest is help, such as the nearest names)."""
    assert len(found) == len(expected), found
    for line, start in zip(found, expected, strict=True):
        assert line.startswith(start), (line, start)


# -- rating ------------------------------------------------------------------------------------------------


def test_rating_template_is_the_header_and_one_example_row(run_ppkg: Run) -> None:
    done = run_ppkg("template", "rating")
    assert done.returncode == 0, done.stderr
    header, example = done.stdout.splitlines()
    assert header + "\n" == RATING_HEADER
    assert example.startswith("Parents Anonymous,3,2024-05-01,")


def test_rating_example_row_conforms(run_ppkg: Run, tmp_path: Path) -> None:
    assert run_ppkg("template", "rating", "-o", "rating.csv", cwd=tmp_path).returncode == 0
    done = run_ppkg("validate", "rating.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("conforms: no problems found")


def test_rating_rows_become_dated_claims(kg: ppkg.KnowledgeGraph, tmp_path: Path) -> None:
    path = write(tmp_path, "ratings.csv", GOOD_RATINGS)
    out = convert(path, GOOD_RATINGS, kg.labels, "rating")
    assert out.problems == []
    g = out.graph
    anonymous = URIRef(ID["rating/cebc-parents-anonymous-2024-05-01"])
    iowa = URIRef(ID["rating/cebc-iowa-parent-partner-approach-2019-02-01"])
    start = URIRef(ID["rating/cebc-kentucky-start"])  # no date: the IRI has none either
    assert set(g.subjects(RDF.type, PPKG.EvidenceRating)) == {anonymous, iowa, start}
    assert g.value(anonymous, PPKG.ratedProgram) == URIRef(ID["program/parents-anonymous"])
    assert g.value(anonymous, PPKG.ratingLevel) == URIRef(ID["scale/cebc/1"])
    assert g.value(anonymous, PPKG.ratingDate) == Literal(dt.date(2024, 5, 1))  # an xsd:date
    assert g.value(iowa, PPKG.ratedProgram) == URIRef(ID["program/iowa-parent-partner-approach"])
    assert g.value(iowa, PPKG.ratingLevel) == URIRef(ID["scale/cebc/nr"])
    assert g.value(start, PPKG.ratingLevel) == URIRef(ID["scale/cebc/3"])
    assert g.value(start, PPKG.ratingDate) is None
    for rating in (anonymous, iowa, start):
        assert g.value(rating, PPKG.ratingScale) == URIRef(ID["scale/cebc"])
        assert g.value(rating, PPKG.ratedBy) == URIRef(ID["organization/cebc"])
    source = g.value(anonymous, PROV.wasDerivedFrom)
    assert (source, RDF.type, PPKG.SourceDocument) in g
    assert g.value(source, SCHEMA.url) == URIRef("https://www.cebc4cw.org/program/parents-anonymous/")
    assert g.value(source, DCTERMS.title) == Literal("CEBC: Parents Anonymous", lang="en")
    assert {out.rows[str(anonymous)], out.rows[str(iowa)], out.rows[str(start)]} == {2, 3, 4}


def test_rating_rows_validate_and_answer_the_as_of_query(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    write(tmp_path, "ratings.csv", GOOD_RATINGS)
    checked = run_ppkg("validate", "ratings.csv", "--data-dir", str(data_dir), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.rstrip().endswith("conforms: 0 violations, 1 warning")
    assert "ratings.csv:4: This evidence rating has no date" in checked.stdout  # the START row
    done = run_ppkg("contribute", "ratings.csv", "--by", "Ada Steward", "--data-dir", str(data_dir), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    kg = ppkg.load(data_dir=data_dir)

    def rated(level: str, as_of: str) -> list[str]:
        return sorted({row.programLabel for row in kg.run("ratings-as-of", rating=level, as_of=as_of)})

    assert "Parents Anonymous" in rated("well-supported", "2024-06-01")
    assert "Parents Anonymous" not in rated("well-supported", "2024-04-30")  # the claim is dated 2024-05-01
    assert "Iowa Parent Partner Approach" in rated("NR", "2020-01-01")


def test_rating_bad_rows_are_reported_by_row_and_column(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    csv_text = RATING_HEADER + (
        "Quantum Parents,3,2024-05-01,CEBC page,https://www.cebc4cw.org/program/q/\n"
        "Parents Anonymous,7,2024-05-01,CEBC page,https://www.cebc4cw.org/program/pa/\n"
        "Parents Anonymous,excellent,2024-05-01,CEBC page,https://www.cebc4cw.org/program/pa/\n"
        "Parents Anonymous,promising,May 2024,CEBC page,https://www.cebc4cw.org/program/pa/\n"
        "Parents Anonymous,promising,2024-02-30,CEBC page,https://www.cebc4cw.org/program/pa/\n"
        "Parents Anonymous,promising,2024-05-01,CEBC page,ftp://example.org/pa\n"
        "Parents Anonymous,promising,2024-05-01,CEBC page,www.cebc4cw.org/program/pa/\n"
    )
    write(tmp_path, "ratings.csv", csv_text)
    done = run_ppkg("validate", "ratings.csv", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    found = problems(done, "ratings.csv")
    expected = [
        "ratings.csv:2:1: column 'program': unknown program 'Quantum Parents'; nearest known: ",
        "ratings.csv:3:2: column 'level': unknown rating '7'; nearest known: ",
        "ratings.csv:4:2: column 'level': unknown rating 'excellent'; nearest known: ",
        "ratings.csv:5:3: column 'date': 'May 2024' is not a date as YYYY-MM-DD",
        "ratings.csv:6:3: column 'date': '2024-02-30' is not a date as YYYY-MM-DD",
        "ratings.csv:7:5: column 'source_url': 'ftp://example.org/pa' has the scheme 'ftp'; only http, https or urn",
        "ratings.csv:8:5: column 'source_url': 'www.cebc4cw.org/program/pa/' is not an IRI: it has no scheme",
    ]
    assert_starts(found, expected)
    assert "Parents for Parents" in found[0]  # the nearest program names are real ones
    before = tree_digest(data_dir)
    refused = run_ppkg("contribute", "ratings.csv", "--by", "Ada", "--data-dir", str(data_dir), cwd=tmp_path)
    assert refused.returncode == 1
    assert tree_digest(data_dir) == before


def test_rating_empty_required_cells_are_row_problems(run_ppkg: Run, tmp_path: Path) -> None:
    csv_text = RATING_HEADER + (
        "Parents Anonymous,,2024-05-01,CEBC page,https://www.cebc4cw.org/program/pa/\n"
        ",3,2024-05-01,CEBC page,https://www.cebc4cw.org/program/pa/\n"
        "Parents Anonymous,3,2024-05-01,,n/a\n"
    )
    write(tmp_path, "ratings.csv", csv_text)
    done = run_ppkg("validate", "ratings.csv", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert problems(done, "ratings.csv") == [
        "ratings.csv:2:2: column 'level': required, but empty",
        "ratings.csv:3:1: column 'program': required, but empty",
        "ratings.csv:4:4: column 'source_title': required, but empty",
        "ratings.csv:4:5: column 'source_url': required, but empty",
    ]


# -- resource ----------------------------------------------------------------------------------------------


def test_resource_template_is_the_header_and_one_example_row(run_ppkg: Run) -> None:
    done = run_ppkg("template", "resource")
    assert done.returncode == 0, done.stderr
    header, example = done.stdout.splitlines()
    assert header + "\n" == RESOURCE_HEADER
    assert example.startswith("example-toolkit,Example Toolkit,toolkit,Casey Family Programs,")


def test_resource_example_row_conforms(run_ppkg: Run, tmp_path: Path) -> None:
    assert run_ppkg("template", "resource", "-o", "resource.csv", cwd=tmp_path).returncode == 0
    done = run_ppkg("validate", "resource.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("conforms: no problems found")


def test_resource_rows_become_typed_resources(kg: ppkg.KnowledgeGraph, tmp_path: Path) -> None:
    path = write(tmp_path, "resources.csv", GOOD_RESOURCES)
    out = convert(path, GOOD_RESOURCES, kg.labels, "resource")
    assert out.problems == []
    g = out.graph
    toolkit, notice = URIRef(ID["resource/fathers-toolkit"]), URIRef(ID["resource/peer-partner-notice"])
    assert set(g.objects(toolkit, RDF.type)) == {PPKG.Toolkit}  # "Toolkit": any case
    assert set(g.objects(notice, RDF.type)) == {PPKG.InformationNotice}  # " Information  Notice ": any spacing
    assert g.value(toolkit, DCTERMS.publisher) == URIRef(ID["organization/casey-family-programs"])
    assert g.value(toolkit, SCHEMA.url) == URIRef("https://example.org/fathers")
    assert sorted(map(str, g.objects(toolkit, PPKG.coverage))) == ["engaging fathers", "funding"]
    assert g.value(notice, DCTERMS.title) == Literal("Peer Partner Notice", lang="en")
    assert (out.rows[str(toolkit)], out.rows[str(notice)]) == (2, 3)


def test_resource_rows_validate_and_answer_the_resources_query(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    write(tmp_path, "resources.csv", GOOD_RESOURCES)
    checked = run_ppkg("validate", "resources.csv", "--data-dir", str(data_dir), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("conforms: no problems found")
    done = run_ppkg("contribute", "resources.csv", "--by", "Ada Steward", "--data-dir", str(data_dir), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = ppkg.load(data_dir=data_dir).run("implementation-resources")
    mine = sorted(
        (r.resourceLabel, r.publisherLabel, r.valueLabel)
        for r in result
        if r.resourceLabel in {"Fathers Toolkit", "Peer Partner Notice"}
    )
    assert mine == [
        ("Fathers Toolkit", "Casey Family Programs", "engaging fathers"),
        ("Fathers Toolkit", "Casey Family Programs", "funding"),
        ("Peer Partner Notice", "California Department of Social Services", "peer partners"),
    ]


def test_resource_bad_rows_are_reported_by_row_and_column(run_ppkg: Run, tmp_path: Path) -> None:
    csv_text = RESOURCE_HEADER + (
        "podcast-one,Podcast One,podcast,Casey Family Programs,https://example.org/p,A podcast.,fathers\n"
        "bad-url,Bad URL,report,Casey Family Programs,www.example.org/report,A report.,funding\n"
        "Bad Slug,Bad slug,report,Casey Family Programs,,A report.,funding\n"
        "nobody,Nobody,manual,Nowhere Org,,A manual.,funding\n"
        "no-description,No description,guide,Casey Family Programs,,,funding\n"
    )
    write(tmp_path, "resources.csv", csv_text)
    done = run_ppkg("validate", "resources.csv", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    found = problems(done, "resources.csv")
    assert_starts(
        found,
        [
            "resources.csv:2:3: column 'type': unknown resource type 'podcast'; use one of website, manual, toolkit, "
            "guide, report, information notice, training resource",
            "resources.csv:3:5: column 'url': 'www.example.org/report' is not an IRI: it has no scheme",
            "resources.csv:4:1: column 'slug': 'Bad Slug' is not lowercase words joined by hyphens",
            "resources.csv:5:4: column 'publisher': unknown organization 'Nowhere Org'; nearest known: ",
            "resources.csv:6:6: column 'description': required, but empty",
        ],
    )
    assert done.stdout.rstrip().endswith("does not conform: 5 violations, 0 warnings")


def test_a_header_that_matches_no_template_is_refused(run_ppkg: Run, tmp_path: Path) -> None:
    write(tmp_path, "mystery.csv", "slug,colour\nx,blue\n")
    done = run_ppkg("validate", "mystery.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("ppkg: error: mystery.csv")
    assert "the header matches no template" in done.stderr


# -- what a spreadsheet does to a CSV file (reliability anchors §4.6 #35) and sources (issue 10) ----------------

PROGRAM_HEADER = "slug,name,state,setting,description,source_url\n"


def test_spreadsheet_glitches_are_reported_by_row_and_column(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    csv_text = PROGRAM_HEADER + (
        PROGRAM_HEADER  # the header row pasted twice
        + "glitch-one,N/A,CA,court,,\n"  # a null token in a required cell
        + "glitch-two,Glitch Two,CA; OR,court,,\n"  # two values in a one-value column
        + "glitch-three,Glitch Three,CA,court,,javascript:alert(1)\n"
        + "glitch-four,Glitch Four,CA,court,,file:///etc/passwd\n"
        + "glitch-five,Glitch Five,CA,court,,not a url\n"
    )
    write(tmp_path, "programs.csv", csv_text)
    done = run_ppkg("validate", "programs.csv", "--data-dir", str(data_dir), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "programs.csv:2: the header row is repeated inside the data" in done.stdout
    assert problems(done, "programs.csv") == [
        "programs.csv:3:2: column 'name': required, but empty",
        "programs.csv:4:3: column 'state': one value only, found 'CA; OR' "
        "(';' separates values only in columns that take several)",
        "programs.csv:5:6: column 'source_url': 'javascript:alert(1)' has the scheme 'javascript'; "
        "only http, https or urn IRIs are accepted",
        "programs.csv:6:6: column 'source_url': 'file:///etc/passwd' has the scheme 'file'; "
        "only http, https or urn IRIs are accepted",
        "programs.csv:7:6: column 'source_url': 'not a url' is not an IRI: it contains a space",
    ]
    before = tree_digest(data_dir)
    refused = run_ppkg("contribute", "programs.csv", "--by", "Ada", "--data-dir", str(data_dir), cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.startswith("ppkg: error: contribution rejected: 6 problems; nothing was written; the first: ")
    assert tree_digest(data_dir) == before


def test_numbers_with_thousands_separators_are_refused(run_ppkg: Run, tmp_path: Path) -> None:
    csv_text = (
        "program,position,item,topics,hours\n"
        'START,"1,000",Court 101,court structure,4\n'
        'START,98,Court 102,court structure,"1,200"\n'
    )
    write(tmp_path, "curriculum.csv", csv_text)
    done = run_ppkg("validate", "curriculum.csv", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert problems(done, "curriculum.csv") == [
        "curriculum.csv:2:2: column 'position': '1,000' is not a whole number from 1 up",
        "curriculum.csv:3:5: column 'hours': '1,200' is not a number of hours",
    ]


def test_null_tokens_and_empty_cells_add_no_statements(kg: ppkg.KnowledgeGraph, tmp_path: Path) -> None:
    """Empty cells and the null tokens (NA, N/A, null, none, -; any case) are read as empty: no empty text."""
    text = PROGRAM_HEADER + "quiet-program,Quiet Program,NA,null,N/A,-\nother-program,Other Program,,None,,\n"
    out = convert(write(tmp_path, "programs.csv", text), text, kg.labels)
    assert out.problems == []
    quiet, other = URIRef(ID["program/quiet-program"]), URIRef(ID["program/other-program"])
    for node, name in ((quiet, "Quiet Program"), (other, "Other Program")):
        assert set(out.graph.predicate_objects(node)) == {
            (RDF.type, PPKG.Program),
            (URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal(name, lang="en")),
        }
    assert not [o for o in out.graph.objects() if isinstance(o, Literal) and not str(o).strip()]


def test_only_declared_columns_take_several_values(kg: ppkg.KnowledgeGraph, tmp_path: Path) -> None:
    from ppkg.steward.templates import TEMPLATES

    multi = {kind: sorted(c.name for c in columns if c.multi) for kind, columns in TEMPLATES.items()}
    assert multi == {
        "program": ["based_on", "operated_by", "setting"],
        "organization": ["alt_names"],
        "topic": ["alt_labels"],
        "curriculum": ["topics"],
        "rating": [],
        "resource": ["coverage", "publisher"],
    }
    for columns in TEMPLATES.values():  # the help says so for exactly these columns
        assert {c.name for c in columns if c.multi} == {c.name for c in columns if "';' between several" in c.help}
    text = PROGRAM_HEADER + "two-settings,Two Settings,CA,court; community provider,,\n"
    out = convert(write(tmp_path, "programs.csv", text), text, kg.labels)
    assert out.problems == []
    settings = set(out.graph.objects(URIRef(ID["program/two-settings"]), PPKG.setting))
    assert settings == {URIRef(ID["setting/court"]), URIRef(ID["setting/community-provider"])}


def test_oversized_cells_and_control_characters_are_unreadable(run_ppkg: Run, tmp_path: Path, data_dir: Path) -> None:
    from ppkg.steward.templates import MAX_CELL_CHARS

    write(tmp_path, "big.csv", "slug,name,description\nbig,Big," + "x" * 200_000 + "\n")
    (tmp_path / "nul.csv").write_bytes(b"slug,name\nnul-program,Nul\x00Program\n")
    write(tmp_path, "edge.csv", "slug,name,description\nedge,Edge," + "x" * MAX_CELL_CHARS + "\n")
    before = tree_digest(data_dir)
    for name, message in (
        ("big.csv", "big.csv:2:3: the cell has 200,000 characters; the limit is 65,536"),
        ("nul.csv", "nul.csv:2:2: the cell contains a NUL character (byte 0); save the file as plain text"),
    ):
        for command in (("validate",), ("contribute", "--by", "Ada")):
            done = run_ppkg(*command, name, "--data-dir", str(data_dir), cwd=tmp_path)
            assert done.returncode == 2, done.stderr
            assert done.stderr == f"ppkg: error: {message}\n"
    assert tree_digest(data_dir) == before
    edge = run_ppkg("validate", "edge.csv", "--data-dir", str(data_dir), cwd=tmp_path)  # at the limit: read
    assert edge.returncode == 0, edge.stdout + edge.stderr


def test_sources_are_http_https_or_urn_iris() -> None:
    from ppkg.steward.templates import source_problem

    for good in ("https://www.casey.org/parent-partner", "http://example.org/x?y=1#z", "urn:isbn:9780306406157"):
        assert source_problem(good) is None, good
    assert source_problem("https://example.org/x\n") == (
        "'https://example.org/x\\n' is not an IRI: it contains the character U+000A"
    )
    assert source_problem("https://example.org/\x1b[2J") == (
        "'https://example.org/\\x1b[2J' is not an IRI: it contains the character U+001B"
    )
    assert source_problem("javascript:alert(1)") == (
        "'javascript:alert(1)' has the scheme 'javascript'; only http, https or urn IRIs are accepted"
    )
    assert source_problem("file:///etc/passwd") == (
        "'file:///etc/passwd' has the scheme 'file'; only http, https or urn IRIs are accepted"
    )
    assert source_problem("urn:isbn") == "'urn:isbn' is not a URN: write urn:<namespace>:<name>"
    assert source_problem("https:///no-host") == "'https:///no-host' is not a web address: write https://<host>/<path>"
