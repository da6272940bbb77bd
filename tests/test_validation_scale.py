"""Whole-graph validation part by part: exactly the results of one pySHACL run over the whole graph (on the
shipped data, on a synthetic graph of 60 programs, and on one with deliberate violations), the
duplicate-name rule answered by an index, and progress reported in programs."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, SKOS
from rdflib.term import Node

import ppkg
from ppkg.progress import Advance
from ppkg.rdf import shipped
from ppkg.rdf.corrections import current_graph
from ppkg.rdf.namespaces import ID, PPKG, SHAPES
from ppkg.validation.context import existing_graph
from ppkg.validation.partition import batches, duplicate_names
from ppkg.validation.report import ValidationResult
from ppkg.validation.shacl import (
    reach_of,
    shapes_graph,
    shapes_reach,
    start_method,
    validate_graph,
    vocabulary_graph,
)

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = URIRef(str(ID["program/"]))
DUPLICATE = str(SHAPES["Program-uniqueNameShape"])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """Shipped data and 60 synthetic programs (``benchmarks/generate.py``), as queries see them."""
    out = tmp_path_factory.mktemp("synthetic")
    generated = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--programs", "60", "--out", str(out)]
        + ["--with-shipped"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    return current_graph(existing_graph(out))


def shipped_graph() -> Graph:
    return current_graph(existing_graph(shipped.data_files()[0].parent))


def synthetic_programs(graph: Graph) -> list[Node]:
    return sorted((p for p in graph.subjects(RDF.type, PPKG.Program) if "/program/syn-" in str(p)), key=str)


def assert_same(graph: Graph, batch_programs: int, workers: int | None = None) -> list[ValidationResult]:
    """Validate ``graph`` part by part (``batch_programs`` programs a part, in ``workers`` processes) and
    whole; the results."""
    whole = validate_graph(graph, partition=False)
    parts = validate_graph(graph, batch_programs=batch_programs, workers=workers)
    assert parts.results == whole.results
    assert (parts.conforms, parts.checked_triples) == (whole.conforms, whole.checked_triples)
    assert parts.text() == whole.text()
    return parts.results


def test_shipped_data_gives_the_same_results_part_by_part() -> None:
    results = assert_same(shipped_graph(), batch_programs=2)
    assert results and not [r for r in results if r.is_violation]  # the shipped data conforms, with warnings
    assert str(SHAPES["EvidenceRatingRecommended-ratingDateShape"]) in {r.source_shape for r in results}


def test_worker_processes_are_spawned_while_another_thread_runs() -> None:
    """With a thread running (as when the command line draws progress) workers are spawned, not forked;
    the results are still those of one run."""
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert start_method() == "spawn"
        assert_same(shipped_graph(), batch_programs=4, workers=2)
    finally:
        stop.set()
        waiting.join()


def test_synthetic_graph_gives_the_same_results_part_by_part(synthetic: Graph) -> None:
    assert len(synthetic_programs(synthetic)) == 60
    results = assert_same(synthetic, batch_programs=7)
    assert not [r for r in results if r.is_violation]


def test_violations_are_found_exactly_as_in_one_run(synthetic: Graph) -> None:
    graph = Graph()
    graph += synthetic
    first, second, third, fourth, *rest = synthetic_programs(graph)
    last = rest[-1]
    # a program without a name
    graph.remove((first, RDFS.label, None))
    # two programs with the same name, in different parts, and one named like a shipped program
    last_name = graph.value(last, RDFS.label)
    graph.set((second, RDFS.label, Literal(str(last_name).upper(), lang="en")))
    graph.set((third, RDFS.label, Literal("iowa parent partner approach", lang="en")))
    # a dangling curriculum: a second one, described nowhere
    nowhere = ID["curriculum/nowhere"]
    graph.add((fourth, PPKG.hasCurriculum, nowhere))
    # a bad rating: a level that is text, not a level of the scale
    rating = next(graph.subjects(PPKG.ratedProgram, rest[0]))
    graph.set((rating, PPKG.ratingLevel, Literal("3")))
    # two items at the same position, and a cycle in the topic tree
    curriculum = graph.value(rest[1], PPKG.hasCurriculum)
    items = sorted(graph.objects(curriculum, PPKG.hasItem), key=str)
    graph.set((items[1], PPKG.position, Literal(1)))
    topics = sorted(vocabulary_graph().subjects(RDF.type, PPKG.TrainingTopic), key=str)
    graph.add((topics[0], SKOS.broader, topics[1]))
    graph.add((topics[1], SKOS.broader, topics[0]))
    # a program, a curriculum and a source named by blank nodes, not IRIs
    blank_program, blank_curriculum, blank_source = BNode("p1"), BNode("c1"), BNode("s1")
    graph.add((blank_program, RDF.type, PPKG.Program))
    graph.add((blank_program, RDFS.label, Literal("A Program Without An IRI", lang="en")))
    graph.add((blank_program, PPKG.hasCurriculum, blank_curriculum))
    graph.add((blank_curriculum, RDF.type, PPKG.TrainingCurriculum))
    graph.add((blank_curriculum, PPKG.hasItem, items[0]))
    graph.add((blank_curriculum, PPKG.hasItem, items[1]))
    graph.add((blank_source, RDF.type, PPKG.SourceDocument))

    results = assert_same(graph, batch_programs=5, workers=2)  # in two worker processes

    found = {(r.focus_node, r.source_shape, r.value) for r in results if r.is_violation}
    name = str(SHAPES["labelShape"])
    assert (str(first), name, None) in found
    assert (str(second), DUPLICATE, str(last_name).upper()) in found
    assert (str(last), DUPLICATE, str(last_name)) in found
    assert (str(third), DUPLICATE, "iowa parent partner approach") in found
    shipped_iowa = str(ID["program/iowa-parent-partner-approach"])
    assert (shipped_iowa, DUPLICATE, "Iowa Parent Partner Approach") in found
    assert (str(fourth), str(SHAPES["Program-hasCurriculumShape"]), str(nowhere)) in found
    assert (str(rating), str(SHAPES["EvidenceRating-ratingLevelShape"]), "3") in found
    assert (str(curriculum), str(SHAPES["TrainingCurriculumShape"]), "1") in found
    assert (blank_program.n3(), str(SHAPES["ProgramShape"]), blank_program.n3()) in found
    assert (blank_curriculum.n3(), str(SHAPES["TrainingCurriculumShape"]), "1") in found  # same position
    findable = str(SHAPES["SourceDocumentShape"])
    assert (blank_source.n3(), findable, blank_source.n3()) in found
    for topic in topics[:2]:
        assert (str(topic), str(SHAPES["TrainingTopicShape"]), str(topic)) in found  # its own broader topic
    duplicate = next(r for r in results if r.focus_node == str(second) and r.source_shape == DUPLICATE)
    assert duplicate.message.startswith(f'Another program already has the name "{str(last_name).upper()}"')
    assert duplicate.path == str(RDFS.label)


def test_duplicate_names_come_from_an_index_ignoring_case() -> None:
    graph = Graph()
    a, b, c, d = (PROGRAM + slug for slug in ("a", "b", "c", "d"))
    for node, name in ((a, Literal("Parents for Parents", lang="en")), (b, Literal("PARENTS FOR PARENTS"))):
        graph.add((node, RDF.type, PPKG.Program))
        graph.add((node, RDFS.label, name))
    graph.add((c, RDF.type, PPKG.Program))
    graph.add((c, RDFS.label, Literal("Parent Partner Program", lang="en")))
    graph.add((d, RDFS.label, Literal("parent partner program")))  # not a program: c has no duplicate
    found = sorted(duplicate_names(graph, [a, b, c]), key=str)
    assert found == [(a, Literal("Parents for Parents", lang="en")), (b, Literal("PARENTS FOR PARENTS"))]


def test_every_subject_is_in_exactly_one_batch(synthetic: Graph) -> None:
    vocabulary = set(vocabulary_graph().subjects())
    found = batches(synthetic, vocabulary, programs=9)
    nodes = [node for batch in found for node in batch.nodes]
    assert len(nodes) == len(set(nodes)) == len(set(synthetic.subjects()))
    programs = len(set(synthetic.subjects(RDF.type, PPKG.Program)))  # 60 synthetic and 12 shipped
    assert programs == 72
    assert [batch.parts for batch in found[:8]] == [9] * 8
    program = synthetic_programs(synthetic)[0]
    curriculum = synthetic.value(program, PPKG.hasCurriculum)
    rating = next(synthetic.subjects(PPKG.ratedProgram, program), None)
    batch = next(b for b in found if program in b.nodes)
    owned = {curriculum, *synthetic.objects(curriculum, PPKG.hasItem), synthetic.value(program, PPKG.operatedBy)}
    assert owned <= set(batch.nodes)
    assert rating is None or rating in batch.nodes


class Recording:
    """A progress that remembers its steps and how far each got."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, int | None, int]] = []

    @contextmanager
    def _step(self, description: str, total: int | None) -> Iterator[Advance]:
        done = [0]

        def advance(amount: int) -> None:
            done[0] += amount

        yield advance
        self.steps.append((description, total, done[0]))

    def step(self, description: str, total: int | None = None) -> AbstractContextManager[Advance]:
        return self._step(description, total)


def test_whole_graph_validation_reports_progress_in_programs(tmp_path: Path) -> None:
    recording = Recording()
    report = ppkg.validate(data_dir=shipped.data_files()[0].parent, progress=recording)
    assert report.conforms
    programs = len({str(p) for p in shipped_graph().subjects(RDF.type, PPKG.Program)})
    ((description, total, done),) = recording.steps
    assert description == "validating"
    assert total == done == programs + 1  # every program, and the nodes of no program


def test_the_shipped_shapes_can_be_validated_part_by_part() -> None:
    reach = shapes_reach()
    assert reach is not None
    assert reach.inverse == {PPKG.hasCurriculum, PPKG.hasItem}
    assert reach.sequences == {(PPKG.ratingLevel, SKOS.inScheme)}


def test_shapes_whose_reach_is_unknown_are_validated_whole() -> None:
    shapes = shapes_graph()
    shapes.add((SHAPES["ProgramShape"], SH.node, SHAPES["OrganizationShape"]))
    assert reach_of(shapes) is None
    nested = shapes_graph()
    nested.add((SHAPES["labelShape"], SH.property, SHAPES["stateShape"]))
    assert reach_of(nested) is None
