"""ppkg: a knowledge graph of parent partner programs in child welfare.

>>> import ppkg
>>> kg = ppkg.load()
>>> [r.programLabel for r in kg.run("programs-by-training-topic", topic="motivational interviewing")][:1]
['Morrison Child & Family Services']
"""

from __future__ import annotations

from ppkg.catalogue import Catalogue, Param, QuerySpec
from ppkg.errors import (
    DataFileError,
    EndpointError,
    ParameterError,
    PpkgError,
    QuerySyntaxError,
    QueryTimeoutError,
    UnknownQueryError,
    UnknownValueError,
    UnsafeQueryError,
)
from ppkg.graph import KnowledgeGraph, connect, load
from ppkg.namespaces import ID, PPKG
from ppkg.results import QueryResult

__version__ = "0.1.0"

__all__ = [
    "ID",
    "PPKG",
    "Catalogue",
    "DataFileError",
    "EndpointError",
    "KnowledgeGraph",
    "Param",
    "ParameterError",
    "PpkgError",
    "QueryResult",
    "QuerySpec",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "UnknownQueryError",
    "UnknownValueError",
    "UnsafeQueryError",
    "__version__",
    "connect",
    "load",
]
