"""Benchmarks for ppkg: loading, catalogued queries and contribution validation, on synthetic data.

``python benchmarks/run.py [--sizes 100,1000] [--repeat 5] [--out benchmarks/results/latest.json]``

Each size runs in one fresh Python process (``--in-process``: all sizes in this one), which generates
``size`` synthetic programs (``generate.py``) into a data directory together with a copy of the shipped
data, warms up (imports, shapes, SPARQL parsers, on the shipped graph) and then times
(``time.perf_counter``, median of the repeats):

* **load**: ``ppkg.load(data_dir=…, engine=…, timeout=None)`` plus the first access of ``kg.engine`` (ppkg
  loads lazily), Oxigraph against rdflib (the baseline). ``timeout=None`` runs queries in the calling
  thread, so a stopped rdflib query really stops instead of running on in ppkg's query thread;
* **label index**: the first catalogued query of a graph also builds its label index; timed once per engine
  and stopped after ``--label-limit`` seconds (rdflib's then borrows the one Oxigraph built);
* **queries**: three catalogued queries through ``kg.run``, Oxigraph against rdflib (the baseline); above
  ``--rdflib-query-max`` programs an rdflib query is stopped after ``--rdflib-query-limit`` seconds and
  reported as skipped;
* **validation**: ``validate_contribution(contribution, existing)`` for one extra program, with ``existing``
  as an Oxigraph ``StoreView`` (what ``ppkg contribute`` uses) and as an rdflib ``Graph``, against
  ``validate_graph(existing + contribution)`` (the baseline); full validation is skipped above
  ``--full-max`` programs. Reading the existing data (either way) and the phases of one contribution
  check are timed once, apart.

A measurement stops repeating once its runs add up to more than ``--budget`` seconds (the run count is
reported). The ratio is baseline ÷ candidate: how many times faster the candidate is. Results are printed as
Markdown tables and written as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from rdflib import BNode, Graph, URIRef

import generate
import ppkg
from ppkg.query.names import LabelIndex
from ppkg.rdf import shipped
from ppkg.validation.context import (
    StoreView,
    context_of,
    contribution_nodes,
    existing_graph,
    existing_store,
    validate_contribution,
)
from ppkg.validation.shacl import validate_graph

T = TypeVar("T")

QUERIES: tuple[tuple[str, dict[str, str]], ...] = (
    ("programs-by-training-topic", {"topic": "child welfare system knowledge"}),
    ("programs-by-rating", {"rating": "promising"}),
    ("common-training-topics", {}),
)
"""Catalogued queries and their parameters; those missing from ``queries/`` are left out."""

ENGINES = ("oxigraph", "rdflib")
TASK_FULL = "validation: full, validate_graph(existing + contribution)"
TASK_CONTRIBUTION_VIEW = "validation: validate_contribution, existing as StoreView (as ppkg contribute)"
TASK_CONTRIBUTION_GRAPH = "validation: validate_contribution, existing as rdflib Graph"
PACKAGES = ("rdflib", "pyoxigraph", "pyshacl", "owlrl", "ppkg")


class TimeLimitExceeded(BaseException):
    """Raised by SIGALRM inside a timed call (a BaseException, so no ``except Exception`` swallows it)."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (pure-Python code only: rdflib and pyshacl, not Oxigraph)."""
    if not seconds:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Measurement:
    """The timings of one task at one size, or why it was skipped."""

    size: int
    group: str
    task: str
    variant: str
    times: list[float] = field(default_factory=list)
    rows: int | None = None
    skipped: str | None = None
    note: str | None = None

    @property
    def median(self) -> float | None:
        """Median of the runs (``None`` when skipped or never completed)."""
        return statistics.median(self.times) if self.times and not self.skipped else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the median."""
        return {**asdict(self), "median": self.median, "runs": len(self.times)}


@dataclass(frozen=True)
class Settings:
    """Command-line settings."""

    sizes: tuple[int, ...]
    repeat: int
    budget: float
    full_max: int
    rdflib_query_max: int
    rdflib_query_limit: float
    label_limit: float
    out: Path
    workdir: Path | None
    seed: int


@dataclass
class SizeResult:
    """Everything measured at one size."""

    size: int
    data_triples: int
    elapsed: float
    measurements: list[Measurement]
    ppkg_version: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "size": self.size,
            "data_triples": self.data_triples,
            "elapsed_seconds": round(self.elapsed, 1),
            "ppkg_version": self.ppkg_version,
            "measurements": [m.as_dict() for m in self.measurements],
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> SizeResult:
        """Read back what :meth:`as_dict` wrote."""
        names = {f.name for f in fields(Measurement)}
        measurements = [Measurement(**{k: v for k, v in m.items() if k in names}) for m in doc["measurements"]]
        return cls(doc["size"], doc["data_triples"], doc["elapsed_seconds"], measurements, doc["ppkg_version"])


# -- timing -------------------------------------------------------------------------------------------------


def repeat_timed(
    fn: Callable[[], T], repeat: int, budget: float, limit: float | None = None
) -> tuple[list[float], T | None, str | None]:
    """Run ``fn`` up to ``repeat`` times (fewer once the runs pass ``budget`` s), each stopped after ``limit`` s.

    Garbage from the previous run is collected outside the timing. Returns the times, the last result and,
    if a run hit ``limit``, why.
    """
    times: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        try:
            with time_limit(limit):
                result = fn()
        except TimeLimitExceeded:
            return times, None, f"stopped after {limit:g} s (> {limit:g} s)"
        times.append(time.perf_counter() - start)
        if sum(times) > budget:
            break
    return times, result, None


def format_seconds(value: float | None) -> str:
    """A duration with a sensible unit."""
    if value is None:
        return "–"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


# -- data ---------------------------------------------------------------------------------------------------


def prepare_data(size: int, root: Path, seed: int) -> tuple[Path, Path]:
    """A data directory with the shipped data and ``size`` synthetic programs, and a contribution file."""
    data_dir = root / f"programs-{size}"
    generate.write_synthetic(size, data_dir, seed)
    generate.copy_shipped_data(data_dir)
    contribution = generate.write_contribution(root / "contribution.ttl", seed)
    return data_dir, contribution


def available_queries() -> list[tuple[str, dict[str, str]]]:
    """The benchmark queries that exist in the shipped catalogue."""
    return [(name, params) for name, params in QUERIES if (shipped.queries_dir() / f"{name}.rq").is_file()]


# -- benchmarks ---------------------------------------------------------------------------------------------


def bench_load(size: int, data_dir: Path, engine: str, cfg: Settings) -> tuple[Measurement, ppkg.KnowledgeGraph]:
    """Time ``ppkg.load`` + the engine's first use; return the measurement and the last graph loaded."""

    def load() -> ppkg.KnowledgeGraph:
        kg = ppkg.load(data_dir=data_dir, engine=engine, timeout=None)  # no query thread: SIGALRM can stop rdflib
        kg.engine  # noqa: B018 -- the engine is built lazily; this forces parsing and indexing
        return kg

    times, kg, _ = repeat_timed(load, cfg.repeat, cfg.budget)
    assert kg is not None
    return Measurement(size, "load", "load", engine, times), kg


