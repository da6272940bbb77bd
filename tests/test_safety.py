"""The query guard decides on the parsed query: what it refuses, what it lets through, and its limits."""

from __future__ import annotations

import sys

import pytest

from ppkg.errors import ParameterError, QuerySyntaxError, UnsafeQueryError
from ppkg.query.catalogue import Catalogue
from ppkg.query.engines import oxigraph_syntax_message
from ppkg.query.safety import (
    MAX_NESTING,
    MAX_QUERY_LENGTH,
    blank_tokens,
    check_iri,
    check_query,
    check_read_only,
    nesting_depth,
    normalize_query,
    unprojected,
)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:8080/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://169.254.169.254/latest> { ?s ?p ?o } }",
        "select * where { service ?endpoint { ?s ?p ?o } }",
        "LOAD <file:///etc/passwd>",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "CLEAR DEFAULT",
        "PREFIX ex: <http://ex/> WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        r"SELECT * WHERE { \u0053ERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        r"SELECT * WHERE { \U00000053ERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
        r"SELECT * \u0046ROM <http://127.0.0.1:1/g.ttl> WHERE { ?s ?p ?o }",
        r"\u004cOAD <http://127.0.0.1:1/g.ttl>",
        "SELECT * WHERE { ?s ?p ?o #x\rSERVICE <http://127.0.0.1:1/> { ?s ?p ?o }\n}",
        "SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
        "PREFIX : <http://127.0.0.1:1/> SELECT * WHERE { ?s ?p ?o SERVICE:x { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<'>') SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } FILTER(?o != '') }",
        "SELECT * WHERE { ?s ?p ?o . FILTER EXISTS { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } } } }",
    ],
)
def test_refused(query: str) -> None:
    with pytest.raises(UnsafeQueryError):
        check_read_only(query)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ('SELECT ?s WHERE { ?s rdfs:label "SERVICE LOAD DROP ALL" }', "SELECT"),
        ("SELECT ?service ?load WHERE { ?service ?load ?from }", "SELECT"),
        ("# SERVICE <http://x> in a comment\nASK { ?s ?p ?o }", "ASK"),
        ("SELECT ?s WHERE { ?s <http://example.org/from> ?o }", "SELECT"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/ppkg/id/graph/x> { ?s ?p ?o } }", "CONSTRUCT"),
        ("DESCRIBE <https://w3id.org/ppkg/id/program/parents-anonymous>", "DESCRIBE"),
        (
            "PREFIX ex: <http://ex/> PREFIX drop: <http://d/> SELECT ?s WHERE { ?s ex:delete ?o . ?s drop:x ?o }",
            "SELECT",
        ),
        ("SELECT ?x WHERE { ?x ?p '''multi\nline INSERT''' }", "SELECT"),
        ("SELECT ?s WHERE { ?s ppkg:load ?o ; ppkg:service ?x }", "SELECT"),
        ("# a DESCRIBE in a comment\nSELECT ?s WHERE { ?s ?p 'ASK' }", "SELECT"),
    ],
)
def test_allowed(query: str, form: str) -> None:
    assert check_read_only(query) == form
    assert check_query(query).form == form


def test_an_escape_that_closes_a_string_is_read_as_sparql_reads_it() -> None:
    r"""``"\u005C"`` is a backslash that escapes the next quote (escapes are expanded first): SERVICE is in a string."""
    query = "SELECT * WHERE { ?s ?p \"\\u005C\" . SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } ?s ?p \", '''\" #'''\n }"
    checked = check_query(query)
    assert checked.text.startswith('SELECT * WHERE { ?s ?p "\\" . SERVICE')  # what the engines run
    assert "\\u005C" not in checked.text


