"""Fault runs: ``ppkg contribute`` and ``ppkg withdraw`` killed with SIGKILL at random moments.

``python benchmarks/faults.py --trials 100`` works on a temporary copy of the shipped data directory and
runs the installed ``ppkg`` as real subprocesses. Each trial kills one command with SIGKILL, either after a
random delay (uniform over 1.2 times the command's measured run time, so most kills land while it runs:
while it starts, reads, validates, writes) or, in one trial of three, at a random stage of the write where
it waits (``PPKG_TEST_PAUSE_AT``, see :mod:`ppkg.steward.store`: the moments between the temporary file
and the rename are microseconds wide, and random delays would almost never hit them). After each kill:

* the data directory is byte-for-byte what it was before (a left-over temporary file aside), or the
  operation is complete: exactly one new contribution file, which loads and holds the contributed
  program, or exactly the withdrawn file gone and every other file identical;
* the persistent store answers right: the first reader after the kill, ``PPKG_DATA_DIR=DIR ppkg query``
  (which may bring the store up to date or rebuild it first), returns exactly the union graph and the
  statement count a fresh in-memory load of the files gives (``ppkg.load(..., store=False)``);
* every catalogued query answers on it (in-process, with its default parameters);
* the next command works and cleans up: the same ``contribute`` again exits 0 and leaves no temporary
  file; after a withdrawal, ``ppkg contributions`` exits 0 and, if nothing was withdrawn, the same
  ``withdraw`` again exits 0.

The last lines print, per operation, the trials, the kills that landed (the command was still running),
the outcomes and the failures, then ``failures: 0`` or the count; the exit status is 0 only when there is
none. ``--json`` adds one JSON line. A short run (``--trials 8``) is a CI test (``tests/test_faults.py``).

The store is built first (``ppkg store rebuild``), so every ``contribute`` and ``withdraw`` also updates it,
passing the stages ``store-copied``, ``store-updated`` and ``store-published`` (among the stages a third of
the kills wait at). ``--store-stages`` replaces the random trials by one contribute and one withdraw killed
at each store stage. Last, a reader runs ``ppkg query`` on the data directory without pause while
``--reader-cycles`` contributions are made and withdrawn: every answer must be the whole state before or
after a write (statement count, program present or not), never an error or a half state.

``python benchmarks/faults.py --lock-time 1000`` instead measures how long ``ppkg contribute`` of a
generated contribution of that many programs holds the data directory's lock: a probe tries to take the
lock every 5 ms without waiting and adds up the time it found it held.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

import generate  # benchmarks/generate.py, beside this script
import ppkg
from ppkg.rdf import shipped
from ppkg.rdf.namespaces import PPKG

STORE_STAGES = ["store-copied", "store-updated", "store-published"]
"""The checkpoints of the persistent store's update (:mod:`ppkg.rdf.compiled`) after a change is written."""
STAGES = {
    "contribute": ["validating", "after-validate", "after-temp-write", "before-rename", "after-rename", *STORE_STAGES],
    "withdraw": ["before-unlink", "after-unlink", *STORE_STAGES],
}
"""The checkpoints each operation passes (a third of the kills land at one): the file's
(:mod:`ppkg.steward.store`), then the store's."""

TEMPORARY = ".tmp-"
STORE = ".ppkg-store"
"""The persistent store's directory inside the data directory (not a data file: left out of the digest)."""
EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def ppkg_command() -> list[str]:
    """The installed ``ppkg`` console script beside this Python."""
    return [str(Path(sys.executable).with_name("ppkg"))]


def digest(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under ``directory``, left-over temporary files aside."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.startswith(TEMPORARY) and STORE not in p.relative_to(directory).parts
    }


def temporaries(directory: Path) -> list[Path]:
    """Temporary files a killed write left behind."""
    return sorted((directory / "contributions").glob(f"{TEMPORARY}*"))


