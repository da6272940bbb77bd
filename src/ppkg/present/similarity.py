"""Programs ranked by how alike their training is, with the reasons; and the topics a program leaves out.

Both work on sets read by two catalogued queries (:class:`~ppkg.present.topics.TopicSets`), never on a
quadratic SPARQL self-join: ranking one program against 10,000 others costs one pass over their topics.

Similarity is the weighted Jaccard index of the programs' topics rolled up the hierarchy: a topic a
curriculum item names weighs 1, its broader topic 1/2, the one above 1/4 (:data:`BROADER_WEIGHT`), and
``sum(min) / sum(max)`` over all topics compares two programs. Two programs that both train on *cultural
competency* share a whole topic; one on *cultural competency* and one on *cultural sensitivity* share half
of *cultural responsiveness*.
"""

from __future__ import annotations

from dataclasses import dataclass

from ppkg.errors import ParameterError
from ppkg.present.topics import BROADER_WEIGHT, TopicSets

__all__ = ["BROADER_WEIGHT", "Gap", "Similarity", "gaps", "similar"]


@dataclass(frozen=True)
class Similarity:
    """Another program, how similar its training is (0–1), and why: the topics both name, the broader topics
    under which they meet, and the topics only one of them names (labels, sorted)."""

    program: str
    label: str
    score: float
    shared: tuple[str, ...]
    shared_broader: tuple[str, ...]
    only_this: tuple[str, ...]
    only_other: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "program": self.program,
            "label": self.label,
            "score": round(self.score, 4),
            "shared": list(self.shared),
            "sharedBroader": list(self.shared_broader),
            "onlyThis": list(self.only_this),
            "onlyOther": list(self.only_other),
        }


@dataclass(frozen=True)
class Gap:
    """A topic the program does not train on (neither it nor a narrower topic), with the programs that do."""

    topic: str
    label: str
    programs: tuple[str, ...]
    """The labels of the programs whose curriculum covers the topic (or a narrower one), sorted."""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {"topic": self.topic, "label": self.label, "count": len(self.programs), "programs": list(self.programs)}


def _curriculum(sets: TopicSets, program: str, label: str) -> set[str]:
    topics = sets.programs.get(program)
    if not topics:
        raise ParameterError(f"{label} has no training curriculum in the graph; only programs with one can be compared")
    return topics


def _meeting_points(sets: TopicSets, shared_roll: set[str], shared: set[str]) -> set[str]:
    """The most specific broader topics both programs reach that are not explained by a topic both name."""
    covered = set().union(*(sets.ancestors(t) for t in shared)) if shared else set()
    candidates = shared_roll - covered
    # keep the most specific: drop a candidate that is broader than another candidate
    above = set().union(*(set(sets.ancestors(t)) - {t} for t in candidates)) if candidates else set()
    return candidates - above


def similar(sets: TopicSets, program: str, label: str = "", top: int | None = 10) -> list[Similarity]:
    """The programs whose training is most like ``program``'s, best first (then by name); at most ``top``.

    Programs sharing no topic at any level are left out.
    """
    if top is not None and top < 1:
        raise ParameterError(f"--top must be at least 1, not {top}")
    program = str(program)  # an rdflib URIRef never equals the str keys
    label = label or sets.label(program)
    mine = _curriculum(sets, program, label)
    weights = sets.weights(program)
    mine_total = sum(weights.values())
    ranked: list[Similarity] = []
    for other, topics in sets.programs.items():
        if other == program:
            continue
        theirs = sets.weights(other)
        overlap = weights.keys() & theirs.keys()
        if not overlap:
            continue
        low = sum(min(weights[t], theirs[t]) for t in overlap)
        high = mine_total + sum(theirs.values()) - low  # sum(max) = sum(a) + sum(b) - sum(min)
        shared = mine & topics
        ranked.append(
            Similarity(
                program=other,
                label=sets.label(other),
                score=low / high,
                shared=tuple(sets.label(t) for t in sets.sort_topics(shared)),
                shared_broader=tuple(
                    sets.label(t) for t in sets.sort_topics(_meeting_points(sets, set(overlap), shared))
                ),
                only_this=tuple(sets.label(t) for t in sets.sort_topics(mine - topics)),
                only_other=tuple(sets.label(t) for t in sets.sort_topics(topics - mine)),
            )
        )
    ranked.sort(key=lambda s: (-round(s.score, 9), s.label.casefold(), s.program))
    return ranked if top is None else ranked[:top]


def gaps(sets: TopicSets, program: str, label: str = "", min_programs: int = 3) -> list[Gap]:
    """Topics that at least ``min_programs`` other programs train on (the topic or a narrower one) and
    ``program`` does not, most common first (then by label). Only topics a curriculum item names are
    listed, so a gap is a topic a reader can look up in the other programs' curricula."""
    if min_programs < 1:
        raise ParameterError(f"--min-programs must be at least 1, not {min_programs}")
    program = str(program)  # an rdflib URIRef never equals the str keys
    label = label or sets.label(program)
    _curriculum(sets, program, label)
    mine = sets.rolled_up(program)
    named = set().union(*sets.programs.values()) if sets.programs else set()
    under = sets.narrower_closure()
    by_topic: dict[str, set[str]] = {}
    for other in sets.programs:
        if other == program:
            continue
        for t in sets.rolled_up(other):
            by_topic.setdefault(t, set()).add(other)
    found: list[Gap] = []
    for topic in named:
        if topic in mine or under.get(topic, {topic}) & mine:
            continue
        others = by_topic.get(topic, set())
        if len(others) >= min_programs:
            names = tuple(sorted((sets.label(o) for o in others), key=str.casefold))
            found.append(Gap(topic, sets.label(topic), names))
    found.sort(key=lambda g: (-len(g.programs), g.label.casefold(), g.topic))
    return found
