"""The training topics of every program as sets, with the topic hierarchy: what similarity, gaps, the
heatmap and the program-topic network are computed from (two catalogued queries, then set arithmetic)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ppkg.present.source import Source

PROGRAM_LABELS = "SELECT ?program ?label WHERE { ?program a ppkg:Program ; rdfs:label ?label } ORDER BY ?program ?label"

BROADER_WEIGHT = 0.5
"""How much a broader topic counts, per step up the hierarchy, against the topic a curriculum item names."""


@dataclass
class TopicSets:
    """Program → the topics its curriculum names, topic → broader topics, and the labels of both."""

    programs: dict[str, set[str]] = field(default_factory=dict)
    """Each program with a curriculum → the topics its items name (exact, not rolled up)."""
    program_labels: dict[str, str] = field(default_factory=dict)
    topic_labels: dict[str, str] = field(default_factory=dict)
    broader: dict[str, set[str]] = field(default_factory=dict)
    """Each topic → its direct broader topics."""
    broader_graphs: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    """(topic, broader) → the named graphs that place the topic there."""
    _ancestors: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)
    _weights: dict[str, dict[str, float]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, source: Source) -> TopicSets:
        """Read the sets with the catalogued queries ``program-topics`` and ``topic-hierarchy`` (and the
        programs' labels): at 10,000 programs a few seconds, almost all of it reading the rows."""
        sets = cls()
        for row in source.run("topic-hierarchy"):
            sets.topic_labels[row.topic] = row.topicLabel
            sets.broader.setdefault(row.topic, set())
            if row.broader is not None:
                sets.broader[row.topic].add(row.broader)
                sets.topic_labels.setdefault(row.broader, row.broaderLabel)
                sets.broader_graphs.setdefault((row.topic, row.broader), set()).add(row.graph)
        for program, topic in source.run("program-topics").terms:
            sets.programs.setdefault(str(program), set()).add(str(topic))
        for program, label in source.query(PROGRAM_LABELS).terms:
            sets.program_labels.setdefault(str(program), str(label))
        return sets

    def ancestors(self, topic: str) -> dict[str, int]:
        """``topic`` and every broader topic, each with its number of steps up (the topic itself: 0)."""
        if topic in self._ancestors:
            return self._ancestors[topic]
        found = {topic: 0}
        frontier = [topic]
        while frontier:
            step: list[str] = []
            for t in frontier:
                for b in self.broader.get(t, ()):
                    if b not in found:
                        found[b] = found[t] + 1
                        step.append(b)
            frontier = step
        self._ancestors[topic] = found
        return found

    def weights(self, program: str) -> dict[str, float]:
        """The program's topics rolled up: each named topic weighs 1, a broader one ``BROADER_WEIGHT`` per step."""
        if program in self._weights:
            return self._weights[program]
        weights: dict[str, float] = {}
        for topic in self.programs.get(program, ()):
            for t, steps in self.ancestors(topic).items():
                w = BROADER_WEIGHT**steps
                if w > weights.get(t, 0.0):
                    weights[t] = w
        self._weights[program] = weights
        return weights

    def rolled_up(self, program: str) -> set[str]:
        """The program's topics and all their broader topics."""
        return set(self.weights(program))

    def narrower_closure(self) -> dict[str, set[str]]:
        """Each topic → itself and every topic under it."""
        under: dict[str, set[str]] = defaultdict(set)
        for topic in self.topic_labels:
            for t in self.ancestors(topic):
                under[t].add(topic)
        return dict(under)

    def label(self, iri: str) -> str:
        """The label of a program or topic."""
        return self.program_labels.get(iri) or self.topic_labels.get(iri) or iri

    def sort_topics(self, topics: set[str]) -> list[str]:
        """Topics by label (case-insensitive), then IRI."""
        return sorted(topics, key=lambda t: (self.label(t).casefold(), t))
