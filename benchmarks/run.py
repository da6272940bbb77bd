"""Scale benchmarks: ppkg's store, CLI queries and validation against raw pyoxigraph, in the same run.

``python benchmarks/run.py [--sizes 1000,10000] [--large] [--repeat 3] [--budget 120]``

For each size (``--large`` adds 100,000 programs) it generates a data directory (``generate.py``: the shipped
data plus ``size`` synthetic programs) and one new program (``generate.py --contribution``), then measures,
every figure as a **separate process** (wall time from start to exit, peak memory as the child's
``ru_maxrss`` from ``os.wait4``), each ppkg figure beside a baseline measured in the same run:

* **store build**: ``ppkg store rebuild`` on the data directory (``PPKG_DATA_DIR``) against a raw pyoxigraph
  script that bulk-loads the same files (the ontology, the vocabularies, the data) into an on-disk store;
* **load + first query**: ``ppkg.load(data_dir=…)`` and one catalogued query, against a raw pyoxigraph
  script that loads the same files into memory and runs the same SPARQL text;
* **each catalogued query** (its header's defaults): the first and the repeated ``ppkg query NAME --format
  csv`` (``PPKG_DATA_DIR=DIR``), against (i) the raw load-and-query script and (ii) the same query on the
  raw on-disk store opened once (in-process time of the query alone, every solution read); rdflib (parse
  the files into a ``Dataset``, run the query) up to ``--rdflib-max`` programs;
* **contribution check**: ``ppkg validate FILE --data-dir DIR`` for the one new program, end to end;
* **whole-graph validation**: ``ppkg validate --data-dir DIR``, against pySHACL run directly on the union of
  the files (rdflib) up to ``--pyshacl-max`` programs;
* once, on the shipped data: cold ``ppkg query programs-by-rating`` against a naive rdflib script.

Every process is killed when it passes its budget (``--budget`` for queries, ``--build-budget``,
``--validation-budget``) and reported as ``> budget``, never waited for. A measurement is repeated
``--repeat`` times, fewer once its runs add up to more than its budget; the median is reported. The
ratio is ppkg ÷ baseline (below 1: ppkg is faster), the form of the issue's targets.

It writes ``benchmarks/results/latest.json`` and regenerates the table section of ``benchmarks/README.md``
(between the ``<!-- run.py: results -->`` markers; ``--no-readme`` leaves it alone).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
START_MARK = "<!-- run.py: results (generated; do not edit by hand) -->"
END_MARK = "<!-- run.py: end of results -->"
PACKAGES = ("rdflib", "pyoxigraph", "pyshacl", "ppkg")
MAX_FILE_BYTES = 50 * 1024 * 1024
"""ppkg's default largest input file: above it the synthetic file needs ``PPKG_MAX_FILE_BYTES``."""
FIRST_QUERY = "programs-by-rating"
"""The catalogued query of the load + first query and of the cold shipped-data measurement."""

# -- the baselines: small standalone scripts, run as ``python -c SCRIPT SPEC.json`` ------------------------

RAW_OXIGRAPH = r"""
import json, sys, time
import pyoxigraph as ox

spec = json.load(open(sys.argv[1], encoding="utf-8"))


def term(t):
    if t["type"] == "iri":
        return ox.NamedNode(t["value"])
    if t["type"] == "bnode":
        return ox.BlankNode(t["value"])
    if t.get("lang"):
        return ox.Literal(t["value"], language=t["lang"])
    return ox.Literal(t["value"], datatype=ox.NamedNode(t["datatype"]) if t.get("datatype") else None)


def load(store, bulk):
    for path, graph in spec["files"]:
        fmt = ox.RdfFormat.from_extension(path.rsplit(".", 1)[1])
        to = ox.NamedNode(graph) if graph else None
        (store.bulk_load if bulk else store.load)(path=path, format=fmt, to_graph=to)


def run(store):
    subs = {ox.Variable(k): term(v) for k, v in spec["bindings"].items()} or None
    result = store.query(
        spec["query"], prefixes=spec["prefixes"], substitutions=subs, use_default_graph_as_union=True
    )
    if isinstance(result, ox.QueryBoolean):
        return 1
    return sum(1 for _ in result)


if spec["mode"] == "bulk-load":
    store = ox.Store(spec["store"])
    load(store, True)
    store.flush()
    print(json.dumps({}))
elif spec["mode"] == "load-query":
    store = ox.Store()
    load(store, False)
    print(json.dumps({"rows": run(store)}))
elif spec["mode"] == "open-store":
    store = ox.Store.read_only(spec["store"])
    times, rows = [], None
    for _ in range(spec["repeat"]):
        start = time.perf_counter()
        rows = run(store)
        times.append(time.perf_counter() - start)
        print(json.dumps({"rows": rows, "times": times}), flush=True)
        if sum(times) > spec["budget"] / 3:
            break
"""