def query_limit(size: int, engine: str, cfg: Settings) -> float | None:
    """The per-run time limit: only for rdflib above ``--rdflib-query-max`` programs."""
    return cfg.rdflib_query_limit if engine == "rdflib" and size > cfg.rdflib_query_max else None


def bench_label_index(size: int, kg: ppkg.KnowledgeGraph, cfg: Settings) -> Measurement:
    """Time building the label index (what the first ``kg.run`` of a graph adds), once, within ``--label-limit``."""
    times, _, skipped = repeat_timed(lambda: kg.labels, 1, cfg.budget, cfg.label_limit)
    return Measurement(size, "query", "label index (first kg.run)", kg.engine_name, times, skipped=skipped)


def bench_query(size: int, kg: ppkg.KnowledgeGraph, name: str, params: dict[str, str], cfg: Settings) -> Measurement:
    """Time one catalogued query through ``kg.run`` (every row read)."""
    task = name + "".join(f" ({v})" for v in params.values())
    times, rows, skipped = repeat_timed(
        lambda: len(kg.run(name, **params).rows), cfg.repeat, cfg.budget, query_limit(size, kg.engine_name, cfg)
    )
    return Measurement(size, "query", task, kg.engine_name, times, rows=rows, skipped=skipped)


def bench_engines(size: int, data_dir: Path, cfg: Settings) -> list[Measurement]:
    """Load and query on both engines.

    The label index only turns parameter values into IRIs and is the same on both engines: when rdflib's
    did not finish within the limit, rdflib's graph is given the one Oxigraph built, so its queries can run.
    """
    results: list[Measurement] = []
    shared: LabelIndex | None = None
    for engine in ENGINES:
        load, kg = bench_load(size, data_dir, engine, cfg)
        results.append(report(load))
        labels = report(bench_label_index(size, kg, cfg))
        results.append(labels)
        if labels.skipped:
            if shared is None:
                continue
            kg.labels = shared
            labels.note = "queries below use the label index built by Oxigraph"
        shared = shared or kg.labels
        results += [report(bench_query(size, kg, name, params, cfg)) for name, params in available_queries()]
        del kg
        gc.collect()
    return results


