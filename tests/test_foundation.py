"""The foundation: every seed fact is in the graph, with its source, and the two defining answers hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import ppkg
from ppkg.rdf import shipped
from ppkg.rdf.namespaces import ID, PPKG

EXPECTED = Path(__file__).parent / "expected"

CQ1 = ["Morrison Child & Family Services", "NorthCare", "Riverside County Children's Services", "START"]
CQ2 = ["Iowa Parent Partner Approach", "Parents Anonymous"]


def count(kg: ppkg.KnowledgeGraph, sparql: str) -> int:
    return int(kg.query(sparql).rows[0][0])


def test_twelve_programs(kg: ppkg.KnowledgeGraph) -> None:
    labels = kg.query("SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l } ORDER BY ?l").column("l")
    assert labels == [
        "Circle of Parents",
        "Family Involvement Center",
        "Iowa Parent Partner Approach",
        "Morrison Child & Family Services",
        "NorthCare",
        "Parent Engagement and Self-Advocacy (PESA)",
        "Parents Anonymous",
        "Parents as Partners",
        "Parents for Parents",
        "Riverside County Children's Services",
        "START",
        "Stanford Sierra Youth & Families",
    ]


def test_iowa_is_one_node_in_two_sources(kg: ppkg.KnowledgeGraph) -> None:
    rows = kg.query(
        """SELECT DISTINCT ?p ?g WHERE { GRAPH ?g { ?p a ppkg:Program } } ORDER BY ?g""",
        p=ID["program/iowa-parent-partner-approach"],
    )
    assert [str(g) for g in rows.column("g")] == [
        str(ID["graph/casey-training-models"]),
        str(ID["graph/cebc-parent-partner-topic-area"]),
    ]


def test_programs_mentioned_in_passing_are_not_programs(kg: ppkg.KnowledgeGraph) -> None:
    kinds = dict(
        kg.query(
            "SELECT ?x ?c WHERE { VALUES ?x { <https://w3id.org/ppkg/id/program-model/national-start-model> "
            "<https://w3id.org/ppkg/id/related-program/family-hui> } "
            "?x a ?c FILTER(?c IN (ppkg:ProgramModel, ppkg:RelatedProgram, ppkg:Program)) }"
        ).rows
    )
    assert kinds == {
        str(ID["program-model/national-start-model"]): str(PPKG.ProgramModel),
        str(ID["related-program/family-hui"]): str(PPKG.RelatedProgram),
    }


def test_95_verbatim_items_in_order_with_phases(kg: ppkg.KnowledgeGraph) -> None:
    expected = json.loads((EXPECTED / "training-items.json").read_text(encoding="utf-8"))
    rows = kg.query(
        """SELECT ?program ?position ?text ?phase WHERE {
             ?program ppkg:hasCurriculum/ppkg:hasItem ?item .
             ?item ppkg:position ?position ; ppkg:verbatimText ?text .
             OPTIONAL { ?item ppkg:phase ?phase }
           } ORDER BY ?program ?position"""
    )
    got: dict[str, list[dict[str, str | None]]] = {}
    for program, position, text, phase in rows:
        items = got.setdefault(program, [])
        assert position == len(items) + 1, f"{program}: positions must run 1..n"
        items.append({"text": text, "phase": phase.rsplit("/", 1)[-1] if phase else None})
    assert got == expected
    assert sum(len(v) for v in got.values()) == 95


def test_every_item_has_a_topic_in_the_scheme(kg: ppkg.KnowledgeGraph) -> None:
    missing = kg.query(
        """SELECT ?item WHERE { ?item a ppkg:CurriculumItem
             FILTER NOT EXISTS { ?item ppkg:coversTopic ?t . ?t skos:inScheme scheme:training-topics } }"""
    )
    assert missing.rows == []
    assert count(kg, "SELECT (COUNT(?i) AS ?n) WHERE { ?i a ppkg:CurriculumItem }") == 95


def test_items_naming_two_subjects_cover_both(kg: ppkg.KnowledgeGraph) -> None:
    topics = kg.query(
        """SELECT ?label WHERE { ?item ppkg:verbatimText "Boundaries and ethics" ;
             ppkg:coversTopic/skos:prefLabel ?label } ORDER BY ?label"""
    ).column("label")
    assert topics == ["boundaries", "ethics"]


def test_mandated_reporting_is_under_child_welfare_system_knowledge(kg: ppkg.KnowledgeGraph) -> None:
    assert kg.query("ASK { topic:mandated-reporting skos:broader+ topic:child-welfare-system-knowledge }")


def test_topic_hierarchy_has_no_cycles(kg: ppkg.KnowledgeGraph) -> None:
    assert kg.query("SELECT ?t WHERE { ?t skos:broader+ ?t }").rows == []


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        ("ppkg:PracticeFramework", 6),
        ("ppkg:RatingLevel", 6),
        ("ppkg:EvidenceRating", 5),
        ("ppkg:Role", 2),
        ("ppkg:State", 51),
    ],
)
def test_counts(kg: ppkg.KnowledgeGraph, cls: str, expected: int) -> None:
    assert count(kg, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {cls} }}") == expected


def test_frameworks(kg: ppkg.KnowledgeGraph) -> None:
    notations = kg.query(
        "SELECT ?n WHERE { role:parent-partner ppkg:connectsToFramework/skos:notation ?n } ORDER BY ?n"
    ).column("n")
    assert notations == ["CANS", "CFT", "ICPM", "SDM", "SOC", "SOP"]


def test_four_functions_and_four_benefits_of_the_parent_partner(kg: ppkg.KnowledgeGraph) -> None:
    functions = kg.query(
        """SELECT ?n ?text WHERE { role:parent-partner ppkg:hasFunction ?f .
             ?f ppkg:functionNumber ?n ; ppkg:verbatimText ?text } ORDER BY ?n"""
    ).rows
    assert [n for n, _ in functions] == [1, 2, 3, 4]
    assert functions[0][1].startswith("to ensure parents are equal partners, if not leaders")
    assert functions[3][1].endswith("and stigma free")
    benefits = kg.query(
        """SELECT ?label WHERE { role:parent-partner ppkg:hasBenefit ?b .
             ?b ppkg:functionNumber ?n ; rdfs:label ?label } ORDER BY ?n"""
    ).column("label")
    assert len(benefits) == 4
    assert "hope" in benefits[0].lower()


def test_cebc_scale_is_ordered(kg: ppkg.KnowledgeGraph) -> None:
    rows = kg.query(
        "SELECT ?notation ?label WHERE { ?l skos:inScheme <https://w3id.org/ppkg/id/scale/cebc> ; "
        "skos:notation ?notation ; skos:prefLabel ?label ; ppkg:levelOrder ?o } ORDER BY ?o"
    ).rows
    assert rows == [
        ("1", "Well-Supported by Research Evidence"),
        ("2", "Supported by Research Evidence"),
        ("3", "Promising Research Evidence"),
        ("4", "Evidence Fails to Demonstrate Effect"),
        ("5", "Concerning Practice"),
        ("NR", "Not able to be Rated"),
    ]


def test_topic_area_facts(kg: ppkg.KnowledgeGraph) -> None:
    row = kg.query(
        """SELECT ?added ?expert WHERE {
             <https://w3id.org/ppkg/id/topic-area/cebc-parent-partner-programs> ppkg:addedIn ?added ;
               ppkg:topicExpert/rdfs:label ?expert }"""
    ).rows[0]
    assert str(row.added).startswith("2010")
    assert "Hoagwood" in row.expert


def test_every_source_graph_has_provenance(kg: ppkg.KnowledgeGraph) -> None:
    rows = kg.query(
        """SELECT ?g ?title ?publisher ?file ?hash WHERE { GRAPH ?g { ?g prov:wasDerivedFrom ?s .
             ?s a ppkg:SourceDocument ; dcterms:title ?title ; ppkg:seedFile ?file ; ppkg:contentHash ?hash
             OPTIONAL { ?s dcterms:publisher/rdfs:label ?publisher } } }
           ORDER BY ?file"""
    ).rows
    assert [r.file for r in rows] == [
        "000_0ee3bd2f1a4f2ea1.txt",
        "001_4ead6b08c2949043.txt",
        "002_65ea9a0b4d4c0308.txt",
        "003_d12a6fee5ccc751d.txt",
        "004_69a84d3de9bb1258.txt",
    ]
    # A source graph names the publisher only where the document does (the brief's casey.org footer,
    # the CEBC page); the other publishers are the curation graph's statements.
    assert [r.publisher for r in rows] == [None, None, "Casey Family Programs", None, "CEBC"]
    # One file per source document, and the project's curation.
    assert sorted(p.name for p in shipped.data_files()) == [
        "casey-parent-partner-topic-page.trig",
        "casey-training-models.trig",
        "cdss-parent-partner-resources.trig",
        "cdss-peer-partners.trig",
        "cebc-parent-partner-topic-area.trig",
        "curation.trig",
    ]


def test_information_provider_and_date_per_program(kg: ppkg.KnowledgeGraph) -> None:
    rows = kg.query(
        """SELECT ?programLabel ?person ?date WHERE {
             ?a a ppkg:InformationAttribution ; ppkg:attributionFor ?p ; prov:agent/rdfs:label ?person ;
                dcterms:date ?date .
             ?p rdfs:label ?programLabel } ORDER BY ?programLabel"""
    ).rows
    assert len(rows) == 8
    by_program = {r.programLabel: (r.person, r.date.isoformat()) for r in rows}
    assert by_program["START"] == ("Erin Smead", "2022-01-27")
    assert by_program["Parents for Parents"] == ("Heather Cantamessa", "2022-01-09")


def test_every_ontology_term_has_a_label_and_a_definition() -> None:
    onto = Graph().parse(shipped.ontology_file())
    terms = {
        s
        for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in onto.subjects(RDF.type, cls)
        if isinstance(s, URIRef) and str(s).startswith(str(PPKG))
    }
    assert len(terms) > 60
    for term in sorted(terms):
        assert onto.value(term, RDFS.label), f"{term} has no rdfs:label"
        assert onto.value(term, SKOS.definition), f"{term} has no skos:definition"
    assert onto.value(URIRef("https://w3id.org/ppkg/ontology"), OWL.versionIRI) is not None


def test_every_instance_has_a_label(kg: ppkg.KnowledgeGraph) -> None:
    unlabelled = kg.query(
        """SELECT DISTINCT ?x WHERE { ?x a ?c FILTER(STRSTARTS(STR(?x), "https://w3id.org/ppkg/id/"))
             FILTER NOT EXISTS { ?x rdfs:label ?l } }"""
    )
    assert unlabelled.column("x") == []


def test_cq1_motivational_interviewing(kg: ppkg.KnowledgeGraph) -> None:
    rows = kg.run("programs-by-training-topic", topic="motivational interviewing").rows
    assert sorted({r.programLabel for r in rows}) == CQ1
    assert {(r.programLabel, r.state) for r in rows} == {
        ("Riverside County Children's Services", "CA"),
        ("START", "KY"),
        ("NorthCare", "OK"),
        ("Morrison Child & Family Services", "OR"),
    }
    assert "Mentoring skills: motivational interviewing and stages of change" in {r.item for r in rows}


@pytest.mark.parametrize(
    "spelling", ["Motivational Interviewing", "MOTIVATIONAL-interviewing", "motivational interviewing"]
)
def test_cq1_any_wording(kg: ppkg.KnowledgeGraph, spelling: str) -> None:
    rows = kg.run("programs-by-training-topic", topic=spelling).rows
    assert sorted({r.programLabel for r in rows}) == CQ1


def test_topic_by_iri_and_narrower_topics_included(kg: ppkg.KnowledgeGraph) -> None:
    by_iri = kg.run("programs-by-training-topic", topic=str(ID["topic/mandated-reporting"])).rows
    assert sorted({r.programLabel for r in by_iri}) == [
        "Family Involvement Center",
        "Iowa Parent Partner Approach",
        "NorthCare",
        "Parents for Parents",
        "Stanford Sierra Youth & Families",
    ]
    broader = kg.run("programs-by-training-topic", topic="child welfare system knowledge").rows
    assert {r.programLabel for r in by_iri} <= {r.programLabel for r in broader}
    assert len(broader) > len(by_iri)


@pytest.mark.parametrize("rating", ["promising", "Promising Research Evidence", "3", str(ID["scale/cebc/3"])])
def test_cq2_promising(kg: ppkg.KnowledgeGraph, rating: str) -> None:
    rows = kg.run("programs-by-rating", rating=rating).rows
    assert [r.programLabel for r in rows] == CQ2
    assert {r.bodyLabel for r in rows} == {"CEBC"}  # the page's name for itself


def test_not_rated(kg: ppkg.KnowledgeGraph) -> None:
    rows = kg.run("programs-by-rating", rating="NR").rows
    assert [r.programLabel for r in rows] == [
        "Circle of Parents",
        "Parent Engagement and Self-Advocacy (PESA)",
        "Parents as Partners",
    ]


def test_unknown_topic_names_the_nearest(kg: ppkg.KnowledgeGraph) -> None:
    with pytest.raises(ppkg.UnknownValueError) as err:
        kg.run("programs-by-training-topic", topic="motivational intervewing")
    assert "motivational interviewing" in err.value.candidates


def test_shipped_data_uses_only_declared_terms_and_well_typed_values() -> None:
    from ppkg.rdf.datadir import data_directory
    from ppkg.validation.context import existing_graph
    from ppkg.validation.lint import lint
    from ppkg.validation.shacl import vocabulary_graph

    everything = Graph()
    everything += existing_graph(data_directory())
    everything += vocabulary_graph()
    problems = [p for p in lint(everything) if p.constraint and not p.constraint.endswith(("namespace", "refused"))]
    assert problems == []


def test_one_version_number() -> None:
    from importlib.metadata import version

    assert ppkg.__version__ == version("ppkg")  # pyproject.toml is where it is written
    versions = {}
    for path in [shipped.ontology_file(), *shipped.shapes_files()]:
        graph = Graph().parse(path)
        for node in graph.subjects(RDF.type, OWL.Ontology):
            versions[f"{path.name} <{node}>"] = str(graph.value(node, OWL.versionInfo))
            if path == shipped.ontology_file():
                versions[f"{path.name} owl:versionIRI"] = str(graph.value(node, OWL.versionIRI)).rsplit("/", 1)[-1]
    assert len(versions) == 2 + len(shipped.shapes_files())
    assert versions == dict.fromkeys(versions, ppkg.__version__)