RAW_RDFLIB = r"""
import json, sys
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable

spec = json.load(open(sys.argv[1], encoding="utf-8"))


def term(t):
    if t["type"] == "iri":
        return URIRef(t["value"])
    if t["type"] == "bnode":
        return BNode(t["value"])
    return Literal(t["value"], lang=t.get("lang"), datatype=URIRef(t["datatype"]) if t.get("datatype") else None)


dataset = Dataset(default_union=True)
for path, graph, fmt in spec["files"]:
    if graph:
        dataset.graph(URIRef(graph)).parse(path, format=fmt)
    else:
        dataset.parse(path, format=fmt)
if spec["mode"] == "query":
    result = dataset.query(
        spec["query"], initNs=spec["prefixes"], initBindings={Variable(k): term(v) for k, v in spec["bindings"].items()}
    )
    print(json.dumps({"rows": 1 if result.type == "ASK" else sum(1 for _ in result)}))
elif spec["mode"] == "shacl":
    import pyshacl

    data = Graph()
    for triple in dataset.triples((None, None, None)):
        data.add(triple)
    shapes = Graph()
    for path in spec["shapes"]:
        shapes.parse(path, format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", inplace=True, advanced=True, allow_warnings=True
    )
    violation = URIRef("http://www.w3.org/ns/shacl#Violation")
    severity = URIRef("http://www.w3.org/ns/shacl#resultSeverity")
    print(json.dumps({"rows": sum(1 for _ in report.subjects(severity, violation))}))
"""

# -- running one measured process ---------------------------------------------------------------------------


@dataclass
class Run:
    """One process: wall time, peak memory, exit status, what it printed, and whether it was stopped."""

    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    stopped: bool


def measure(args: Sequence[str], env: dict[str, str], budget: float) -> Run:
    """Run ``args`` to the end or until ``budget`` seconds pass (then kill its process group)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, env=env, stdout=out, stderr=err, start_new_session=True)
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(budget, stop)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            usage.ru_maxrss / 1024,
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            stopped.is_set(),
        )


@dataclass
class Figure:
    """Repeated runs of one command: times, peak memory, rows, or why there is no figure."""

    times: list[float] = field(default_factory=list)
    memory_mb: list[float] = field(default_factory=list)
    rows: int | None = None
    skipped: str | None = None

    @property
    def median(self) -> float | None:
        """Median time of the completed runs (``None`` if stopped, failed or skipped)."""
        return statistics.median(self.times) if self.times and not self.skipped else None

    @property
    def peak_mb(self) -> float | None:
        """The largest peak memory of the runs."""
        return max(self.memory_mb) if self.memory_mb and not self.skipped else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**asdict(self), "median": self.median, "peak_mb": self.peak_mb}


def repeated(
    args: Sequence[str], env: dict[str, str], budget: float, repeat: int, rows: Any = None, first: bool = False
) -> tuple[Figure, Figure | None]:
    """Run ``args`` up to ``repeat`` times (``first``: one more, reported apart as the first call).

    Stops repeating once the runs add up to more than ``budget``; a run past ``budget`` is killed and the
    figure says ``> budget``; a failing run says its last stderr line. ``rows(stdout)`` counts the answer.
    """
    figure, first_figure = Figure(), Figure() if first else None
    total = 0.0
    for attempt in range(repeat + (1 if first else 0)):
        target = first_figure if first_figure is not None and attempt == 0 else figure
        done = measure(args, env, budget)
        if done.stopped:
            target.skipped = f"> {budget:g} s"
            if target is first_figure:
                figure.skipped = target.skipped
            break
        if done.returncode != 0:
            said = (done.stderr.strip().splitlines() or ["no message"])[-1]
            target.skipped = f"failed (exit {done.returncode}: {said[:160]})"
            if target is first_figure:
                figure.skipped = target.skipped
            break
        target.times.append(done.seconds)
        target.memory_mb.append(done.max_rss_mb)
        target.rows = rows(done.stdout) if rows else None
        total += done.seconds
        if total > budget and attempt >= (1 if first else 0):
            break
    return figure, first_figure


def csv_rows(text: str) -> int:
    """Rows of a CSV answer (its header aside)."""
    return max(sum(1 for _ in csv.reader(text.splitlines())) - 1, 0)


def json_rows(text: str) -> int | None:
    """The ``rows`` of the last JSON line a baseline script printed."""
    lines = [line for line in text.splitlines() if line.startswith("{")]
    value = json.loads(lines[-1]).get("rows") if lines else None
    return int(value) if value is not None else None


# -- settings and data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Command-line settings."""

    sizes: tuple[int, ...]
    repeat: int
    budget: float
    build_budget: float
    validation_budget: float
    rdflib_max: int
    pyshacl_max: int
    queries: tuple[str, ...]
    out: Path
    readme: Path | None
    workdir: Path | None
    seed: int


