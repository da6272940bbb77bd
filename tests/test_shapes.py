"""Tests of the SHACL shapes in ``shapes/``.

* Every fixture under ``tests/shapes/<ShapeLocalName>/{valid,invalid}/*.ttl`` is validated together with the
  ontology and the vocabularies (``ontology/ppkg.ttl`` + ``ontology/vocab/*.ttl``), against all shapes
  (``shapes/core.ttl`` + ``shapes/recommended.ttl``):

  - a *valid* fixture must add no validation result at all, of any severity;
  - an *invalid* fixture starts with ``# expect: <shape> <constraint component>`` lines, and the set of
    ``(sh:sourceShape, sh:sourceConstraintComponent)`` pairs of the results it adds must equal that set exactly.

  Only the fixture's own nodes (its subjects and the nodes it points at) are validated: the shapes' class and
  subject targets are turned into ``sh:targetNode`` targets for those nodes, so a fixture is checked the way a
  contribution is (design section 6) and the run stays fast however large the vocabularies grow. (pySHACL's
  own ``focus_nodes`` option cannot be used: it also filters the value nodes of nested shapes, which silently
  disables ``sh:or``/``sh:node``.) ``test_focused_validation_equals_full_validation`` checks on sample fixtures
  that this gives exactly the results of a full validation. Results that the ontology and vocabularies already
  produce on their own are not counted against a fixture (the vocabularies point at nodes of the data, such as
  the CEBC organization, so they are checked together with the data by ``test_shipped_data_has_no_violations``).
* Every node shape and property shape is named, described and has a message; every node shape has fixtures.
* The shipped data (``data/*.trig`` + ontology + vocabularies) has no ``sh:Violation`` (warnings are allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pyshacl
import pytest
from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ppkg.validation.shacl import focus_targets, run_shacl, shapes_graph, untargeted_shapes
from ppkg.validation.shacl import vocabulary_graph as background_graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
SHAPE_FILES = {"core.ttl": SH.Violation, "recommended.ttl": SH.Warning}  # file -> severity of its shapes
ONTOLOGY_FILE = ROOT / "ontology" / "ppkg.ttl"
VOCAB_DIR = ROOT / "ontology" / "vocab"
DATA_DIR = ROOT / "data"
FIXTURES_DIR = Path(__file__).resolve().parent / "shapes"

PPKG = Namespace("https://w3id.org/ppkg/ontology#")
PREFIXES = {"ppkg": str(PPKG), "sh": str(SH)}
EXPECT_LINE = re.compile(r"^#\s*expect:\s*(?P<shape>\S+)\s+(?P<component>\S+)\s*$")


class Result(NamedTuple):
    """One validation result, reduced to what the tests compare and print."""

    focus: Node
    shape: Node
    component: Node
    severity: Node
    value: Node | None
    message: str

    @property
    def key(self) -> tuple[Node, Node, Node, Node | None]:
        # sh:resultPath is left out on purpose: for a sequence or inverse path it is a fresh blank node per run.
        return (self.focus, self.shape, self.component, self.value)

    def __str__(self) -> str:
        return f"{_curie(self.shape)} {_curie(self.component)} on {self.focus} (value {self.value}): {self.message}"


# ---------------------------------------------------------------------------------------------------------------
# helpers (parsed graphs are cached for the whole module run)
# ---------------------------------------------------------------------------------------------------------------


def _curie(term: Node) -> str:
    for prefix, ns in PREFIXES.items():
        if isinstance(term, URIRef) and str(term).startswith(ns):
            return f"{prefix}:{str(term)[len(ns) :]}"
    return str(term)


def _expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES or not local:
        raise ValueError(f"cannot expand {curie!r}: use one of the prefixes {sorted(PREFIXES)}")
    return URIRef(PREFIXES[prefix] + local)


@cache
def shapes_by_file() -> dict[str, Graph]:
    return {name: Graph().parse(SHAPES_DIR / name, format="turtle") for name in SHAPE_FILES}


def vocab_files() -> list[Path]:
    return sorted(VOCAB_DIR.glob("*.ttl"))


def data_files() -> list[Path]:
    return sorted([*DATA_DIR.glob("*.trig"), *DATA_DIR.glob("*.ttl")])


def validate(data: Graph, shapes: Graph | None = None) -> list[Result]:
    """pySHACL's results on ``data`` (via ppkg's own runner), as comparable tuples."""
    return sorted(
        (
            Result(
                focus=_term(r.focus_node),
                shape=URIRef(r.source_shape) if r.source_shape else BNode(),
                component=URIRef(r.constraint or ""),
                severity=URIRef(r.severity),
                value=None if r.value is None else _term(r.value),
                message=r.message,
            )
            for r in run_shacl(data, shapes)
        ),
        key=str,
    )


def _term(text: str) -> Node:
    """Report text back to a term: ``_:id`` to a blank node, an IRI to URIRef, anything else to a literal."""
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text) if re.match(r"^[a-z][a-z0-9+.-]*:\S*$", text) else Literal(text)


@cache
def background_results() -> frozenset[tuple[Node, Node, Node, Node | None]]:
    return frozenset(result.key for result in validate(background_graph()))


@contextmanager
def extended(graph: Graph, triples: Iterable[tuple[Node, Node, Node]]) -> Iterator[Graph]:
    """The graph with the triples added for the duration of the block (the cached graphs are not copied)."""
    added = [triple for triple in set(triples) if triple not in graph]
    for triple in added:
        graph.add(triple)
    try:
        yield graph
    finally:
        for triple in added:
            graph.remove(triple)


def fixture_nodes(fixture: Graph) -> set[Node]:
    """The nodes a fixture describes or points at: its subjects and its non-literal objects."""
    return set(fixture.subjects()) | {o for o in fixture.objects() if isinstance(o, (URIRef, BNode))}


class FixtureRun(NamedTuple):
    results: list[Result]  # results on the fixture's nodes, minus those of the background alone
    targets: set[tuple[Node, Node]]  # (shape, node): which shape targets which node of the fixture


def run_fixture(path: Path, *, full: bool = False) -> FixtureRun:
    """Validate the fixture with the ontology and vocabularies, on the fixture's own nodes only.

    With ``full=True`` the whole data graph is validated with the real targets (slow; used to check the fast way).
    """
    fixture = Graph().parse(path, format="turtle")
    baseline = background_results()
    with extended(background_graph(), fixture) as data:
        targets = focus_targets(data, fixture_nodes(fixture))
        if full:
            results = validate(data)
        else:
            shapes, _targets = untargeted_shapes()
            with extended(shapes, targets) as focused:
                results = validate(data, focused)
    return FixtureRun(
        results=[result for result in results if result.key not in baseline],
        targets={(shape, node) for shape, _p, node in targets},
    )


def expected_pairs(path: Path) -> set[tuple[Node, Node]]:
    """The ``# expect: <shape> <component>`` lines of the fixture's leading comment block."""
    pairs: set[tuple[Node, Node]] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = EXPECT_LINE.match(line)
        if match:
            pairs.add((_expand(match["shape"]), _expand(match["component"])))
    return pairs


