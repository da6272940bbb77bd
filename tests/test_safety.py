"""The static guard refuses what would reach the network, the file system, or change the graph."""

from __future__ import annotations

import pytest

from ppkg.errors import ParameterError, UnsafeQueryError
from ppkg.query.safety import check_iri, check_read_only, mask, query_form


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
        "# just a comment",
        "",
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
        ("SELECT ?s WHERE { ?s ex:delete ?o . ?s drop:x ?o }", "SELECT"),
        ("SELECT ?x WHERE { ?x ?p '''multi\nline INSERT''' }", "SELECT"),
    ],
)
def test_allowed(query: str, form: str) -> None:
    assert check_read_only(query) == form
    assert query_form(query) == form


def test_mask_keeps_iris_in_order() -> None:
    masked, iris = mask('SELECT * WHERE { <http://a> <http://b> "x <http://no>" } # <http://c>')
    assert iris == ["http://a", "http://b"]
    assert "http" not in masked


@pytest.mark.parametrize("bad", ["http://ex/a b", "http://ex/a>b", "http://ex/a}", "no-scheme", 'http://x/"'])
def test_bad_iris_rejected(bad: str) -> None:
    with pytest.raises(ParameterError):
        check_iri(bad)


def test_good_iri_accepted() -> None:
    assert check_iri("https://w3id.org/ppkg/id/topic/boundaries") == "https://w3id.org/ppkg/id/topic/boundaries"