def timed_once(
    size: int, task: str, fn: Callable[[], T], count: Callable[[T], int], note: str
) -> tuple[Measurement, T]:
    """Time one call of a setup step; ``count`` says how big its result is (reported as ``note``)."""
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    return report(Measurement(size, "setup", task, "-", [elapsed], rows=count(result), note=note)), result


def _quads(view: StoreView) -> int:
    return len(view.store)


def bench_contribution_phases(size: int, contribution: Graph, view: StoreView) -> list[Measurement]:
    """Time the parts of one contribution check that look into the existing graph."""
    start = time.perf_counter()
    nodes = contribution_nodes(contribution) | view.same_named(contribution)
    linked = {o for o in contribution.objects() if isinstance(o, (URIRef, BNode))}
    found = time.perf_counter()
    context = context_of(view, nodes | linked)
    done = time.perf_counter()
    phases = [
        ("contribution phase: contribution_nodes + same_named", found - start, len(nodes), "nodes to check"),
        ("contribution phase: context_of", done - found, len(context), "context triples"),
    ]
    return [report(Measurement(size, "phase", task, "-", [t], rows=n, note=note)) for task, t, n, note in phases]


def bench_contribution(
    size: int, task: str, contribution: Graph, existing: Graph | StoreView, cfg: Settings
) -> Measurement:
    """Repeated ``validate_contribution(contribution, existing)``."""
    times, found, _ = repeat_timed(lambda: validate_contribution(contribution, existing), cfg.repeat, cfg.budget)
    assert found is not None
    rows = len(found.violations)
    return report(Measurement(size, "validation", task, "contribution", times, rows=rows, note="violations"))


def bench_validation(size: int, data_dir: Path, contribution_path: Path, cfg: Settings) -> list[Measurement]:
    """Contribution checks against full validation of the same data (full skipped above ``--full-max``).

    The contribution check is timed with the existing graph as an Oxigraph :class:`StoreView` (what
    ``ppkg validate FILE`` and ``ppkg contribute`` pass) and as an rdflib graph (which it copies into
    Oxigraph on every call). Reading the existing graph either way is timed once, apart.
    """
    contribution = Graph().parse(contribution_path, format="turtle")
    store_read, view = timed_once(
        size, "read existing data: contributions.existing_store", lambda: existing_store(data_dir), _quads, "quads"
    )
    results = [store_read, bench_contribution(size, TASK_CONTRIBUTION_VIEW, contribution, view, cfg)]
    results += bench_contribution_phases(size, contribution, view)
    del view
    graph_read, existing = timed_once(
        size, "read existing data: contributions.existing_graph", lambda: existing_graph(data_dir), len, "data triples"
    )
    results += [graph_read, bench_contribution(size, TASK_CONTRIBUTION_GRAPH, contribution, existing, cfg)]
    results.append(report(bench_full_validation(size, existing, contribution, cfg)))
    return results


def bench_full_validation(size: int, existing: Graph, contribution: Graph, cfg: Settings) -> Measurement:
    """``validate_graph(existing + contribution)``, or why it was skipped."""
    if size > cfg.full_max:
        reason = f"skipped: above {cfg.full_max} programs full validation takes many minutes"
        return Measurement(size, "validation", TASK_FULL, "full", skipped=reason)
    merged = Graph()
    merged += existing
    merged += contribution
    times, full, _ = repeat_timed(lambda: validate_graph(merged), cfg.repeat, cfg.budget)
    assert full is not None
    return Measurement(size, "validation", TASK_FULL, "full", times, rows=len(full.violations), note="violations")


def warm_up() -> None:
    """Import and cache what the first timed call would otherwise pay for (pyshacl, shapes, SPARQL parsers)."""
    validate_graph(Graph())
    for engine in ENGINES:
        kg = ppkg.load(engine=engine, timeout=None)
        for name, params in available_queries():
            kg.run(name, **params)


# -- reporting ----------------------------------------------------------------------------------------------