def run(
    args: list[str], env: dict[str, str] | None = None, timeout: float | None = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``ppkg`` with ``args`` to the end."""
    return subprocess.run(
        [*ppkg_command(), *args], capture_output=True, text=True, env=env or dict(os.environ), timeout=timeout
    )


@dataclass
class Tally:
    """What the trials of one operation found."""

    trials: int = 0
    landed: int = 0
    at_stage: int = 0
    unchanged: int = 0
    complete: int = 0
    failures: list[str] = field(default_factory=list)

    def line(self, operation: str, complete: str) -> str:
        """The summary line."""
        return (
            f"{operation}: trials {self.trials}, kills landed {self.landed} ({self.at_stage} at a write stage), "
            f"unchanged {self.unchanged}, {complete} {self.complete}, failures {len(self.failures)}"
        )


class Faults:
    """The working copy, the contribution, and the checks after each kill."""

    def __init__(self, work: Path, rng: random.Random) -> None:
        self.work = work
        self.rng = rng
        self.data = work / "data"
        shutil.copytree(shipped.root() / "data", self.data, ignore=shutil.ignore_patterns("contributions"))
        (self.data / "contributions").mkdir()
        self.file = generate.write_contribution(work / "contribution.ttl")
        self.program = self._program()
        self.pristine = digest(self.data)
        self.durations: dict[str, float] = {}

    def _program(self) -> str:
        graph = Graph().parse(self.file, format="turtle")
        return str(next(graph.subjects(RDF.type, PPKG.Program)))

    def contribute_args(self) -> list[str]:
        """The contribute command of every trial."""
        return ["contribute", str(self.file), "--by", "Fault Run", "--data-dir", str(self.data)]

    def contributions(self) -> list[Path]:
        """The contribution files."""
        return sorted((self.data / "contributions").glob("*.trig"))

    def reset(self) -> None:
        """Back to the shipped data, no contributions."""
        for path in (self.data / "contributions").iterdir():
            path.unlink()
        assert digest(self.data) == self.pristine

    def holds_program(self) -> bool:
        """Whether the files of the data directory (read into memory, not the store) hold the program."""
        return bool(self.fresh().query(f"ASK {{ <{self.program}> a ppkg:Program }}"))

    def fresh(self) -> ppkg.KnowledgeGraph:
        """The data directory's files read into memory (its store neither read nor touched)."""
        return ppkg.load(data_dir=self.data, store=False)

    def store_answers(self) -> str | None:
        """``None`` if ``PPKG_DATA_DIR=DIR ppkg query`` (the store, as the first reader after the kill) answers
        what a fresh in-memory load of the files answers: the same union graph and the same statement count
        (a rebuild on the way is allowed; a wrong answer is not); else what differs."""
        env = {**os.environ, "PPKG_DATA_DIR": str(self.data)}
        env.pop("PPKG_TEST_PAUSE_AT", None)
        problems = []
        got = run(["query", "--sparql", EVERYTHING, "--format", "nt"], env=env)
        counted = run(["query", "--sparql", COUNT, "--format", "csv"], env=env)
        for done in (got, counted):
            if done.returncode != 0:
                problems.append(f"ppkg query on the store exited {done.returncode}: {done.stderr.strip()}")
        if problems:
            return "; ".join(problems)
        kg = self.fresh()
        expected = kg.query(EVERYTHING).graph
        assert expected is not None
        answer = Graph().parse(data=got.stdout, format="nt")
        if not isomorphic(answer, expected):
            _, only_store, only_files = graph_diff(to_isomorphic(answer), to_isomorphic(expected))
            problems.append(
                f"the store's union graph differs from the files': {len(only_store)} statements only in the "
                f"store, {len(only_files)} only in the files"
            )
        count = int(got_count) if (got_count := counted.stdout.splitlines()[-1].strip()).isdigit() else -1
        if count != len(expected):
            problems.append(f"the store counts {count} statements, the files hold {len(expected)}")
        return "; ".join(problems) or None

    def queries_answer(self) -> str | None:
        """``None`` if every catalogued query answers on the data directory, else what went wrong."""
        try:
            kg = ppkg.load(data_dir=self.data)
            for spec in kg.catalogue:
                kg.run(spec.name)
        except Exception as err:  # any failure is a finding, reported in one line
            return f"catalogued queries: {type(err).__name__}: {err}"
        return None

    def calibrate(self) -> None:
        """Build the store; how long an uninterrupted contribute and withdraw take here (the range of the
        random delays)."""
        built = run(["store", "rebuild", "--data-dir", str(self.data)])
        if built.returncode != 0:
            raise SystemExit(f"ppkg store rebuild failed: {built.stderr.strip()}")
        for _ in range(2):
            started = time.monotonic()
            done = run(self.contribute_args())
            self.durations["contribute"] = time.monotonic() - started
            if done.returncode != 0:
                raise SystemExit(f"ppkg contribute failed without a fault: {done.stderr.strip()}")
            cid = self.contributions()[0].stem
            started = time.monotonic()
            done = run(["withdraw", cid, "--data-dir", str(self.data)])
            self.durations["withdraw"] = time.monotonic() - started
            if done.returncode != 0:
                raise SystemExit(f"ppkg withdraw failed without a fault: {done.stderr.strip()}")
        self.reset()

    def kill(self, args: list[str], operation: str, tally: Tally, stage: str | None = None) -> str:
        """Start ``ppkg args`` and SIGKILL it at ``stage``, or at a random moment or stage; what the kill hit
        (for messages)."""
        env = dict(os.environ)
        if stage is None and self.rng.random() < 1 / 3:
            stage = self.rng.choice(STAGES[operation])
        if stage is not None:
            env["PPKG_TEST_PAUSE_AT"] = stage
        process = subprocess.Popen(
            [*ppkg_command(), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE if stage else subprocess.DEVNULL,
            text=True,
        )
        if stage:
            assert process.stderr is not None
            line = "-"
            seen: list[str] = []
            while line and f"paused at {stage}" not in line:
                line = process.stderr.readline()
                if line.strip():
                    seen.append(line)
            if not line:  # it ended without reaching the stage
                process.wait()
                said = " ".join(seen[-1].split()) if seen else "nothing"
                tally.failures.append(
                    f"{operation}: stage {stage} never reached (exit {process.returncode}; it said: {said})"
                )
                return f"stage {stage} (never reached)"
            when = f"stage {stage}"
        else:
            delay = self.rng.uniform(0, 1.2 * self.durations[operation])
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                pass
            when = f"{delay:.2f} s"
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        if process.stderr is not None:
            process.stderr.close()
        if running:
            tally.landed += 1
            tally.at_stage += stage is not None
        return when if running else f"{when} (finished first)"

    def contribute_trial(self, tally: Tally, stage: str | None = None) -> None:
        """Kill one contribute (at ``stage``, else at random); check the data, the store, the queries and the
        next run."""
        tally.trials += 1
        self.reset()
        when = self.kill(self.contribute_args(), "contribute", tally, stage)
        problems = []
        if (wrong := self.store_answers()) is not None:
            problems.append(wrong)
        after = digest(self.data)
        new = [k for k in after if k not in self.pristine]
        if after == self.pristine:
            tally.unchanged += 1
            if self.holds_program():
                problems.append("unchanged files, but the program is in the graph")
        elif (
            len(new) == 1 and new[0].startswith("contributions/") and {**self.pristine, new[0]: after[new[0]]} == after
        ):
            tally.complete += 1
            if not self.holds_program():
                problems.append(f"merged {new[0]}, but the program is not in the graph")
        else:
            problems.append(f"neither unchanged nor merged: new or changed {sorted(set(after) ^ set(self.pristine))}")
        if (broken := self.queries_answer()) is not None:
            problems.append(broken)
        again = run(self.contribute_args())
        if again.returncode != 0:
            problems.append(f"the next contribute exited {again.returncode}: {again.stderr.strip()}")
        if temporaries(self.data):
            problems.append(f"temporary files left after the next contribute: {temporaries(self.data)}")
        if len(self.contributions()) != 1 or not self.holds_program():
            problems.append(f"after the next contribute: {len(self.contributions())} contribution files")
        tally.failures += [f"contribute trial {tally.trials}, kill at {when}: {p}" for p in problems]

    def withdraw_trial(self, tally: Tally, stage: str | None = None) -> None:
        """Kill one withdraw (at ``stage``, else at random); check the data, the store, the queries and the next
        command."""
        tally.trials += 1
        self.reset()
        done = run(self.contribute_args())
        if done.returncode != 0 or len(self.contributions()) != 1:
            tally.failures.append(f"withdraw trial {tally.trials}: setup contribute failed: {done.stderr.strip()}")
            return
        target = self.contributions()[0]
        before = digest(self.data)
        withdraw = ["withdraw", target.stem, "--data-dir", str(self.data)]
        when = self.kill(withdraw, "withdraw", tally, stage)
        problems = []
        if (wrong := self.store_answers()) is not None:
            problems.append(wrong)
        after = digest(self.data)
        gone = str(target.relative_to(self.data))
        if after == before:
            tally.unchanged += 1
            if not self.holds_program():
                problems.append("unchanged files, but the program is gone from the graph")
        elif after == {k: v for k, v in before.items() if k != gone}:
            tally.complete += 1
            if self.holds_program():
                problems.append("withdrawn, but the program is still in the graph")
        else:
            problems.append(f"neither unchanged nor withdrawn: changed {sorted(set(after) ^ set(before))}")
        if (broken := self.queries_answer()) is not None:
            problems.append(broken)
        listed = run(["contributions", "--data-dir", str(self.data)])
        if listed.returncode != 0:
            problems.append(f"the next `ppkg contributions` exited {listed.returncode}: {listed.stderr.strip()}")
        if target.exists():
            again = run(withdraw)
            if again.returncode != 0 or target.exists():
                problems.append(f"the next withdraw exited {again.returncode}: {again.stderr.strip()}")
        if temporaries(self.data):
            problems.append(f"temporary files left: {temporaries(self.data)}")
        tally.failures += [f"withdraw trial {tally.trials}, kill at {when}: {p}" for p in problems]

    def reader_trial(self, cycles: int) -> tuple[int, list[str]]:
        """Contribute and withdraw ``cycles`` times while a reader runs ``ppkg query`` on the data directory
        without pause; every answer must be the state before or after a write (statement count and the program
        present or not), never an error or a half state. Returns the reads made and the failures."""
        self.reset()
        query = (
            "SELECT ?n ?has WHERE { { SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } } "
            f"BIND(EXISTS {{ <{self.program}> a ppkg:Program }} AS ?has) }}"
        )
        states = {"false": len(self.fresh().query(EVERYTHING))}
        failures: list[str] = []
        done = run(self.contribute_args())
        if done.returncode != 0:
            return 0, [f"reader trial: setup contribute failed: {done.stderr.strip()}"]
        states["true"] = len(self.fresh().query(EVERYTHING))
        self.reset()
        env = {**os.environ, "PPKG_DATA_DIR": str(self.data)}
        stop = threading.Event()
        reads: list[str] = []

        def read() -> None:
            while not stop.is_set():
                answer = run(["query", "--sparql", query, "--format", "csv"], env=env)
                if answer.returncode != 0:
                    failures.append(f"reader: ppkg query exited {answer.returncode}: {answer.stderr.strip()}")
                    continue
                row = answer.stdout.splitlines()[-1].strip()
                count, _, has = row.partition(",")
                reads.append(row)
                if states.get(has) != (int(count) if count.isdigit() else None):
                    failures.append(f"reader: a half state: {row!r} (the whole states: {states})")

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            for cycle in range(cycles):
                added = run(self.contribute_args())
                if added.returncode != 0 or len(self.contributions()) != 1:
                    failures.append(f"reader trial, cycle {cycle}: contribute exited {added.returncode}")
                    break
                gone = run(["withdraw", self.contributions()[0].stem, "--data-dir", str(self.data)])
                if gone.returncode != 0:
                    failures.append(f"reader trial, cycle {cycle}: withdraw exited {gone.returncode}")
                    break
        finally:
            stop.set()
            reader.join()
        return len(reads), failures


class LockProbe:
    """Adds up how long someone else holds the exclusive lock on ``directory`` (polled every 5 ms)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.held = 0.0
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> LockProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        since: float | None = None
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    since = now if since is None else since
                else:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    if since is not None:
                        self.held += now - since
                        self.longest = max(self.longest, now - since)
                        since = None
                time.sleep(0.005)
        finally:
            if since is not None:
                self.held += time.monotonic() - since
                self.longest = max(self.longest, time.monotonic() - since)
            os.close(fd)


def lock_time(programs: int, work: Path) -> dict[str, float | int]:
    """Contribute ``programs`` generated programs with ``ppkg contribute``; how long the lock was held."""
    data = work / "data"
    shutil.copytree(shipped.root() / "data", data, ignore=shutil.ignore_patterns("contributions"))
    big = generate.write_synthetic(programs, work / "big")
    with LockProbe(data) as probe:
        started = time.monotonic()
        done = run(["contribute", str(big), "--by", "Lock Time", "--data-dir", str(data)], timeout=None)
        total = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"ppkg contribute of {programs} programs failed: {done.stderr.strip()}")
    return {"programs": programs, "seconds": round(total, 2), "lock_held_s": round(probe.held, 3)}


def main(argv: list[str] | None = None) -> int:
    """Run the fault trials (or the lock-time measurement); print the figures; 0 if nothing failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100, help="trials per operation (default 100)")
    parser.add_argument("--seed", type=int, default=20261202, help="random seed of the kill moments")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument("--lock-time", type=int, metavar="PROGRAMS", help="measure the lock time instead")
    parser.add_argument(
        "--store-stages",
        action="store_true",
        help="instead of random trials: one contribute and one withdraw killed at each stage of the store update",
    )
    parser.add_argument(
        "--reader-cycles", type=int, default=5, help="contribute/withdraw cycles beside a reader (default 5)"
    )
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ppkg-faults-"))
    try:
        if args.lock_time:
            measured = lock_time(args.lock_time, work)
            print(
                f"lock time: ppkg contribute of {measured['programs']} programs took {measured['seconds']} s; "
                f"the data directory's lock was held {measured['lock_held_s']} s of it"
            )
            if args.json:
                print(json.dumps(measured, sort_keys=True))
            return 0
        faults = Faults(work, random.Random(args.seed))
        faults.calibrate()
        tallies = {"contribute": Tally(), "withdraw": Tally()}
        started = time.monotonic()
        for stage in STORE_STAGES if args.store_stages else []:
            faults.contribute_trial(tallies["contribute"], stage)
            faults.withdraw_trial(tallies["withdraw"], stage)
        for _ in range(0 if args.store_stages else args.trials):
            faults.contribute_trial(tallies["contribute"])
            faults.withdraw_trial(tallies["withdraw"])
        reads, reader_failures = faults.reader_trial(args.reader_cycles) if args.reader_cycles else (0, [])
        elapsed = time.monotonic() - started
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    failures = [f for t in tallies.values() for f in t.failures] + reader_failures
    for failure in failures[:20]:
        print(f"failure: {failure}")
    trials = len(STORE_STAGES) if args.store_stages else args.trials
    print(
        f"faults: SIGKILL during ppkg contribute and ppkg withdraw, {trials} trials each, {elapsed:.0f} s "
        f"(uninterrupted: contribute {faults.durations['contribute']:.2f} s, "
        f"withdraw {faults.durations['withdraw']:.2f} s)"
    )
    print(tallies["contribute"].line("contribute", "merged"))
    print(tallies["withdraw"].line("withdraw", "withdrawn"))
    print(
        f"reader: {reads} queries beside {args.reader_cycles} contribute/withdraw cycles, "
        f"failures {len(reader_failures)}"
    )
    print(f"failures: {len(failures)}")
    if args.json:
        figures: dict[str, object] = {
            op: {
                "trials": t.trials,
                "landed": t.landed,
                "at_stage": t.at_stage,
                "unchanged": t.unchanged,
                "complete": t.complete,
                "failures": len(t.failures),
            }
            for op, t in tallies.items()
        }
        figures["reader"] = {"cycles": args.reader_cycles, "reads": reads, "failures": len(reader_failures)}
        print(json.dumps({"failures": len(failures), **figures}, sort_keys=True))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