def python() -> str:
    """The Python of the installed ppkg."""
    return sys.executable


def ppkg_command() -> list[str]:
    """The installed ``ppkg`` console script beside this Python."""
    return [str(Path(sys.executable).with_name("ppkg"))]


def base_env(data_dir: Path | None, large_file: bool = False) -> dict[str, str]:
    """The environment of every measured process: no inherited data directory or test pause."""
    env = {k: v for k, v in os.environ.items() if k not in ("PPKG_DATA_DIR", "PPKG_TEST_PAUSE_AT")}
    env["NO_COLOR"] = "1"
    if data_dir is not None:
        env["PPKG_DATA_DIR"] = str(data_dir)
    if large_file:
        env["PPKG_MAX_FILE_BYTES"] = str(2 * 1024**3)
    return env


def prepare(size: int, root: Path, seed: int) -> tuple[Path, Path]:
    """The data directory (shipped data + ``size`` synthetic programs) and the one-program contribution."""
    sys.path.insert(0, str(HERE))
    import generate

    data_dir = root / f"programs-{size}"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    generate.write_synthetic(size, data_dir, seed)
    generate.copy_shipped_data(data_dir)
    contribution = generate.write_contribution(root / "contribution.ttl", seed)
    return data_dir, contribution


DESCRIBE = r"""
import json, sys
from pathlib import Path
import ppkg
from ppkg.query.catalogue import Catalogue
from ppkg.query.remote import inject_values
from ppkg.query.safety import check_query, unprojected
from ppkg.rdf.datadir import graph_files
from ppkg.rdf.io import syntax_of
from ppkg.rdf.namespaces import PREFIXES
from rdflib import BNode, Literal, URIRef

data_dir = sys.argv[1] or None
kg = ppkg.load(data_dir=data_dir, timeout=None)


def term(t):
    if isinstance(t, URIRef):
        return {"type": "iri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    return {"type": "literal", "value": str(t), "lang": t.language, "datatype": str(t.datatype) if t.datatype else None}


queries = {}
for spec in Catalogue():
    bindings = dict(kg.bind(spec, {}))
    text = spec.text
    if loose := unprojected(text, bindings):
        text = inject_values(text, {k: bindings.pop(k) for k in loose})
    queries[spec.name] = {"query": check_query(text).text, "bindings": {k: term(v) for k, v in bindings.items()}}
files = [(str(f.path), f.graph, syntax_of(f.path).rdflib) for f in graph_files(data_dir)]
print(json.dumps({"prefixes": PREFIXES, "files": files, "queries": queries}))
"""


def describe(data_dir: Path | None, env: dict[str, str]) -> dict[str, Any]:
    """The files of the graph and, per catalogued query, the text and bindings ppkg runs (default params)."""
    done = subprocess.run(
        [python(), "-c", DESCRIBE, str(data_dir or "")], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"could not read the catalogue through ppkg: {done.stderr.strip()[-500:]}")
    described: dict[str, Any] = json.loads(done.stdout)
    return described


def spec_file(root: Path, name: str, spec: dict[str, Any]) -> str:
    """Write a baseline script's spec to ``root/name.json``; its path."""
    path = root / f"{name}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return str(path)


def has_store_command(env: dict[str, str]) -> bool:
    """Whether this ppkg has ``ppkg store`` (the persistent store)."""
    done = subprocess.run([*ppkg_command(), "store", "--help"], env=env, capture_output=True, text=True, check=False)
    return done.returncode == 0


def shapes_files() -> list[str]:
    """The shipped shapes files (for the pySHACL baseline)."""
    from ppkg.rdf import shipped

    return [str(p) for p in shipped.shapes_files()]


# -- one size ------------------------------------------------------------------------------------------------


def log(size: int | str, what: str, figure: Figure, first: Figure | None = None) -> None:
    """Print one measurement as it is made (stderr)."""
    text = cell(figure) + (f" (first {cell(first)})" if first else "")
    rows = f", {figure.rows:,} rows" if figure.rows is not None else ""
    print(f"  [{size}] {what}: {text}{rows}", file=sys.stderr, flush=True)


