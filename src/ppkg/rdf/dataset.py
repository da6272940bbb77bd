"""The dataset description (DCAT and VoID): what the graph holds, where it comes from, its licence and version.

Built in two steps, so that an in-process graph and the engine behind ``ppkg serve`` describe themselves the
same way: :data:`SUMMARY_QUERY` (a SPARQL ``CONSTRUCT`` any engine runs) gathers the triple count of each
named graph, what each graph says about itself and its source documents, and the ontology's header;
:func:`describe_dataset` turns that summary into the description. ``ppkg export --describe`` writes it;
``ppkg serve`` answers it at ``/.well-known/void``.
"""

from __future__ import annotations

from importlib.metadata import version as installed_version

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from ppkg.errors import ParameterError
from ppkg.rdf.export import compact_jsonld, serialize_graph
from ppkg.rdf.namespaces import FOAF, ID, PPKG, SCHEMA, new_graph

DCAT = Namespace("http://www.w3.org/ns/dcat#")
"""DCAT 3 (rdflib's own ``DCAT`` lacks ``dcat:version``)."""
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

DATASET = URIRef("https://w3id.org/ppkg/dataset")
"""The IRI of the whole dataset."""
PROJECT = URIRef("https://w3id.org/ppkg")
"""The publisher: the ppkg project."""
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
"""The licence of the ontology, shapes, vocabularies and curation (CC BY 4.0)."""
ONTOLOGY = URIRef("https://w3id.org/ppkg/ontology")
"""The ppkg ontology."""
CORE_SHAPES = URIRef("https://w3id.org/ppkg/shapes/core")
"""The core SHACL shapes every ppkg graph satisfies."""
DESCRIPTION_FORMATS = ("turtle", "jsonld", "nt")
"""Formats of the dataset description."""
RETRIEVAL_UNKNOWN = "unknown"
"""The value of ``dcterms:created`` on a source document whose captured copy records no retrieval date."""

RIGHTS = (
    "The ontology, shapes, vocabularies and the project's curation are licensed CC BY 4.0. Text quoted from the "
    "source documents (see dcterms:source) stays under the rights of each source's publisher: the California "
    "Department of Social Services, Casey Family Programs and the California Evidence-Based Clearinghouse for "
    "Child Welfare."
)

_GRAPH_PROPERTIES = (
    RDFS.label,
    DCTERMS.description,
    DCTERMS.license,
    DCTERMS.rights,
    OWL.versionInfo,
    PROV.wasDerivedFrom,
    PROV.wasAttributedTo,
    PROV.generatedAtTime,
    DCTERMS.created,
    DCTERMS.modified,
)
_SOURCE_PROPERTIES = (
    RDF.type,
    RDFS.label,
    DCTERMS.title,
    DCTERMS.publisher,
    DCTERMS.date,
    DCTERMS.created,
    SCHEMA.url,
    PPKG.seedFile,
    PPKG.contentHash,
)
_ONTOLOGY_PROPERTIES = (DCTERMS.license, OWL.versionInfo, OWL.versionIRI, DCTERMS.title)


def _values(terms: tuple[URIRef, ...]) -> str:
    return " ".join(f"<{t}>" for t in terms)


SUMMARY_QUERY = f"""CONSTRUCT {{
  ?g <{VOID.triples}> ?n .
  ?g ?gp ?go .
  ?g <{FOAF.primaryTopic}> ?ontology .
  ?ontology ?op ?oo .
  ?source ?sp ?so .
  ?publisher <{RDFS.label}> ?publisherLabel .
  <{DATASET}> <{VOID.triples}> ?total .
}}
WHERE {{
  {{ SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g }}
  UNION
  {{ SELECT (COUNT(*) AS ?total) WHERE {{ ?s ?p ?o }} }}
  UNION
  {{ VALUES ?gp {{ {_values(_GRAPH_PROPERTIES)} }} GRAPH ?g {{ ?g ?gp ?go }} }}
  UNION
  {{ VALUES ?op {{ {_values(_ONTOLOGY_PROPERTIES)} }} GRAPH ?g {{ ?ontology a <{OWL.Ontology}> ; ?op ?oo }} }}
  UNION
  {{ VALUES ?sp {{ {_values(_SOURCE_PROPERTIES)} }}
     GRAPH ?g {{ ?g <{PROV.wasDerivedFrom}> ?source }} GRAPH ?h {{ ?source ?sp ?so }} }}
  UNION
  {{ GRAPH ?g {{ ?g <{PROV.wasDerivedFrom}> ?source }}
     GRAPH ?h {{ ?source <{DCTERMS.publisher}> ?publisher }} GRAPH ?k {{ ?publisher <{RDFS.label}> ?publisherLabel }} }}
}}
"""
"""A SPARQL ``CONSTRUCT`` that gathers what :func:`describe_dataset` needs; it reads only the named graphs
(and counts the default graph), so it runs the same on every engine and needs no ppkg prefixes."""


