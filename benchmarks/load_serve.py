"""Load test of ``ppkg serve``: concurrent loopback clients, one runaway query among them.

``python benchmarks/load_serve.py`` starts the installed ``ppkg serve`` on a free loopback port (a real
subprocess), then runs ``--clients`` threads for ``--seconds``: all but one send catalogued queries (with
their default parameters) in turn and check every answer against the in-process answer (same rows); the
last client sends one runaway query (a three-way cross join of the whole graph, sorted on every
variable) that the server must turn into an error without failing anyone else. At the end it checks
that the server still answers, stops it with SIGTERM, and prints the figures; the last lines are

    requests: <answered> answered, <errors> errors (must be 0)
    latency: p50 <ms> ms, p99 <ms> ms, max <ms> ms
    runaway: HTTP <status> after <s> s: <reason>
    engine restarts: <n> | alive at the end: yes|no

``--baseline`` then runs the same clients (without the runaway) on the bare Oxigraph server and prints
the ratios, and ``--json`` adds one JSON line with the figures. The exit status is 0 when errors = 0, the
runaway got an error answer and the server was alive at the end; 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?b ?c ?d ?e ?f ?g ?h ?i"
"""A query no engine finishes on the shipped graph (its cross join has about 6·10¹⁰ rows to sort)."""


@dataclass(frozen=True)
class Work:
    """One catalogued query as a client sends it, and how many rows the in-process engine answers."""

    name: str
    text: str
    rows: int


@dataclass
class Tally:
    """What the clients saw (appended to under a lock)."""

    latencies: list[float] = field(default_factory=list)
    slowest: list[tuple[float, float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    runaway: tuple[int, float, str] | None = None
    warm: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


def workload() -> list[Work]:
    """The catalogued queries with their defaults, as the remote engine sends them, with expected row counts."""
    import ppkg
    from ppkg.query.remote import inject_values
    from ppkg.rdf.namespaces import sparql_prologue

    kg = ppkg.load()
    work = []
    for spec in kg.catalogue:
        if any(p.required for p in spec.params):
            continue
        text = sparql_prologue() + re.sub(r"(?m)^[ \t]*#.*$", "", inject_values(spec.text, kg.bind(spec, {})))
        work.append(Work(spec.name, text, len(kg.query(text).rows)))
    return work


def post(port: int, text: str, timeout: float) -> tuple[int, bytes]:
    """POST ``text`` as a form to ``/query``; the status and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/query",
            body=urllib.parse.urlencode({"query": text}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check(work: Work, status: int, body: bytes) -> str | None:
    """``None`` if the answer is right, else what is wrong with it."""
    if status != 200:
        return f"{work.name}: HTTP {status}: {body.decode(errors='replace').strip()[:200]}"
    try:
        rows = len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError) as err:
        return f"{work.name}: malformed answer: {err}"
    return None if rows == work.rows else f"{work.name}: {rows} rows instead of {work.rows}"


def client(index: int, port: int, work: list[Work], begin: float, end: float, timeout: float, tally: Tally) -> None:
    """Send the queries in turn (each client starting at a different one) until ``end``."""
    n = index
    while time.monotonic() < end:
        item = work[n % len(work)]
        n += 1
        started = time.monotonic()
        try:
            status, body = post(port, item.text, timeout)
            problem = check(item, status, body)
        except (OSError, http.client.HTTPException) as err:
            problem = f"{item.name}: {type(err).__name__}: {err}"
        elapsed = time.monotonic() - started
        with tally.lock:
            if problem is None:
                tally.latencies.append(elapsed)
                if len(tally.latencies) >= 2 * len(work):
                    tally.warm.set()
                tally.slowest = sorted([*tally.slowest, (elapsed, started - begin, item.name)], reverse=True)[:5]
            else:
                tally.errors.append(problem)


def runaway(port: int, timeout: float, warm_up: float, tally: Tally) -> None:
    """Once the other clients are under way, send the runaway query once and record what came back."""
    tally.warm.wait(warm_up)
    started = time.monotonic()
    try:
        status, body = post(port, RUNAWAY, timeout)
        reason = body.decode(errors="replace").strip()[:200]
    except (OSError, http.client.HTTPException) as err:
        status, reason = 0, f"{type(err).__name__}: {err}"
    tally.runaway = (status, time.monotonic() - started, reason)