def run_size(size: int, root: Path, cfg: Settings) -> dict[str, Any]:
    """Every measurement at one size."""
    started = time.perf_counter()
    print(f"== {size:,} programs", file=sys.stderr, flush=True)
    data_dir, contribution = prepare(size, root, cfg.seed)
    large = (data_dir / "synthetic.trig").stat().st_size > MAX_FILE_BYTES
    env = base_env(data_dir, large)
    described = describe(data_dir, env)
    files = [(path, None if fmt == "trig" else graph) for path, graph, fmt in described["files"]]
    raw_files = [(p, g) for p, g in files]
    work = root / f"specs-{size}"
    work.mkdir(exist_ok=True)
    figures: dict[str, Any] = {"size": size, "synthetic_bytes": (data_dir / "synthetic.trig").stat().st_size}
    store_available = has_store_command(env)

    # store build: ppkg store rebuild vs pyoxigraph bulk load into an on-disk store
    raw_store = root / f"raw-store-{size}"
    bulk_spec = {"mode": "bulk-load", "files": raw_files, "store": str(raw_store)}
    raw_build = Figure()
    for _ in range(cfg.repeat):
        shutil.rmtree(raw_store, ignore_errors=True)
        one, _ = repeated([python(), "-c", RAW_OXIGRAPH, spec_file(work, "bulk", bulk_spec)], env, cfg.build_budget, 1)
        raw_build.times += one.times
        raw_build.memory_mb += one.memory_mb
        raw_build.skipped = one.skipped
        if one.skipped or sum(raw_build.times) > cfg.build_budget:
            break
    log(size, "raw pyoxigraph bulk load", raw_build)
    if store_available:
        ppkg_build, _ = repeated([*ppkg_command(), "store", "rebuild"], env, cfg.build_budget, cfg.repeat)
    else:
        ppkg_build = Figure(skipped="no `ppkg store` in this ppkg")
    log(size, "ppkg store rebuild", ppkg_build)
    figures["build"] = {"ppkg": ppkg_build.as_dict(), "raw": raw_build.as_dict()}

    # load + first query
    first = described["queries"][FIRST_QUERY]
    load_script = f"import sys, ppkg\nkg = ppkg.load(data_dir=sys.argv[1])\nprint(len(kg.run({FIRST_QUERY!r}).rows))\n"
    ppkg_load, _ = repeated(
        [python(), "-c", load_script, str(data_dir)], env, cfg.build_budget, cfg.repeat, lambda s: int(s.split()[-1])
    )
    raw_spec = {"mode": "load-query", "files": raw_files, "prefixes": described["prefixes"], **first}
    raw_load, _ = repeated(
        [python(), "-c", RAW_OXIGRAPH, spec_file(work, "load-first", raw_spec)],
        env,
        cfg.build_budget,
        cfg.repeat,
        json_rows,
    )
    log(size, f"ppkg.load + {FIRST_QUERY}", ppkg_load)
    log(size, f"raw load + {FIRST_QUERY}", raw_load)
    figures["load"] = {"ppkg": ppkg_load.as_dict(), "raw": raw_load.as_dict()}

    # every catalogued query
    queries: dict[str, Any] = {}
    chosen = [q for q in described["queries"] if not cfg.queries or q in cfg.queries]
    for name in sorted(chosen):
        spec = described["queries"][name]
        cli = [*ppkg_command(), "query", name, "--format", "csv", "--timeout", f"{cfg.budget:g}"]
        again, first_call = repeated(cli, env, cfg.budget, cfg.repeat, csv_rows, first=True)
        raw_spec = {"mode": "load-query", "files": raw_files, "prefixes": described["prefixes"], **spec}
        raw, _ = repeated(
            [python(), "-c", RAW_OXIGRAPH, spec_file(work, f"q-{name}", raw_spec)], env, cfg.budget, 1, json_rows
        )
        opened = open_store_figure(work, name, raw_store, spec, described["prefixes"], env, cfg)
        rdflib = Figure(skipped=f"not run above {cfg.rdflib_max:,} programs")
        if size <= cfg.rdflib_max:
            rd_files = [[p, g if f != "trig" else None, f] for p, g, f in described["files"]]
            rd_spec = {"mode": "query", "files": rd_files, "prefixes": described["prefixes"], **spec}
            rdflib, _ = repeated(
                [python(), "-c", RAW_RDFLIB, spec_file(work, f"rd-{name}", rd_spec)], env, cfg.budget, 1, json_rows
            )
        for label, fig in (("first CLI", first_call), ("repeated CLI", again), ("raw load+query", raw)):
            log(size, f"{name} / {label}", fig or Figure())
        log(size, f"{name} / raw open store", opened)
        log(size, f"{name} / rdflib", rdflib)
        queries[name] = {
            "first_cli": (first_call or Figure()).as_dict(),
            "repeated_cli": again.as_dict(),
            "raw_load_query": raw.as_dict(),
            "raw_open_store": opened.as_dict(),
            "rdflib": rdflib.as_dict(),
        }
    figures["queries"] = queries

    # contribution check and whole-graph validation
    check, _ = repeated(
        [*ppkg_command(), "validate", str(contribution), "--data-dir", str(data_dir)],
        env,
        cfg.validation_budget,
        cfg.repeat,
    )
    log(size, "ppkg validate FILE (one program)", check)
    whole, _ = repeated([*ppkg_command(), "validate", "--data-dir", str(data_dir)], env, cfg.validation_budget, 1)
    whole = accept_violations(whole)
    log(size, "ppkg validate (whole graph)", whole)
    pyshacl = Figure(skipped=f"not run above {cfg.pyshacl_max:,} programs")
    if size <= cfg.pyshacl_max:
        rd_files = [[p, g if f != "trig" else None, f] for p, g, f in described["files"]]
        sh_spec = {"mode": "shacl", "files": rd_files, "shapes": shapes_files()}
        pyshacl, _ = repeated(
            [python(), "-c", RAW_RDFLIB, spec_file(work, "shacl", sh_spec)], env, cfg.validation_budget, 1, json_rows
        )
    log(size, "pySHACL on the union (rdflib)", pyshacl)
    figures["validation"] = {
        "contribution_check": check.as_dict(),
        "whole_graph": whole.as_dict(),
        "pyshacl_whole_graph": pyshacl.as_dict(),
    }
    figures["elapsed_seconds"] = round(time.perf_counter() - started, 1)
    shutil.rmtree(raw_store, ignore_errors=True)
    return figures


