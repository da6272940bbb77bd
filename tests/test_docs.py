"""The documentation is runnable: every console session in the README and the steward's guide prints
exactly what the page shows, in order, against a private copy of the data; every Python block of the
README and docs/ runs."""

from __future__ import annotations

import re
import shutil
import traceback
from pathlib import Path

import pytest

from .conftest import ppkg_command
from .console import ROOT, Session, steps

PAGES = ["README.md", "docs/contributing-data.md"]
PYTHON_PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
SERVE_URL = "http://127.0.0.1:7878/query"
"""The endpoint the pages' Python blocks connect to after `ppkg serve`; the test starts a real server instead."""


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_console_sessions_match(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    session = Session(ppkg_command())
    try:
        found = steps(text)
        assert found, f"{page} has no console session"
        for step in found:
            actual = session.run(step.command)
            assert actual.rstrip("\n") == step.expected.rstrip("\n"), (
                f"{page}:{step.line}: `{step.command}` printed something else; if the change is deliberate, "
                f"run `python -m tests.console {page}`\n--- page ---\n{step.expected}--- actual ---\n{actual}"
            )
    finally:
        session.close()


def test_examples_referenced_exist() -> None:
    for page in PAGES:
        for step in steps((ROOT / page).read_text(encoding="utf-8")):
            for word in step.command.split():
                if word.startswith("docs/examples/"):
                    assert (ROOT / word).is_file(), f"{page}: {word} is missing"


def python_blocks(page: str) -> list[tuple[int, str]]:
    """The ```python blocks of a Markdown page: (line of the opening fence, code)."""
    blocks: list[tuple[int, str]] = []
    lines: list[str] | None = None
    start = 0
    for number, line in enumerate(page.splitlines(), start=1):
        if lines is None and re.match(r"^```(python|py)\s*$", line):
            lines, start = [], number
        elif lines is not None and line.startswith("```"):
            blocks.append((start, "\n".join(lines) + "\n"))
            lines = None
        elif lines is not None:
            lines.append(line)
    assert lines is None, "a ```python block is not closed"
    return blocks


def test_python_blocks_are_found() -> None:
    page = "```python\nx = 1\n```\ntext\n```py\ny = x\n```\n```console\n$ ppkg\n```\n"
    assert python_blocks(page) == [(1, "x = 1\n"), (5, "y = x\n")]
    readme = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(readme) >= 2 and any(SERVE_URL in code for _, code in readme)


@pytest.mark.parametrize("page", PYTHON_PAGES)
def test_python_blocks_run(
    page: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each block runs in order, in one namespace per page, from the repository root, on a private copy
    of the data; a block that connects to ``ppkg serve`` gets a real server on a free port."""
    blocks = python_blocks((ROOT / page).read_text(encoding="utf-8"))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("contributions"))
    monkeypatch.setenv("PPKG_DATA_DIR", str(data))
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code in blocks:
        if SERVE_URL in code:
            code = code.replace(SERVE_URL, request.getfixturevalue("sparql_endpoint"))
        name = f"{page}:{line}"
        try:
            exec(compile(code, name, "exec"), namespace)
        except Exception as err:
            at = [f.lineno for f in traceback.extract_tb(err.__traceback__) if f.filename == name]
            where = f"{page}:{line + at[-1]}" if at and at[-1] is not None else name
            pytest.fail(f"{where}: the page's Python fails: {type(err).__name__}: {err}")