def dataset_version() -> str:
    """The version of the dataset: the installed package's (``pyproject.toml`` is the one place it is written)."""
    return installed_version("ppkg")


def describe_dataset(summary: Graph, *, endpoint: str | None = None, version: str | None = None) -> Graph:
    """The DCAT/VoID description of the dataset that ``summary`` (the answer to :data:`SUMMARY_QUERY`) sums up.

    The dataset (:data:`DATASET`) is a ``dcat:Dataset`` and ``void:Dataset`` with its title, publisher,
    licence, rights of the quoted text, version, total triple count, sources and one ``void:subset`` per
    named graph (its label, triple count, licence or rights, source documents and their retrieval dates).
    ``endpoint``, when given, is the SPARQL endpoint that serves it (``void:sparqlEndpoint`` and a
    ``dcat:DataService``).
    """
    version = version or dataset_version()
    out = new_graph()
    for prefix, namespace in (("dcat", DCAT), ("void", VOID), ("sd", SD)):
        out.bind(prefix, namespace)
    for triple in summary:
        out.add(triple)
    ds = DATASET
    out.add((ds, RDF.type, DCAT.Dataset))
    out.add((ds, RDF.type, VOID.Dataset))
    out.add((ds, DCTERMS.title, Literal("ppkg: the parent partner program knowledge graph", lang="en")))
    out.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Parent partner (peer parent) programs in child welfare: the programs, their organizations, "
                "training curricula item by item, evidence ratings, roles and resources, as stated by five public "
                "source documents, each kept in its own named graph with its provenance, and the project's "
                "curation of them in another.",
                lang="en",
            ),
        )
    )
    out.add((ds, DCTERMS.publisher, PROJECT))
    out.add((ds, DCAT.landingPage, PROJECT))
    out.add((ds, DCTERMS.license, LICENSE))
    out.add((ds, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    out.add((ds, OWL.versionInfo, Literal(version)))
    out.add((ds, DCAT.version, Literal(version)))
    out.add((ds, DCTERMS.conformsTo, ONTOLOGY))
    out.add((ds, DCTERMS.conformsTo, CORE_SHAPES))
    out.add((ds, VOID.uriSpace, Literal(str(ID))))
    for vocabulary in (PPKG, "http://www.w3.org/2004/02/skos/core#", DCTERMS, PROV, SCHEMA):
        out.add((ds, VOID.vocabulary, URIRef(str(vocabulary))))
    graphs = sorted(set(summary.subjects(VOID.triples, None)) - {ds}, key=str)
    for graph in graphs:
        out.add((ds, VOID.subset, graph))
        out.add((graph, RDF.type, VOID.Dataset))
        out.add((graph, RDF.type, DCAT.Dataset))
        out.add((graph, DCTERMS.isPartOf, ds))
        out.add((graph, SD.name, graph))
        for source in summary.objects(graph, PROV.wasDerivedFrom):
            if (source, RDF.type, PPKG.SourceDocument) in summary:
                out.add((graph, DCTERMS.source, source))
                out.add((ds, DCTERMS.source, source))
    if (ds, VOID.triples, None) not in summary:
        out.add((ds, VOID.triples, Literal(0, datatype=XSD.integer)))
    if endpoint:
        service = URIRef(endpoint)
        out.add((ds, VOID.sparqlEndpoint, service))
        out.add((service, RDF.type, DCAT.DataService))
        out.add((service, RDF.type, SD.Service))
        out.add((service, DCAT.endpointURL, service))
        out.add((service, SD.endpoint, service))
        out.add((service, DCAT.servesDataset, ds))
    return out


def serialize_description(description: Graph, fmt: str = "turtle") -> str:
    """The description as Turtle, compact JSON-LD (with the shipped ``@context``) or sorted N-Triples."""
    if fmt not in DESCRIPTION_FORMATS:
        raise ParameterError(f"the dataset description is one graph: use --format turtle, jsonld or nt, not {fmt}")
    return compact_jsonld(description) if fmt == "jsonld" else serialize_graph(description, fmt)