def accept_violations(figure: Figure) -> Figure:
    """``ppkg validate`` exits 1 when it finds violations: a figure all the same, not a failure."""
    if figure.skipped and figure.skipped.startswith("failed (exit 1"):
        figure.skipped = None
    return figure


def open_store_figure(
    work: Path, name: str, raw_store: Path, spec: dict[str, Any], prefixes: dict[str, str], env: dict[str, str],
    cfg: Settings,
) -> Figure:  # fmt: skip
    """The query on the raw on-disk store opened once, timed in-process (every solution read)."""
    if not raw_store.is_dir():
        return Figure(skipped="no raw store (the bulk load failed)")
    os_spec = {"mode": "open-store", "store": str(raw_store), "prefixes": prefixes, "repeat": cfg.repeat + 1, **spec}
    os_spec["budget"] = cfg.budget
    done = measure([python(), "-c", RAW_OXIGRAPH, spec_file(work, f"open-{name}", os_spec)], env, cfg.budget)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        if done.stopped:
            return Figure(skipped=f"> {cfg.budget:g} s")
        return Figure(skipped=f"failed (exit {done.returncode}: {done.stderr.strip()[-160:]})")
    last = json.loads(lines[-1])
    times = last["times"][1:] or last["times"]  # the first run warms the store's caches; the rest are repeats
    return Figure(times=times, memory_mb=[done.max_rss_mb], rows=last["rows"])


def run_shipped(cfg: Settings, root: Path) -> dict[str, Any]:
    """Cold ``ppkg query`` on the shipped data against a naive rdflib script (both: fresh processes)."""
    print("== shipped data", file=sys.stderr, flush=True)
    env = base_env(None)
    described = describe(None, env)
    spec = described["queries"][FIRST_QUERY]
    work = root / "specs-shipped"
    work.mkdir(exist_ok=True)
    cli = [*ppkg_command(), "query", FIRST_QUERY, "--format", "csv"]
    rd_spec = {"mode": "query", "files": described["files"], "prefixes": described["prefixes"], **spec}
    rdflib_cmd = [python(), "-c", RAW_RDFLIB, spec_file(work, "rd-shipped", rd_spec)]
    measure(cli, env, cfg.budget)  # one untimed run each: the files in the OS cache, any first-use work done
    measure(rdflib_cmd, env, cfg.budget)
    repeat = max(cfg.repeat, 5)
    ppkg_cold, _ = repeated(cli, env, cfg.budget, repeat, csv_rows)
    rdflib, _ = repeated(rdflib_cmd, env, cfg.budget, repeat, json_rows)
    bare, _ = repeated([python(), "-c", "pass"], env, cfg.budget, repeat)
    log("shipped", f"cold ppkg query {FIRST_QUERY}", ppkg_cold)
    log("shipped", "naive rdflib script", rdflib)
    log("shipped", "python -c pass", bare)
    return {"ppkg": ppkg_cold.as_dict(), "rdflib": rdflib.as_dict(), "python_startup": bare.as_dict()}


