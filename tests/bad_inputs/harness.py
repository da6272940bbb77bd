"""How a bad-input case is written down and run.

A case is one :class:`Case` entry in a ``cases_*.py`` module of this package. The runner gives it a workspace
(a private copy of the shipped data directory, an inputs directory with the case's files, an output directory,
and an "outside" directory holding a secret file no case may read), runs the installed ``ppkg`` (or a Python
snippet using the API) in a subprocess with an audit hook, and checks, for every case:

- the documented exit code, and on stderr exactly one readable line (no traceback, no control characters)
  matching the case's message;
- the data directory is byte-for-byte what it was (unless the case is an accepted contribution);
- zero connections to the loopback listener that stands for "outside", and no network call in the audit log
  (cases against the misbehaving endpoint may connect to it, and to nothing else);
- no file opened outside the inputs, the workspace, and the code and data ppkg is installed with;
- it finished within its time bound (a hang is a failure, not a wait).

Placeholders in ``argv``, ``python`` and file contents: ``{inputs}``, ``{data}``, ``{out}``, ``{outside}``
(the directory of the secret file), ``{secret}`` (its path), ``{listener}`` (URL of the loopback listener),
``{listener_port}``, ``{bad}`` (URL of the misbehaving endpoint).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ppkg.rdf import shipped
from tests.conftest import copy_data, ppkg_command

AUDIT = Path(__file__).resolve().parent / "audit"
SECRET = "ppkg-bad-input-secret: this file must never be read"

FileContent = bytes | str | Callable[[Path], None]
"""What a case file holds: bytes, text (UTF-8, placeholders filled in), or a function that makes it at a path."""


@dataclass(frozen=True)
class Case:
    """One bad input, what ppkg must answer, and where the case comes from."""

    id: str
    """Short unique name; the test's id."""
    exit: int
    """The documented exit code (0 accepted, 1 violates the shapes, 2 bad input)."""
    message: str
    """Regular expression the one stderr line must contain; ``""`` means stderr must be empty."""
    argv: tuple[str, ...] = ()
    """Arguments of the installed ``ppkg`` command (or empty when ``python`` is given)."""
    python: str | None = None
    """Instead of ``argv``: Python statements run with ``import ppkg`` done; a PpkgError becomes its exit code."""
    files: Mapping[str, FileContent] = field(default_factory=dict)
    """Files to create in ``{inputs}`` before the run (relative names; sub-directories are made)."""
    stdin: str | bytes | None = None
    before: tuple[tuple[str, ...], ...] = ()
    """``ppkg`` runs that must succeed first (their effect on the data is the baseline)."""
    env: Mapping[str, str] = field(default_factory=dict)
    anchor: str = ""
    """Where the case comes from: ``RA 4.1 #1`` is reliability-anchors.md §4 case 1; ``issue 10`` the issue."""
    changes_data: bool = False
    """The input is accepted and written (e.g. with a warning); the data directory may change."""
    remote: bool = False
    """The case talks to the misbehaving endpoint ``{bad}`` on purpose (connections to it are allowed)."""
    stdout: str | None = None
    """Regular expression stdout must contain."""
    timeout: float = 60.0
    """Hang guard: the run is killed and the case fails after this many seconds."""


@dataclass
class Workspace:
    """The directories of one case's run."""

    root: Path
    listener_url: str
    listener_port: int
    bad_url: str

    @property
    def inputs(self) -> Path:
        return self.root / "inputs"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def outside(self) -> Path:
        return self.root / "outside"

    @property
    def secret(self) -> Path:
        return self.outside / "secret.txt"

    def fill(self, text: str) -> str:
        """``text`` with the placeholders replaced."""
        values = {
            "inputs": str(self.inputs),
            "data": str(self.data),
            "out": str(self.out),
            "outside": str(self.outside),
            "secret": str(self.secret),
            "listener": self.listener_url,
            "listener_port": str(self.listener_port),
            "bad": self.bad_url,
        }
        for name, value in values.items():
            text = text.replace("{" + name + "}", value)
        return text

    def prepare(self, case: Case) -> None:
        """Make the directories, the data copy, the secret and the case's files."""
        for directory in (self.inputs, self.out, self.outside, self.root / "tmp", self.root / "home"):
            directory.mkdir(parents=True, exist_ok=True)
        copy_data(self.data)
        self.secret.write_text(SECRET + "\n", encoding="utf-8")
        for name, content in case.files.items():
            path = self.inputs / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path)
            elif isinstance(content, str):
                path.write_text(self.fill(content), encoding="utf-8")
            else:
                path.write_bytes(content)


@dataclass
class Outcome:
    """What a run did."""

    returncode: int
    stdout: str
    stderr: str
    audit: list[dict[str, object]]


API_PRELUDE = """\
import sys
import ppkg
from ppkg.errors import PpkgError
try:
{body}
except PpkgError as err:
    print(f"{{type(err).__name__}}: {{err}}", file=sys.stderr)
    sys.exit(err.exit_code)
"""


