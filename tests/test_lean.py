"""The lean query path: ``ppkg query NAME`` imports no rdflib, pyshacl, jsonschema, networkx, matplotlib or
jinja2, and what it skips to get there (the rdflib terms, the header schema, the query guard's parser for
shipped queries, a rebuilt label index) gives exactly what the full path gives.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

import ppkg
from ppkg.errors import CatalogueError, UnknownValueError
from ppkg.query.catalogue import Catalogue, read_form
from ppkg.query.names import ENTITY_KINDS, LabelIndex
from ppkg.query.safety import check_query
from ppkg.rdf import shipped
from ppkg.rdf.terms import from_ox, is_number, ox_literal, ox_python, to_ox, to_python

from .conftest import copy_data

HEAVY = ("rdflib", "pyshacl", "jsonschema", "networkx", "matplotlib", "jinja2", "owlrl", "pandas", "pyparsing")

_IMPORTED = """
import json, sys
sys.argv = ["ppkg", *sys.argv[1:]]
from ppkg.cli import main
try:
    main()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
heavy = set(json.loads({heavy!r}))
sys.stderr.write("\\nIMPORTED " + json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & heavy)) + "\\n")
sys.exit(code)
"""


def imported(*args: str, env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """Run the command line's ``main`` in a fresh Python with ``args``: its stdout, and which of :data:`HEAVY`
    it imported."""
    script = _IMPORTED.format(heavy=json.dumps(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    marker = done.stderr.rsplit("IMPORTED ", 1)
    assert len(marker) == 2, done.stderr
    return done.stdout, json.loads(marker[1])


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "jsonl"])
def test_a_catalogued_query_imports_none_of_the_heavy_libraries(fmt: str) -> None:
    out, heavy = imported("query", "programs-by-rating", "-p", "rating=promising", "--format", fmt)
    assert "Iowa Parent Partner Approach" in out and "Parents Anonymous" in out
    assert heavy == []


def test_a_topic_query_with_its_note_imports_none_of_them() -> None:
    out, heavy = imported("query", "programs-by-training-topic", "-p", "topic=motivational interviewing")
    assert "Morrison Child & Family Services" in out
    assert heavy == []


def test_every_catalogued_query_runs_lean() -> None:
    for name in Catalogue().names:
        _, heavy = imported("query", name, "--format", "jsonl")
        assert heavy == [], name


def test_a_query_on_a_data_directory_imports_none_of_them(tmp_path: Path) -> None:
    data = copy_data(tmp_path / "data")
    for _ in range(2):  # the first call builds the store, the second opens it
        out, heavy = imported("query", "programs-by-rating", "-p", "rating=3", env={"PPKG_DATA_DIR": str(data)})
        assert "Iowa Parent Partner Approach" in out
        assert heavy == []


def test_what_needs_rdflib_still_imports_it() -> None:
    out, heavy = imported("query", "programs-by-rating", "--engine", "rdflib")
    assert "Parents Anonymous" in out
    assert "rdflib" in heavy
    out, heavy = imported("query", "--sparql", "SELECT ?l WHERE { ?p ppkg:stateCode 'IA' ; rdfs:label ?l }")
    assert "rdflib" in heavy  # the query guard reads a user's SPARQL with rdflib's parser


# -- terms: the pyoxigraph path gives rdflib's values --------------------------------------------------


def typed(datatype: str, *values: str) -> list[ox.Literal]:
    return [ox.Literal(v, datatype=ox.NamedNode(str(XSD[datatype]))) for v in values]


LITERALS = [
    ox.Literal("plain"),
    ox.Literal("=1+2"),
    ox.Literal("texte", language="fr"),
    *typed("integer", "3", "-12", "+7", "007", "x", " 3", "3.0", ""),
    *typed("decimal", "1.50", "-.5", "2.", "1e3", "abc", "+0.0"),
    *typed("boolean", "true", "false", "1", "0", "TRUE", "yes"),
    *typed("date", "2020-01-31", "2020-02-30", "2020-1-1", "0000-01-01", "2020-01-31Z"),
    *typed("gYear", "2010", "-0044", "2010Z", "x"),
    *typed("gYearMonth", "2010-05"),
    *typed("anyURI", "https://example.org/a b"),
    *typed("double", "1.5", "INF", "NaN", "-1e3", "x"),
    *typed("int", "3", "99999999999"),
    *typed("dateTime", "2020-01-01T10:00:00"),
    *typed("duration", "P1D"),
    ox.Literal("x", datatype=ox.NamedNode("https://example.org/own-type")),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # rdflib warns about the ill-typed ones
@pytest.mark.parametrize("literal", LITERALS, ids=str)
def test_python_values_of_pyoxigraph_terms_are_rdflibs(literal: ox.Literal) -> None:
    expected = to_python(from_ox(literal))
    got = ox_python(literal)
    assert type(got) is type(expected)
    assert got == expected or (got != got and expected != expected)  # NaN is not equal to itself


def test_numbers_are_told_apart_from_text_that_looks_like_a_formula() -> None:
    assert is_number(ox.Literal("-3", datatype=ox.NamedNode(str(XSD.integer))))
    assert not is_number(ox.Literal("-x", datatype=ox.NamedNode(str(XSD.integer))))
    assert not is_number(ox.Literal("-3"))


@pytest.mark.parametrize(
    "value",
    ["text", "", True, False, 0, -5, 10**30, dt.date(2020, 1, 31), Decimal("1.5"), 2.5, dt.datetime(2020, 1, 1)],
)
def test_literals_of_python_values_are_rdflibs(value: object) -> None:
    assert ox_literal(value) == to_ox(Literal(value))


def test_rows_read_as_rdflib_terms_equal_the_pyoxigraph_rows(
    kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph
) -> None:
    result = kg.run("programs-by-rating", rating="promising")
    assert all(isinstance(t, (URIRef, Literal, BNode)) for row in result.terms for t in row if t is not None)
    assert [tuple(from_ox(t) for t in row) for row in result.ox_rows] == result.terms
    assert sorted(result.column("programLabel")) == ["Iowa Parent Partner Approach", "Parents Anonymous"]
    reference = kg_rdflib.run("programs-by-rating", rating="promising")
    assert reference.ox_rows == result.ox_rows
    assert reference.rows == result.rows


# -- the catalogue: what the run skips, the tests check ---------------------------------------------------


def test_every_shipped_query_passes_the_header_checks() -> None:
    checked = Catalogue(check=True)
    assert len(list(checked)) == len(checked) >= 18
    assert not any(spec.trusted for spec in checked)
    assert all(spec.trusted for spec in Catalogue())


def test_the_form_read_from_a_shipped_query_is_the_guards() -> None:
    for spec in Catalogue():
        assert read_form(spec.text) == check_query(spec.text), spec.name
        assert spec.checked == check_query(spec.text), spec.name


@pytest.mark.parametrize(
    "query",
    [
        "SELECT DISTINCT ?a (COUNT(DISTINCT ?b) AS ?n) ?c WHERE { ?a ?b ?c } GROUP BY ?a ?c",
        "PREFIX s: <http://example.org/where#> SELECT ?x WHERE { ?x s:p ?y }",
        'SELECT * WHERE { ?s ?p "SELECT ?q" }',
        "# SELECT ?comment\nSELECT ?s {?s ?p ?o}",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "SELECT (STR(?s) AS ?t) (?o AS ?u) WHERE { ?s ?p ?o }",
    ],
)
def test_the_form_read_from_text_is_the_guards(query: str) -> None:
    assert read_form(query) == check_query(query)


def test_a_shipped_header_that_does_not_fit_says_why_in_the_schemas_words(tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    shutil.copytree(shipped.queries_dir(), queries)
    path = queries / "programs-by-rating.rq"
    path.write_text(path.read_text(encoding="utf-8").replace("#+ title:", "#+ tilte:"), encoding="utf-8")
    with pytest.raises(
        CatalogueError,
        match=r"programs-by-rating\.rq: header: \$: Additional properties are not allowed \('tilte' was unexpected\)",
    ):
        Catalogue(queries, check=False).get("programs-by-rating")


# -- the label index as JSON ---------------------------------------------------------------------------


def test_the_label_index_survives_json_and_is_deterministic(kg: ppkg.KnowledgeGraph) -> None:
    fresh = LabelIndex.of_engine(kg.engine)
    fresh.resolve("program", "Iowa")  # looked up first: the dict must not depend on it
    data = fresh.to_json()
    again = LabelIndex.of_engine(kg.engine).to_json(reversed(ENTITY_KINDS))
    assert json.dumps(data, sort_keys=False) == json.dumps(again, sort_keys=False)
    assert set(data["kinds"]) == set(ENTITY_KINDS)
    read = LabelIndex.from_json(json.loads(json.dumps(data)))
    assert read.engine is None
    assert read.resolve_iri("rating", "promising") == "https://w3id.org/ppkg/id/scale/cebc/3"
    assert read.resolve("program", "Iowa") == URIRef("https://w3id.org/ppkg/id/program/iowa-parent-partner-approach")
    assert read.label("https://w3id.org/ppkg/id/program/kentucky-start") == "START"
    for kind, value in [("program", "Parent"), ("topic", "motivational interviewng"), ("thing", "NorthCare")]:
        with pytest.raises(UnknownValueError) as expected:
            fresh.resolve(kind, value)
        with pytest.raises(UnknownValueError) as got:
            read.resolve(kind, value)
        assert str(got.value) == str(expected.value)


def test_a_label_index_of_another_version_is_refused() -> None:
    with pytest.raises(ValueError, match="not a label index of version 1"):
        LabelIndex.from_json({"version": 99, "kinds": {}})
