"""Where each thing's page is in the site: page paths mirror IRIs.

``https://w3id.org/ppkg/id/program/x`` → ``id/program/x.html``; an ontology term
``https://w3id.org/ppkg/ontology#Program`` → ``ontology.html#Program``. Paths are relative to the site's root
(``https://w3id.org/ppkg/``), written with ``/``; a page links to another by going up to the root first
(``../../topic/y.html``), so the site works from a directory, a file URL or any web server.
"""

from __future__ import annotations

import re

from ppkg.rdf.namespaces import ID, PPKG

SITE_ROOT = "https://w3id.org/ppkg/"
"""The IRI the site's root stands for."""
ONTOLOGY_PAGE = "ontology.html"
_ID = str(ID)
_PPKG = str(PPKG)
_SAFE_PATH = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9_~-]*(?:\.[A-Za-z0-9_~-]+)*(?:/[A-Za-z0-9][A-Za-z0-9_~-]*(?:\.[A-Za-z0-9_~-]+)*)*"
)
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def thing_path(iri: str) -> str | None:
    """The page path of an instance IRI (``id/program/x.html``), or ``None`` when it is not one of ppkg's
    instances or its path has characters a file name should not (it then gets no page)."""
    if not iri.startswith(_ID):
        return None
    rest = iri[len(_ID) :]
    if not _SAFE_PATH.fullmatch(rest):
        return None
    return f"id/{rest}.html"


def thing_iri(rest: str) -> str | None:
    """The instance IRI that the path ``rest`` (after ``/id/``, without ``.html``) stands for, or ``None``."""
    return _ID + rest if _SAFE_PATH.fullmatch(rest) else None


def term_anchor(iri: str) -> str | None:
    """The anchor of an ontology term on the ontology page (``Program``), or ``None`` for other IRIs."""
    if not iri.startswith(_PPKG):
        return None
    name = iri[len(_PPKG) :]
    return name if _SAFE_NAME.fullmatch(name) else None


def up(page: str) -> str:
    """The relative way from ``page`` back to the site's root (``""``, ``"../"``, ``"../../"``…)."""
    return "../" * page.count("/")