def report(m: Measurement) -> Measurement:
    """Print one measurement as it is made (stderr) and return it."""
    what = m.skipped or f"{format_seconds(m.median)} (n={len(m.times)})"
    extra = f", {m.rows:,} {m.note or 'rows'}" if m.rows is not None else ""
    print(f"  [{m.size:>6} programs] {m.task} / {m.variant}: {what}{extra}", file=sys.stderr, flush=True)
    return m


def cell(m: Measurement | None) -> str:
    """A table cell: median, run count and rows, or why it was skipped."""
    if m is None:
        return "–"
    if m.median is None:
        return (m.skipped or "–") + (f"; {m.note}" if m.note else "")
    rows = f", {m.rows:,} {m.note or 'rows'}" if m.rows is not None else ""
    return f"{format_seconds(m.median)} (n={len(m.times)}{rows})"


def ratio(baseline: Measurement | None, candidate: Measurement | None) -> str:
    """baseline ÷ candidate, or '>' bound when the baseline was stopped at its limit, or '–'."""
    if candidate is None or candidate.median is None or baseline is None:
        return "–"
    if baseline.median is not None:
        return f"{baseline.median / candidate.median:,.1f}×"
    if baseline.skipped and baseline.skipped.startswith("stopped after"):
        limit = float(baseline.skipped.split()[2])
        return f"> {limit / candidate.median:,.0f}×"
    return "–"


def comparison_rows(results: list[Measurement]) -> list[tuple[int, str, Measurement, Measurement | None]]:
    """(size, task, candidate, baseline) for every compared measurement, in measurement order.

    Oxigraph is compared with rdflib on the same task; each contribution check with the full validation.
    """
    index = {(m.size, m.task, m.variant): m for m in results}
    rows = []
    for m in results:
        if m.variant == "oxigraph":
            rows.append((m.size, m.task, m, index.get((m.size, m.task, "rdflib"))))
        elif m.variant == "contribution":
            rows.append((m.size, m.task, m, index.get((m.size, TASK_FULL, "full"))))
    return rows


