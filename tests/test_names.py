"""Names people type, and the Python API as documented: one resolver for every place a thing is named,
parameters that take Python values, ad-hoc bindings on every engine, typed DataFrames, the notebook view
and the notes a result carries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Literal, URIRef

import ppkg
from ppkg.errors import ParameterError, UnknownValueError
from ppkg.query.names import LabelIndex
from ppkg.rdf.namespaces import ID

PROGRAM = {
    "iowa": ID["program/iowa-parent-partner-approach"],
    "morrison": ID["program/morrison-parent-mentor-program"],
    "riverside": ID["program/riverside-county-parent-partner-program"],
    "stanford": ID["program/stanford-sierra-parent-partner-program"],
    "p4p": ID["program/parents-for-parents"],
    "fic": ID["program/family-involvement-center-parent-partner-program"],
    "northcare": ID["program/northcare-parent-partner-program"],
    "start": ID["program/kentucky-start"],
}
CA_PROGRAMS = ["Riverside County Children's Services", "Stanford Sierra Youth & Families"]
BY_STATE = "SELECT ?l WHERE { ?p a ppkg:Program ; ppkg:state ?s ; rdfs:label ?l } ORDER BY ?l"


# -- the resolver ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "program"),
    [
        ("Iowa", "iowa"),  # the start of "Iowa Parent Partner Approach"
        ("Morrison", "morrison"),
        ("Riverside", "riverside"),
        ("Stanford Sierra", "stanford"),
        ("P4P", "p4p"),  # an alternative name
        ("FIC", "fic"),  # the initials of "Family Involvement Center"
        ("NorthCare", "northcare"),  # also an organization: the kind asked for decides
        ("START", "start"),
        ("sierra youth", "stanford"),  # a run of whole words inside a name
        ("iowa parent partner approach", "iowa"),  # any case
        ("kentucky-start", "start"),  # the IRI's slug
    ],
)
def test_a_name_people_type_names_the_program(kg: ppkg.KnowledgeGraph, typed: str, program: str) -> None:
    assert kg.resolve("program", typed) == PROGRAM[program]


def test_the_kind_asked_for_decides(kg: ppkg.KnowledgeGraph) -> None:
    assert kg.resolve("organization", "NorthCare") == ID["organization/northcare"]
    assert kg.resolve("organization", "FIC") == ID["organization/family-involvement-center"]
    assert kg.resolve("organization", "CEBC") == ID["organization/cebc"]
    assert kg.resolve("scale", "CEBC") == ID["scale/cebc"]
    assert kg.resolve("state", "Iowa") == ID["state/ia"]
    assert kg.resolve("rating", "3") == kg.resolve("rating", "promising") == ID["scale/cebc/3"]


def test_an_exact_label_wins_over_partial_matches(kg: ppkg.KnowledgeGraph) -> None:
    # the curriculum, the attribution and the target population all have labels or slugs holding this name
    iri, facts = kg.describe("Iowa Parent Partner Approach")
    assert iri == PROGRAM["iowa"]
    assert ("https://w3id.org/ppkg/ontology#state", str(ID["state/ia"])) in {(f.predicate, f.value) for f in facts}
    assert kg.describe("START")[0] == PROGRAM["start"]
    assert kg.describe("Not able to be Rated")[0] == ID["scale/cebc/nr"]


def test_a_label_two_things_share_is_ambiguous_and_lists_both(kg: ppkg.KnowledgeGraph) -> None:
    with pytest.raises(UnknownValueError) as caught:
        kg.describe("NorthCare")
    err = caught.value
    assert err.ambiguous and err.kind == "thing"
    assert err.candidates == [
        f"NorthCare (organization) <{ID['organization/northcare']}>",
        f"NorthCare (program) <{PROGRAM['northcare']}>",
    ]
    assert str(err).startswith("thing 'NorthCare' is ambiguous; it could be: NorthCare (organization) <https://")


def test_a_prefix_several_programs_share_is_ambiguous(kg: ppkg.KnowledgeGraph) -> None:
    with pytest.raises(UnknownValueError) as caught:
        kg.resolve("program", "Parents")
    assert caught.value.ambiguous
    assert [c.split(" <")[0] for c in caught.value.candidates] == [
        "Parents Anonymous",
        "Parents as Partners",
        "Parents for Parents",
    ]
    # a prefix that is unique once the kind is known is enough
    assert kg.resolve("program", "Parents An") == ID["program/parents-anonymous"]
    assert kg.resolve("program", "Parents f") == PROGRAM["p4p"]


def test_an_unknown_name_lists_the_nearest(kg: ppkg.KnowledgeGraph) -> None:
    with pytest.raises(UnknownValueError) as caught:
        kg.resolve("program", "Iowa Parent Partnership")
    assert not caught.value.ambiguous
    assert caught.value.candidates[0] == "Iowa Parent Partner Approach"
    assert str(caught.value).startswith("unknown program 'Iowa Parent Partnership'; nearest known: Iowa Parent")
    with pytest.raises(UnknownValueError, match="unknown thing 'quantum knitting'"):
        kg.describe("quantum knitting")


@pytest.mark.parametrize("blank", ["", " ", "\t\n"])
def test_an_empty_value_is_an_error(kg: ppkg.KnowledgeGraph, blank: str) -> None:
    with pytest.raises(ParameterError, match="the program needs a value"):
        kg.resolve("program", blank)
    with pytest.raises(ParameterError, match="the thing needs a value"):
        kg.describe(blank)
    with pytest.raises(ParameterError, match="parameter 'topic' of query 'programs-by-training-topic' needs a value"):
        kg.run("programs-by-training-topic", topic=blank)


def test_star_leaves_a_parameter_unbound(kg: ppkg.KnowledgeGraph) -> None:
    promising = kg.run("ratings-as-of")
    every_level = kg.run("ratings-as-of", rating="*")
    assert len(promising) == 2 and len(every_level) == 5
    assert {r.ratingLabel for r in every_level} == {"Promising Research Evidence", "Not able to be Rated"}


def test_iris_in_every_spelling(kg: ppkg.KnowledgeGraph) -> None:
    full = str(PROGRAM["start"])
    for spelling in (full, f"<{full}>", "program:kentucky-start", URIRef(full)):
        assert kg.resolve("program", spelling) == PROGRAM["start"]
        assert kg.resolve("thing", spelling) == PROGRAM["start"]
    with pytest.raises(UnknownValueError, match="unknown program 'organization:northcare'"):
        kg.resolve("program", "organization:northcare")  # an IRI of another kind
    with pytest.raises(ParameterError, match="not a valid absolute IRI"):
        kg.resolve("program", "<not an iri>")


def test_each_kind_is_indexed_once(kg: ppkg.KnowledgeGraph) -> None:
    assert kg.labels is kg.labels
    assert kg.labels.names("program") is kg.labels.names("program")
    assert str(PROGRAM["iowa"]) in kg.labels.members("program")
    assert str(PROGRAM["iowa"]) not in kg.labels.members("organization")
    with pytest.raises(ParameterError, match="unknown kind of thing 'programme'"):
        kg.resolve("programme", "Iowa")


def test_names_resolve_the_same_on_the_rdflib_engine(kg_rdflib: ppkg.KnowledgeGraph) -> None:
    assert kg_rdflib.resolve("program", "FIC") == PROGRAM["fic"]
    assert kg_rdflib.describe("Iowa Parent Partner Approach")[0] == PROGRAM["iowa"]


def test_the_steward_index_of_files_resolves_the_same(kg: ppkg.KnowledgeGraph) -> None:
    index = LabelIndex.of_files(kg.files)
    assert index.resolve("program", "Stanford Sierra") == PROGRAM["stanford"]
    assert index.label(str(PROGRAM["p4p"])) == "Parents for Parents"


def test_a_template_cell_the_resolver_refuses_is_reported(tmp_path: Path) -> None:
    csv = tmp_path / "ratings.csv"
    header = "program,level,date,source_title,source_url"
    csv.write_text(
        f"{header}\nStanford Sierra,<not an iri>,2024-01-01,A page,https://example.org/r\n", encoding="utf-8"
    )
    messages = [r.message for r in ppkg.validate([csv]).results]
    assert any("column 'level'" in m and "not a valid absolute IRI: 'not an iri'" in m for m in messages), messages
    assert not any("column 'program'" in m for m in messages), messages  # the start of its name is enough


# -- parameters that take a thing by name --------------------------------------------------------------------------


def test_fact_provenance_takes_a_name(kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph) -> None:
    by_name = kg.run("fact-provenance", thing="START")
    assert set(by_name.column("thing")) == {str(PROGRAM["start"])}
    assert set(by_name.column("thingLabel")) == {"START"}
    assert by_name.terms == kg.run("fact-provenance", thing="program:kentucky-start").terms
    assert by_name.terms == kg_rdflib.run("fact-provenance", thing="START").terms


def test_rating_scale_levels_takes_a_name(kg: ppkg.KnowledgeGraph) -> None:
    levels = kg.run("rating-scale-levels", scale="CEBC")
    assert levels.column("levelLabel")[:3] == [
        "Well-Supported by Research Evidence",
        "Supported by Research Evidence",
        "Promising Research Evidence",
    ]
    assert levels.terms == kg.run("rating-scale-levels").terms
    with pytest.raises(UnknownValueError, match="unknown scale 'id:scheme/training-topics'"):
        kg.run("rating-scale-levels", scale="id:scheme/training-topics")  # a scheme, but not a rating scale


# -- parameters take Python values ---------------------------------------------------------------------------------


def test_whole_numbers_dates_and_iris_from_python(kg: ppkg.KnowledgeGraph) -> None:
    gaps = kg.run("curriculum-gaps", program="START", min_programs=2)
    assert gaps.terms == kg.run("curriculum-gaps", program="START", min_programs="2").terms
    assert gaps.column("min_programs") == [2] * len(gaps)
    assert "boundaries" in gaps.column("topicLabel")
    assert len(gaps) > len(kg.run("curriculum-gaps", program="START", min_programs=4))

    by_notation = kg.run("programs-by-rating", rating=3)
    assert by_notation.column("programLabel") == ["Iowa Parent Partner Approach", "Parents Anonymous"]
    assert by_notation.terms == kg.run("programs-by-rating", rating="promising").terms

    on_date = kg.run("ratings-as-of", as_of=dt.date(2020, 1, 1))
    assert on_date.column("programLabel") == ["Iowa Parent Partner Approach", "Parents Anonymous"]
    assert on_date.column("as_of") == [dt.date(2020, 1, 1)] * 2
    assert on_date.terms == kg.run("ratings-as-of", as_of=dt.datetime(2020, 1, 1, 17, 30)).terms
    assert on_date.terms == kg.run("ratings-as-of", as_of="2020-01-01").terms
    assert on_date.terms == kg.run("ratings-as-of", as_of=Literal(dt.date(2020, 1, 1))).terms

    as_iri = kg.run("program-curriculum", program=URIRef(PROGRAM["morrison"]))
    assert as_iri.terms == kg.run("program-curriculum", program="Morrison").terms
    assert kg.run("curriculum-gaps", program=None).terms == kg.run("curriculum-gaps").terms  # None: the default


@pytest.mark.parametrize(
    ("query", "params", "message"),
    [
        ("curriculum-gaps", {"min_programs": 2.5}, "parameter 'min_programs' takes a whole number (int, "),
        ("curriculum-gaps", {"min_programs": True}, "parameter 'min_programs' takes a whole number"),
        ("curriculum-gaps", {"min_programs": "two"}, "parameter 'min_programs': expected a whole number, got 'two'"),
        ("ratings-as-of", {"as_of": 20200101}, "parameter 'as_of' takes a date (datetime.date, "),
        ("ratings-as-of", {"as_of": "01/01/2020"}, "parameter 'as_of': expected a date as YYYY-MM-DD"),
        ("curriculum-gaps", {"program": ["START"]}, "parameter 'program' takes a program by name or IRI"),
        ("programs-by-rating", {"rating": 3.0}, "parameter 'rating' takes a rating by name or IRI"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_parameter(
    kg: ppkg.KnowledgeGraph, query: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        kg.run(query, **params)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message), str(caught.value)


def test_bindings_of_variables_the_query_does_not_select(
    kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph
) -> None:
    for graph in (kg, kg_rdflib):
        assert graph.query(BY_STATE, s=ppkg.ID["state/ca"]).column("l") == CA_PROGRAMS
        # selected and unselected bindings together
        both = graph.query(
            "SELECT ?p ?l WHERE { ?p ppkg:state ?s ; rdfs:label ?l }", s=ID["state/or"], p=PROGRAM["morrison"]
        )
        assert both.column("l") == ["Morrison Child & Family Services"]


@pytest.mark.server
def test_bindings_of_unselected_variables_on_an_endpoint(sparql_endpoint: str) -> None:
    remote = ppkg.connect(sparql_endpoint)
    assert remote.query(BY_STATE, s=ppkg.ID["state/ca"]).column("l") == CA_PROGRAMS
    assert remote.run("fact-provenance", thing="START").column("thingLabel")[0] == "START"


# -- results: DataFrames, notebook view, notes ---------------------------------------------------------------------

TYPED = """
SELECT ?name ?count ?hours ?ratio ?on ?at ?flag ?thing WHERE {
  VALUES (?name ?count ?hours ?ratio ?on ?at ?flag ?thing) {
    ("a" 1 1.5 "2.5e0"^^xsd:double "2020-01-01"^^xsd:date "2020-01-01T10:00:00"^^xsd:dateTime true <urn:a>)
    ("b" 2 UNDEF UNDEF UNDEF UNDEF false <urn:b>)
  }
} ORDER BY ?name
"""


def test_dataframe_columns_are_typed(kg: ppkg.KnowledgeGraph) -> None:
    frame = kg.query(TYPED).to_dataframe()
    assert str(frame["count"].dtype) == "int64" and frame["count"].tolist() == [1, 2]
    assert str(frame["hours"].dtype) == "float64" and frame["hours"].iloc[0] == 1.5
    assert str(frame["ratio"].dtype) == "float64" and pd.isna(frame["ratio"].iloc[1])
    assert str(frame["on"].dtype).startswith("datetime64") and frame["on"].iloc[0] == pd.Timestamp("2020-01-01")
    assert str(frame["at"].dtype).startswith("datetime64") and pd.isna(frame["at"].iloc[1])
    assert frame["flag"].tolist() == [True, False] and str(frame["flag"].dtype) == "bool"
    assert frame["thing"].tolist() == ["urn:a", "urn:b"]
    assert frame["name"].tolist() == ["a", "b"]


def test_dataframe_of_a_catalogued_query(kg: ppkg.KnowledgeGraph) -> None:
    result = kg.run("program-training-approach")
    frame = result.to_dataframe()
    assert str(frame["hours"].dtype) == "float64"  # xsd:decimal, missing for most programs
    assert str(frame["units"].dtype) == "Int64"  # whole numbers, some missing
    assert str(frame["items"].dtype) == "int64"  # a COUNT, never missing
    morrison = frame[frame["programLabel"] == "Morrison Child & Family Services"]
    assert morrison["hours"].tolist() == [123.0]
    assert "hours" in frame.select_dtypes("number").columns  # so df.plot.bar(y="hours") has data
    # the IRI column a …Label column names comes last; every other column keeps the query's order
    assert frame.columns[0] == "programLabel"
    assert list(frame.columns[-2:]) == ["provider", "program"]
    assert sorted(frame.columns) == sorted(result.variables)


def test_repr_and_notebook_view(kg: ppkg.KnowledgeGraph) -> None:
    rated = kg.run("programs-by-rating", rating="promising")
    assert repr(rated).startswith("<QueryResult SELECT 2 rows: programLabel, ")
    assert repr(kg.query("ASK { ?p a ppkg:Program }")) == "<QueryResult ASK true>"
    graph = kg.query("CONSTRUCT { ?p a ppkg:Program } WHERE { ?p a ppkg:Program }")
    assert repr(graph) == "<QueryResult CONSTRUCT 12 triples>"
    assert "program:kentucky-start" in graph._repr_html_()
    page = rated._repr_html_()
    assert page.startswith("<table><caption>2 rows</caption>")
    assert "<td>Iowa Parent Partner Approach</td>" in page and "<th>programLabel</th>" in page


def test_the_notebook_view_escapes_what_the_data_says(kg: ppkg.KnowledgeGraph) -> None:
    hostile = '<script>alert("x")</script> & <b>'
    page = kg.query("SELECT ?v WHERE { }", v=Literal(hostile))._repr_html_()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page


def test_the_notebook_view_shows_the_first_rows(kg: ppkg.KnowledgeGraph) -> None:
    items = kg.query("SELECT ?i WHERE { ?i a ppkg:CurriculumItem } ORDER BY ?i")
    page = items._repr_html_()
    assert page.count("<tr>") == 1 + 50 + 1  # header, 50 rows, "… more rows"
    assert f"… {len(items) - 50} more rows" in page


def test_a_narrower_topic_notes_its_broader_one(kg: ppkg.KnowledgeGraph) -> None:
    trauma = kg.run("programs-by-training-topic", topic="trauma")
    broader = kg.run("programs-by-training-topic", topic="trauma and behavioral health")
    programs, more = set(trauma.column("program")), set(broader.column("program"))
    assert {kg.label(p) for p in programs} == {"Family Involvement Center", "NorthCare"}
    assert {kg.label(p) for p in more - programs} == {"Iowa Parent Partner Approach", "START"}
    assert trauma.notes == ["trauma is part of trauma and behavioral health, which reaches 2 more programs"]
    assert broader.notes == []  # a top topic
    assert kg.run("programs-by-rating").notes == []  # no topic parameter
