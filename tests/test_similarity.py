"""Explained similarity and curriculum gaps, checked against the seed curricula (seed 002, the Casey brief)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable

import pytest

import ppkg
from ppkg.present.similarity import similar
from ppkg.present.topics import TopicSets

Run = Callable[..., subprocess.CompletedProcess[str]]
IOWA = "Iowa Parent Partner Approach"


def test_iowa_is_most_like_northcare_and_the_reasons_are_the_seed_items(kg: ppkg.KnowledgeGraph) -> None:
    ranked = kg.similar(IOWA)
    assert [s.label for s in ranked] == [
        "NorthCare",
        "Stanford Sierra Youth & Families",
        "Family Involvement Center",
        "START",
        "Parents for Parents",
        "Morrison Child & Family Services",
        "Riverside County Children's Services",
    ]
    assert [round(s.score, 3) for s in ranked] == [0.317, 0.225, 0.223, 0.168, 0.147, 0.108, 0.041]
    northcare = ranked[0]
    # Iowa: Confidentiality, Domestic violence, Mandated reporter, Cultural competency, Boundaries and safety issues;
    # NorthCare: Confidentiality, Domestic violence education, Mandatory reporting, Cultural awareness, sensitivity,
    # and competence, Safety training; Iowa's boundaries and NorthCare's ethics meet under boundaries and ethics
    assert northcare.shared == (
        "confidentiality",
        "cultural competency",
        "domestic violence",
        "mandated reporting",
        "safety",
    )
    assert northcare.shared_broader == ("boundaries and ethics",)
    assert "motivational interviewing" in northcare.only_other and "CPR and first aid" in northcare.only_other
    assert "Building a Better Future" in northcare.only_this
    riverside = ranked[-1]  # no topic in common; related only through broader topics
    assert riverside.shared == ()
    assert riverside.shared_broader == ("cultural responsiveness", "family-centered practice")


def test_similarity_is_symmetric_and_top_limits(kg: ppkg.KnowledgeGraph) -> None:
    there = {s.label: s.score for s in kg.similar("NorthCare", top=None)}
    back = {s.label: s.score for s in kg.similar(IOWA, top=None)}
    assert there[IOWA] == pytest.approx(back["NorthCare"])
    assert [s.label for s in kg.similar(IOWA, top=2)] == ["NorthCare", "Stanford Sierra Youth & Families"]


def test_similar_needs_a_curriculum_and_a_known_program(kg: ppkg.KnowledgeGraph) -> None:
    with pytest.raises(ppkg.ParameterError, match="Circle of Parents has no training curriculum in the graph"):
        kg.similar("Circle of Parents")
    with pytest.raises(ppkg.UnknownValueError, match="unknown program 'Iowa Parent Partnership Program'"):
        kg.similar("Iowa Parent Partnership Program")


def test_gaps_of_iowa(kg: ppkg.KnowledgeGraph) -> None:
    found = kg.gaps(IOWA, min_programs=4)
    assert [(g.label, len(g.programs)) for g in found] == [
        ("mentoring and engagement skills", 7),
        ("engagement", 4),
        ("motivational interviewing", 4),
        ("self-care", 4),
        ("story sharing", 4),
    ]
    mi = found[2]
    assert mi.programs == (
        "Morrison Child & Family Services",
        "NorthCare",
        "Riverside County Children's Services",
        "START",
    )
    # Iowa covers cultural competency, so no other cultural topic is its gap; a narrower topic covers a broader one
    labels = {g.label for g in kg.gaps(IOWA, min_programs=1)}
    assert "cultural responsiveness" not in labels and "child welfare system knowledge" not in labels
    assert "ethics" in labels


def test_topic_sets_at_scale_are_the_same_answer(kg: ppkg.KnowledgeGraph) -> None:
    """The library function on the sets gives what the facade gives (the CLI and the site use both)."""
    sets = TopicSets.of(kg)
    iowa = str(kg.resolve("program", IOWA))
    assert [s.label for s in similar(sets, iowa, top=3)] == [s.label for s in kg.similar(IOWA, top=3)]


def test_cli_similar_and_gaps(run_ppkg: Run) -> None:
    done = run_ppkg("similar", IOWA, "--top", "2", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [s["label"] for s in doc["similar"]] == ["NorthCare", "Stanford Sierra Youth & Families"]
    assert doc["similar"][0]["sharedBroader"] == ["boundaries and ethics"]
    table = run_ppkg("similar", IOWA, "--top", "1")
    assert table.returncode == 0 and "NorthCare" in table.stdout and "confidentiality" in table.stdout
    gaps = run_ppkg("gaps", IOWA, "--min-programs", "4")
    assert gaps.returncode == 0, gaps.stderr
    assert "motivational interviewing" in gaps.stdout and "5 topics" in gaps.stdout


def test_cli_similar_errors(run_ppkg: Run) -> None:
    done = run_ppkg("similar", "Circle of Parents")
    assert done.returncode == 2
    assert done.stderr.startswith("ppkg: error: Circle of Parents has no training curriculum in the graph")
    done = run_ppkg("gaps", IOWA, "--min-programs", "0")
    assert done.returncode == 2 and "--min-programs" in done.stderr