def node_shapes(graph: Graph) -> list[Node]:
    return sorted(set(graph.subjects(RDF.type, SH.NodeShape)), key=str)


def property_shapes(graph: Graph) -> list[Node]:
    found = set(graph.subjects(RDF.type, SH.PropertyShape)) | set(graph.objects(None, SH.property))
    return sorted(found, key=str)


def shape_family(graph: Graph, node_shape: Node) -> set[Node]:
    """A node shape, its property shapes and its SPARQL constraints: the shapes a fixture of it may name."""
    return {node_shape, *graph.objects(node_shape, SH.property), *graph.objects(node_shape, SH.sparql)}


def all_fixtures() -> list[Path]:
    return sorted(FIXTURES_DIR.glob("*/*/*.ttl"))


def _fixture_id(path: Path) -> str:
    return str(path.relative_to(FIXTURES_DIR).with_suffix(""))


def _lines(results: Iterable[Result]) -> str:
    return "\n".join(f"  {result}" for result in results) or "  (none)"


# ---------------------------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", all_fixtures(), ids=_fixture_id)
def test_fixture(path: Path) -> None:
    kind = path.parent.name
    assert kind in ("valid", "invalid"), f"{path}: fixtures live in a valid/ or invalid/ directory"
    shape = PPKG[path.parent.parent.name]
    results, targets = run_fixture(path)
    assert any(s == shape for s, _node in targets), f"{path}: no node of the fixture is a target of {_curie(shape)}"

    if kind == "valid":
        assert expected_pairs(path) == set(), f"{path}: a valid fixture must not declare '# expect:' lines"
        assert results == [], f"{path}: a valid fixture must produce no result, got:\n{_lines(results)}"
        return

    expected = expected_pairs(path)
    assert expected, f"{path}: an invalid fixture must start with '# expect: <shape> <component>' lines"
    graph = shapes_graph()
    assert any(pair[0] in shape_family(graph, shape) for pair in expected), (
        f"{path}: at least one expected result must come from {_curie(shape)} or one of its property shapes"
    )
    actual = {(result.shape, result.component) for result in results}

    def show(pairs: set[tuple[Node, Node]]) -> str:
        return ", ".join(sorted(f"{_curie(s)} {_curie(c)}" for s, c in pairs)) or "(none)"

    assert actual == expected, (
        f"{path}:\n  expected: {show(expected)}\n  actual:   {show(actual)}\n"
        f"  missing:  {show(expected - actual)}\n  extra:    {show(actual - expected)}\n"
        f"results:\n{_lines(results)}"
    )


