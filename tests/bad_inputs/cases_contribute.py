"""Bad contributions: terms, literals, merge safety, CSV templates and sources (reliability anchors §4.2,
§4.3, §4.6 and issue 10's poisoned data), through ``ppkg validate``, ``ppkg contribute`` and the API.

``ppkg validate`` prints its report on stdout (exit 1, nothing on stderr), so its cases match the report;
``ppkg contribute`` and the API say on one stderr line why the contribution was rejected.
"""

from __future__ import annotations

from pathlib import Path

from tests.bad_inputs.harness import Case

PREFIXES = """\
@prefix ppkg:         <https://w3id.org/ppkg/ontology#> .
@prefix rdfs:         <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:          <http://www.w3.org/2001/XMLSchema#> .
@prefix owl:          <http://www.w3.org/2002/07/owl#> .
@prefix skos:         <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms:      <http://purl.org/dc/terms/> .
@prefix program:      <https://w3id.org/ppkg/id/program/> .
@prefix organization: <https://w3id.org/ppkg/id/organization/> .
@prefix setting:      <https://w3id.org/ppkg/id/setting/> .
@prefix state:        <https://w3id.org/ppkg/id/state/> .
@prefix curriculum:   <https://w3id.org/ppkg/id/curriculum/> .
@prefix topic:        <https://w3id.org/ppkg/id/topic/> .
"""

PROGRAM = """\
    a ppkg:Program ;
    rdfs:label "Mentor Moms"@en ;
    ppkg:state state:ca ;
    ppkg:setting setting:court ;
    ppkg:operatedBy organization:casey-family-programs .
"""
"""A valid new program's statements (after its subject)."""

BY = ("--by", "Ada Steward")

CURRICULUM = "<https://w3id.org/ppkg/id/curriculum/family-involvement-center-parent-partner-program>"
ITEM = "<https://w3id.org/ppkg/id/curriculum/family-involvement-center-parent-partner-program/item-99>"


def item(position: str) -> str:
    """A new item of an existing curriculum, at ``position`` (a Turtle literal)."""
    return (
        f"{CURRICULUM} ppkg:hasItem {ITEM} .\n"
        f'{ITEM} a ppkg:CurriculumItem ; rdfs:label "Extra"@en ; ppkg:verbatimText "Extra" ;\n'
        f"    ppkg:coversTopic topic:motivational-interviewing ; ppkg:position {position} .\n"
    )


def ttl(body: str) -> str:
    """A Turtle file with the usual prefixes."""
    return PREFIXES + "\n" + body


def validate(id: str, anchor: str, body: str, report: str, *, exit: int = 1, message: str = "") -> Case:
    """``ppkg validate x.ttl``: the report (stdout) must match ``report``; stderr stays empty (exit 1), or says
    why the file cannot be read (exit 2)."""
    return Case(
        id,
        exit,
        message,
        ("validate", "{inputs}/x.ttl"),
        files={"x.ttl": ttl(body)},
        stdout=report or None,
        anchor=anchor,
    )


def contribute(id: str, anchor: str, body: str, message: str, *, exit: int = 1) -> Case:
    """``ppkg contribute x.ttl``: refused with one stderr line matching ``message``."""
    return Case(id, exit, message, ("contribute", "{inputs}/x.ttl", *BY), files={"x.ttl": ttl(body)}, anchor=anchor)


def api(id: str, anchor: str, body: str, message: str, *, exit: int = 1) -> Case:
    """``ppkg.contribute([x.ttl])`` through the Python API: the error's one line must match ``message``."""
    code = "ppkg.contribute([r'{inputs}/x.ttl'], by='Ada Steward')"
    return Case(id, exit, message, python=code, files={"x.ttl": ttl(body)}, anchor=anchor)


def csv_validate(id: str, anchor: str, text: str | bytes, report: str, *, exit: int = 1, message: str = "") -> Case:
    """``ppkg validate x.csv``: a template problem in the report (exit 1), or an unreadable file (exit 2)."""
    return Case(
        id,
        exit,
        message,
        ("validate", "{inputs}/x.csv"),
        files={"x.csv": text},
        stdout=report if exit == 1 else None,
        anchor=anchor,
    )


def csv_contribute(id: str, anchor: str, text: str | bytes, message: str, *, exit: int = 1) -> Case:
    """``ppkg contribute x.csv``: refused with one stderr line."""
    return Case(id, exit, message, ("contribute", "{inputs}/x.csv", *BY), files={"x.csv": text}, anchor=anchor)