# -- reporting -----------------------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    """A duration with a sensible unit."""
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 1e3:.0f} ms"
    return f"{value:.2f} s"


def cell(figure: Figure | dict[str, Any] | None, memory: bool = False) -> str:
    """A table cell: the median (or peak memory), or why there is none."""
    if figure is None:
        return "–"
    doc = figure.as_dict() if isinstance(figure, Figure) else figure
    if doc.get("skipped"):
        return str(doc["skipped"])
    if memory:
        return f"{doc['peak_mb']:,.0f} MB" if doc.get("peak_mb") is not None else "–"
    return seconds(doc.get("median"))


def value(doc: dict[str, Any], memory: bool = False) -> float | None:
    """The figure's median time (or peak memory), ``None`` when it has none."""
    if doc.get("skipped"):
        return None
    result = doc.get("peak_mb") if memory else doc.get("median")
    return float(result) if result is not None else None


def bound(doc: dict[str, Any]) -> float | None:
    """The budget a stopped figure passed (``> 120 s`` → 120), else ``None``."""
    found = re.fullmatch(r"> ([0-9.]+) s", str(doc.get("skipped") or ""))
    return float(found.group(1)) if found else None


def ratio(ppkg_doc: dict[str, Any], base_doc: dict[str, Any], memory: bool = False) -> tuple[str, float | None]:
    """ppkg ÷ baseline as text and number; a bound when one side was stopped at its budget."""
    ours, theirs = value(ppkg_doc, memory), value(base_doc, memory)
    if ours is not None and theirs:
        return f"{ours / theirs:.2f}", ours / theirs
    if ours is not None and (limit := bound(base_doc)):
        return f"< {ours / limit:.2f}", None
    if theirs and (limit := bound(ppkg_doc)):
        return f"> {limit / theirs:.2f}", None
    return "–", None


@dataclass(frozen=True)
class Target:
    """One of the issue's targets: what it bounds, at which size, and the bound."""

    text: str
    size: int | None
    limit: float


TARGETS = {
    "repeated-vs-open": Target("repeated `ppkg query` ≤ 1.5× raw pyoxigraph on an open store (at 100k)", 100_000, 1.5),
    "repeated-vs-script": Target("repeated `ppkg query` ≤ 0.25× raw load-and-query script (at 10k)", 10_000, 0.25),
    "build": Target("store build ≤ 1.3× pyoxigraph bulk load (at 100k)", 100_000, 1.3),
    "build-memory": Target("store build peak memory ≤ 1.2× pyoxigraph's (at 100k)", 100_000, 1.2),
    "check": Target("`ppkg validate FILE`, one new program, ≤ 1 s end to end (at 100k)", 100_000, 1.0),
    "whole-1k": Target("whole-graph validation of 1,000 programs ≤ 30 s", 1_000, 30.0),
    "whole-10k": Target("whole-graph validation of 10,000 programs ≤ 5 min", 10_000, 300.0),
    "cold": Target("cold `ppkg query` on the shipped data ≤ 0.2× a naive rdflib script", None, 0.2),
}


def verdict(measured: float | None, target: Target, size: int | None) -> str:
    """met / not met / – (and 'indicative' when measured at another size than the target's)."""
    if measured is None:
        return "–"
    met = measured <= target.limit
    if target.size is not None and size is not None and size != target.size:
        if size < target.size:  # the figures grow with the graph: only a miss says something
            return "open (met at a smaller size)" if met else f"**not met** (already at {size:,})"
        return f"{'met' if met else '**not met**'} (at {size:,}, above the target's size)"
    return "met" if met else "**not met**"


def worst(values: list[float | None]) -> float | None:
    """The largest known value (a query without a figure does not count)."""
    known = [v for v in values if v is not None]
    return max(known) if known else None


