"""ppkg: a knowledge graph of parent partner programs in child welfare.

>>> import ppkg
>>> kg = ppkg.load()
>>> [r.programLabel for r in kg.run("programs-by-training-topic", topic="motivational interviewing")][:1]
['Morrison Child & Family Services']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ppkg.errors import (
    DataFileError,
    EndpointError,
    ParameterError,
    PpkgError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreWarning,
    UnknownQueryError,
    UnknownValueError,
    UnreadableFileWarning,
    UnsafeQueryError,
)
from ppkg.graph import KnowledgeGraph, connect, load, rebuild_store, store_status
from ppkg.query.catalogue import Catalogue, Param, QuerySpec
from ppkg.query.results import QueryResult

if TYPE_CHECKING:
    from ppkg.present.similarity import Gap, Similarity
    from ppkg.rdf.namespaces import ID, PPKG
    from ppkg.steward.api import contribute, correct, validate
    from ppkg.validation.report import ValidationReport, ValidationResult

_LAZY = {
    "ID": "ppkg.rdf.namespaces",
    "PPKG": "ppkg.rdf.namespaces",
    "Gap": "ppkg.present.similarity",
    "Similarity": "ppkg.present.similarity",
    "contribute": "ppkg.steward.api",
    "correct": "ppkg.steward.api",
    "validate": "ppkg.steward.api",
    "ValidationReport": "ppkg.validation.report",
    "ValidationResult": "ppkg.validation.report",
}


def __getattr__(name: str) -> Any:
    """The steward's API, the namespaces (rdflib terms), the analytics and the version are read on first use, so
    that querying starts faster: running a catalogued query imports no rdflib."""
    if name == "__version__":
        from importlib.metadata import version

        return version("ppkg")
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ppkg' has no attribute {name!r}")


if TYPE_CHECKING:
    __version__: str
    """The installed version: pyproject.toml is the one place it is written (read on first use)."""

__all__ = [
    "ID",
    "PPKG",
    "Catalogue",
    "DataFileError",
    "EndpointError",
    "Gap",
    "KnowledgeGraph",
    "Param",
    "ParameterError",
    "PpkgError",
    "QueryResult",
    "QuerySpec",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "Similarity",
    "StoreWarning",
    "UnknownQueryError",
    "UnknownValueError",
    "UnreadableFileWarning",
    "UnsafeQueryError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "connect",
    "contribute",
    "correct",
    "load",
    "rebuild_store",
    "store_status",
    "validate",
]
