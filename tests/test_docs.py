"""The documentation is runnable: every console session in the README and the steward's guide prints
exactly what the page shows, in order, against a private copy of the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ppkg_command
from .console import ROOT, Session, steps

PAGES = ["README.md", "docs/contributing-data.md"]


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


def test_page_paths() -> None:
    assert all(Path(ROOT / p).is_file() for p in PAGES)