def target_rows(doc: dict[str, Any]) -> list[str]:
    """The targets table: each target with the figure measured closest to it."""
    sizes: dict[int, dict[str, Any]] = {s["size"]: s for s in doc["sizes"]}
    lines = ["| target | measured | verdict |", "|---|---|---|"]

    def at(target: Target) -> dict[str, Any] | None:
        if not sizes:
            return None
        size = target.size if target.size in sizes else max(sizes)
        return sizes[size]

    for key, target in TARGETS.items():
        found: float | None = None
        text = "not measured"
        size: int | None = None
        if key == "cold" and doc.get("shipped"):
            text, found = ratio(doc["shipped"]["ppkg"], doc["shipped"]["rdflib"])
            text += "×" if text != "–" else ""
        elif (chosen := at(target)) is not None and key != "cold":
            size = chosen["size"]
            if key in ("repeated-vs-open", "repeated-vs-script"):
                base = "raw_open_store" if key == "repeated-vs-open" else "raw_load_query"
                ratios = [ratio(q["repeated_cli"], q[base])[1] for q in chosen["queries"].values()]
                found = worst(ratios)
                known = [r for r in ratios if r is not None]
                met = sum(r <= target.limit for r in known)
                text = f"worst {found:.2f}× ({met} of {len(known)} queries within)" if found is not None else "–"
            elif key in ("build", "build-memory"):
                memory = key == "build-memory"
                text, found = ratio(chosen["build"]["ppkg"], chosen["build"]["raw"], memory)
                text += "×" if text != "–" else ""
            elif key == "check":
                found = value(chosen["validation"]["contribution_check"])
                text = cell(chosen["validation"]["contribution_check"])
            elif key.startswith("whole"):
                figure = chosen["validation"]["whole_graph"]
                found = value(figure)
                text = cell(figure)
                if found is None and (limit := bound(figure)) is not None and limit >= target.limit:
                    lines.append(f"| {target.text} | {text} (at {size:,}) | **not met** |")
                    continue
            text += f" (at {size:,})"
        lines.append(f"| {target.text} | {text} | {verdict(found, target, size)} |")
    return lines


def markdown(doc: dict[str, Any]) -> str:
    """The generated results section of benchmarks/README.md."""
    m = doc["machine"]
    lines = [
        f"Measured on **{doc['date']}**: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory']}, Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
        + f"; ppkg at `{doc['ppkg_commit']}`. Command: `{doc['command']}`"
        + ("" if doc["finished"] else " (**interrupted**: the sizes below are those that finished)")
        + ". Every figure is a separate process (wall time, median of the runs; peak memory = the process's "
        '`ru_maxrss`); ratio = ppkg ÷ baseline, so below 1 ppkg is faster. "> N s": stopped at its budget.',
        "",
        "### Targets",
        "",
        *target_rows(doc),
        "",
        "### Build, load and validation",
        "",
        "| programs | measurement | ppkg | baseline | baseline is | ppkg ÷ baseline |",
        "|---:|---|---:|---:|---|---:|",
    ]
    for s in doc["sizes"]:
        n = f"{s['size']:,}"
        build, load, val = s["build"], s["load"], s["validation"]
        oxi = "pyoxigraph: load files + query"
        rows = [
            (
                "store build time (`ppkg store rebuild`)",
                build["ppkg"],
                build["raw"],
                "pyoxigraph bulk load (disk)",
                False,
            ),
            ("store build peak memory", build["ppkg"], build["raw"], "the same", True),
            (f"`ppkg.load()` + first query ({FIRST_QUERY})", load["ppkg"], load["raw"], oxi, False),
            ("… peak memory", load["ppkg"], load["raw"], "the same", True),
            ("`ppkg validate FILE` (one new program)", val["contribution_check"], load["raw"], oxi, False),
            (
                "whole-graph validation",
                val["whole_graph"],
                val["pyshacl_whole_graph"],
                "pySHACL, union (rdflib)",
                False,
            ),
        ]
        for what, ours, base, kind, memory in rows:
            shown = ratio(ours, base, memory)[0]
            lines.append(f"| {n} | {what} | {cell(ours, memory)} | {cell(base, memory)} | {kind} | {shown} |")
    if doc.get("shipped"):
        sh = doc["shipped"]
        lines.append(
            f"| shipped | cold `ppkg query {FIRST_QUERY}` | {cell(sh['ppkg'])} | {cell(sh['rdflib'])} "
            f"| naive rdflib script (`python -c pass`: {cell(sh['python_startup'])}) "
            f"| {ratio(sh['ppkg'], sh['rdflib'])[0]} |"
        )
    for s in doc["sizes"]:
        lines += [
            "",
            f"### Catalogued queries, {s['size']:,} programs",
            "",
            "| query | rows | first CLI | repeated CLI | raw: load + query | ÷ | raw: open store | ÷ "
            "| rdflib: load + query |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, q in sorted(s["queries"].items()):
            rows_seen = {d.get("rows") for d in q.values() if d.get("rows") is not None}
            shown = ", ".join(f"{r:,}" for r in sorted(rows_seen)) + (" (differ)" if len(rows_seen) > 1 else "")
            lines.append(
                f"| {name} | {shown or '–'} | {cell(q['first_cli'])} | {cell(q['repeated_cli'])} "
                f"| {cell(q['raw_load_query'])} | {ratio(q['repeated_cli'], q['raw_load_query'])[0]} "
                f"| {cell(q['raw_open_store'])} | {ratio(q['repeated_cli'], q['raw_open_store'])[0]} "
                f"| {cell(q['rdflib'])} |"
            )
    lines += ["", "| programs | synthetic file | wall time of the size |", "|---:|---:|---:|"]
    lines += [
        f"| {s['size']:,} | {s['synthetic_bytes'] / 1e6:.1f} MB | {seconds(s['elapsed_seconds'])} |"
        for s in doc["sizes"]
    ]
    return "\n".join(lines) + "\n"


def regenerate_readme(readme: Path, section: str) -> None:
    """Replace the text between the markers of ``readme`` with ``section``."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(START_MARK), text.find(END_MARK)
    if start < 0 or end < start:
        raise SystemExit(f"{readme}: the markers {START_MARK!r} … {END_MARK!r} are missing")
    new = text[: start + len(START_MARK)] + "\n\n" + section + "\n" + text[end:]
    readme.write_text(new, encoding="utf-8")


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in _lines("/proc/cpuinfo") if ln.startswith("model name")), "")
    kb = next((ln.split()[1] for ln in _lines("/proc/meminfo") if ln.startswith("MemTotal")), "0")
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory": f"{int(kb) / 1024**2:.1f} GiB RAM",
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
    }


def source_version() -> str:
    """The git commit of the checkout (``+dirty`` when ``src/`` has uncommitted changes)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(HERE.parent), *args], capture_output=True, text=True, check=False)
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


