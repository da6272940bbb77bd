"""Bad input files: syntax and encoding, file kinds, sizes and nesting, and files that name remote resources
(reliability anchors §4.1, §4.4, §4.5, #9, #19; issue 10's file kinds), through ``ppkg validate``,
``ppkg contribute``, ``ppkg query --data`` (both engines) and the API.

Every refusal is one line naming the file (and its line where there is one) and exit 2; the limits and how to
lift them are in SECURITY.md. Big inputs are made by a function at run time (a sparse file costs no disk).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tests.bad_inputs.harness import Case

PREFIXES = """\
@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix program: <https://w3id.org/ppkg/id/program/> .
"""

BY = ("--by", "Ada Steward", "--source", "https://example.org/programs")
QUERY = ("query", "programs-by-rating", "-p", "rating=promising", "-f", "csv")
"""A catalogued query whose answer names seed programs (Parents Anonymous®, …)."""
SEED = r"Parents Anonymous"
LABEL_OF = "SELECT ?label WHERE {{ <https://w3id.org/ppkg/id/program/{slug}> rdfs:label ?label }}"

FileMaker = Callable[[Path], None]


def ttl(body: str) -> str:
    """A Turtle file with the usual prefixes (the body starts on line 5)."""
    return PREFIXES + body


def commands(id: str, anchor: str, name: str, content: bytes | str | FileMaker, message: str) -> list[Case]:
    """The same bad file refused with exit 2 by ``validate``, ``contribute``, ``query --data`` on the rdflib
    engine, and the API (``ppkg.load``, Oxigraph engine)."""
    path = "{inputs}/" + name
    files = {name: content}
    return [
        Case(f"{id}-validate", 2, message, ("validate", path), files=files, anchor=anchor),
        Case(f"{id}-contribute", 2, message, ("contribute", path, *BY), files=files, anchor=anchor),
        Case(
            f"{id}-query-rdflib", 2, message, (*QUERY, "--engine", "rdflib", "--data", path), files=files, anchor=anchor
        ),
        Case(
            f"{id}-api-load",
            2,
            message,
            python=f"ppkg.load(r'{path}').run('programs-by-rating', rating='promising')",
            files=files,
            anchor=anchor,
        ),
    ]


def validate(id: str, anchor: str, name: str, content: bytes | str | FileMaker, message: str) -> Case:
    """``ppkg validate FILE`` refused with exit 2 and one line."""
    return Case(id, 2, message, ("validate", "{inputs}/" + name), files={name: content}, anchor=anchor)


def label_query(id: str, anchor: str, name: str, content: bytes | str, slug: str, label: str) -> Case:
    """An accepted file: ``ppkg query --sparql … --data FILE`` answers with the label it holds, stderr empty."""
    sparql = LABEL_OF.format(slug=slug)
    argv = ("query", "--sparql", sparql, "-f", "json", "--data", "{inputs}/" + name)
    return Case(id, 0, "", argv, files={name: content}, stdout=label, anchor=anchor)


# -- generated files ---------------------------------------------------------------------------------------


def nested(opening: str, closing: str, depth: int) -> FileMaker:
    """A Turtle file with ``depth`` brackets (``[`` or ``(``) nested inside each other."""
    inner = "rdfs:seeAlso " if opening == "[" else ""

    def make(path: Path) -> None:
        body = f"program:x rdfs:seeAlso {(opening + ' ' + inner) * depth}program:y{(' ' + closing) * depth} .\n"
        path.write_text(ttl(body), encoding="utf-8")

    return make


def long_list(items: int) -> FileMaker:
    """A Turtle file with one flat list of ``items`` items."""

    def make(path: Path) -> None:
        members = " ".join(f"program:item{i}" for i in range(items))
        path.write_text(ttl(f"program:x rdfs:seeAlso ( {members} ) .\n"), encoding="utf-8")

    return make


def blank_node_flood(count: int) -> FileMaker:
    """A Turtle file with ``count`` anonymous blank nodes ``[]``."""

    def make(path: Path) -> None:
        path.write_text(ttl("".join(f'[] rdfs:label "b{i}" .\n' for i in range(count))), encoding="utf-8")

    return make


def wide(predicates: int) -> FileMaker:
    """A Turtle file using ``predicates`` distinct predicates on one subject."""

    def make(path: Path) -> None:
        lines = "".join(f'program:wide <https://example.org/p{i}> "v" .\n' for i in range(predicates))
        path.write_text(ttl(lines), encoding="utf-8")

    return make


def literal(chars: int, line: int = 6) -> FileMaker:
    """A Turtle file with a literal of ``chars`` characters on ``line`` (streamed, not built in memory twice)."""

    def make(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            out.write(ttl("\n" * (line - 5)) + 'program:big rdfs:comment "')
            for _ in range(chars // 1_000_000):
                out.write("a" * 1_000_000)
            out.write("a" * (chars % 1_000_000) + '" .\n')

    return make


def sparse(size: int) -> FileMaker:
    """A file of ``size`` bytes that occupies no disk (``os.truncate``)."""

    def make(path: Path) -> None:
        path.touch()
        os.truncate(path, size)

    return make


def symlink_to(target: str) -> FileMaker:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def fifo(path: Path) -> None:
    os.mkfifo(path)


def directory(path: Path) -> None:
    path.mkdir()


def in_contributions(name: str, content: bytes | FileMaker) -> FileMaker:
    """Put a file into the data directory's ``contributions/`` (the data copy is made before the case's files)."""

    def make(path: Path) -> None:
        target = path.parent.parent / "data" / "contributions" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(target)
        else:
            target.write_bytes(content)
        path.write_text("placed in the data directory\n", encoding="utf-8")

    return make


def unreadable(path: Path) -> None:
    path.write_text("<https://w3id.org/ppkg/id/graph/contribution/x> { }\n", encoding="utf-8")
    path.chmod(0)


# -- contents -----------------------------------------------------------------------------------------------

TRUNCATED = ttl('program:cut a ppkg:Program ;\n    rdfs:label "Cut Short"@en')
UNDEFINED_PREFIX = 'ex:a ex:p "x" .\n'
LATIN1 = ttl('program:cafe rdfs:label "Caf\xe9 des Parents"@fr .\n').encode("latin-1")
BOM = ("\ufeff" + ttl('program:bom-test rdfs:label "Byte Order Mark Test"@en .\n')).encode("utf-8")
NUL_ESCAPE = ttl('program:nul rdfs:label "A\\u0000B"@en .\n')
RAW_CONTROL = ttl('program:ctl rdfs:label "A\x01B"@en .\n').encode("utf-8")
CRLF_TABS = ttl('program:crlf-test\r\n\trdfs:label "Tabbed\tLabel  "@en ;\t \r\n\trdfs:comment "x" .   \r\n').encode()
JSON_LD = '{"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}, "@id": "urn:x", "rdfs:label": "x"}\n'
RDF_XML = (
    '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    '  <rdf:Description rdf:about="urn:x"/>\n</rdf:RDF>\n'
)
RELATIVE = '<relative-program> <http://www.w3.org/2000/01/rdf-schema#label> "Relative" .\n'
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10)
    )
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
    '  <rdf:Description rdf:about="urn:x"><rdfs:label>&lol9;</rdfs:label></rdf:Description>\n</rdf:RDF>\n'
)
XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY secret SYSTEM "file://{secret}"> ]>\n'
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">\n'
    '  <rdf:Description rdf:about="urn:x"><rdfs:label>&secret;</rdfs:label></rdf:Description>\n</rdf:RDF>\n'
)
REMOTE_CONTEXT = '{"@context": "{listener}/ctx", "@id": "urn:x", "label": "x"}\n'
FILE_CONTEXT = '{"@context": "file://{secret}", "@id": "urn:x", "label": "x"}\n'
RELATIVE_CONTEXT = '{"@context": "../outside/secret.txt", "@id": "urn:x", "label": "x"}\n'
IMPORTS = ttl(
    "<https://w3id.org/ppkg/id/graph/local/imports> owl:imports <{listener}/x> .\n"
    'program:importer rdfs:label "Importer"@en .\n'
)
CORRUPT_CONTRIBUTION = b"<https://w3id.org/ppkg/id/graph/contribution/x> { <a> <b> \x00 "

WARNING_SKIPPED = (
    r"contributions/{name}:1:51: No scheme found in an absolute IRI .*; the file is left in place and skipped"
)

CASES: list[Case] = [
    # -- RA 4.1 syntax and encoding ------------------------------------------------------------------------
    *commands(
        "file-truncated-turtle",
        "RA 4.1 #1",
        "cut.ttl",
        TRUNCATED,
        r"cut\.ttl:6:\d+: Unexpected end of file \(hint: a statement may be missing its final '\.'\)",
    ),
    *commands(
        "file-undefined-prefix",
        "RA 4.1 #2",
        "prefix.ttl",
        UNDEFINED_PREFIX,
        r"prefix\.ttl:1:1: The prefix ex: has not been declared",
    ),
    *commands("file-latin1", "RA 4.1 #3", "latin1.ttl", LATIN1, r"latin1\.ttl:5: the file is not UTF-8"),
    label_query("file-utf8-bom-accepted", "RA 4.1 #4", "bom.ttl", BOM, "bom-test", r'"Byte Order Mark Test"'),
    Case(
        "file-utf8-bom-validate",
        0,
        "",
        ("validate", "{inputs}/bom.ttl"),
        files={"bom.ttl": BOM},
        stdout=r"conforms: no problems found in 1 triples checked",
        anchor="RA 4.1 #4",
    ),
    *commands(
        "file-nul-escape",
        "RA 4.1 #5",
        "nul.ttl",
        NUL_ESCAPE,
        r"nul\.ttl:5: a literal holds the control character U\+0000; remove it",
    ),
    validate(
        "file-raw-control-character",
        "RA 4.1 #5",
        "ctl.ttl",
        RAW_CONTROL,
        r"ctl\.ttl:5: a literal holds the control character U\+0001",
    ),
    label_query("file-crlf-tabs-accepted", "RA 4.1 #6", "crlf.ttl", CRLF_TABS, "crlf-test", r'"Tabbed\\tLabel  "'),
    Case(
        "file-label-whitespace-flagged",
        0,
        "",
        ("validate", "{inputs}/crlf.ttl"),
        files={"crlf.ttl": CRLF_TABS},
        stdout=r"starts or ends with a space",
        anchor="RA 4.1 #6",
    ),
    *commands(
        "file-jsonld-named-ttl",
        "RA 4.1 #7",
        "jsonld.ttl",
        JSON_LD,
        r"jsonld\.ttl:1:1: .*\(hint: the file holds JSON-LD, not Turtle; ppkg reads only Turtle, TriG",
    ),
    validate(
        "file-rdfxml-named-ttl",
        "RA 4.1 #7",
        "xml.ttl",
        RDF_XML,
        r"xml\.ttl:1:\d+: .*the file holds RDF/XML, not Turtle",
    ),
    validate(
        "file-rdfxml-named-nt",
        "RA 4.1 #7",
        "xml.nt",
        RDF_XML,
        r"xml\.nt:1:\d+: .*the file holds RDF/XML, not N-Triples",
    ),
    validate(
        "file-jsonld-extension", "RA 4.1 #7", "data.jsonld", JSON_LD, r"data\.jsonld: unsupported file type '\.jsonld'"
    ),
    validate("file-rdfxml-extension", "RA 4.1 #7", "data.rdf", RDF_XML, r"data\.rdf: unsupported file type '\.rdf'"),
    # -- RA #9 relative IRIs ---------------------------------------------------------------------------------
    *commands(
        "file-relative-iri",
        "RA 4.2 #9",
        "relative.ttl",
        RELATIVE,
        r"relative\.ttl:1:1: .*relative IRIs are not resolved \(there is no base, and never the file's path\)",
    ),
    # -- RA #19 literal size ---------------------------------------------------------------------------------
    *commands(
        "file-literal-over-limit",
        "RA 4.3 #19",
        "long.ttl",
        literal(70_000),
        r"long\.ttl:6: a literal of 70,000 characters; the limit is 65,536 \(set PPKG_MAX_LITERAL_CHARS to lift it\)",
    ),
    Case(
        "file-literal-limit-lifted",
        0,
        "",
        (*QUERY, "--data", "{inputs}/long.ttl"),
        files={"long.ttl": literal(70_000)},
        env={"PPKG_MAX_LITERAL_CHARS": "100000"},
        stdout=SEED,
        anchor="RA 4.3 #19",
    ),
    Case(
        "file-literal-limit-bad-setting",
        2,
        r"PPKG_MAX_LITERAL_CHARS='lots': give a whole number",
        (*QUERY, "--data", "{inputs}/long.ttl"),
        files={"long.ttl": literal(10)},
        env={"PPKG_MAX_LITERAL_CHARS": "lots"},
        anchor="RA 4.3 #19",
    ),
    Case(
        "file-literal-40mb",
        2,
        r"huge\.ttl:6: a literal or IRI of more than 16,777,216 bytes; the limit is 65,536 \(set PPKG_MAX_LITERAL",
        ("validate", "{inputs}/huge.ttl"),
        files={"huge.ttl": literal(40_000_000)},
        anchor="RA 4.3 #19",
    ),
    Case(
        "file-literal-40mb-api",
        2,
        r"DataFileError: .*huge\.ttl:6: a literal or IRI of more than 16,777,216 bytes",
        python="ppkg.load(r'{inputs}/huge.ttl').run('programs-by-rating', rating='promising')",
        files={"huge.ttl": literal(40_000_000)},
        anchor="RA 4.3 #19",
    ),
    # -- RA 4.4 structure and resource exhaustion ---------------------------------------------------------
    *commands(
        "file-nested-brackets",
        "RA 4.4 #21",
        "deep.ttl",
        nested("[", "]", 10_000),
        r"deep\.ttl: blank nodes nested 10,000 deep \(\[ \] or \( \) inside each other\); the limit is 64 "
        r"\(set PPKG_MAX_NESTING to lift it\)",
    ),
    *commands(
        "file-nested-lists",
        "RA 4.4 #21",
        "deep.ttl",
        nested("(", ")", 10_000),
        r"deep\.ttl: blank nodes nested 10,000 deep .*; the limit is 64",
    ),
    Case(
        "file-blank-node-flood",
        0,
        "",
        (*QUERY, "--data", "{inputs}/flood.ttl"),
        files={"flood.ttl": blank_node_flood(100_000)},
        stdout=SEED,
        anchor="RA 4.4 #22",
    ),
    *commands(
        "file-long-list",
        "RA 4.4 #23",
        "list.ttl",
        long_list(100_000),
        r"list\.ttl: a list of 100,000 items; the limit is 10,000 \(set PPKG_MAX_LIST_ITEMS to lift it\)",
    ),
    *commands(
        "file-over-size-cap",
        "RA 4.4 #24",
        "big.ttl",
        sparse(60 * 1024 * 1024),
        r"big\.ttl: file of 62,914,560 bytes; the limit is 52,428,800 \(set PPKG_MAX_FILE_BYTES to lift it\)",
    ),
    validate("file-gzip", "RA 4.4 #24", "data.ttl.gz", sparse(1024), r"data\.ttl\.gz: unsupported file type '\.gz'"),
    validate(
        "file-billion-laughs", "RA 4.4 #25", "laughs.rdf", BILLION_LAUGHS, r"laughs\.rdf: unsupported file type '\.rdf'"
    ),
    validate(
        "file-billion-laughs-named-ttl",
        "RA 4.4 #25",
        "laughs.ttl",
        BILLION_LAUGHS,
        r"laughs\.ttl:1:\d+: .*the file holds RDF/XML, not Turtle",
    ),
    validate("file-xxe", "RA 4.4 #26", "xxe.owl", XXE, r"xxe\.owl: unsupported file type '\.owl'"),
    validate("file-xxe-named-ttl", "RA 4.4 #26", "xxe.ttl", XXE, r"xxe\.ttl:1:\d+: .*the file holds RDF/XML"),
    Case(
        "file-wide-graph",
        0,
        "",
        (*QUERY, "--engine", "rdflib", "--data", "{inputs}/wide.ttl"),
        files={"wide.ttl": wide(10_000)},
        stdout=SEED,
        anchor="RA 4.4 #27",
    ),
    # -- RA 4.5 remote resources -----------------------------------------------------------------------------
    validate(
        "file-jsonld-remote-context", "RA 4.5 #28", "ctx.jsonld", REMOTE_CONTEXT, r"unsupported file type '\.jsonld'"
    ),
    *commands(
        "file-jsonld-remote-context-ttl",
        "RA 4.5 #28",
        "ctx.ttl",
        REMOTE_CONTEXT,
        r"ctx\.ttl:1:1: .*the file holds JSON-LD, not Turtle",
    ),
    validate("file-jsonld-file-context", "RA 4.5 #29", "file.ttl", FILE_CONTEXT, r"file\.ttl:1:1: .*holds JSON-LD"),
    validate(
        "file-jsonld-relative-context", "RA 4.5 #29", "rel.ttl", RELATIVE_CONTEXT, r"rel\.ttl:1:1: .*holds JSON-LD"
    ),
    Case(
        "file-owl-imports-contribute",
        2,
        r"imports\.ttl:5: owl:imports <http:/+127\.0\.0\.1:\d+/x> is not accepted in a contribution and is never "
        r"fetched",
        ("contribute", "{inputs}/imports.ttl", *BY),
        files={"imports.ttl": IMPORTS},
        anchor="RA 4.5 #30",
    ),
    Case(
        "file-owl-imports-validate",
        2,
        r"imports\.ttl:5: owl:imports <http:/+127\.0\.0\.1:\d+/x> is not accepted",
        ("validate", "{inputs}/imports.ttl"),
        files={"imports.ttl": IMPORTS},
        anchor="RA 4.5 #30",
    ),
    Case(
        "file-owl-imports-data-reasoning",
        0,
        "",
        (*QUERY, "--reason", "owlrl", "--data", "{inputs}/imports.ttl"),
        files={"imports.ttl": IMPORTS},
        stdout=SEED,
        anchor="RA 4.5 #30",
        timeout=120,
    ),
    Case(
        "file-url-validate",
        2,
        r"http:/127\.0\.0\.1:\d+/x\.ttl: a URL, not a file: ppkg reads local files only and fetches nothing",
        ("validate", "{listener}/x.ttl"),
        anchor="RA 4.5 #31",
    ),
    Case(
        "file-url-contribute",
        2,
        r"a URL, not a file",
        ("contribute", "{listener}/x.ttl", *BY),
        anchor="RA 4.5 #31",
    ),
    Case(
        "file-url-query-data",
        2,
        r"http:/127\.0\.0\.1:\d+/x\.ttl: a URL, not a file",
        (*QUERY, "--data", "{listener}/x.ttl"),
        anchor="RA 4.5 #31",
    ),
    Case(
        "file-url-api-validate",
        2,
        r"DataFileError: http:/+127\.0\.0\.1:\d+/x\.ttl: a URL, not a file",
        python="ppkg.validate('{listener}/x.ttl')",
        anchor="RA 4.5 #31",
    ),
    Case(
        "file-url-api-validate-list",
        2,
        r"DataFileError: http:/+127\.0\.0\.1:\d+/x\.ttl: a URL, not a file",
        python="ppkg.validate(['{listener}/x.ttl'])",
        anchor="RA 4.5 #31",
    ),
    Case(
        "file-url-api-load",
        2,
        r"DataFileError: http:/+127\.0\.0\.1:\d+/x\.ttl: a URL, not a file",
        python="ppkg.load('{listener}/x.ttl')",
        anchor="RA 4.5 #31",
    ),
    # -- issue 10: file kinds ---------------------------------------------------------------------------------
    *commands(
        "file-symlink-dev-zero", "issue 10", "zero.ttl", symlink_to("/dev/zero"), r"zero\.ttl: not a regular file"
    ),
    *commands("file-fifo", "issue 10", "pipe.ttl", fifo, r"pipe\.ttl: not a regular file; give a file"),
    *commands("file-directory", "issue 10", "folder.ttl", directory, r"folder\.ttl: a directory; give a file"),
    Case(
        "file-query-file-dev-zero",
        2,
        r"/dev/zero: not a regular file",
        ("query", "--file", "/dev/zero"),
        anchor="issue 10",
    ),
    Case(
        "file-query-file-fifo",
        2,
        r"pipe\.rq: not a regular file",
        ("query", "--file", "{inputs}/pipe.rq"),
        files={"pipe.rq": fifo},
        anchor="issue 10",
    ),
    Case(
        "file-dotdot-outside-bad-extension",
        2,
        r"inputs/\.\./outside/secret\.txt: unsupported file type '\.txt'",
        ("validate", "{inputs}/../outside/secret.txt"),
        anchor="issue 10",
    ),
    Case(
        "file-dotdot-outside-bad-extension-data",
        2,
        r"secret\.txt: unsupported file type '\.txt'",
        (*QUERY, "--data", "{inputs}/../outside/secret.txt"),
        anchor="issue 10",
    ),
    Case(
        "file-dotdot-outside-api",
        2,
        r"DataFileError: .*secret\.txt: unsupported file type '\.txt'",
        python="ppkg.validate([r'{inputs}/../outside/secret.txt'])",
        anchor="issue 10",
    ),
    Case(
        "file-corrupt-contribution-query",
        0,
        WARNING_SKIPPED.format(name=r"20260101-000000000000\.trig"),
        QUERY,
        files={"placed.txt": in_contributions("20260101-000000000000.trig", CORRUPT_CONTRIBUTION)},
        stdout=SEED,
        anchor="issue 10",
    ),
    Case(
        "file-corrupt-contribution-rdflib",
        0,
        WARNING_SKIPPED.format(name=r"20260101-000000000000\.trig"),
        (*QUERY, "--engine", "rdflib"),
        files={"placed.txt": in_contributions("20260101-000000000000.trig", CORRUPT_CONTRIBUTION)},
        stdout=SEED,
        anchor="issue 10",
    ),
    Case(
        "file-corrupt-contribution-list",
        0,
        WARNING_SKIPPED.format(name=r"20260101-000000000000\.trig"),
        ("contributions", "--format", "json"),
        files={"placed.txt": in_contributions("20260101-000000000000.trig", CORRUPT_CONTRIBUTION)},
        stdout=r"^\[\]",
        anchor="issue 10",
    ),
    Case(
        "file-fifo-contribution",
        0,
        r"contributions/20260101-000000000000\.trig: not a regular file; give a file; the file is left in place",
        QUERY,
        files={"placed.txt": in_contributions("20260101-000000000000.trig", fifo)},
        stdout=SEED,
        anchor="issue 10",
    ),
    Case(
        "file-dangling-contribution",
        0,
        r"contributions/20260101-000000000000\.trig: no such file; the file is left in place and skipped",
        QUERY,
        files={"placed.txt": in_contributions("20260101-000000000000.trig", symlink_to("/nonexistent/x.trig"))},
        stdout=SEED,
        anchor="issue 10",
    ),
]

if os.geteuid() != 0:  # as root, mode 000 does not stop reading: the dangling and FIFO cases above stand for it
    CASES.append(
        Case(
            "file-unreadable-contribution",
            0,
            r"contributions/20260101-000000000000\.trig: cannot read: Permission denied; the file is left in place",
            QUERY,
            files={"placed.txt": in_contributions("20260101-000000000000.trig", unreadable)},
            stdout=SEED,
            anchor="issue 10",
        )
    )
