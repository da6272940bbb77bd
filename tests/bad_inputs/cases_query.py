"""Bad queries: injection through parameters, queries that reach outside, pathological and oversized queries,
and output that a spreadsheet or a terminal would run (reliability-anchors.md §4.7, issue 10)."""

from __future__ import annotations

from tests.bad_inputs.harness import Case

PROGRAMS = "?p a ppkg:Program ; rdfs:label ?l"
SERVICE = "SELECT ?l WHERE { " + PROGRAMS + " SERVICE <{listener}/sparql> { ?p ?q ?r } }"
SERVICE_SILENT = "SELECT ?l WHERE { " + PROGRAMS + " OPTIONAL { SERVICE SILENT <{listener}/sparql> { ?p ?q ?r } } }"
FROM_SECRET = "SELECT ?s FROM <file://{secret}> WHERE { ?s ?p ?o }"
LOAD_SECRET = "LOAD <file://{secret}>"
SERVICE_REFUSED = (
    r"^(ppkg: error: |UnsafeQueryError: )SERVICE .*is not allowed .*it would send the query to another endpoint"
)
FROM_REFUSED = r"FROM <file://[^>]*secret\.txt> is not allowed .*never loads graphs from URLs or files"
LOAD_REFUSED = r"LOAD is not allowed .*it would read a file or URL"
TIMED_OUT = r"the query did not finish within 2 s \(its time limit\)"