# -- main ----------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> Settings:
    """Command-line options."""
    parser = argparse.ArgumentParser(description="Scale benchmarks of ppkg (see the module docstring).")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated program counts (default 1000,10000)")
    parser.add_argument("--large", action="store_true", help="also 100,000 programs")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3); the median counts")
    parser.add_argument("--budget", type=float, default=120.0, help="time budget of one query (s, default 120)")
    parser.add_argument("--build-budget", type=float, default=1800.0, help="of a store build or load (s)")
    parser.add_argument("--validation-budget", type=float, default=900.0, help="of one validation (s)")
    parser.add_argument("--rdflib-max", type=int, default=1000, help="rdflib queries up to this size (1000)")
    parser.add_argument("--pyshacl-max", type=int, default=1000, help="the pySHACL baseline up to this size (1000)")
    parser.add_argument("--queries", default="", help="comma-separated query names (default: the whole catalogue)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--readme", type=Path, default=README, help="the README whose results section to rewrite")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    parser.add_argument("--workdir", type=Path, help="keep the generated data here (default: a temporary directory)")
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated whole numbers, got {args.sizes!r}")
    sizes += [100_000] if args.large and 100_000 not in sizes else []
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat must be positive")
    queries = tuple(q.strip() for q in args.queries.split(",") if q.strip())
    return Settings(
        tuple(sizes),
        args.repeat,
        args.budget,
        args.build_budget,
        args.validation_budget,
        args.rdflib_max,
        args.pyshacl_max,
        queries,
        args.out,
        None if args.no_readme else args.readme,
        args.workdir,
        args.seed,
    )


def write(cfg: Settings, doc: dict[str, Any]) -> None:
    """Write the JSON (after each size, so an interrupted run keeps its numbers) and, at the end, the README."""
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    cfg.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every size, write the JSON and regenerate the README's results section."""
    cfg = parse_args(argv)
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    doc: dict[str, Any] = {
        "date": date.today().isoformat(),
        "finished": False,
        "command": command.strip(),
        "ppkg_commit": source_version(),
        "machine": machine(),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()},
        "shipped": None,
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="ppkg-bench-") as tmp:
        root = cfg.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        doc["shipped"] = run_shipped(cfg, root)
        write(cfg, doc)
        for size in cfg.sizes:
            doc["sizes"].append(run_size(size, root, cfg))
            write(cfg, doc)
    doc["finished"] = True
    write(cfg, doc)
    section = markdown(doc)
    print(section)
    if cfg.readme is not None:
        regenerate_readme(cfg.readme, section)
        print(f"results written to {cfg.out} and {cfg.readme}", file=sys.stderr)
    return 0


def render(argv: Sequence[str] | None = None) -> int:
    """``python benchmarks/run.py --render [JSON]``: regenerate the README section from a JSON file."""
    path = Path(argv[0]) if argv else HERE / "results" / "latest.json"
    regenerate_readme(README, markdown(json.loads(path.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--render"]:
        sys.exit(render(sys.argv[2:]))
    sys.exit(main())
