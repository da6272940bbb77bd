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
* No property shape is a copy of another: a shape several node shapes use is written once, named after its
  property (``shapes:labelShape``), and shared; a ``shapes:<Class>-<property>Shape`` belongs to one node shape.
* The shapes agree with the ontology: ``sh:class``/``sh:datatype`` on a ppkg: property is its ``rdfs:range``, and
  a property shape sits only on node shapes of classes in the property's ``rdfs:domain``.
* The tables of ``shapes/README.md`` are generated from the shapes (``python tests/test_shapes.py``).
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
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from ppkg.validation.shacl import focus_targets, run_shacl, shapes_graph, untargeted_shapes
from ppkg.validation.shacl import vocabulary_graph as background_graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
# file -> severity of its shapes
SHAPE_FILES = {"core.ttl": SH.Violation, "recommended.ttl": SH.Warning, "corrections.ttl": SH.Violation}
ONTOLOGY_FILE = ROOT / "ontology" / "ppkg.ttl"
VOCAB_DIR = ROOT / "ontology" / "vocab"
DATA_DIR = ROOT / "data"
FIXTURES_DIR = Path(__file__).resolve().parent / "shapes"

PPKG = Namespace("https://w3id.org/ppkg/ontology#")
SHAPES = Namespace("https://w3id.org/ppkg/shapes#")
PREFIXES = {
    "shapes": str(SHAPES),
    "ppkg": str(PPKG),
    "sh": str(SH),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
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
    shape = SHAPES[path.parent.parent.name]
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
    shape_names = {_curie(s).removeprefix("shapes:") for s in node_shapes(shapes_graph())}
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
    """Names say what a shape is for: ``shapes:<Class>Shape`` for a node shape, ``shapes:<Class>-<property>Shape``
    for a property shape of that node shape only, ``shapes:<property>Shape`` for a property shape several node
    shapes share (``…RecommendedShape`` in ``recommended.ttl``)."""
    problems = []
    users: dict[Node, set[Node]] = {}  # property shape -> the node shapes that use it, in any file
    for graph in shapes_by_file().values():
        for shape in node_shapes(graph):
            for prop in graph.objects(shape, SH.property):
                users.setdefault(prop, set()).add(shape)
    for file_name, severity in SHAPE_FILES.items():
        graph = shapes_by_file()[file_name]
        suffix = "Shape" if severity == SH.Violation else "RecommendedShape"
        for shape in node_shapes(graph):
            label = _curie(shape)
            if isinstance(shape, BNode) or not re.fullmatch(rf"shapes:[A-Z][A-Za-z]*{suffix}", label):
                problems.append(f"{file_name}: node shape {label} is not named shapes:<Class>{suffix}")
            if graph.value(shape, SH.name) is None:
                problems.append(f"{file_name}: node shape {label} has no sh:name")
            if graph.value(shape, RDFS.comment) is None:
                problems.append(f"{file_name}: node shape {label} has no rdfs:comment")
            if graph.value(shape, SH.severity) != severity:
                problems.append(f"{file_name}: node shape {label} must have sh:severity {_curie(severity)}")
            prefix = label.removeprefix("shapes:").removesuffix("Shape")
            for prop in graph.objects(shape, SH.property):
                plabel = _curie(prop)
                if isinstance(prop, BNode):
                    problems.append(f"{file_name}: {label} has a blank-node property shape")
                elif not re.fullmatch(rf"shapes:({re.escape(prefix)}-[A-Za-z]+Shape|[a-z][A-Za-z]*{suffix})", plabel):
                    problems.append(
                        f"{file_name}: property shape {plabel} of {label} is not named shapes:{prefix}-<property>Shape "
                        f"(its own) or shapes:<property>{suffix} (shared)"
                    )
            for constraint in graph.objects(shape, SH.sparql):
                if isinstance(constraint, BNode) or graph.value(constraint, SH.message) is None:
                    problems.append(f"{file_name}: SPARQL constraint {_curie(constraint)} needs an IRI and sh:message")
        for prop, shapes in sorted(users.items(), key=lambda item: str(item[0])):
            if prop not in property_shapes(graph):
                continue
            shared = "-" not in _curie(prop)
            if shared and len(shapes) < 2:
                problems.append(f"{file_name}: {_curie(prop)} is used by one node shape only: name it <Class>-<prop>")
            if not shared and len(shapes) > 1:
                names = ", ".join(sorted(map(_curie, shapes)))
                problems.append(f"{file_name}: {_curie(prop)} is shared by {names}: name it after its property")
        for prop in property_shapes(graph):
            if (prop, RDF.type, SH.PropertyShape) not in graph and prop in defined_elsewhere(file_name):
                continue  # a shared shape of another file (shapes:labelShape of core.ttl)
            plabel = _curie(prop)
            if prop not in users:
                problems.append(f"{file_name}: property shape {plabel} is not used by any node shape")
            if graph.value(prop, SH.name) is None:
                problems.append(f"{file_name}: property shape {plabel} has no sh:name")
            if graph.value(prop, SH.message) is None:
                problems.append(f"{file_name}: property shape {plabel} has no sh:message")
            if graph.value(prop, SH.severity) != severity:
                problems.append(f"{file_name}: property shape {plabel} must have sh:severity {_curie(severity)}")
            if (prop, RDF.type, SH.PropertyShape) not in graph:
                problems.append(f"{file_name}: property shape {plabel} is not typed sh:PropertyShape")
    assert not problems, "\n".join(problems)


def defined_elsewhere(file_name: str) -> set[Node]:
    """The property shapes the other shapes files define."""
    return {
        shape
        for other, graph in shapes_by_file().items()
        if other != file_name
        for shape in graph.subjects(RDF.type, SH.PropertyShape)
    }


def test_no_property_shape_is_a_copy_of_another() -> None:
    """Two property shapes that differ only in their name and message are one shape, shared (see core.ttl)."""
    graph = shapes_graph()
    by_constraints: dict[frozenset[tuple[Node, Node, Node]], list[str]] = {}
    for prop in property_shapes(graph):
        by_constraints.setdefault(_constraints(graph, prop), []).append(_curie(prop))
    copies = [sorted(names) for names in by_constraints.values() if len(names) > 1]
    assert not copies, f"property shapes that are copies of each other: {sorted(copies)}"


def _constraints(graph: Graph, shape: Node) -> frozenset[tuple[Node, Node, Node]]:
    """What a shape checks: its triples (and those of its blank nodes: lists, ``sh:or`` members), in canonical
    form, without its name and message."""
    described = Graph()
    root = BNode("shape")

    def copy(node: Node, top: bool) -> None:
        for predicate, value in graph.predicate_objects(node):
            if top and predicate in (SH.name, SH.message):
                continue
            described.add((root if node == shape else node, predicate, value))
            if isinstance(value, BNode):
                copy(value, False)

    copy(shape, True)
    return frozenset(to_canonical_graph(described))


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


def _path_property(graph: Graph, shape: Node) -> tuple[Node, bool] | None:
    """The ppkg: property a property shape follows and whether it follows it backwards; None for other paths."""
    path = graph.value(shape, SH.path)
    inverse = graph.value(path, SH.inversePath) if isinstance(path, BNode) else None
    prop = inverse if inverse is not None else path
    if isinstance(prop, URIRef) and str(prop).startswith(str(PPKG)):
        return prop, inverse is not None
    return None


def _values(graph: Graph, shape: Node, parameter: Node) -> set[Node]:
    """The values of ``parameter`` on a shape and on the members of its ``sh:or``."""
    found = set(graph.objects(shape, parameter))
    for members in graph.objects(shape, SH["or"]):
        for member in graph.items(members):
            found |= set(graph.objects(member, parameter))
    return found


# sh:datatype matches a literal's datatype exactly, and Turtle writes 30 as an xsd:integer; an xsd:integer is an
# xsd:decimal value (its XSD derivation), so a shape for a decimal-ranged property may also accept xsd:integer.
XSD_DECIMAL, XSD_INTEGER = (URIRef(f"http://www.w3.org/2001/XMLSchema#{name}") for name in ("decimal", "integer"))
DERIVED_DATATYPES = {XSD_DECIMAL: {XSD_INTEGER}}


def test_property_shapes_check_the_range_the_ontology_declares() -> None:
    """``sh:class``/``sh:datatype`` of a property shape on a ppkg: property equal that property's ``rdfs:range``
    (for an inverse path ``^ppkg:p``: its ``rdfs:domain``): the shapes never say something else than the ontology.

    No subclass of a range is accepted instead of the range: where a shape must be narrower (a rating's level of
    its own scale), it says so with another constraint. Properties without a range (``ppkg:evidenceFor``,
    ``ppkg:resourceFor``) may be checked with ``sh:or`` of classes."""
    onto, graph = ontology(), shapes_graph()
    problems = []
    for shape in property_shapes(graph):
        found = _path_property(graph, shape)
        if found is None:
            continue
        prop, inverse = found
        kinds = set(onto.objects(prop, RDF.type))
        if not kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            problems.append(f"{_curie(shape)}: {_curie(prop)} is not a property of the ontology")
            continue
        expected = onto.value(prop, RDFS.domain if inverse else RDFS.range)
        if expected is None:
            continue
        classes, datatypes = _values(graph, shape, SH["class"]), _values(graph, shape, SH.datatype)
        if OWL.ObjectProperty in kinds or inverse:
            problems += [f"{_curie(shape)}: sh:datatype on an object property {_curie(prop)}" for _ in datatypes]
            problems += [
                f"{_curie(shape)}: sh:class {_curie(c)}, but {_curie(prop)} has "
                f"{'rdfs:domain' if inverse else 'rdfs:range'} {_curie(expected)}"
                for c in sorted(classes - {expected}, key=str)
            ]
        else:
            problems += [f"{_curie(shape)}: sh:class on a datatype property {_curie(prop)}" for _ in classes]
            allowed = {expected, *DERIVED_DATATYPES.get(expected, set())}
            problems += [
                f"{_curie(shape)}: sh:datatype {_curie(d)}, but {_curie(prop)} has rdfs:range {_curie(expected)}"
                for d in sorted(datatypes - allowed, key=str)
            ]
            if datatypes and expected not in datatypes:
                problems.append(f"{_curie(shape)}: does not accept {_curie(expected)}, the range of {_curie(prop)}")
    assert not problems, "\n".join(problems)


def test_property_shapes_sit_on_classes_of_the_property_domain() -> None:
    """A property shape on ppkg:p belongs to node shapes of classes in ``rdfs:domain`` of p (its range for ``^p``)."""
    onto, graph = ontology(), shapes_graph()
    problems = []
    for node_shape in node_shapes(graph):
        for target in graph.objects(node_shape, SH.targetClass):
            superclasses = set(onto.transitive_objects(target, RDFS.subClassOf))
            for shape in graph.objects(node_shape, SH.property):
                found = _path_property(graph, shape)
                if found is None:
                    continue
                prop, inverse = found
                expected = onto.value(prop, RDFS.range if inverse else RDFS.domain)
                if expected is not None and expected not in superclasses:
                    problems.append(
                        f"{_curie(node_shape)} (class {_curie(target)}) uses {_curie(shape)}, but {_curie(prop)} has "
                        f"{'rdfs:range' if inverse else 'rdfs:domain'} {_curie(expected)}"
                    )
    assert not problems, "\n".join(problems)


# ppkg: properties no core shape checks, and why
UNCHECKED_PROPERTIES = {
    "hasEvidenceRating": "the inverse of ppkg:ratedProgram, left to inference: the data never states it",
    "statedBy": "no range: a source credits an organization or a resource with a statement",
}


def test_every_ontology_property_is_checked_by_a_core_shape() -> None:
    onto, core = ontology(), shapes_by_file()["core.ttl"]
    declared = {
        str(p).removeprefix(str(PPKG))
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in onto.subjects(RDF.type, kind)
        if str(p).startswith(str(PPKG))
    }
    found = (_path_property(core, shape) for shape in property_shapes(core))
    checked = {str(prop).removeprefix(str(PPKG)) for prop, _inverse in filter(None, found)}
    assert declared - checked == set(UNCHECKED_PROPERTIES), sorted((declared - checked) ^ set(UNCHECKED_PROPERTIES))


def test_shape_names_are_unique_across_files() -> None:
    defined_in: dict[Node, list[str]] = {}
    for file_name, graph in shapes_by_file().items():
        for shape in {*graph.subjects(RDF.type, SH.NodeShape), *graph.subjects(RDF.type, SH.PropertyShape)}:
            defined_in.setdefault(shape, []).append(file_name)
    twice = {_curie(shape): files for shape, files in defined_in.items() if len(files) > 1}
    assert not twice, twice


def test_shapes_graph_is_well_formed_shacl() -> None:
    """The shapes graph validates against the SHACL-for-SHACL shapes (pySHACL's meta-SHACL check)."""
    conforms, _report, text = pyshacl.validate(Graph(), shacl_graph=shapes_graph(), meta_shacl=True, advanced=True)
    assert conforms, text


# ---------------------------------------------------------------------------------------------------------------
# the tables of shapes/README.md (`python tests/test_shapes.py` rewrites them)
# ---------------------------------------------------------------------------------------------------------------

README = SHAPES_DIR / "README.md"
TABLES_HEADING = "## Every shape"


def shapes_tables() -> str:
    """The "Every shape" section of ``shapes/README.md``, from the shapes files."""
    out = [
        TABLES_HEADING,
        "",
        "Generated from the shapes files (`python tests/test_shapes.py` rewrites this section, and a test checks that",
        "it is current): the `rdfs:comment` of each node shape and the `sh:message` of each property shape. In each",
        "file, the shared property shapes come first, with the node shapes that use them; then each node shape (in",
        "bold) with the property shapes it alone has.",
    ]
    users: dict[Node, list[Node]] = {}  # property shape -> node shapes that use it, in any file
    for graph in shapes_by_file().values():
        for node in node_shapes(graph):
            for prop in graph.objects(node, SH.property):
                users.setdefault(prop, []).append(node)
    shared = {prop for prop, used_by in users.items() if len(used_by) > 1}
    for file_name, severity in SHAPE_FILES.items():
        graph = shapes_by_file()[file_name]
        defined = set(graph.subjects(RDF.type, SH.PropertyShape))
        out += ["", f"### `{file_name}` ({_curie(severity).removeprefix('sh:')})", ""]
        if shared & defined:
            out += [
                "#### Shared property shapes",
                "",
                "| shape | path | what it checks | used by |",
                "|---|---|---|---|",
            ]
            for prop in sorted(shared & defined, key=str):
                used_by = ", ".join(f"`{_name(graph, n)}`" for n in sorted(users[prop], key=str))
                checks = _cell(graph, prop, SH.message)
                out.append(f"| `{_name(graph, prop)}` | {_path_text(graph, prop)} | {checks} | {used_by} |")
            out += ["", "#### Node shapes", ""]
        out += ["| shape | target / path | what it checks |", "|---|---|---|"]
        for node in node_shapes(graph):
            own = sorted((p for p in graph.objects(node, SH.property) if p not in shared), key=str)
            out.append(f"| **`{_name(graph, node)}`** | {_targets(graph, node)} | {_node_text(graph, node, shared)} |")
            out += [f"| `{_name(graph, p)}` | {_path_text(graph, p)} | {_cell(graph, p, SH.message)} |" for p in own]
    return "\n".join(out) + "\n"


def _name(graph: Graph, term: Node) -> str:
    return graph.namespace_manager.normalizeUri(term) if isinstance(term, URIRef) else str(term)


def _cell(graph: Graph, subject: Node, predicate: Node) -> str:
    return " ".join(str(graph.value(subject, predicate) or "").split()).replace("|", "\\|")


def _path_text(graph: Graph, shape: Node) -> str:
    path = graph.value(shape, SH.path)
    if isinstance(path, URIRef):
        return f"`{_name(graph, path)}`"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"`^{_name(graph, inverse)}`"
    return "`" + " / ".join(_name(graph, step) for step in graph.items(path)) + "`"


def _targets(graph: Graph, node: Node) -> str:
    classes = sorted(_name(graph, c) for c in graph.objects(node, SH.targetClass))
    subjects = sorted(_name(graph, p) for p in graph.objects(node, SH.targetSubjectsOf))
    return "; ".join([*(f"class {c}" for c in classes), *([f"subjects of {', '.join(subjects)}"] if subjects else [])])


def _node_text(graph: Graph, node: Node, shared: set[Node]) -> str:
    text = _cell(graph, node, RDFS.comment)
    iri = re.search(r"IRI of the form (\S+(?: \(or [^)]*\))?)", _cell(graph, node, SH.message))
    if iri:
        text += f" IRI: `{iri[1].rstrip(',')}`."
    for constraint in sorted(graph.objects(node, SH.sparql), key=str):
        text += f" SPARQL constraint `{_name(graph, constraint)}`: {_cell(graph, constraint, RDFS.label)}."
    uses = sorted(_name(graph, p) for p in graph.objects(node, SH.property) if p in shared)
    if uses:
        text += " Shared: " + ", ".join(f"`{u}`" for u in uses) + "."
    return text


def _readme_parts() -> tuple[str, str]:
    text = README.read_text(encoding="utf-8")
    head, heading, tables = text.partition(f"\n{TABLES_HEADING}\n")
    assert heading, f"{README} has no '{TABLES_HEADING}' section"
    return head + "\n", heading.lstrip("\n") + tables


def test_readme_tables_are_current() -> None:
    assert _readme_parts()[1] == shapes_tables(), "shapes/README.md is stale: run `python tests/test_shapes.py`"


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


if __name__ == "__main__":  # rewrite the tables of shapes/README.md
    README.write_text(_readme_parts()[0] + shapes_tables(), encoding="utf-8")
    print(f"wrote {README}")
