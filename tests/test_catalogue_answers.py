"""Every catalogued query gives the answer the seed documents give, on both engines and with every binding method.

Each query has its own test below (``test_<query name with underscores>``), run with its defaults and,
where it has parameters, with other values. The expected answers were read off the five seed documents
(``seeds/*.txt``): the Casey training-models brief (eight programs, their curricula and footnotes), the
CEBC topic page (ratings), the two CDSS pages (roles, frameworks, considerations, resources) and the
Casey topic page.

:func:`answer` runs a query three ways and insists on identical terms in identical order: on Oxigraph with
SEP-0007 substitution, on rdflib with ``initBindings``, and on Oxigraph with the parameters sent as a
``VALUES`` block at the start of the outer ``WHERE`` group, exactly as a remote endpoint receives them.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import ppkg
from ppkg.query.remote import inject_values
from ppkg.query.results import QueryResult

Answer = Callable[..., QueryResult]

CASEY_BRIEF = "What training models exist for new parent partners to become effective advocates?"
CEBC = "CEBC"  # the topic page only ever calls itself "CEBC"; its full name is the curation graph's
CURATION = "Curation by the ppkg project"
CEBC_SOURCE = "CEBC: Parent Partner Programs for Families Involved in the Child Welfare System"
CEBC_TOPIC_AREA = "Parent Partner Programs for Families Involved in the Child Welfare System"

BRIEF_PROGRAMS = [  # the eight programs of the Casey training-models brief, by name
    "Family Involvement Center",
    "Iowa Parent Partner Approach",
    "Morrison Child & Family Services",
    "NorthCare",
    "Parents for Parents",
    "Riverside County Children's Services",
    "START",
    "Stanford Sierra Youth & Families",
]
NOT_RATED = ["Circle of Parents", "Parent Engagement and Self-Advocacy (PESA)", "Parents as Partners"]

MORRISON_ITEMS = [  # seed 002, Oregon, in source order
    "Overview of the parent mentor program",
    "Self-care and personal growth",
    "Mentoring skills: communication",
    "Professional conduct-boundaries and ethics",
    "Mentoring skills: motivational interviewing and stages of change",
    "Crisis intervention",
    "Professional conduct-relationship building",
    "Mentoring skills: advocacy",
    "Mentoring skills: empowerment",
    "Mentoring skills: family dynamics",
    "Community resources and system navigation",
    "Professional conduct: documentation overview",
    "Culturally responsive practice",
    "Child abuse and neglect",
    "Health and wellness",
]


def run_three_ways(kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph, name: str, **params: str) -> QueryResult:
    """Run a catalogued query on both engines and as a remote endpoint would; all must agree exactly."""
    fast = kg.run(name, **params)
    reference = kg_rdflib.run(name, **params)
    assert fast.variables == reference.variables, name
    assert fast.terms == reference.terms, f"{name}: Oxigraph and rdflib disagree"
    spec = kg.catalogue.get(name)
    as_values = kg.query(inject_values(spec.text, kg.bind(spec, params)))
    assert as_values.variables == fast.variables, name
    assert as_values.terms == fast.terms, f"{name}: a VALUES binding gives another answer than SEP-0007"
    return fast


@pytest.fixture
def answer(kg: ppkg.KnowledgeGraph, kg_rdflib: ppkg.KnowledgeGraph) -> Answer:
    """``answer(name, **params)``: the result of a catalogued query on the shipped data, checked three ways."""

    def run(name: str, **params: str) -> QueryResult:
        return run_three_ways(kg, kg_rdflib, name, **params)

    return run


def rows_of(result: QueryResult, *columns: str) -> list[tuple[Any, ...]]:
    """The Python values of some columns, row by row."""
    return [tuple(getattr(row, c) for c in columns) for row in result]


def test_every_catalogued_query_has_its_own_test(kg: ppkg.KnowledgeGraph) -> None:
    module = sys.modules[__name__]
    missing = [n for n in kg.catalogue.names if not hasattr(module, "test_" + n.replace("-", "_"))]
    assert missing == []
    assert len(kg.catalogue) >= 18


# -- CQ1, CQ17: programs by training topic ----------------------------------------------------------


def test_programs_by_training_topic(answer: Answer) -> None:
    rows = answer("programs-by-training-topic")  # default: motivational interviewing
    assert rows_of(rows, "programLabel", "state", "item") == [
        ("Morrison Child & Family Services", "OR", "Mentoring skills: motivational interviewing and stages of change"),
        ("NorthCare", "OK", "Motivational interviewing"),
        ("Riverside County Children's Services", "CA", "Motivational Interviewing"),
        ("START", "KY", "Motivational interviewing"),
    ]
    # CQ17: a broad topic includes its narrower topics, with the verbatim items that matched.
    culture = answer("programs-by-training-topic", topic="cultural responsiveness")
    assert rows_of(culture, "programLabel", "item", "matchedTopicLabel") == [
        ("Iowa Parent Partner Approach", "Cultural competency", "cultural competency"),
        ("Morrison Child & Family Services", "Culturally responsive practice", "culturally responsive practice"),
        ("NorthCare", "Cultural awareness, sensitivity, and competence", "cultural awareness"),
        ("NorthCare", "Cultural awareness, sensitivity, and competence", "cultural competency"),
        ("NorthCare", "Cultural awareness, sensitivity, and competence", "cultural sensitivity"),
        ("Parents for Parents", "Cultural competency", "cultural competency"),
        ("Riverside County Children's Services", "Cultural sensitivity", "cultural sensitivity"),
        ("START", "Responding to the impact of implicit bias", "implicit bias"),
        ("START", "Understanding cultural differences and implicit bias", "cultural differences"),
        ("START", "Understanding cultural differences and implicit bias", "implicit bias"),
        ("Stanford Sierra Youth & Families", "Cultural competency", "cultural competency"),
    ]
    # "Mandatory reporting", "Mandated reporter", "Mandated reporting": one topic.
    mandated = answer("programs-by-training-topic", topic="mandatory reporting")
    assert sorted({r.programLabel for r in mandated}) == [
        "Family Involvement Center",
        "Iowa Parent Partner Approach",
        "NorthCare",
        "Parents for Parents",
        "Stanford Sierra Youth & Families",
    ]


# -- CQ2: programs by rating ------------------------------------------------------------------------------


def test_programs_by_rating(answer: Answer) -> None:
    promising = answer("programs-by-rating")
    assert rows_of(promising, "programLabel", "ratingLabel", "bodyLabel", "date") == [
        ("Iowa Parent Partner Approach", "Promising Research Evidence", CEBC, None),
        ("Parents Anonymous", "Promising Research Evidence", CEBC, None),
    ]
    assert {r.topicAreaLabel for r in promising} == {CEBC_TOPIC_AREA}
    assert [r.programLabel for r in answer("programs-by-rating", rating="NR")] == NOT_RATED
    assert answer("programs-by-rating", rating="1").rows == []


# -- CQ3: curriculum, item by item, and the training approach ----------------------------------------------


def test_program_curriculum(answer: Answer) -> None:
    morrison = answer("program-curriculum")  # default: Morrison Child & Family Services
    assert len(morrison) == 23  # 15 items; seven of them cover two or three topics
    items = list(dict.fromkeys((r.position, r.itemLabel) for r in morrison))
    assert items == list(enumerate(MORRISON_ITEMS, start=1))
    topics: dict[int, list[str]] = {}
    for r in morrison:
        topics.setdefault(r.position, []).append(r.topicLabel)
    assert topics[4] == ["boundaries", "ethics", "professionalism"]
    assert topics[5] == ["motivational interviewing", "stages of change"]
    assert topics[11] == ["community resources", "system navigation"]
    assert topics[10] == ["family dynamics", "mentoring and engagement skills"]  # "Mentoring skills: family dynamics"
    assert topics[14] == ["child abuse and neglect"]
    assert {(r.phaseLabel, r.hours) for r in morrison} == {(None, None)}  # no phases, no per-item hours

    iowa = answer("program-curriculum", program="Iowa Parent Partner Approach")
    phases = dict.fromkeys((r.position, r.itemLabel, r.phaseLabel) for r in iowa)
    assert list(phases) == [
        (1, "Building a Better Future", "before mentoring"),
        (2, "Mandated reporter", "before mentoring"),
        (3, "Boundaries and safety issues", "before mentoring"),
        (4, "DHS 101", "before mentoring"),
        (5, "Family interaction", "before mentoring"),
        (6, "Confidentiality", "before mentoring"),
        (7, "Solution focused meetings", "during the first year"),
        (8, "Domestic violence", "during the first year"),
        (9, "Mental health", "during the first year"),
        (10, "Cultural competency", "during the first year"),
        (11, "Substance use", "during the first year"),
    ]

    start = answer("program-curriculum", program="START")
    assert [(r.position, r.hours) for r in start if r.hours is not None] == [(12, Decimal(30))]
    assert start.rows[-1].itemLabel == "Peer Support Specialist Training (30 hours)"
    assert len({r.position for r in start}) == 12


def test_program_training_approach(answer: Answer) -> None:
    rows = {r.programLabel: r for r in answer("program-training-approach")}
    assert sorted(rows) == BRIEF_PROGRAMS
    assert {name: r.items for name, r in rows.items()} == {
        "Family Involvement Center": 11,
        "Iowa Parent Partner Approach": 11,
        "Morrison Child & Family Services": 15,
        "NorthCare": 11,
        "Parents for Parents": 17,
        "Riverside County Children's Services": 7,
        "START": 12,
        "Stanford Sierra Youth & Families": 11,
    }
    morrison = rows["Morrison Child & Family Services"]
    assert (morrison.hours, morrison.units, morrison.unitsApproximate) == (Decimal(123), 15, True)
    assert (morrison.shadowingMinHours, morrison.shadowingMaxHours) == (Decimal(30), Decimal(40))
    assert morrison.approach.startswith("Training spans 123 hours, contains about 15 units")
    riverside = rows["Riverside County Children's Services"]
    assert (riverside.sessions, riverside.providerLabel) == (9, "UC Davis Continuing and Professional Education")
    assert rows["NorthCare"].deliveryPeriod == "the first 90 days"
    assert rows["Iowa Parent Partner Approach"].approach.startswith("Parent partners identified the training topics.")
    without_approach = sorted(name for name, r in rows.items() if r.approach is None)
    assert without_approach == [
        "Family Involvement Center",
        "Parents for Parents",
        "START",
        "Stanford Sierra Youth & Families",
    ]

    one = answer("program-training-approach", program="Morrison Child & Family Services")
    assert [r.programLabel for r in one] == ["Morrison Child & Family Services"]


# -- CQ4: most common topics ---------------------------------------------------------------------------------


def test_common_training_topics(answer: Answer) -> None:
    rows = answer("common-training-topics")
    counts = {r.topicLabel: (r.programs, r.directPrograms) for r in rows}
    assert rows_of(rows, "topicLabel", "programs")[:7] == [
        ("child welfare system knowledge", 7),  # every brief program but Riverside
        ("cultural responsiveness", 7),  # every brief program but the Family Involvement Center
        ("mentoring and engagement skills", 7),  # every brief program but Iowa
        ("boundaries and ethics", 6),  # FIC, Stanford, Iowa, NorthCare, Morrison, P4P
        ("professional conduct and ethics", 6),
        ("boundaries", 5),
        ("mandated reporting", 5),
    ]
    assert counts["boundaries"] == (5, 5)
    assert counts["boundaries and ethics"] == (6, 0)  # named by P4P and Morrison, as two subjects
    # "Mentoring skills: family dynamics" (Morrison) is a mentoring skill in its own words.
    assert counts["mentoring and engagement skills"] == (7, 1)
    # Morrison ("Overview of the parent mentor program") and P4P ("P4P program components") name it;
    # START's three START items are narrower. Stanford's "Discharge" and Iowa's "Building a Better
    # Future" are not orientation: the brief gives only those words.
    assert counts["program orientation"] == (3, 2)
    assert counts["discharge"] == (1, 1)
    assert counts["Building a Better Future"] == (1, 1)
    assert counts["motivational interviewing"] == (4, 4)
    assert counts["cultural competency"] == (4, 4)
    assert counts["self-care"] == (4, 4)
    assert counts["story sharing"] == (4, 4)
    assert counts["engagement"] == (4, 4)
    # Iowa ("Substance use") and START (the NCSACW modules) by name; NorthCare's list has no substance-use
    # item, and its peer recovery support specialist certification is a certification.
    assert counts["substance use"] == (2, 2)
    assert counts["peer support training and certification"] == (3, 0)  # FIC, NorthCare, START
    assert counts["peer support certification"] == (2, 0)  # FIC and NorthCare; START's is a training
    assert counts["Recovery Champions"] == (1, 1)
    assert all(r.programs >= r.directPrograms for r in rows)
    assert [r.programs for r in rows] == sorted((r.programs for r in rows), reverse=True)


# -- CQ5: similar programs and their shared topics -----------------------------------------------------------


P4P_SHARED = {
    "Family Involvement Center": ["boundaries", "engagement", "mandated reporting", "self-care", "story sharing"],
    "Iowa Parent Partner Approach": ["boundaries", "cultural competency", "mandated reporting"],
    "Morrison Child & Family Services": [
        "boundaries",
        "community resources",
        "ethics",
        "professionalism",
        "program orientation",
        "self-care",
    ],
    "NorthCare": ["cultural competency", "ethics", "mandated reporting"],
    "Riverside County Children's Services": ["engagement", "self-care", "story sharing"],
    "Stanford Sierra Youth & Families": [
        "boundaries",
        "cultural competency",
        "engagement",
        "mandated reporting",
        "story sharing",
    ],
}


def test_similar_programs(answer: Answer) -> None:
    p4p = answer("similar-programs")  # default: Parents for Parents
    assert rows_of(p4p, "otherLabel", "sharedTopics") == [
        ("Morrison Child & Family Services", 6),
        ("Family Involvement Center", 5),
        ("Stanford Sierra Youth & Families", 5),
        ("Iowa Parent Partner Approach", 3),
        ("NorthCare", 3),
        ("Riverside County Children's Services", 3),
    ]
    start = answer("similar-programs", program="START")
    assert rows_of(start, "otherLabel", "sharedTopics") == [
        ("Iowa Parent Partner Approach", 3),  # child welfare overview, domestic violence, substance use
        ("NorthCare", 2),  # domestic violence, motivational interviewing
        ("Family Involvement Center", 1),
        ("Morrison Child & Family Services", 1),
        ("Riverside County Children's Services", 1),
    ]
    assert answer("similar-programs", program="Parents Anonymous").rows == []  # no curriculum in the seeds


def test_shared_training_topics(answer: Answer) -> None:
    rows = answer("shared-training-topics")  # default: Parents for Parents
    shared: dict[str, list[str]] = {}
    for r in rows:
        shared.setdefault(r.otherLabel, []).append(r.topicLabel)
    assert shared == P4P_SHARED
    start = answer("shared-training-topics", program="START")
    assert rows_of(start, "otherLabel", "topicLabel") == [
        ("Family Involvement Center", "child welfare system overview"),
        ("Iowa Parent Partner Approach", "child welfare system overview"),
        ("Iowa Parent Partner Approach", "domestic violence"),
        ("Iowa Parent Partner Approach", "substance use"),
        ("Morrison Child & Family Services", "motivational interviewing"),
        ("NorthCare", "domestic violence"),
        ("NorthCare", "motivational interviewing"),
        ("Riverside County Children's Services", "motivational interviewing"),
    ]


def test_similarity_counts_match_the_shared_topics(answer: Answer) -> None:
    for program in ("Parents for Parents", "START", "NorthCare"):
        counts = {r.otherLabel: r.sharedTopics for r in answer("similar-programs", program=program)}
        listed = Counter(r.otherLabel for r in answer("shared-training-topics", program=program))
        assert counts == dict(listed), program


# -- CQ6: state and setting ------------------------------------------------------------------------------------


def test_programs_by_state_or_setting(answer: Answer) -> None:
    everything = answer("programs-by-state-or-setting")
    assert rows_of(everything, "programLabel", "stateCode", "settingLabel") == [
        ("Family Involvement Center", "AZ", "community provider"),
        ("Iowa Parent Partner Approach", "IA", "community provider"),
        ("Morrison Child & Family Services", "OR", "community provider"),
        ("NorthCare", "OK", "community provider"),
        ("Parents for Parents", "WA", "community provider"),
        ("Parents for Parents", "WA", "court"),  # hosted by county courts, local nonprofits, CBOs
        ("Riverside County Children's Services", "CA", "child welfare agency"),
        ("START", "KY", "child welfare agency"),
        ("Stanford Sierra Youth & Families", "CA", "community provider"),  # a nonprofit, co-located at CW offices
    ]
    california = answer("programs-by-state-or-setting", state="CA")
    assert rows_of(california, "programLabel", "settingLabel") == [
        ("Riverside County Children's Services", "child welfare agency"),
        ("Stanford Sierra Youth & Families", "community provider"),
    ]
    assert {r.stateLabel for r in california} == {"California"}
    court = answer("programs-by-state-or-setting", setting="court")
    assert rows_of(court, "programLabel", "stateLabel") == [("Parents for Parents", "Washington")]
    assert answer("programs-by-state-or-setting", setting="court-based").terms == court.terms
    agency_in_ca = answer("programs-by-state-or-setting", state="California", setting="child protection agency")
    assert [r.programLabel for r in agency_in_ca] == ["Riverside County Children's Services"]
    assert answer("programs-by-state-or-setting", state="TX").rows == []


# -- CQ7, CQ8: roles ---------------------------------------------------------------------------------------------


def test_role_profile(answer: Answer) -> None:
    parent_partner = answer("role-profile")  # default: parent partner
    assert Counter(r.aspect for r in parent_partner) == {
        "function": 4,
        "benefit": 4,
        "qualification": 3,
        "framework": 6,
    }
    assert [r.aspect for r in parent_partner] == ["function"] * 4 + ["benefit"] * 4 + ["qualification"] * 3 + [
        "framework"
    ] * 6
    functions = [r.text for r in parent_partner if r.aspect == "function"]
    assert [r.number for r in parent_partner if r.aspect == "function"] == [1, 2, 3, 4]
    assert functions[0].startswith("to ensure parents are equal partners, if not leaders")
    assert functions[1].startswith("to represent the needs and perspectives of parents")
    assert functions[2].startswith("to ensure that parents have access to a comprehensive array")
    assert functions[3].endswith("and stigma free")
    assert [r.valueLabel for r in parent_partner if r.aspect == "benefit"] == [
        "instill hope",
        "promote self-advocacy",
        "connect families to services",
        "promote an agency culture shift",
    ]
    assert [r.valueLabel for r in parent_partner if r.aspect == "qualification"] == [
        "lived experience of the child welfare system",
        "overcame the challenges that brought them to child welfare",
        "parent with a closed child welfare case",
    ]
    assert {r.roleLabel for r in parent_partner} == {"parent partner"}

    # The seeds' names for the role: the Casey brief and topic page, and the CEBC page ("who may be
    # called veterans, alumni, or other similar titles"). "Parent allies" are P4P's founders, not a name
    # of the role.
    for alias in ("family mentor", "peer partner", "parent mentor", "peer mentor", "veterans", "alumni"):
        assert answer("role-profile", role=alias).terms == parent_partner.terms, alias

    broker = answer("role-profile", role="cultural broker")
    assert Counter(r.aspect for r in broker) == {
        "benefit": 5,
        "trained in": 3,
        "specialised knowledge": 5,
        "activity": 10,
        "qualification": 2,
        "principle": 5,
        "framework": 1,
    }
    assert [r.valueLabel for r in broker if r.aspect == "trained in"] == [
        "child welfare, probation, and/or behavioral health systems",
        "community partnerships",
        "cultural humility",
    ]
    assert sorted(r.valueLabel for r in broker if r.aspect == "specialised knowledge") == [
        "Indian Child Welfare Act",
        "domestic violence",
        "immigrant and refugee needs and programs",
        "specific culture",
        "substance abuse",
    ]
    assert [r.text for r in broker if r.aspect == "principle"] == [
        "Honor and respect cultural differences in communities",
        "The community defines their own needs",
        "Services are safe, confidential, and respectful",
        "Services are delivered in non-traditional and flexible ways that meet the needs of the community and cultures",
        "Transfer of knowledge between service providers and communities",
    ]
    assert {"transportation", "attending appointments", "crisis intervention", "home visitation"} <= {
        r.valueLabel for r in broker if r.aspect == "activity"
    }
    assert [r.valueLabel for r in broker if r.aspect == "framework"] == ["Integrated Core Practice Model"]


def test_role_frameworks(answer: Answer) -> None:
    rows = answer("role-frameworks")  # default: parent partner
    assert rows_of(rows, "notation", "frameworkLabel") == [
        ("CANS", "Child and Adolescent Needs and Strengths"),
        ("CFT", "Child and Family Teams"),
        ("ICPM", "Integrated Core Practice Model"),
        ("SDM", "Structured Decision Making"),
        ("SOC", "System of Care for Children and Youth"),
        ("SOP", "Safety Organized Practice"),
    ]
    icpm = next(r for r in rows if r.notation == "ICPM")
    assert "California Child Welfare Core Practice Model (CPM)" in icpm.definition
    assert all("voices of children, youth, parents, family, community, and culture" in r.definition for r in rows)
    assert answer("role-frameworks", role="peer partner").terms == rows.terms
    assert [r.notation for r in answer("role-frameworks", role="cultural broker")] == ["ICPM"]


# -- CQ9: provenance ---------------------------------------------------------------------------------------------


def test_fact_provenance(answer: Answer) -> None:
    iowa = answer("fact-provenance")  # default: the Iowa Parent Partner Approach
    # 10 statements from the training brief and its credit to Sara Persons; the CEBC page's 5 (its name
    # for the program among them) and its rating claim. The CDSS pages cite the Iowa Parent Partner
    # Project for parent partner programs in general, not for this program.
    assert Counter(r.sourceLabel for r in iowa) == {CASEY_BRIEF: 11, CEBC_SOURCE: 6}
    assert [r.sourceTitle for r in iowa if r.propertyLabel == "label"] == [
        "Topic: Parent Partner Programs for Families Involved in the Child Welfare System"
    ]
    assert {str(r.valueLabel) for r in iowa if r.propertyLabel == "altLabel" and r.sourceTitle == CASEY_BRIEF} == {
        "Parent Partners for Families",
        "Iowa Parent Partners Approach",
    }
    casey = [r for r in iowa if r.sourceTitle == CASEY_BRIEF]
    assert {(r.publisherLabel, r.providerLabel, r.providedOn) for r in casey if r.direction == "out"} == {
        ("Casey Family Programs", "Sara Persons", dt.date(2022, 1, 12))  # footnote 5
    }
    facts = {(r.propertyLabel, str(r.valueLabel), r.sourceTitle) for r in iowa}
    assert ("originally implemented by", "Iowa Department of Human Services", CASEY_BRIEF) in facts
    assert ("operated by", "Children & Families of Iowa", CASEY_BRIEF) in facts
    cebc_title = "Topic: Parent Partner Programs for Families Involved in the Child Welfare System"
    assert ("rated program", "CEBC rating of Iowa Parent Partner Approach", cebc_title) in facts
    assert ("altLabel", "Parent Partners - Iowa", cebc_title) in facts
    assert {r.providerLabel for r in iowa if r.sourceTitle != CASEY_BRIEF} == {None}
    assert [r for r in iowa if r.propertyLabel == "evidence for"] == []

    start = answer("fact-provenance", thing="program:kentucky-start")
    assert {(r.providerLabel, r.providedOn) for r in start if r.direction == "out"} == {
        ("Erin Smead", dt.date(2022, 1, 27))  # footnote 6
    }
    assert ("affiliate of", "National START Model") in {(r.propertyLabel, str(r.valueLabel)) for r in start}

    item = answer("fact-provenance", thing="id:curriculum/morrison-parent-mentor-program/item-05")
    # The brief and Linda May Wacker (footnote 8) give the item; the topics it covers are the curation's.
    by_source = {(r.sourceLabel, r.providerLabel) for r in item}
    assert by_source == {(CASEY_BRIEF, "Linda May Wacker"), (CURATION, None)}
    assert {r.providedOn for r in item if r.sourceLabel == CASEY_BRIEF} == {dt.date(2022, 1, 12)}
    assert ("verbatim text", "Mentoring skills: motivational interviewing and stages of change") in {
        (r.propertyLabel, str(r.valueLabel)) for r in item if r.sourceLabel == CASEY_BRIEF
    }
    assert sorted((str(r.valueLabel), r.publisherLabel) for r in item if r.propertyLabel == "covers topic") == [
        ("motivational interviewing", "ppkg project"),
        ("stages of change", "ppkg project"),
    ]

    topic = answer("fact-provenance", thing="topic:self-care")
    assert {r.graph.rsplit("/", 1)[-1] for r in topic if r.source is None} == {"training-topics"}
    # The four items that cover self-care: mapped by the curation, with no information provider.
    items = sorted((str(r.valueLabel), r.sourceLabel, r.providerLabel) for r in topic if r.direction == "in")
    assert items == [
        ("Self-care", CURATION, None),
        ("Self-care", CURATION, None),
        ("Self-care", CURATION, None),
        ("Self-care and personal growth", CURATION, None),
    ]

    role = answer("fact-provenance", thing="role:parent-partner")
    assert {r.sourceTitle for r in role if r.direction == "out"} == {
        CASEY_BRIEF,
        "Peer support: parent partner programs",
        "Peer Partners",
        "Parent Partner Resources",
        cebc_title,
        CURATION,  # its definition and the scope of the CDSS "peer partners", in the project's words
    }
    assert {r.propertyLabel for r in role if r.sourceTitle == CURATION} == {"definition", "scopeNote"}


# -- CQ10: no rating, and reviewed but not rated ----------------------------------------------------------------


def test_programs_without_rating(answer: Answer) -> None:
    rows = answer("programs-without-rating")
    assert rows_of(rows, "programLabel", "stateCode") == [
        ("Family Involvement Center", "AZ"),
        ("Morrison Child & Family Services", "OR"),
        ("NorthCare", "OK"),
        ("Parents for Parents", "WA"),
        ("Riverside County Children's Services", "CA"),
        ("START", "KY"),
        ("Stanford Sierra Youth & Families", "CA"),
    ]
    assert {r.sourceLabel for r in rows} == {CASEY_BRIEF}
    assert "Iowa Parent Partner Approach" not in {r.programLabel for r in rows}  # in the brief, and rated


def test_programs_reviewed_not_rated(answer: Answer) -> None:
    rows = answer("programs-reviewed-not-rated")  # default body: CEBC
    assert rows_of(rows, "programLabel", "ratingLabel", "populationText") == [
        (
            "Circle of Parents",
            "Not able to be Rated",
            "Parents or individuals in a parenting role for children ages 0-18 years and their children ages birth "
            "to 12",
        ),
        (
            "Parent Engagement and Self-Advocacy (PESA)",
            "Not able to be Rated",
            "Birth parents, foster parents, and caseworkers of children ages 10-17 who are in foster care and "
            "candidates for reunification",
        ),
        (
            "Parents as Partners",
            "Not able to be Rated",
            "Parents involved with the Child Welfare System through a protective investigation",
        ),
    ]
    assert {(r.bodyLabel, r.topicAreaLabel, r.sourceLabel) for r in rows} == {(CEBC, CEBC_TOPIC_AREA, CEBC_SOURCE)}
    by_iri = answer("programs-reviewed-not-rated", body=str(ppkg.ID["organization/cebc"]))
    assert by_iri.terms == rows.terms
    assert answer("programs-reviewed-not-rated", body="Casey Family Programs").rows == []


# -- CQ11: resources --------------------------------------------------------------------------------------------------


def test_implementation_resources(answer: Answer) -> None:
    rows = answer("implementation-resources")
    resources = {r.resourceLabel: (r.kindLabel, r.publisherLabel) for r in rows}
    # the six resources of the CDSS Parent Partner Resources page (seed 001), with the manual on the CBCS site
    assert {k: resources[k] for k in resources if k in CDSS_RESOURCES} == CDSS_RESOURCES
    assert len(resources) == 16
    covers: dict[str, list[str]] = {}
    for r in rows:
        if r.aspect == "covers":
            covers.setdefault(r.resourceLabel, []).append(r.valueLabel)
    assert covers["CalSWEC Father Engagement Toolkit"] == [
        "father engagement",
        "the importance of father engagement",
        "tools and suggestions for implementing father engagement strategies",
    ]
    assert covers["Casey Family Programs Parent Partners website"] == [
        "benefits of parent partners",
        "engaging fathers",
        "implementation considerations",
        "parent partner funding opportunities",
        "parent partner program structures",
        "research and data",
    ]
    assert covers["Parent Partner Program Manual"] == [
        "guiding principles",
        "parent partner program implementation",
        "sample policies",
        "sample procedures",
        "sample program statements",
    ]
    considerations = {(r.resourceLabel, r.valueLabel) for r in rows if r.aspect == "consideration"}
    assert ("Trauma-Informed Parent/Caregiver Leader Engagement", "trauma-informed approach") in considerations
    assert len([c for c in considerations if c[0] == "Parent Partner Program Manual"]) == 6
    assert ("START manual", "START") in {(r.resourceLabel, r.valueLabel) for r in rows if r.aspect == "resource for"}
    assert [r.resourceLabel for r in rows] == sorted(r.resourceLabel for r in rows)


CDSS_RESOURCES = {
    "Casey Family Programs Parent Partners website": ("website", "Casey Family Programs"),
    "Capacity Building Center for States (CBCS) website": ("website", "Capacity Building Center for States"),
    "Parent Partner Program Manual": ("manual", "Capacity Building Center for States"),
    "Birth Parent National Network (BPNN) website": ("website", "Birth Parent National Network"),
    "Trauma-Informed Parent/Caregiver Leader Engagement": ("guide", None),  # created by Family Hui; no publisher
    "CalSWEC Father Engagement Toolkit": ("toolkit", "CalSWEC"),
    "All County Information Notice I-54-20": ("information notice", "California Department of Social Services"),
}


# -- CQ12: lineage ---------------------------------------------------------------------------------------------------


def test_program_lineage(answer: Answer) -> None:
    rows = answer("program-lineage")
    assert rows_of(rows, "programLabel", "relationLabel", "modelLabel", "modelKindLabel", "modelOrganizationLabel") == [
        # "based on the Parents 4 Parents model developed in Washington state"
        (
            "Family Involvement Center",
            "based on",
            "Parents for Parents",
            "parent partner program",
            "Children's Home Society of Washington",
        ),
        # "an affiliate of the national START model" (National START Model: Children and Family Futures)
        ("START", "affiliate of", "National START Model", "program model", "Children and Family Futures"),
        # "grew out of the organization's wraparound services model": the organization runs it; the
        # brief does not say who developed it
        (
            "Stanford Sierra Youth & Families",
            "grew out of",
            "Wraparound services model",
            "program model",
            "Stanford Sierra Youth & Families",
        ),
    ]
    assert [r.organizationRelationLabel for r in rows] == ["partner organization", "developed by", "operated by"]


# -- CQ13: curriculum gaps -------------------------------------------------------------------------------------------


def test_curriculum_gaps(answer: Answer) -> None:
    riverside = answer("curriculum-gaps")  # default: Riverside County Children's Services, at least 3 programs
    assert rows_of(riverside, "topicLabel", "programs") == [
        ("boundaries", 5),
        ("mandated reporting", 5),
        ("cultural competency", 4),  # Riverside trains on cultural sensitivity, not competency
        ("child welfare system overview", 3),
        ("confidentiality", 3),
        ("domestic violence", 3),
        ("ethics", 3),
    ]
    assert {r.min_programs for r in riverside} == {3}
    start = answer("curriculum-gaps", program="START", min_programs="4")
    assert rows_of(start, "topicLabel", "programs") == [
        ("boundaries", 5),
        ("mandated reporting", 5),
        ("cultural competency", 4),
        ("engagement", 4),
        ("self-care", 4),
        ("story sharing", 4),
    ]
    morrison = answer("curriculum-gaps", program="Morrison Child & Family Services", min_programs="4")
    assert [r.topicLabel for r in morrison] == [
        "mandated reporting",
        "cultural competency",
        "engagement",
        "story sharing",
    ]
    assert answer("curriculum-gaps", min_programs="6").rows == []  # no exact topic is named by six programs


# -- CQ14: the rating scale ------------------------------------------------------------------------------------------


def test_rating_scale_levels(answer: Answer) -> None:
    rows = answer("rating-scale-levels")  # default: the CEBC Scientific Rating Scale
    assert rows_of(rows, "order", "notation", "levelLabel", "programs") == [
        (1, "1", "Well-Supported by Research Evidence", 0),
        (2, "2", "Supported by Research Evidence", 0),
        (3, "3", "Promising Research Evidence", 2),
        (4, "4", "Evidence Fails to Demonstrate Effect", 0),
        (5, "5", "Concerning Practice", 0),
        (6, "NR", "Not able to be Rated", 3),
    ]
    assert {r.criteria for r in rows} == {None}  # the topic page names the levels, not their criteria
    assert {r.scaleLabel for r in rows} == {"CEBC Scientific Rating Scale"}
    assert all(r.definition for r in rows)
    assert answer("rating-scale-levels", scale="https://w3id.org/ppkg/id/scale/cebc").terms == rows.terms
    with pytest.raises(ppkg.UnknownValueError):  # a concept scheme, but not a rating scale
        answer("rating-scale-levels", scale="id:scheme/training-topics")


# -- CQ15: audience and operators ------------------------------------------------------------------------------------


def test_program_audience_and_operators(answer: Answer) -> None:
    rows = answer("program-audience-and-operators")
    facts = {(r.programLabel, r.aspect, r.valueLabel) for r in rows}
    assert len({r.programLabel for r in rows}) == 12
    assert {
        ("START", "hosted by", "Kentucky state child welfare agency"),
        ("START", "hires peers through", "University of Kentucky"),
        ("START", "has target population", "families with young children impacted by parental substance use"),
        ("Iowa Parent Partner Approach", "operated by", "Children & Families of Iowa"),
        ("Iowa Parent Partner Approach", "originally implemented by", "Iowa Department of Human Services"),
        ("Morrison Child & Family Services", "partner organization", "Oregon state child welfare agency"),
        ("Parents for Parents", "partner organization", "Children's Home Society of Washington"),
        ("Riverside County Children's Services", "operated by", "Riverside County Children's Services"),
    } <= facts
    texts = {r.programLabel: r.text for r in rows if r.aspect == "has target population"}
    assert texts["NorthCare"] == "parents with an open child welfare case whose children are in out-of-home care"
    assert texts["Iowa Parent Partner Approach"] == (
        "Parents involved with Department of Human Services’ Child Protective Services"
    )
    assert texts["Parents Anonymous"].endswith("serving in a parenting or caregiver role and children and ...")
    for name in NOT_RATED + ["Parents Anonymous"]:  # the CEBC page gives only the target population
        assert {r.aspect for r in rows if r.programLabel == name} == {"has target population"}

    start = answer("program-audience-and-operators", program="START")
    assert rows_of(start, "aspect", "valueLabel") == [
        ("has target population", "families with young children impacted by parental substance use"),
        ("hosted by", "Kentucky state child welfare agency"),
        ("partner organization", "University of Kentucky"),
        ("hires peers through", "University of Kentucky"),
        ("operates in setting", "child welfare agency"),
        ("operates in state", "Kentucky"),
    ]


# -- CQ16: implementation considerations -----------------------------------------------------------------------------


def test_implementation_considerations(answer: Answer) -> None:
    rows = answer("implementation-considerations")  # default: parent partner
    resources: dict[str, list[str | None]] = {}
    for r in rows:
        resources.setdefault(r.considerationLabel, []).append(r.resourceLabel)
    cbcs = ["Capacity Building Center for States (CBCS) website", "Parent Partner Program Manual"]
    assert resources == {
        "collection and use of data": cbcs,
        "compensation": cbcs,
        "integration throughout the agency": cbcs,
        "peer-to-peer support": cbcs,
        "supervision": cbcs,
        "training and support of parent partners": cbcs,
        "trauma-informed approach": ["Trauma-Informed Parent/Caregiver Leader Engagement"],
    }
    texts = {r.considerationLabel: r.text for r in rows}
    assert texts["supervision"] == (
        "Special consideration should be made for facilitating peer-to-peer support, supervision, compensation, "
        "and the collection and use of data to support the effectiveness of parent partner programs."
    )
    assert texts["trauma-informed approach"].startswith("To effectively and respectively integrate parent partners")
    assert texts["integration throughout the agency"].startswith("For parent partners to be successful")
    assert answer("implementation-considerations", role="peer partner").terms == rows.terms
    assert answer("implementation-considerations", role="cultural broker").rows == []


# -- CQ18: ratings as of a date ---------------------------------------------------------------------------------------


def test_ratings_as_of(answer: Answer) -> None:
    current = answer("ratings-as-of")  # promising, by the CEBC, latest claims
    assert rows_of(current, "programLabel", "ratingLabel", "date", "dateStatus", "bodyLabel") == [
        ("Iowa Parent Partner Approach", "Promising Research Evidence", None, "current, date unknown", CEBC),
        ("Parents Anonymous", "Promising Research Evidence", None, "current, date unknown", CEBC),
    ]
    # The CEBC page gives no rating date, and says the topic area "was added in 2010": its undated claims
    # stand from that year on, never before.
    assert {str(r.topicAreaAdded) for r in current} == {"2010"}
    in_2010 = answer("ratings-as-of", as_of="2010-01-01")
    assert [t[:-1] for t in in_2010.terms] == [t[:-1] for t in current.terms]  # all but the as_of column
    assert answer("ratings-as-of", as_of="2009-12-31").rows == []
    assert answer("ratings-as-of", as_of="2001-01-01").rows == []
    assert answer("ratings-as-of", rating="*", as_of="2001-01-01").rows == []
    assert [r.programLabel for r in answer("ratings-as-of", rating="NR", as_of="2024-06-30")] == NOT_RATED
    assert len(answer("ratings-as-of", rating="*")) == 5
    assert {r.dateStatus for r in answer("ratings-as-of", rating="*")} == {"current, date unknown"}
    assert answer("ratings-as-of", body="Casey Family Programs").rows == []


FIXTURE = """\
@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix program: <https://w3id.org/ppkg/id/program/> .
@prefix rating: <https://w3id.org/ppkg/id/rating/> .
@prefix cebc: <https://w3id.org/ppkg/id/scale/cebc/> .
@prefix organization: <https://w3id.org/ppkg/id/organization/> .

