"""What the presentation layer reads from: anything that runs catalogued queries and SPARQL."""

from __future__ import annotations

from typing import Any, Protocol

from ppkg.query.results import QueryResult


class Source(Protocol):
    """A graph that runs catalogued queries by name and read-only SPARQL (a :class:`~ppkg.graph.KnowledgeGraph`)."""

    def run(self, name: str, **params: Any) -> QueryResult:
        """Run the catalogued query ``name``."""
        ...

    def query(self, sparql: str, **bindings: Any) -> QueryResult:
        """Run read-only SPARQL with ``bindings`` bound."""
        ...
