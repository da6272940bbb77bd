"""Runnable documentation: the ```console blocks of a Markdown page, run and compared (or regenerated).

A block holds ``$ ppkg …`` command lines, each followed by its output (stdout, then stderr). Commands run
from the repository root against a private copy of the data directory (``PPKG_DATA_DIR``), with
``COLUMNS=100`` (so that they read well on GitHub). Contribution ids, times and the data directory's path
vary between runs, so they are written as ``YYYYMMDD-xxxxxxxxxxxx``, ``YYYY-MM-DDThh:mm:ss+00:00`` and
``<data-dir>``; a command may use ``YYYYMMDD-xxxxxxxxxxxx`` to mean the last id the previous commands printed.

Regenerate a page's outputs after a deliberate change: ``python -m tests.console docs/contributing-data.md``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID = re.compile(r"\d{8}-[0-9a-f]{12}")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
ID_MARK = "YYYYMMDD-xxxxxxxxxxxx"
TIME_MARK = "YYYY-MM-DDThh:mm:ss+00:00"


@dataclass
class Step:
    """One command of a console block and the output the page shows for it."""

    command: str
    expected: str
    line: int


def steps(page: str) -> list[Step]:
    """The commands and expected outputs of every console block, in order."""
    found: list[Step] = []
    in_block = False
    for number, line in enumerate(page.splitlines(), start=1):
        if line.startswith("```console"):
            in_block = True
        elif in_block and line.startswith("```"):
            in_block = False
        elif in_block and line.startswith("$ "):
            found.append(Step(line[2:], "", number))
        elif in_block and found:
            found[-1].expected += line + "\n"
    return found


class Session:
    """Runs page commands in order against a fresh copy of the shipped data."""

    def __init__(self, ppkg: list[str]) -> None:
        self.ppkg = ppkg
        self.dir = Path(tempfile.mkdtemp(prefix="ppkg-docs-")) / "data"
        shutil.copytree(ROOT / "data", self.dir, ignore=shutil.ignore_patterns("contributions"))
        self.last_id = ""

    def run(self, command: str) -> str:
        """Run one ``ppkg …`` command line; return its normalised output."""
        args = shlex.split(command.replace(ID_MARK, self.last_id))
        assert args[0] == "ppkg", f"only ppkg commands can be run: {command}"
        env = {**os.environ, "PPKG_DATA_DIR": str(self.dir), "COLUMNS": "100", "NO_COLOR": "1"}
        done = subprocess.run([*self.ppkg, *args[1:]], capture_output=True, text=True, cwd=ROOT, env=env)
        text = done.stdout + done.stderr
        if ids := ID.findall(text):
            self.last_id = ids[-1]
        text = ID.sub(ID_MARK, text)
        text = TIME.sub(TIME_MARK, text)
        return text.replace(str(self.dir), "<data-dir>")

    def close(self) -> None:
        """Remove the private data directory."""
        shutil.rmtree(self.dir.parent, ignore_errors=True)


def render(path: Path, ppkg: list[str]) -> None:
    """Rewrite the outputs of every console block of ``path`` with what the commands print now."""
    session = Session(ppkg)
    out: list[str] = []
    in_block = False
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("```console"):
                in_block = True
            elif in_block and line.startswith("```"):
                in_block = False
            elif in_block and line.startswith("$ "):
                out.append(line)
                out.extend(session.run(line[2:]).rstrip("\n").splitlines())
                continue
            elif in_block:
                continue
            out.append(line)
    finally:
        session.close()
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    beside = Path(sys.executable).with_name("ppkg")
    for name in sys.argv[1:]:
        render(Path(name), [str(beside)] if beside.is_file() else ["ppkg"])
