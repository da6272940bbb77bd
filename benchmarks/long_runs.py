"""The long fault and load runs in one command: ``python benchmarks/long_runs.py``.

Runs ``faults.py`` (SIGKILL during ``ppkg contribute`` and ``ppkg withdraw``, 100 trials each by default) and
then ``load_serve.py`` (50 loopback clients on ``ppkg serve`` for 60 s with one runaway query), showing their
output as it comes, and ends with a summary: trials and failures per operation, requests, errors, p50/p99
latency, what happened to the runaway query and whether the server was alive at the end. Exits 1 if either
run found a failure. The short versions of both runs are part of the tests (``tests/test_faults.py``,
``tests/test_serve.py``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``script`` with ``--json``, echoing its output; its exit code and the figures of its JSON line."""
    process = subprocess.Popen([sys.executable, str(HERE / script), *args, "--json"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    figures: dict[str, Any] = {}
    for line in process.stdout:
        if line.startswith("{"):
            figures = json.loads(line)
        else:
            print(line, end="", flush=True)
    return process.wait(), figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100, help="fault trials per operation (default 100)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent load clients (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load run lasts (default 60)")
    args = parser.parse_args(argv)

    faults_code, faults = run("faults.py", "--trials", str(args.trials))
    load_code, load = run("load_serve.py", "--clients", str(args.clients), "--seconds", f"{args.seconds:g}")

    print("\n== long runs: summary ==")
    failures = 0
    for operation in ("contribute", "withdraw"):
        tally = faults.get(operation, {})
        failures += tally.get("failures", 1)
        print(
            f"faults {operation}: trials {tally.get('trials', 0)}, kills landed {tally.get('landed', 0)}, "
            f"failures {tally.get('failures', 'unknown')}"
        )
    errors = load.get("errors", 1)
    print(
        f"load: {load.get('clients', 0)} clients for {load.get('seconds', 0):g} s, requests {load.get('answered', 0)}, "
        f"errors {errors}, p50 {load.get('p50_ms')} ms, p99 {load.get('p99_ms')} ms"
    )
    print(
        f"runaway: HTTP {load.get('runaway_status')} after {load.get('runaway_seconds')} s; "
        f"server alive at the end: {'yes' if load.get('alive') else 'no'}"
    )
    failed = failures + errors + (faults_code != 0) + (load_code != 0)
    print(f"failures: {failures + errors}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
