"""The browsable static site of the graph (``ppkg site``): a page per thing at the path of its IRI, with its
statements as JSON-LD, the query catalogue, the ontology and the pictures. See :func:`build_site`."""

from ppkg.present.site.build import SiteReport, build_site
from ppkg.present.site.paths import thing_iri, thing_path

__all__ = ["SiteReport", "build_site", "thing_iri", "thing_path"]