def markdown(done: list[SizeResult]) -> str:
    """The comparison table and the extra measurements, as Markdown."""
    results = [m for d in done for m in d.measurements]
    triples = {d.size: d.data_triples for d in done}
    lines = [
        "| programs | data triples | task | candidate (Oxigraph / contribution) | baseline (rdflib / full) | ratio |",
        "|---:|---:|---|---|---|---:|",
    ]
    for size, task, candidate, baseline in comparison_rows(results):
        lines.append(
            f"| {size:,} | {triples.get(size, 0):,} | {task} | {cell(candidate)} | {cell(baseline)} "
            f"| {ratio(baseline, candidate)} |"
        )
    lines += ["", "| programs | measurement | time |", "|---:|---|---|"]
    for m in results:
        if m.group in ("setup", "phase"):
            lines.append(f"| {m.size:,} | {m.task} | {cell(m)} |")
    lines += ["", "| programs | ppkg commit | wall time of the size (generation included) |", "|---:|---|---:|"]
    lines += [f"| {d.size:,} | {d.ppkg_version} | {format_seconds(d.elapsed)} |" for d in done]
    return "\n".join(lines) + "\n"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")), "")
    mem = next((line.split(":", 1)[1].strip() for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), "")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def source_version() -> str:
    """The git commit of the ppkg checkout being measured (``+dirty`` when ``src/`` has uncommitted changes)."""
    root = Path(ppkg.__file__).resolve().parents[2]

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+dirty" if git("status", "--porcelain", "--", "src") else "")


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def write_json(cfg: Settings, done: list[SizeResult], finished: bool) -> None:
    """Write everything measured so far (called after each size, so an interrupted run keeps its numbers)."""
    results = [m for d in done for m in d.measurements]
    doc = {
        "date": date.today().isoformat(),
        "finished": finished,
        "machine": machine(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
        "sizes": [{k: v for k, v in d.as_dict().items() if k != "measurements"} for d in done],
        "results": [m.as_dict() for m in results],
        "ratios": [
            {
                "size": size,
                "task": task,
                "candidate": c.variant,
                "baseline": b.variant if b else None,
                "ratio": ratio(b, c),
            }
            for size, task, c, b in comparison_rows(results)
        ],
    }
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    cfg.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# -- main ---------------------------------------------------------------------------------------------------


def run_size(size: int, root: Path, cfg: Settings) -> SizeResult:
    """Every benchmark at one size, in this process."""
    version = source_version()
    print(f"== {size:,} programs (process {os.getpid()}, ppkg {version})", file=sys.stderr, flush=True)
    start = time.perf_counter()
    data_dir, contribution = prepare_data(size, root, cfg.seed)
    results = bench_engines(size, data_dir, cfg)
    results += bench_validation(size, data_dir, contribution, cfg)
    triples = next((m.rows or 0 for m in results if m.task.endswith("existing_graph")), 0)
    elapsed = time.perf_counter() - start
    if source_version() != version:  # the checkout changed under the run: say so rather than mix versions
        version = f"{version} -> {source_version()} (changed during the run)"
    return SizeResult(size, triples, elapsed, results, version)


def worker_args(cfg: Settings, size: int, part: Path) -> list[str]:
    """The command line that runs one size in a fresh process and writes its results to ``part``."""
    args = [sys.executable, str(Path(__file__).resolve()), "--sizes", str(size), "--worker", str(part)]
    args += ["--repeat", str(cfg.repeat), "--budget", str(cfg.budget), "--full-max", str(cfg.full_max)]
    args += ["--rdflib-query-max", str(cfg.rdflib_query_max), "--rdflib-query-limit", str(cfg.rdflib_query_limit)]
    args += ["--label-limit", str(cfg.label_limit), "--seed", str(cfg.seed)]
    return args + (["--workdir", str(cfg.workdir)] if cfg.workdir else [])


def run_size_in_subprocess(size: int, root: Path, cfg: Settings) -> SizeResult:
    """Run one size in a fresh interpreter, so that no size inherits the memory state of the one before."""
    part = root / f"result-{size}.json"
    subprocess.run(worker_args(cfg, size, part), check=True)
    return SizeResult.from_dict(json.loads(part.read_text(encoding="utf-8")))


def parse_args(argv: Sequence[str] | None) -> tuple[Settings, Path | None, bool]:
    """Command-line options: the settings, the worker's result file (worker mode only) and ``--in-process``."""
    parser = argparse.ArgumentParser(description="Benchmark ppkg on synthetic data (see the module docstring).")
    parser.add_argument("--sizes", default="100,1000", help="comma-separated program counts (default 100,1000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--budget", type=float, default=30.0, help="stop repeating once the runs pass this (s)")
    parser.add_argument("--full-max", type=int, default=1000, help="skip full validation above this many programs")
    parser.add_argument("--rdflib-query-max", type=int, default=1000, help="limit rdflib queries above this size")
    parser.add_argument("--rdflib-query-limit", type=float, default=30.0, help="that limit, in seconds")
    parser.add_argument("--label-limit", type=float, default=60.0, help="stop building a label index after (s)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    parser.add_argument("--workdir", type=Path, help="keep the generated data here (default: a temporary directory)")
    parser.add_argument("--seed", type=int, default=generate.SEED)
    parser.add_argument("--in-process", action="store_true", help="run all sizes in this process (default: one each)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        sizes = tuple(int(s) for s in args.sizes.split(",") if s.strip())
    except ValueError:
        parser.error(f"--sizes must be comma-separated whole numbers, got {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat must be positive")
    if args.worker is not None and len(sizes) != 1:
        parser.error("--worker runs exactly one size")
    cfg = Settings(
        sizes,
        args.repeat,
        args.budget,
        args.full_max,
        args.rdflib_query_max,
        args.rdflib_query_limit,
        args.label_limit,
        args.out,
        args.workdir,
        args.seed,
    )
    return cfg, args.worker, args.in_process


def run_worker(cfg: Settings, part: Path) -> int:
    """Worker mode: run the (single) size in this process and write its results to ``part``."""
    warm_up()
    with tempfile.TemporaryDirectory(prefix="ppkg-bench-") as tmp:
        result = run_size(cfg.sizes[0], cfg.workdir or Path(tmp), cfg)
    part.write_text(json.dumps(result.as_dict()) + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size (each in a fresh process unless ``--in-process``), print the tables, write the JSON."""
    cfg, worker_part, in_process = parse_args(argv)
    if worker_part is not None:
        return run_worker(cfg, worker_part)
    if in_process:
        warm_up()
    done: list[SizeResult] = []
    with tempfile.TemporaryDirectory(prefix="ppkg-bench-") as tmp:
        root = cfg.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for size in cfg.sizes:
            done.append(run_size(size, root, cfg) if in_process else run_size_in_subprocess(size, root, cfg))
            write_json(cfg, done, finished=False)
    write_json(cfg, done, finished=True)
    print(markdown(done))
    print(f"JSON written to {cfg.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