def start_server(timeout: float) -> tuple[subprocess.Popen[str], int, list[str]]:
    """Start ``ppkg serve --port 0``; its process, port, and (filling up) its stderr lines."""
    ppkg_command = Path(sys.executable).with_name("ppkg")
    process = subprocess.Popen(
        [str(ppkg_command), "serve", "--port", "0", "--timeout", f"{timeout:g}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/query", first)
    if not match:
        process.kill()
        raise SystemExit(f"ppkg serve did not start: {first.strip()}")
    lines = [first.rstrip("\n")]

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.rstrip("\n"))

    threading.Thread(target=drain, daemon=True).start()
    return process, int(match.group(1)), lines


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def run_clients(port: int, work: list[Work], clients: int, seconds: float, timeout: float, with_runaway: bool) -> Tally:
    """``clients`` threads on ``port`` for ``seconds`` (the last one sends the runaway query, if asked)."""
    tally = Tally()
    begin = time.monotonic()
    end = begin + seconds
    threads = [
        threading.Thread(target=client, args=(i, port, work, begin, end, timeout, tally))
        for i in range(max(1, clients - 1 if with_runaway else clients))
    ]
    if with_runaway:
        threads.append(threading.Thread(target=runaway, args=(port, timeout, seconds / 4, tally)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def baseline(work: list[Work], clients: int, seconds: float, timeout: float) -> Tally:
    """The same clients, without the runaway query, on the bare Oxigraph server behind ``ppkg serve``."""
    import ppkg
    from ppkg.serve.server import SparqlServer

    with SparqlServer(ppkg.load().files, timeout_s=timeout) as server:
        assert server.engine_url is not None
        port = int(urllib.parse.urlsplit(server.engine_url).port or 0)
        return run_clients(port, work, clients - 1, seconds, timeout + 30, with_runaway=False)


def main(argv: list[str] | None = None) -> int:
    """Run the load test; print the figures; 0 if the server passed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients, the runaway one included")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients send queries")
    parser.add_argument("--timeout", type=float, default=10.0, help="the server's per-query time limit (s)")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="then run the same clients (without the runaway) on the bare Oxigraph server, and print ratios",
    )
    args = parser.parse_args(argv)

    work = workload()
    process, port, lines = start_server(args.timeout)
    client_timeout = args.timeout + 30
    try:
        tally = run_clients(port, work, args.clients, args.seconds, client_timeout, with_runaway=True)
        alive = False
        try:
            status, body = post(port, work[0].text, client_timeout)
            alive = check(work[0], status, body) is None
        except (OSError, http.client.HTTPException):
            pass
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    restarts = sum("restarted the SPARQL engine" in line for line in lines)
    latencies = tally.latencies or [0.0]
    figures = {
        "clients": args.clients,
        "seconds": args.seconds,
        "timeout": args.timeout,
        "answered": len(tally.latencies),
        "errors": len(tally.errors),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
        "runaway_status": tally.runaway[0] if tally.runaway else None,
        "runaway_seconds": round(tally.runaway[1], 2) if tally.runaway else None,
        "runaway_reason": tally.runaway[2] if tally.runaway else None,
        "restarts": restarts,
        "alive": alive,
        "exit_code": process.returncode,
    }
    for problem in sorted(set(tally.errors))[:10]:
        print(f"error: {problem}")
    print(
        f"load: {args.clients} clients for {args.seconds:g} s on ppkg serve (127.0.0.1, time limit "
        f"{args.timeout:g} s), {len(work)} catalogued queries, 1 runaway query"
    )
    print(f"requests: {figures['answered']} answered, {figures['errors']} errors (must be 0)")
    slowest = ", ".join(f"{name} {lat * 1000:.0f} ms at {at:.1f} s" for lat, at, name in tally.slowest)
    print(f"slowest: {slowest}")
    print(f"latency: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms")
    runaway_line = f"HTTP {figures['runaway_status']} after {figures['runaway_seconds']} s: {figures['runaway_reason']}"
    print(f"runaway: {runaway_line}")
    print(f"engine restarts: {restarts} | alive at the end: {'yes' if alive else 'no'}")
    if args.baseline:
        bare = baseline(work, args.clients, args.seconds, args.timeout)
        bare_latencies = bare.latencies or [0.0]
        figures["baseline_answered"] = len(bare.latencies)
        figures["baseline_errors"] = len(bare.errors)
        figures["baseline_p50_ms"] = round(percentile(bare_latencies, 50) * 1000, 1)
        figures["baseline_p99_ms"] = round(percentile(bare_latencies, 99) * 1000, 1)
        print(
            f"baseline (bare Oxigraph server, {args.clients - 1} clients, no runaway): {len(bare.latencies)} answered, "
            f"{len(bare.errors)} errors, p50 {figures['baseline_p50_ms']} ms, p99 {figures['baseline_p99_ms']} ms"
        )
        print(
            f"ppkg serve ÷ bare: requests {len(tally.latencies) / max(1, len(bare.latencies)):.2f}×, "
            f"p50 {percentile(latencies, 50) / max(1e-9, percentile(bare_latencies, 50)):.2f}×, "
            f"p99 {percentile(latencies, 99) / max(1e-9, percentile(bare_latencies, 99)):.2f}×"
        )
    if args.json:
        print(json.dumps(figures, sort_keys=True))
    passed = not tally.errors and alive and figures["runaway_status"] not in (None, 0, 200)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
