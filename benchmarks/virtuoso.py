"""Publish to Virtuoso and query it: the benchmark graph at 10,000 programs (100,000 with ``--large``).

``python benchmarks/virtuoso.py`` generates the synthetic data (``benchmarks/generate.py --with-shipped``)
for each size, starts a private Virtuoso on 127.0.0.1 (``tests/virtuoso.py``: generated ini, free ports,
SPARQL_UPDATE granted), times ``ppkg publish`` of the whole data directory to its Graph Store (with the
per-graph count check), then runs every catalogued query with its default parameters in-process (Oxigraph)
and on Virtuoso through ``ppkg.connect``, ``--repeat`` times each, and prints the median latencies side by
side with the row counts (which must be equal). ``--json FILE`` writes the figures.

Options: ``--sizes 10000`` (comma-separated), ``--large`` (adds 100000), ``--repeat 3``, ``--workdir DIR``
(keep the generated data there), ``--max-rows`` (Virtuoso's ResultSetMaxRows, 1,000,000 here so that no
answer is truncated at these sizes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.virtuoso import Virtuoso, available  # noqa: E402

import ppkg  # noqa: E402
from ppkg.serve.publish import publish  # noqa: E402


def median_seconds(action: object, repeat: int) -> tuple[float | None, int | str]:
    """Median wall time of ``repeat`` calls and the row count of the last answer (or the error, once)."""
    times: list[float] = []
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            result = action()  # type: ignore[operator]
        except ppkg.PpkgError as err:
            return None, str(err).split(";")[0]
        times.append(time.perf_counter() - start)
        rows = len(result)
    return statistics.median(times), rows


def _ms(seconds: float | None) -> str:
    return "   failed" if seconds is None else f"{seconds * 1000:9.1f}"


def run_size(programs: int, workdir: Path, repeat: int, max_rows: int) -> dict[str, object]:
    """Generate, publish and query one size; return its figures."""
    data = workdir / f"syn{programs}"
    if not (data / "synthetic.trig").is_file():
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--programs", str(programs), "--out", str(data)]
            + ["--with-shipped"],
            check=True,
        )
    start = time.perf_counter()
    kg = ppkg.load(data_dir=data, timeout=120)
    kg.run("programs-by-rating")  # the in-process store is built on first use
    load_s = time.perf_counter() - start
    figures: dict[str, object] = {"programs": programs, "in_process_load_s": round(load_s, 2)}
    with Virtuoso(buffers=170000, max_rows=max_rows) as server:
        start = time.perf_counter()
        done = publish(kg.files, server.store_url, timeout=1800)
        figures["publish_s"] = round(time.perf_counter() - start, 2)
        figures["statements"] = done.statements
        figures["graphs"] = len(done.replaced)
        print(f"{programs:,} programs: published {done.statements:,} statements in {figures['publish_s']} s")
        remote = ppkg.connect(server.query_url, timeout=120)
        queries: list[dict[str, object]] = []
        for spec in kg.catalogue:
            local_s, local_rows = median_seconds(lambda name=spec.name: kg.run(name), repeat)
            remote_s, remote_rows = median_seconds(lambda name=spec.name: remote.run(name), repeat)
            queries.append(
                {
                    "query": spec.name,
                    "rows": local_rows,
                    "virtuoso_rows": remote_rows,
                    "in_process_ms": None if local_s is None else round(local_s * 1000, 1),
                    "virtuoso_ms": None if remote_s is None else round(remote_s * 1000, 1),
                }
            )
            flag = "" if local_rows == remote_rows else f"  ROWS DIFFER ({local_rows} / {remote_rows})"
            print(
                f"  {spec.name:32} {local_rows if isinstance(local_rows, str) else f'{local_rows:,}':>7} rows"
                f"  in-process {_ms(local_s)} ms  virtuoso {_ms(remote_s)} ms{flag}",
                flush=True,
            )
        figures["queries"] = queries
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--large", action="store_true", help="also 100,000 programs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--max-rows", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    missing = available()
    if missing:
        print(f"cannot run: {missing}", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.large:
        sizes.append(100_000)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ppkg-bench-virtuoso-"))
    results = [run_size(n, workdir, args.repeat, args.max_rows) for n in sizes]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    differ = [
        q
        for r in results
        for q in r["queries"]  # type: ignore[attr-defined]
        if isinstance(q["rows"], int) and isinstance(q["virtuoso_rows"], int) and q["rows"] != q["virtuoso_rows"]
    ]
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
