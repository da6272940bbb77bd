"""Where the shipped ontology, vocabularies, data, shapes and queries are.

An installed wheel carries them inside the package (``ppkg/_shipped/``); an editable install or a
source checkout reads them from the repository root beside ``src/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def root() -> Path:
    """Return the directory that holds ``ontology/``, ``data/``, ``shapes/`` and ``queries/``."""
    inside = _PACKAGE_DIR / "_shipped"
    if (inside / "ontology" / "ppkg.ttl").is_file():
        return inside
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "ontology" / "ppkg.ttl").is_file():
        return checkout
    raise FileNotFoundError(
        f"ppkg's shipped data is missing: neither {inside} nor {checkout} holds ontology/ppkg.ttl; reinstall ppkg"
    )


def ontology_file() -> Path:
    """The OWL ontology."""
    return root() / "ontology" / "ppkg.ttl"


def vocabulary_files() -> list[Path]:
    """The SKOS vocabularies, sorted by name."""
    return sorted((root() / "ontology" / "vocab").glob("*.ttl"))


def data_files() -> list[Path]:
    """The instance data, one TriG file per source document, sorted by name."""
    return sorted((root() / "data").glob("*.trig"))


def shapes_files() -> list[Path]:
    """The SHACL shapes, sorted by name."""
    return sorted((root() / "shapes").glob("*.ttl"))


def queries_dir() -> Path:
    """The directory of the query catalogue (``*.rq``)."""
    return root() / "queries"