organization:example-clearinghouse a ppkg:RatingBody, ppkg:Organization ;
    rdfs:label "Example Clearinghouse"@en .

rating:example-northcare-2015 a ppkg:EvidenceRating ;
    rdfs:label "Example rating of NorthCare, 2015"@en ;
    ppkg:ratedProgram program:northcare-parent-partner-program ;
    ppkg:ratingLevel cebc:3 ; ppkg:ratedBy organization:example-clearinghouse ;
    ppkg:ratingDate "2015-06-01"^^xsd:date .

rating:example-northcare-2020 a ppkg:EvidenceRating ;
    rdfs:label "Example rating of NorthCare, 2020"@en ;
    ppkg:ratedProgram program:northcare-parent-partner-program ;
    ppkg:ratingLevel cebc:nr ; ppkg:ratedBy organization:example-clearinghouse ;
    ppkg:ratingDate "2020-01-15"^^xsd:date .

rating:example-parents-for-parents-2019 a ppkg:EvidenceRating ;
    rdfs:label "Example rating of Parents for Parents, 2019"@en ;
    ppkg:ratedProgram program:parents-for-parents ;
    ppkg:ratingLevel cebc:3 ; ppkg:ratedBy organization:example-clearinghouse ;
    ppkg:ratingDate "2019-09-30"^^xsd:date .