@pytest.mark.parametrize(
    "name",
    [
        "CurriculumItemShape/invalid/blank-node-item",
        "TrainingTopicShape/invalid/broader-cycle",
        "LabelRecommendedShape/invalid/label-without-language",
        "TrainingCurriculumShape/invalid/curriculum-without-program",
    ],
)
def test_focused_validation_equals_full_validation(name: str) -> None:
    """On sample fixtures, validating only the fixture's nodes gives exactly the new results of a full run.

    The samples cover a blank-node focus node, a SHACL-SPARQL constraint, a ``sh:targetSubjectsOf`` target and an
    inverse path (a result on a node because of what points at it).
    """
    path = FIXTURES_DIR / f"{name}.ttl"
    full = run_fixture(path, full=True).results
    assert full, f"{name}: the sample should be an invalid fixture"

    def comparable(results: list[Result]) -> list[str]:
        # the fixture is parsed twice, so its blank nodes get new identifiers: compare them as "_:b"
        return sorted(
            str(result._replace(**{f: BNode("b") for f in ("focus", "value") if isinstance(getattr(result, f), BNode)}))
            for result in results
        )

    assert comparable(full) == comparable(run_fixture(path).results)


def test_every_node_shape_has_valid_and_invalid_fixtures() -> None:
    shape_names = {_curie(s).removeprefix("ppkg:") for s in node_shapes(shapes_graph())}
    problems = []
    for name in sorted(shape_names):
        for kind in ("valid", "invalid"):
            if not list((FIXTURES_DIR / name / kind).glob("*.ttl")):
                problems.append(f"{name}: no {kind} fixture in tests/shapes/{name}/{kind}/")
    directories = {p.name for p in FIXTURES_DIR.iterdir() if p.is_dir()} if FIXTURES_DIR.exists() else set()
    problems += [f"tests/shapes/{name}/ is not the name of a node shape" for name in sorted(directories - shape_names)]
    assert not problems, "\n".join(problems)


def test_expect_lines_name_existing_shapes_and_components() -> None:
    graph = shapes_graph()
    known_shapes = set(node_shapes(graph)) | set(property_shapes(graph))
    problems = []
    for path in all_fixtures():
        for shape, component in sorted(expected_pairs(path)):
            if shape not in known_shapes:
                problems.append(f"{_fixture_id(path)}: unknown shape {_curie(shape)}")
            if not str(component).startswith(str(SH)) or not str(component).endswith("ConstraintComponent"):
                problems.append(f"{_fixture_id(path)}: {_curie(component)} is not a SHACL constraint component")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------------------------