EVIL_TTL = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
<https://example.org/evil/formula> a ppkg:Program ; rdfs:label "=HYPERLINK(\\"http://127.0.0.1:9/x\\",\\"Click\\")" .
<https://example.org/evil/plus> a ppkg:Program ; rdfs:label "+1+cmd|' /C calc'!A0" .
<https://example.org/evil/at> a ppkg:Program ; rdfs:label "@SUM(1+1)" .
"""
EVIL_QUERY = (
    "SELECT ?l WHERE { ?p a ppkg:Program ; rdfs:label ?l FILTER(STRSTARTS(STR(?p), 'https://example.org/evil/')) } "
    "ORDER BY ?l"
)
CLOSURE = "SELECT * WHERE { ?s (ppkg:x|!ppkg:x)* ?o . ?o (ppkg:x|!ppkg:x)* ?z }"
"""Every pair of nodes joined by a path of any length, twice over: no engine answers it within 2 s."""
ESCAPES = 'SELECT ?l WHERE { BIND(CONCAT("Red", "\\u001b[31m Alert\\u001b]0;owned\\u0007") AS ?l) }'
"""A value with terminal escape sequences (data files may not hold them: queries can make them)."""
REDOS_TTL = '<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "' + "a" * 40 + 'b" .\n'


def _nested(depth: int) -> str:
    return "SELECT * WHERE { " + "{ " * depth + "?s ?p ?o " + "} " * depth + "}"


CASES: list[Case] = [
    # -- RA #37: injection through parameters: bound as terms, or refused ------------------------------------------
    Case(
        "param-string-injection",
        2,
        r"^ppkg: error: unknown topic 'x\" \|\| true \|\| \"'",
        ("query", "programs-by-training-topic", "-p", 'topic=x" || true || "'),
        anchor="RA 4.7 #37",
    ),
    Case(
        "param-iri-injection",
        2,
        r"parameter 'program': not a valid absolute IRI: 'https://w3id\.org/ppkg/id/program/x> \} ; DROP ALL",
        ("query", "program-curriculum", "-p", "program=https://w3id.org/ppkg/id/program/x> } ; DROP ALL ; #"),
        anchor="RA 4.7 #37",
    ),
    Case(
        "param-int-injection",
        2,
        r"min_programs.*'1 \} UNION \{ \?s \?p \?o'",
        ("query", "curriculum-gaps", "-p", "program=Parents Anonymous", "-p", "min_programs=1 } UNION { ?s ?p ?o"),
        anchor="RA 4.7 #37",
    ),
    Case(
        "api-binding-is-a-term",
        0,
        "",
        python=(
            "kg = ppkg.load()\n"
            "q = 'SELECT ?l WHERE { " + PROGRAMS + " FILTER(STR(?l) = ?want) }'\n"
            "print('rows', len(kg.query(q, want='x\" || true || \"').column('l')))\n"
            "print('rows', len(kg.query(q, want='Parents Anonymous').column('l')))"
        ),
        stdout=r"^rows 0\nrows 1\n$",
        anchor="RA 4.7 #37",
    ),
    # -- RA #38: SERVICE, FROM, LOAD on every way in, both engines ------------------------------------------------
    Case("service-sparql-oxigraph", 2, SERVICE_REFUSED, ("query", "--sparql", SERVICE), anchor="RA 4.7 #38"),
    Case(
        "service-sparql-rdflib",
        2,
        SERVICE_REFUSED,
        ("query", "--engine", "rdflib", "--sparql", SERVICE),
        anchor="RA 4.7 #38",
    ),
    Case(
        "service-silent-file",
        2,
        SERVICE_REFUSED,
        ("query", "--file", "{inputs}/silent.rq"),
        files={"silent.rq": SERVICE_SILENT},
        anchor="RA 4.7 #38",
    ),
    Case(
        "service-silent-file-rdflib",
        2,
        SERVICE_REFUSED,
        ("query", "--engine", "rdflib", "--file", "{inputs}/silent.rq"),
        files={"silent.rq": SERVICE_SILENT},
        anchor="RA 4.7 #38",
    ),
    Case(
        "service-api-oxigraph",
        2,
        SERVICE_REFUSED,
        python="ppkg.load().query(" + repr(SERVICE) + ")",
        anchor="RA 4.7 #38",
    ),
    Case(
        "service-silent-api-rdflib",
        2,
        SERVICE_REFUSED,
        python="ppkg.load(engine='rdflib').query(" + repr(SERVICE_SILENT) + ")",
        anchor="RA 4.7 #38",
    ),
    Case("from-file-sparql", 2, FROM_REFUSED, ("query", "--sparql", FROM_SECRET), anchor="RA 4.7 #38"),
    Case(
        "from-file-rdflib",
        2,
        FROM_REFUSED,
        ("query", "--engine", "rdflib", "--file", "{inputs}/from.rq"),
        files={"from.rq": FROM_SECRET},
        anchor="RA 4.7 #38",
    ),
    Case(
        "from-file-api-rdflib",
        2,
        FROM_REFUSED,
        python="ppkg.load(engine='rdflib').query(" + repr(FROM_SECRET) + ")",
        anchor="RA 4.7 #38",
    ),
    Case("load-file-sparql", 2, LOAD_REFUSED, ("query", "--sparql", LOAD_SECRET), anchor="RA 4.7 #38"),
    Case(
        "load-file-rdflib",
        2,
        LOAD_REFUSED,
        ("query", "--engine", "rdflib", "--file", "{inputs}/load.rq"),
        files={"load.rq": LOAD_SECRET},
        anchor="RA 4.7 #38",
    ),
    Case(
        "load-api-oxigraph",
        2,
        LOAD_REFUSED,
        python="ppkg.load().query(" + repr(LOAD_SECRET) + ")",
        anchor="RA 4.7 #38",
    ),
    # -- RA #39: pathological queries end at --timeout (one line, exit 2), never hang -----------------------------
    Case(
        "path-closure-oxigraph",
        2,
        TIMED_OUT,
        ("query", "--timeout", "2", "-f", "csv", "--sparql", CLOSURE),
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "path-closure-rdflib",
        2,
        TIMED_OUT,
        (
            "query",
            "--engine",
            "rdflib",
            "--timeout",
            "2",
            "-f",
            "csv",
            "--sparql",
            CLOSURE,
        ),
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "cartesian-oxigraph",
        2,
        TIMED_OUT,
        ("query", "--timeout", "2", "-f", "csv", "--sparql", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "cartesian-rdflib",
        2,
        TIMED_OUT,
        (
            "query",
            "--engine",
            "rdflib",
            "--timeout",
            "2",
            "--sparql",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
        ),
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "catastrophic-regex-oxigraph",  # Oxigraph's regular expressions run in linear time: an answer, at once
        0,
        "",
        (
            "query",
            "--timeout",
            "2",
            "--data",
            "{inputs}/redos.nt",
            "-f",
            "csv",
            "--sparql",
            "SELECT ?l WHERE { ?s rdfs:label ?l FILTER regex(?l, '^(a+)+$') }",
        ),
        files={"redos.nt": REDOS_TTL},
        stdout=r"^l\n$",
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "catastrophic-regex-rdflib",  # Python's re backtracks exponentially and holds the interpreter lock
        2,
        TIMED_OUT,
        (
            "query",
            "--engine",
            "rdflib",
            "--timeout",
            "2",
            "--data",
            "{inputs}/redos.nt",
            "--sparql",
            "SELECT ?l WHERE { ?s rdfs:label ?l FILTER regex(?l, '^(a+)+$') }",
        ),
        files={"redos.nt": REDOS_TTL},
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "catastrophic-regex-rdflib-api",
        2,
        r"^QueryTimeoutError: " + TIMED_OUT,
        python=(
            "kg = ppkg.load('{inputs}/redos.nt', engine='rdflib')\n"
            "kg.timeout = 2\n"
            "kg.query(\"SELECT ?l WHERE { ?s rdfs:label ?l FILTER regex(?l, '^(a+)+$') }\")"
        ),
        files={"redos.nt": REDOS_TTL},
        anchor="RA 4.7 #39",
        timeout=30,
    ),
    Case(
        "nested-10000-cli",
        2,
        r"the query nests brackets 10001 deep; the limit is 64",
        ("query", "--file", "{inputs}/deep.rq"),
        files={"deep.rq": _nested(10_000)},
        anchor="RA 4.7 #39",
    ),
    Case(
        "nested-10000-api-rdflib",
        2,
        r"^QuerySyntaxError: the query nests brackets 10001 deep; the limit is 64",
        python="ppkg.load(engine='rdflib').query(open('{inputs}/deep.rq').read())",
        files={"deep.rq": _nested(10_000)},
        anchor="RA 4.7 #39",
    ),
    # -- RA #40: a query over the size limit ------------------------------------------------------------------
    Case(
        "query-over-a-million-characters",
        2,
        r"the query is 1,000,0\d\d characters long; the limit is 1,000,000",
        ("query", "--file", "{inputs}/huge.rq"),
        files={"huge.rq": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_000_000},
        anchor="RA 4.7 #40",
    ),
    Case(
        "query-over-a-million-characters-api",
        2,
        r"^QuerySyntaxError: the query is 1,000,0\d\d characters long; the limit is 1,000,000",
        python="ppkg.load().query('SELECT * WHERE { ?s ?p ?o } #' + 'x' * 1_000_000)",
        anchor="RA 4.7 #40",
    ),
    # -- output a spreadsheet or a terminal would run -----------------------------------------------------------
    Case(
        "csv-formulas-quoted",
        0,
        "",
        ("query", "--data", "{inputs}/evil.ttl", "-f", "csv", "--sparql", EVIL_QUERY),
        files={"evil.ttl": EVIL_TTL},
        stdout=r"""^l\n'\+1\+cmd\|' /C calc'!A0\n"'=HYPERLINK\(""http://127\.0\.0\.1:9/x"",""Click""\)"\n'@SUM\(1\+1\)\n""",
        anchor="issue 10",
    ),
    Case(
        "csv-formulas-kept-when-asked",
        0,
        "",
        ("query", "--data", "{inputs}/evil.ttl", "-f", "tsv", "--csv-formulas", "keep", "--sparql", EVIL_QUERY),
        files={"evil.ttl": EVIL_TTL},
        stdout=r"""^l\n\+1\+cmd\|' /C calc'!A0\n"=HYPERLINK\(""http://127\.0\.0\.1:9/x"",""Click""\)"\n@SUM\(1\+1\)\n""",
        anchor="issue 10",
    ),
    Case(
        "csv-formulas-bad-choice",
        2,
        r"unknown --csv-formulas choice 'run'; use one of quote, keep",
        ("query", "--sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "-f", "csv", "--csv-formulas", "run"),
        anchor="issue 10",
    ),
    Case(
        "terminal-escapes-in-a-table",
        0,
        "",
        ("query", "--sparql", ESCAPES),
        stdout=r"^(?![\s\S]*[\x07\x1b])[\s\S]*Red\\x1b\[31m Alert\\x1b\]0;owned\\x07",
        env={"COLUMNS": "80"},
        anchor="issue 10",
    ),
]