def environment(case: Case, space: Workspace) -> dict[str, str]:
    """The environment of the case's runs: the data directory, the audit hook, a private TMPDIR and HOME."""
    return {
        **os.environ,
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "PPKG_DATA_DIR": str(space.data),
        "PYTHONPATH": os.pathsep.join([str(AUDIT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "TMPDIR": str(space.root / "tmp"),
        "HOME": str(space.root / "home"),
        **{key: space.fill(value) for key, value in case.env.items()},
    }


def run_before(case: Case, space: Workspace) -> None:
    """The ``before`` runs of ``case``; each must succeed."""
    for before in case.before:
        done = subprocess.run(
            [*ppkg_command(), *(space.fill(a) for a in before)],
            capture_output=True,
            text=True,
            env=environment(case, space),
            cwd=space.root,
            timeout=case.timeout,
        )
        assert done.returncode == 0, f"setup run {before} failed: {done.stderr}"


def run(case: Case, space: Workspace) -> Outcome:
    """Run ``case`` in ``space`` with the audit hook (after :func:`run_before`)."""
    audit_log = space.root / "audit.jsonl"
    if case.python is not None:
        body = "\n".join("    " + line for line in space.fill(case.python).splitlines())
        command = [sys.executable, "-c", API_PRELUDE.format(body=body)]
    else:
        command = [*ppkg_command(), *(space.fill(a) for a in case.argv)]
    stdin = space.fill(case.stdin).encode() if isinstance(case.stdin, str) else case.stdin
    env = {**environment(case, space), "PPKG_AUDIT_LOG": str(audit_log)}
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, env=env, cwd=space.root, timeout=case.timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{case.id}: still running after {case.timeout:.0f} s (a hang)") from None
    lines = audit_log.read_text(encoding="utf-8").splitlines() if audit_log.exists() else []
    return Outcome(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
        [json.loads(line) for line in lines],
    )


def allowed_roots(space: Workspace) -> list[Path]:
    """Where a run may open files: its workspace, and the code and data ppkg and Python are installed with."""
    roots = {space.root, shipped.root(), AUDIT}
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        roots.add(Path(prefix))
    roots.update(Path(p) for p in sys.path if p and Path(p).is_dir() and p != "/")
    return sorted({r.resolve() for r in roots})


SYSTEM_FILES = ("/dev/null", "/dev/urandom", "/etc/localtime", "/usr/share/zoneinfo/", "/proc/self/", "/etc/mime.types")
"""System files any Python program may read (time zone, randomness), never data."""

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def opened_outside(outcome: Outcome, space: Workspace) -> list[str]:
    """Files the run opened that are neither inputs, workspace, installed code nor harmless system files."""
    roots = allowed_roots(space)
    outside = []
    for event in outcome.audit:
        if event["event"] != "open":
            continue
        name = str(event["arg"])
        if any(name.startswith(s) for s in SYSTEM_FILES):
            continue
        path = Path(name) if os.path.isabs(name) else space.root / name
        resolved = path.resolve()
        if resolved == space.secret.resolve() or not any(resolved.is_relative_to(r) for r in roots):
            outside.append(name)
    return sorted(set(outside))


def network_calls(outcome: Outcome, space: Workspace, remote: bool) -> list[str]:
    """Network calls in the audit log (those to the misbehaving endpoint are allowed for remote cases)."""
    calls = []
    bad_port = space.bad_url.rsplit(":", 1)[-1].split("/")[0]
    for event in outcome.audit:
        if event["event"] == "open":
            continue
        text = str(event["arg"])
        if remote and (bad_port in text or event["event"] == "urllib.Request" and text.startswith(space.bad_url)):
            continue
        if remote and event["event"] == "socket.getaddrinfo" and "127.0.0.1" in text:
            continue
        calls.append(f"{event['event']} {text}")
    return calls


def check(case: Case, outcome: Outcome, space: Workspace) -> None:
    """Assert everything the suite promises for ``case``."""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    where = f"{case.id}: exit {outcome.returncode}, stderr {outcome.stderr[:2000]!r}"
    assert "Traceback" not in outcome.stderr, where
    assert outcome.returncode == case.exit, where
    if case.message:
        assert len(lines) == 1, f"{where}: expected one line"
        assert not CONTROL.search(lines[0]), where
        if case.python is None:  # the command line's own prefix
            prefix = "ppkg: error: " if case.exit else "ppkg: warning: "
            assert lines[0].startswith(prefix), f"{where}: expected {prefix!r}"
        assert re.search(case.message, lines[0]), f"{where}: does not match {case.message!r}"
    else:
        assert not lines, where
    if case.stdout is not None:
        assert re.search(case.stdout, outcome.stdout), f"{case.id}: stdout {outcome.stdout[:2000]!r}"
    outside = opened_outside(outcome, space)
    assert not outside, f"{case.id}: opened files outside the inputs: {outside}"
    calls = network_calls(outcome, space, case.remote)
    assert not calls, f"{case.id}: network calls: {calls}"