# the shapes themselves
# ---------------------------------------------------------------------------------------------------------------


def test_shapes_are_named_described_and_have_messages() -> None:
    problems = []
    for file_name, severity in SHAPE_FILES.items():
        graph = shapes_by_file()[file_name]
        suffix = "Shape" if severity == SH.Violation else "RecommendedShape"
        for shape in node_shapes(graph):
            label = _curie(shape)
            if isinstance(shape, BNode) or not label.startswith("ppkg:") or not label.endswith(suffix):
                problems.append(f"{file_name}: node shape {label} is not named ppkg:<Class>{suffix}")
            if graph.value(shape, SH.name) is None:
                problems.append(f"{file_name}: node shape {label} has no sh:name")
            if graph.value(shape, RDFS.comment) is None:
                problems.append(f"{file_name}: node shape {label} has no rdfs:comment")
            if graph.value(shape, SH.severity) != severity:
                problems.append(f"{file_name}: node shape {label} must have sh:severity {_curie(severity)}")
            prefix = label.removeprefix("ppkg:").removesuffix("Shape")
            for prop in graph.objects(shape, SH.property):
                plabel = _curie(prop)
                if isinstance(prop, BNode):
                    problems.append(f"{file_name}: {label} has a blank-node property shape")
                    continue
                if not re.fullmatch(rf"ppkg:{re.escape(prefix)}-[A-Za-z]+Shape", plabel):
                    problems.append(f"{file_name}: property shape {plabel} is not named ppkg:{prefix}-<property>Shape")
            for constraint in graph.objects(shape, SH.sparql):
                if isinstance(constraint, BNode) or graph.value(constraint, SH.message) is None:
                    problems.append(f"{file_name}: SPARQL constraint {_curie(constraint)} needs an IRI and sh:message")
        for prop in property_shapes(graph):
            plabel = _curie(prop)
            if graph.value(prop, SH.name) is None:
                problems.append(f"{file_name}: property shape {plabel} has no sh:name")
            if graph.value(prop, SH.message) is None:
                problems.append(f"{file_name}: property shape {plabel} has no sh:message")
            if graph.value(prop, SH.severity) != severity:
                problems.append(f"{file_name}: property shape {plabel} must have sh:severity {_curie(severity)}")
            if (prop, RDF.type, SH.PropertyShape) not in graph:
                problems.append(f"{file_name}: property shape {plabel} is not typed sh:PropertyShape")
    assert not problems, "\n".join(problems)


def test_shape_names_are_unique_across_files() -> None:
    core, recommended = (shapes_by_file()[name] for name in SHAPE_FILES)
    core_shapes = set(node_shapes(core)) | set(property_shapes(core))
    recommended_shapes = set(node_shapes(recommended)) | set(property_shapes(recommended))
    assert core_shapes.isdisjoint(recommended_shapes), sorted(map(_curie, core_shapes & recommended_shapes))


def test_shapes_graph_is_well_formed_shacl() -> None:
    """The shapes graph validates against the SHACL-for-SHACL shapes (pySHACL's meta-SHACL check)."""
    conforms, _report, text = pyshacl.validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True, advanced=True)
    assert conforms, text


# ---------------------------------------------------------------------------------------------------------------
# the shipped data
# ---------------------------------------------------------------------------------------------------------------


def test_shipped_data_has_no_violations() -> None:
    files = data_files()
    assert files, f"no data files in {DATA_DIR}"
    dataset = Dataset()
    for path in files:
        dataset.parse(path, format="trig" if path.suffix == ".trig" else "turtle")
    data = Graph()
    data += background_graph()
    for s, p, o, _graph in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    violations = [r for r in validate(data) if r.severity == SH.Violation]
    assert violations == [], f"{len(violations)} violations in the shipped data:\n{_lines(violations)}"