def huge_cell(path: Path) -> None:
    """A program template whose description is 200,000 characters long."""
    path.write_text("slug,name,description\nbig-program,Big Program," + "x" * 200_000 + "\n", encoding="utf-8")


HOMOGLYPH = "https://w3id.org/ppkg/id/program/mentor-m\u043ems"
"""A project IRI with a Cyrillic о in place of the Latin o."""

PROGRAM_CSV = "slug,name,state,setting,source_url\n"

CASES: list[Case] = [
    # -- RA 4.2: IRIs and terms ---------------------------------------------------------------------------
    validate(
        "contrib-iri-with-space",
        "RA 4.2 #8",
        "<https://w3id.org/ppkg/id/program/mentor moms>\n" + PROGRAM,
        "",
        exit=2,
        message=r"x\.ttl:14:1: Invalid IRI code point ' '",
    ),
    contribute(
        "contrib-iri-with-space-contribute",
        "RA 4.2 #8",
        "<https://w3id.org/ppkg/id/program/mentor moms>\n" + PROGRAM,
        r"x\.ttl:14:1: Invalid IRI code point ' '",
        exit=2,
    ),
    Case(  # a graph built in Python never met the parser: the lint catches it
        "contrib-iri-with-space-lint",
        1,
        r"^<https://w3id\.org/ppkg/id/program/mentor moms> is not a valid IRI: it contains a space",
        python=(
            "import logging\n"
            "logging.disable(logging.WARNING)  # rdflib's own warning about the IRI\n"
            "from rdflib import Graph, RDF, URIRef\n"
            "from ppkg.validation.lint import lint\n"
            "g = Graph()\n"
            "g.add((URIRef('https://w3id.org/ppkg/id/program/mentor moms'), RDF.type, "
            "URIRef('https://w3id.org/ppkg/ontology#Program')))\n"
            "print(lint(g)[0].message, file=sys.stderr)\n"
            "sys.exit(1)"
        ),
        anchor="RA 4.2 #8",
    ),
    validate(
        "contrib-subject-outside-namespace",
        "RA 4.2 #10",
        "<http://purl.obolibrary.org/obo/PPKG_0001>\n" + PROGRAM,
        r"<http://purl\.obolibrary\.org/obo/PPKG_0001> is outside it",
    ),
    api(
        "contrib-subject-outside-namespace-api",
        "RA 4.2 #10",
        "<http://purl.obolibrary.org/obo/PPKG_0001>\n" + PROGRAM,
        r"^ContributionRejectedError: contribution rejected: .*obo/PPKG_0001> is outside it",
    ),
    validate(
        "contrib-homoglyph-iri",
        "RA 4.2 #11",
        f"<{HOMOGLYPH}>\n" + PROGRAM,
        r"U\+043E CYRILLIC SMALL LETTER O",
    ),
    contribute(
        "contrib-homoglyph-iri-contribute",
        "RA 4.2 #11",
        f"<{HOMOGLYPH}>\n" + PROGRAM,
        r"contribution rejected: .*U\+043E CYRILLIC SMALL LETTER O",
    ),
    validate(
        "contrib-near-duplicate-iri-http",
        "RA 4.2 #12",
        "<http://w3id.org/ppkg/id/program/parents-anonymous> ppkg:state state:ca .\n",
        r"looks like <https://w3id\.org/ppkg/id/program/parents-anonymous>",
    ),
    validate(
        "contrib-near-duplicate-iri-slash",
        "RA 4.2 #12",
        '<https://w3id.org/ppkg/id/program/parents-anonymous/> a ppkg:Program ; rdfs:label "PA"@en .\n',
        r"looks like <https://w3id\.org/ppkg/id/program/parents-anonymous>, which is already in the graph",
    ),
    contribute(
        "contrib-near-duplicate-iri-case",
        "RA 4.2 #12",
        '<https://w3id.org/ppkg/id/program/Parents-Anonymous> a ppkg:Program ; rdfs:label "PA"@en .\n',
        r"contribution rejected: .*looks like <https://w3id\.org/ppkg/id/program/parents-anonymous>",
    ),
    validate(
        "contrib-duplicate-program-new-iri",
        "RA 4.2 #13",
        'program:parents-anonymous-2 a ppkg:Program ; rdfs:label "parents anonymous"@en ;\n'
        "    ppkg:state state:ca ; ppkg:setting setting:court .\n",
        r'Another program already has the name "parents anonymous"',
    ),
    contribute(
        "contrib-duplicate-program-new-iri-contribute",
        "RA 4.2 #13",
        'program:parents-anonymous-2 a ppkg:Program ; rdfs:label "Parents Anonymous"@en ;\n'
        "    ppkg:state state:ca ; ppkg:setting setting:court .\n",
        r'contribution rejected: .*Another program already has the name "Parents Anonymous"',
    ),
    validate(
        "contrib-unknown-predicate",
        "RA 4.2 #14",
        'program:mentor-moms a ppkg:Program ; rdfs:label "Mentor Moms"@en ;\n'
        "    ppkg:stat state:ca ; ppkg:setting setting:court .\n",
        r"ppkg:stat is not a property of the ppkg ontology; did you mean ppkg:state",
    ),
    api(
        "contrib-unknown-predicate-api",
        "RA 4.2 #14",
        'program:mentor-moms a ppkg:Program ; rdfs:label "Mentor Moms"@en ;\n'
        "    ppkg:settin setting:court ; ppkg:state state:ca .\n",
        r"contribution rejected: .*ppkg:settin is not a property of the ppkg ontology; did you mean ppkg:setting",
    ),
    validate(
        "contrib-property-used-as-class",
        "RA 4.2 #15",
        "program:mentor-moms a ppkg:operatedBy .\nprogram:mentor-moms\n" + PROGRAM,
        r"ppkg:operatedBy is a property, not a class",
    ),
    contribute(
        "contrib-class-used-as-property",
        "RA 4.2 #15",
        "program:mentor-moms ppkg:Organization organization:casey-family-programs .\nprogram:mentor-moms\n" + PROGRAM,
        r"contribution rejected: .*ppkg:Organization is a class, not a property",
    ),
    # -- RA 4.3: literals and datatypes -------------------------------------------------------------------
    validate(
        "contrib-ill-typed-integer",
        "RA 4.3 #16",
        item('"abc"^^xsd:integer'),
        r"abc is not a valid integer value",
    ),
    contribute(
        "contrib-ill-typed-date",
        "RA 4.3 #16",
        "program:mentor-moms\n" + PROGRAM + 'program:mentor-moms dcterms:modified "2024-13-45"^^xsd:date .\n',
        r"contribution rejected: .*2024-13-45 is not a valid date value",
    ),
    validate(
        "contrib-wrong-datatype",
        "RA 4.3 #17",
        item('"99"'),
        r"(?s)ppkg:position = '99'.*DatatypeConstraintComponent",
    ),
    api(
        "contrib-wrong-datatype-int-api",
        "RA 4.3 #17",
        item('"99"^^xsd:int'),
        r"contribution rejected: .*position",
    ),
    contribute(
        "contrib-malformed-language-tag",
        "RA 4.3 #18",
        'program:mentor-moms a ppkg:Program ; rdfs:label "Mentor Moms"@english-is-a-verylongsubtag ;\n'
        "    ppkg:state state:ca ; ppkg:setting setting:court .\n",
        r"x\.ttl:14:\d+: A subtag may be eight characters in length at maximum",
        exit=2,
    ),
    validate(
        "contrib-unknown-language-tag",
        "RA 4.3 #18",
        'program:mentor-moms a ppkg:Program ; rdfs:label "Mentor Moms"@english ;\n'
        "    ppkg:state state:ca ; ppkg:setting setting:court .\n",
        r"'english' is not a language tag",
    ),
    validate(
        "contrib-two-labels-one-language",
        "RA 4.3 #18",
        'topic:grief a ppkg:TrainingTopic, skos:Concept ; rdfs:label "grief"@en ;\n'
        '    skos:prefLabel "grief"@en, "bereavement"@en ;\n'
        "    skos:inScheme <https://w3id.org/ppkg/id/scheme/training-topics> ;\n"
        "    skos:broader topic:self-care-and-wellness .\n",
        r"(?s)skos:prefLabel.*Concept-prefLabelShape \(MaxCountConstraintComponent\)",
    ),
    validate(
        "contrib-two-states",
        "RA 4.3 #20",
        "program:mentor-moms\n" + PROGRAM + "program:mentor-moms ppkg:state state:or .\n",
        r"(?s)ppkg:state.*MaxCountConstraintComponent",
    ),
    contribute(
        "contrib-missing-label",
        "RA 4.3 #20",
        "program:mentor-moms a ppkg:Program ; ppkg:state state:ca ; ppkg:setting setting:court .\n",
        r"contribution rejected: .*needs exactly one name \(rdfs:label\)",
    ),
    # -- RA 4.6: merge safety -----------------------------------------------------------------------------
    validate(
        "contrib-overrides-curated-label",
        "RA 4.6 #32",
        'program:parents-anonymous rdfs:label "Parents Unanimous"@en .\n',
        r'already has name "Parents Anonymous" .*a second name is a conflict',
    ),
    contribute(
        "contrib-overrides-curated-state",
        "RA 4.6 #32",
        "program:kentucky-start ppkg:state state:tn .\n",
        r"contribution rejected: .*START already has state Kentucky .*conflict",
    ),
    api(
        "contrib-overrides-curated-state-api",
        "RA 4.6 #32",
        "program:kentucky-start ppkg:state state:tn .\n",
        r"contribution rejected: .*START already has state Kentucky .*conflict",
    ),
    validate(
        "contrib-same-as-curated",
        "RA 4.6 #33",
        "program:parents-anonymous owl:sameAs program:circle-of-parents .\n",
        r"owl:sameAs is not accepted in a contribution",
    ),
    validate(
        "contrib-equivalent-class",
        "RA 4.6 #33",
        "ppkg:Program owl:equivalentClass ppkg:Organization .\n",
        r"(?s)ontology#Program> is outside it.*owl:equivalentClass is not accepted in a contribution",
    ),
    contribute(
        "contrib-declares-class",
        "RA 4.6 #33",
        "program:mentor-moms a owl:Class .\nprogram:mentor-moms\n" + PROGRAM,
        r"contribution rejected: .*owl:Class is not accepted in a contribution: classes and properties are declared",
    ),
    api(
        "contrib-deprecated-curated-api",
        "RA 4.6 #33",
        "program:parents-anonymous owl:deprecated true .\n",
        r"contribution rejected: .*owl:deprecated is not accepted in a contribution",
    ),
    validate(
        "contrib-orphan-stub",
        "RA 4.6 #34",
        "program:mentor-moms\n" + PROGRAM + "program:mentor-moms ppkg:basedOn program:no-such-program .\n",
        r"(?s)ppkg:basedOn = .program:no-such-program.*Intervention-basedOnShape \(ClassConstraintComponent\)",
    ),
    contribute(
        "contrib-orphan-stub-contribute",
        "RA 4.6 #34",
        'program:mentor-moms a ppkg:Program ; rdfs:label "Mentor Moms"@en ; ppkg:state state:ca ;\n'
        "    ppkg:setting setting:court ; dcterms:source <https://w3id.org/ppkg/id/source/no-such-document> .\n",
        r"contribution rejected: .*dcterms:source refers to <https://w3id\.org/ppkg/id/source/no-such-document>, "
        r"which is neither in the graph nor in this contribution",
    ),
    Case(
        "contrib-same-contribution-twice",
        0,
        r"^ppkg: warning: nothing new: every statement is already in the graph",
        ("contribute", "{inputs}/x.ttl", *BY),
        files={"x.ttl": ttl("program:mentor-moms\n" + PROGRAM)},
        before=(("contribute", "{inputs}/x.ttl", *BY),),
        anchor="RA 4.6 #36",
    ),
    # -- RA 4.6 #35: CSV template glitches ----------------------------------------------------------------
    csv_validate(
        "contrib-csv-doubled-header",
        "RA 4.6 #35",
        PROGRAM_CSV + PROGRAM_CSV + "mentor-moms,Mentor Moms,CA,court,\n",
        r"x\.csv:2: the header row is repeated inside the data",
    ),
    csv_validate(
        "contrib-csv-null-token-required",
        "RA 4.6 #35",
        PROGRAM_CSV + "mentor-moms,N/A,CA,court,\n",
        r"x\.csv:2:2: column 'name': required, but empty",
    ),
    csv_validate(
        "contrib-csv-thousands-separator",
        "RA 4.6 #35",
        'program,position,item,topics,hours\nSTART,"1,000",Court 101,court structure,4\n',
        r"x\.csv:2:2: column 'position': '1,000' is not a whole number from 1 up",
    ),
    csv_validate(
        "contrib-csv-thousands-separator-hours",
        "RA 4.6 #35",
        'program,position,item,topics,hours\nSTART,99,Court 101,court structure,"1,200"\n',
        r"x\.csv:2:5: column 'hours': '1,200' is not a number of hours",
    ),
    csv_contribute(
        "contrib-csv-multi-value-single-column",
        "RA 4.6 #35",
        PROGRAM_CSV + "mentor-moms,Mentor Moms,CA; OR,court,\n",
        r"x\.csv:2:3: column 'state': one value only",
    ),
    # -- issue 10: poisoned data and sources --------------------------------------------------------------
    Case(
        "contrib-source-with-newline",
        2,
        r"--source must be an http, https or urn IRI: 'https://example\.org/x\\n' is not an IRI: it contains "
        r"the character U\+000A",
        ("contribute", "{inputs}/x.ttl", *BY, "--source", "https://example.org/x\n"),
        files={"x.ttl": ttl("program:mentor-moms\n" + PROGRAM)},
        anchor="issue 10",
    ),
    Case(
        "contrib-source-with-control-char-api",
        2,
        r"^ParameterError: --source must be an http, https or urn IRI: .* is not an IRI: "
        r"it contains the character U\+001B",
        python="ppkg.contribute([r'{inputs}/x.ttl'], by='Ada', source='https://example.org/\\x1b[2Jx')",
        files={"x.ttl": ttl("program:mentor-moms\n" + PROGRAM)},
        anchor="issue 10",
    ),
    Case(
        "contrib-source-javascript-scheme",
        2,
        r"--source must be .*: 'javascript:alert\(1\)' has the scheme 'javascript'; only http, https or urn IRIs",
        ("contribute", "{inputs}/x.ttl", *BY, "--source", "javascript:alert(1)"),
        files={"x.ttl": ttl("program:mentor-moms\n" + PROGRAM)},
        anchor="issue 10",
    ),
    csv_validate(
        "contrib-csv-source-javascript",
        "issue 10",
        PROGRAM_CSV + "mentor-moms,Mentor Moms,CA,court,javascript:alert(1)\n",
        r"x\.csv:2:5: column 'source_url': 'javascript:alert\(1\)' has the scheme 'javascript'",
    ),
    csv_contribute(
        "contrib-csv-source-file",
        "issue 10",
        PROGRAM_CSV + "mentor-moms,Mentor Moms,CA,court,file:///etc/passwd\n",
        r"x\.csv:2:5: column 'source_url': 'file:///etc/passwd' has the scheme 'file'",
    ),
    csv_validate(
        "contrib-csv-source-not-a-url",
        "issue 10",
        PROGRAM_CSV + "mentor-moms,Mentor Moms,CA,court,not a url\n",
        r"x\.csv:2:5: column 'source_url': 'not a url' is not an IRI",
    ),
    validate(
        "contrib-ttl-source-file-scheme",
        "issue 10",
        "program:mentor-moms\n" + PROGRAM + "program:mentor-moms dcterms:source <file:///etc/passwd> .\n",
        r"(?s)dcterms:source = 'file:///etc/passwd'.*PatternConstraintComponent",
    ),
    Case(
        "contrib-csv-huge-cell",
        2,
        r"x\.csv:2:3: .*200,000 characters; the limit is 65,536",
        ("validate", "{inputs}/x.csv"),
        files={"x.csv": huge_cell},
        anchor="issue 10",
    ),
    Case(
        "contrib-csv-huge-cell-api",
        2,
        r"^DataFileError: .*x\.csv:2:3: .*200,000 characters",
        python="ppkg.validate([r'{inputs}/x.csv'])",
        files={"x.csv": huge_cell},
        anchor="issue 10",
    ),
    Case(
        "contrib-csv-nul-byte",
        2,
        r"x\.csv:2:\d+: .*NUL",
        ("contribute", "{inputs}/x.csv", *BY),
        files={"x.csv": (PROGRAM_CSV + "mentor-moms,Mentor\x00Moms,CA,court,\n").encode()},
        anchor="issue 10",
    ),
    Case(
        "contrib-csv-not-utf8",
        2,
        r"x\.csv:2: the file is not UTF-8",
        ("validate", "{inputs}/x.csv"),
        files={"x.csv": (PROGRAM_CSV + "mentor-moms,Mentor M\xf6ms,CA,court,\n").encode("latin-1")},
        anchor="issue 10",
    ),
]