rating:example-morrison a ppkg:EvidenceRating ;
    rdfs:label "Example rating of Morrison Child & Family Services, undated"@en ;
    ppkg:ratedProgram program:morrison-parent-mentor-program ;
    ppkg:ratingLevel cebc:3 ; ppkg:ratedBy organization:example-clearinghouse .

rating:example-start a ppkg:EvidenceRating ;
    rdfs:label "Example rating of START, undated"@en ;
    ppkg:ratedProgram program:kentucky-start ;
    ppkg:ratingLevel cebc:3 ; ppkg:ratedBy organization:example-clearinghouse .

rating:example-start-2018 a ppkg:EvidenceRating ;
    rdfs:label "Example rating of START, 2018"@en ;
    ppkg:ratedProgram program:kentucky-start ;
    ppkg:ratingLevel cebc:3 ; ppkg:ratedBy organization:example-clearinghouse ;
    ppkg:ratingDate "2018-03-01"^^xsd:date .

rating:example-cebc-circle-of-parents-2012 a ppkg:EvidenceRating ;
    rdfs:label "Example dated CEBC rating of Circle of Parents, 2012"@en ;
    ppkg:ratedProgram program:circle-of-parents ;
    ppkg:ratingLevel cebc:3 ; ppkg:ratedBy organization:cebc ;
    ppkg:ratingDate "2012-01-01"^^xsd:date .
