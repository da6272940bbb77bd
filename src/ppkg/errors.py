"""The errors ppkg raises. Each carries the exit code the command line uses for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

EXIT_OK = 0
"""Success; for ``validate``: the data conforms."""
EXIT_VIOLATIONS = 1
"""``validate``/``contribute``: the data does not conform to the shapes."""
EXIT_INPUT = 2
"""Unreadable input, unknown name or value, unsafe or invalid query, unreachable endpoint."""


class PpkgError(Exception):
    """Base class of every error ppkg raises on purpose. ``str(err)`` is one readable line."""

    exit_code = EXIT_INPUT


class UnknownValueError(PpkgError, LookupError):
    """A parameter value (topic, program, rating, state…) names nothing in the graph, or several things."""

    def __init__(self, kind: str, value: str, candidates: Sequence[str], *, ambiguous: bool = False) -> None:
        self.kind = kind
        self.value = value
        self.candidates = list(candidates)
        self.ambiguous = ambiguous
        if ambiguous:
            msg = f"{kind} {value!r} is ambiguous; it could be: {', '.join(self.candidates)}"
        elif self.candidates:
            msg = f"unknown {kind} {value!r}; nearest known: {', '.join(self.candidates)}"
        else:
            msg = f"unknown {kind} {value!r}"
        super().__init__(msg)


class UnknownQueryError(UnknownValueError):
    """No catalogued query has this name."""

    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        super().__init__("query", name, candidates)


class ParameterError(PpkgError, ValueError):
    """A parameter is missing, unexpected or malformed."""


class QuerySyntaxError(PpkgError, ValueError):
    """The SPARQL text does not parse."""


class QueryError(PpkgError, RuntimeError):
    """The engine could not evaluate the query."""


class QueryTimeoutError(QueryError, TimeoutError):
    """The query ran past its time limit."""


class UnsafeQueryError(PpkgError, PermissionError):
    """The query would reach the network or the file system, or change the graph."""


class DataFileError(PpkgError, ValueError):
    """An RDF file cannot be read: ``file:line:col: message``."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class EndpointError(PpkgError, ConnectionError):
    """A remote SPARQL endpoint could not be reached or answered with an error."""


class CatalogueError(PpkgError, ValueError):
    """A ``.rq`` file of the catalogue has a missing or malformed ``#+`` header."""


class ReasoningError(PpkgError, RuntimeError):
    """Reasoning was stopped by its time or size bound, or failed."""


class Report(Protocol):
    """What a rejected contribution carries: a validation report (:class:`ppkg.ValidationReport`)."""

    @property
    def conforms(self) -> bool:
        """False for a rejected contribution."""
        ...

    def problem_count(self) -> int:
        """How many results made it fail."""
        ...

    def serialize(self, fmt: str = "text") -> str:
        """The report as text, JSON or Turtle."""
        ...

    def first_problem(self) -> str:
        """The first problem that made it fail, as one line."""
        ...


class ContributionRejectedError(PpkgError):
    """The contribution does not conform; nothing was written. ``report`` says why."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, report: Report) -> None:
        self.report = report
        n = report.problem_count()
        first = report.first_problem()
        first = f"; the first: {first}" if first else ""
        super().__init__(f"contribution rejected: {n} problem{'s' * (n != 1)}; nothing was written{first}")


class UnreadableFileWarning(UserWarning):
    """A contribution file of the data directory cannot be read: it is left in place and skipped, and the graph
    is answered from the rest."""


class StoreWarning(UserWarning):
    """The persistent store could not be brought up to date after a change (the next query does it)."""