def test_normalised_text() -> None:
    assert normalize_query("SELECT\r\n?s\rWHERE { ?s ?p '\\u00e9' }") == "SELECT\n?s\nWHERE { ?s ?p 'é' }"
    with pytest.raises(QuerySyntaxError, match="expands to another escape"):
        normalize_query(r"SELECT * WHERE { ?s ?p '\u005Cu0041' }")
    with pytest.raises(QuerySyntaxError, match="lone surrogate"):
        normalize_query(r"SELECT * WHERE { ?s ?p '\uD800' }")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT ?s WHERE { ?s ppkgx:foo ?o }", "SPARQL syntax error at line 1, column 22: unknown prefix 'ppkgx'"),
        ("SELECT ?s\nWHERE { ?s ?p ?o ", "SPARQL syntax error at line 2, column 18: the query ends too early"),
        ("SELEC ?s WHERE { ?s ?p ?o }", "SPARQL syntax error at line 1, column 1: unexpected 'SELEC ?s WHERE"),
        ("SELECT ?x WHERE { ?x ?y }", "SPARQL syntax error at line 1, column "),
        ("", "not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE"),
        ("# just a comment", "not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE"),
    ],
)
def test_syntax_errors_are_one_readable_line(query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as failed:
        check_query(query)
    assert str(failed.value).startswith(message)
    assert "\n" not in str(failed.value) and len(str(failed.value)) < 200


def test_unknown_prefix_suggests_the_nearest() -> None:
    with pytest.raises(QuerySyntaxError, match=r"unknown prefix 'ppkgx'; did you mean 'ppkg:'\?$"):
        check_query("SELECT ?s WHERE { ?s ppkgx:foo ?o }")


def test_oxigraph_syntax_errors_lose_their_character_ranges() -> None:
    long = "error at 1:31: expected one of Prefix not found, ['%'], ['-' | '0' ..= '9' | '\\u{00B7}']"
    assert oxigraph_syntax_message(SyntaxError(long)) == "SPARQL syntax error at line 1, column 31: unknown prefix"
    short = 'error at 1:27: expected one of ",", ".", "}", [_]'
    assert oxigraph_syntax_message(SyntaxError(short)) == (
        'SPARQL syntax error at line 1, column 27: expected one of ",", ".", "}"'
    )


# -- limits ----------------------------------------------------------------------------------------


def test_nesting_is_counted_outside_strings_and_comments() -> None:
    assert nesting_depth("SELECT * WHERE { ?s ?p ?o FILTER((?o)) }") == 3
    assert nesting_depth('SELECT * WHERE { ?s ?p "((((((" } # {{{{{{{{') == 1
    assert nesting_depth("SELECT * WHERE { ?s ?p <http://x/(a)> }") == 2  # brackets in IRIs count, to be safe
    assert nesting_depth("))))) (((") == 3  # a closing bracket never takes the count below zero


@pytest.mark.parametrize("opening", ["(", "{", "["])
def test_nesting_limit(opening: str) -> None:
    closing = {"(": ")", "{": "}", "[": "]"}[opening]
    deep = "SELECT * WHERE { ?s ?p ?o FILTER(" + opening * 10_000 + "?o" + closing * 10_000 + ") }"
    with pytest.raises(QuerySyntaxError, match=rf"^the query nests brackets 10002 deep; the limit is {MAX_NESTING}$"):
        check_query(deep)
    escaped = "SELECT * WHERE { ?s ?p ?o FILTER(" + "\\u0028" * 100 + "?o" + ")" * 100 + ") }"
    with pytest.raises(QuerySyntaxError, match="nests brackets 102 deep"):
        check_query(escaped)  # counted after escapes are expanded


def test_parsing_at_the_limit_needs_no_more_than_the_bounded_recursion() -> None:
    before = sys.getrecursionlimit()
    depth = MAX_NESTING - 3
    query = "SELECT ?s WHERE { ?s ?p ?o FILTER(" + "(" * depth + "BOUND(?o)" + ")" * depth + ") }"
    assert nesting_depth(query) == MAX_NESTING
    assert check_query(query).form == "SELECT"
    assert sys.getrecursionlimit() == before


def test_length_limit() -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_LENGTH
    with pytest.raises(QuerySyntaxError, match=r"^the query is 1,000,029 characters long; the limit is 1,000,000$"):
        check_query(query)


def test_not_text() -> None:
    with pytest.raises(QuerySyntaxError, match="a SPARQL query is text, not bytes"):
        check_query(b"ASK {}")  # type: ignore[arg-type]


# -- the projection, from the parse ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names", "missing"),
    [
        ("SELECT ?a ?b WHERE { ?a ?p ?b }", ["a", "b"], []),
        ("SELECT * WHERE { ?a ?p ?b }", ["a", "zzz"], []),
        ("SELECT (?x AS ?y) WHERE { ?x ?p ?o }", ["x", "y"], ["x"]),
        ("SELECT ?a # ?b\nWHERE { ?a ?p ?b }", ["a", "b"], ["b"]),
        ("SELECT ?a WHERE { { SELECT ?b WHERE { ?b ?p ?a } } }", ["a", "b"], ["b"]),
        ("SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a ?p ?b } GROUP BY ?a", ["n", "b"], ["b"]),
        ("ASK { ?a ?p ?b }", ["a"], []),
    ],
)
def test_unprojected_uses_the_parsed_projection(query: str, names: list[str], missing: list[str]) -> None:
    assert unprojected(query, names) == missing
    assert unprojected(check_query(query), names) == missing


def test_every_catalogued_query_passes_the_guard() -> None:
    for spec in Catalogue():
        checked = check_query(spec.text)
        assert checked.form == "SELECT", spec.name
        assert checked.projection, spec.name
        assert nesting_depth(spec.text) <= 8, spec.name


# -- helpers -------------------------------------------------------------------------------------------


def test_blank_tokens_keeps_positions() -> None:
    query = 'SELECT * WHERE { <http://a> <http://b> "x <http://no>" } # <http://c>\nASK'
    blanked = blank_tokens(query)
    assert len(blanked) == len(query)
    assert "http" not in blanked and blanked.endswith("\nASK")
    assert blanked.index("}") == query.index("}")


@pytest.mark.parametrize("bad", ["http://ex/a b", "http://ex/a>b", "http://ex/a}", "no-scheme", 'http://x/"'])
def test_bad_iris_rejected(bad: str) -> None:
    with pytest.raises(ParameterError):
        check_iri(bad)


def test_good_iri_accepted() -> None:
    assert check_iri("https://w3id.org/ppkg/id/topic/boundaries") == "https://w3id.org/ppkg/id/topic/boundaries"