"""


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answer]:
    """``answer`` over the shipped graph plus a Turtle fixture of dated rating claims (its own named graph)."""
    path: Path = tmp_path_factory.mktemp("ratings") / "dated-ratings.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    kg, kg_rdflib = ppkg.load(path), ppkg.load(path, engine="rdflib")

    def run(name: str, **params: str) -> QueryResult:
        return run_three_ways(kg, kg_rdflib, name, **params)

    yield run


def test_ratings_as_of_dated_claims(dated: Answer) -> None:
    def promising(as_of: str | None = None, **params: str) -> list[tuple[str, dt.date | None]]:
        extra = {"as_of": as_of} if as_of else {}
        result = dated("ratings-as-of", body="Example Clearinghouse", **extra, **params)
        return [(r.programLabel, r.date) for r in result]

    morrison = ("Morrison Child & Family Services", None)  # undated: current at every date, never superseded
    start_undated, start_2018 = ("START", None), ("START", dt.date(2018, 3, 1))
    northcare_2015 = ("NorthCare", dt.date(2015, 6, 1))
    p4p_2019 = ("Parents for Parents", dt.date(2019, 9, 30))
    assert promising("2014-01-01") == [morrison, start_undated]
    assert promising("2016-01-01") == [morrison, northcare_2015, start_undated]
    assert promising("2019-09-29") == [morrison, northcare_2015, start_undated, start_2018]
    assert promising("2019-09-30") == [morrison, northcare_2015, p4p_2019, start_undated, start_2018]
    # NorthCare's 2020 claim (NR) supersedes its 2015 claim (promising).
    assert promising("2021-01-01") == [morrison, p4p_2019, start_undated, start_2018]
    assert promising() == [morrison, p4p_2019, start_undated, start_2018]
    nr = dated("ratings-as-of", body="Example Clearinghouse", rating="NR", as_of="2021-01-01")
    assert [(r.programLabel, r.date) for r in nr] == [("NorthCare", dt.date(2020, 1, 15))]
    assert dated("ratings-as-of", body="Example Clearinghouse", rating="NR", as_of="2016-01-01").rows == []

    # The CEBC's undated NR claim for Circle of Parents stands beside the fixture's dated promising one.
    cebc = dated("ratings-as-of", rating="*", as_of="2013-01-01")
    assert [
        (r.programLabel, r.ratingLabel, r.date, r.dateStatus) for r in cebc if r.programLabel == "Circle of Parents"
    ] == [
        ("Circle of Parents", "Not able to be Rated", None, "current, date unknown"),
        ("Circle of Parents", "Promising Research Evidence", dt.date(2012, 1, 1), "dated"),
    ]
    before = dated("ratings-as-of", as_of="2011-12-31")
    assert [r.programLabel for r in before] == ["Iowa Parent Partner Approach", "Parents Anonymous"]
    # Before the CEBC topic area was added (2010) no CEBC claim stands; the fixture's undated claims name
    # no topic area, so nothing bounds them.
    assert dated("ratings-as-of", rating="*", as_of="2009-06-30").rows == []
    early = dated("ratings-as-of", body="Example Clearinghouse", rating="*", as_of="2009-06-30")
    assert [(r.programLabel, r.date) for r in early] == [("Morrison Child & Family Services", None), ("START", None)]


# -- CQ4, CQ5, CQ17: the topic sets behind similarity, gaps and the plots ------------------------------------------


def test_program_topics(answer: Answer) -> None:
    rows = answer("program-topics")
    iowa = ppkg.ID["program/iowa-parent-partner-approach"]
    topics = [str(topic).removeprefix(str(ppkg.ID["topic/"])) for program, topic in rows.terms if program == iowa]
    assert topics == [  # seed 002, Iowa: eleven items; "Boundaries and safety issues" names two topics
        "boundaries",
        "building-a-better-future",
        "child-welfare-system-overview",
        "confidentiality",
        "cultural-competency",
        "domestic-violence",
        "family-interaction",
        "mandated-reporting",
        "mental-health",
        "safety",
        "solution-focused-meetings",
        "substance-use",
    ]
    kg = ppkg.load()
    assert sorted({kg.label(p) for p in rows.column("program")}) == BRIEF_PROGRAMS  # only they have curricula
    assert len(rows) == 107  # distinct program-topic pairs (113 item-topic links)


def test_topic_hierarchy(answer: Answer) -> None:
    rows = answer("topic-hierarchy")
    broader = {r.topicLabel: r.broaderLabel for r in rows}
    assert broader["mandated reporting"] == "child welfare system knowledge"
    assert broader["cultural competency"] == "cultural responsiveness"
    assert broader["trauma"] == "trauma and behavioral health"
    assert broader["child welfare system knowledge"] is None
    assert len(rows) == 81
    assert sum(1 for r in rows if r.broader is None) == 14  # the top topics
    assert {r.graph for r in rows if r.broader} == {"https://w3id.org/ppkg/id/graph/vocabulary/training-topics"}
