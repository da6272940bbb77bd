"""One-off probes behind the findings in README.md: where the time of a slow ppkg operation goes.

``python benchmarks/probes.py PROBE --programs N`` generates N synthetic programs (plus the shipped data) in a
temporary directory and runs one probe, single runs, printed as it goes:

* ``load``: ``ppkg.load`` on Oxigraph split into strict parsing and ``merge_default_graph``;
* ``label-index``: rdflib's label index (the first ``kg.run`` on ``engine="rdflib"``) without a time limit;
* ``query``: ``kg.run`` of programs-by-training-topic against the same query read raw from pyoxigraph;
* ``shacl``: full validation with all shapes, then without each SHACL-SPARQL constraint, then without all three.

These are diagnostics, not benchmarks: no repeats, no medians.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import SH

import generate
import ppkg
from ppkg.query.engines import OxigraphEngine
from ppkg.rdf.datadir import graph_files
from ppkg.rdf.io import load_into
from ppkg.rdf.namespaces import PREFIXES
from ppkg.rdf.terms import to_ox
from ppkg.validation.context import existing_graph
from ppkg.validation.shacl import run_shacl, shapes_graph, vocabulary_graph

T = TypeVar("T")
QUERY = "programs-by-training-topic"
TOPIC = "child welfare system knowledge"
PPKG = "https://w3id.org/ppkg/ontology#"
SPARQL_CONSTRAINTS = (
    "Program-uniqueNameConstraint",
    "TrainingCurriculum-uniquePositionConstraint",
    "TrainingTopic-noCycleConstraint",
)


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` once and print how long it took."""
    start = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - start:.2f} s", flush=True)
    return result


def parse_all(data_dir: Path) -> ox.Store:
    """Every file ``ppkg.load`` reads, parsed into a fresh store as ppkg parses them (no merge)."""
    store = ox.Store()
    for f in graph_files(data_dir):
        load_into(store, f.path, f.graph)
    return store


def probe_load(data_dir: Path) -> None:
    """ppkg's Oxigraph load, and its two parts."""
    timed("ppkg.load(...) + kg.engine", lambda: ppkg.load(data_dir=data_dir).engine)
    store = timed("strict parse of every file (rdfio.load_into)", lambda: parse_all(data_dir))
    print(f"  quads after parsing: {len(store):,}")
    timed("OxigraphEngine.merge_default_graph()", OxigraphEngine(store).merge_default_graph)
    print(f"  quads after the merge: {len(store):,}")


def probe_label_index(data_dir: Path) -> None:
    """rdflib's label index, however long it takes."""
    kg = ppkg.load(data_dir=data_dir, engine="rdflib")
    timed("rdflib load", lambda: kg.engine)
    index = timed("rdflib label index (kg.labels)", lambda: kg.labels)
    print(f"  entities indexed: {sum(len(m) for m in index.members.values()):,}")


def probe_query(data_dir: Path) -> None:
    """A catalogued query through ``kg.run`` against the same SPARQL read raw from pyoxigraph (no conversion)."""
    kg = ppkg.load(data_dir=data_dir, timeout=None)
    engine = kg.engine
    assert isinstance(engine, OxigraphEngine)
    spec = kg.catalogue.get(QUERY)
    bindings = kg.bind(spec, {"topic": TOPIC})
    substitutions = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}

    def raw() -> int:
        solutions = engine.store.query(spec.text, prefixes=PREFIXES, substitutions=substitutions)  # type: ignore[arg-type]
        assert isinstance(solutions, ox.QuerySolutions)
        values = 0
        for solution in solutions:
            values += sum(1 for _ in solution)
        return values

    for _ in range(2):  # the second round is the warm one
        timed(f"pyoxigraph store.query, solutions read, no conversion ({raw()} values)", raw)
        timed(
            f"kg.run({QUERY!r}, topic={TOPIC!r}) ({len(kg.run(QUERY, topic=TOPIC).rows)} rows)",
            lambda: kg.run(QUERY, topic=TOPIC),
        )


def without_constraints(names: Sequence[str]) -> Graph:
    """The shipped shapes minus the ``sh:sparql`` links to the named constraints."""
    shapes = Graph()
    shapes += shapes_graph()
    for name in names:
        shapes.remove((None, SH.sparql, URIRef(PPKG + name)))
    return shapes


def probe_shacl(data_dir: Path) -> None:
    """Full validation, then without each SHACL-SPARQL constraint, then without all of them."""
    merged = Graph()
    merged += vocabulary_graph()
    merged += existing_graph(data_dir)
    run_shacl(Graph())  # warm-up: imports pyshacl
    timed("all shapes", lambda: run_shacl(merged))
    for name in SPARQL_CONSTRAINTS:
        shapes = without_constraints([name])
        timed(f"without {name}", partial(run_shacl, merged, shapes))
    shapes = without_constraints(SPARQL_CONSTRAINTS)
    timed("without all three SPARQL constraints", partial(run_shacl, merged, shapes))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description="Diagnostic probes for ppkg's slow paths (single runs).")
    parser.add_argument("probe", choices=("load", "label-index", "query", "shacl"))
    parser.add_argument("--programs", type=int, default=1000, help="synthetic programs (default 1000)")
    parser.add_argument("--seed", type=int, default=generate.SEED)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate the data and run one probe."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ppkg-probe-") as tmp:
        data_dir = Path(tmp) / "data"
        generate.write_synthetic(args.programs, data_dir, args.seed)
        generate.copy_shipped_data(data_dir)
        print(f"{args.probe}, {args.programs:,} programs:", flush=True)
        if args.probe == "load":
            probe_load(data_dir)
        elif args.probe == "label-index":
            probe_label_index(data_dir)
        elif args.probe == "query":
            probe_query(data_dir)
        else:
            probe_shacl(data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
