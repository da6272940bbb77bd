"""A misbehaving endpoint behind ``--endpoint`` (``{bad}/ROUTE``, see :mod:`tests.bad_inputs.bad_server`): every
answer is bounded in time and size, no redirect is followed, and every malformed answer is one line and exit 2,
never a traceback, a hang or an empty result (issue 10)."""

from __future__ import annotations

from tests.bad_inputs.harness import Case

SELECT = "SELECT ?x WHERE { ?x ?p ?o }"
ASK = "ASK { ?s ?p ?o }"
AT = r"^(ppkg: error: |EndpointError: )http://127\.0\.0\.1:\d+/"


def _remote(case_id: str, route: str, message: str, *extra: str, query: str = SELECT, timeout: float = 60.0) -> Case:
    """``ppkg query --endpoint {bad}ROUTE --sparql QUERY EXTRA…`` must fail with one line matching ``message``."""
    return Case(
        case_id,
        2,
        message,
        ("query", "--endpoint", "{bad}" + route, "--sparql", query, *extra),
        remote=True,
        anchor="issue 10",
        timeout=timeout,
    )


CASES: list[Case] = [
    _remote(
        "remote-trickle-whole-answer-timeout",
        "/trickle",
        AT + r"trickle: timed out: no complete answer within 3 s",
        "--timeout",
        "3",
        timeout=20,
    ),
    _remote(
        "remote-endless-answer-capped",
        "/endless",
        AT + r"endless: the answer is too large \(more than the limit of 1 MiB\).*--max-result-size",
        "--max-result-size",
        "1M",
    ),
    _remote(
        "remote-endless-answer-default-cap",
        "/endless",
        AT + r"endless: the answer is too large \(more than the limit of 100 MiB\)",
    ),
    _remote(
        "remote-gigabyte-announced",
        "/gigabyte",
        AT + r"gigabyte: the answer is too large \(1 GiB, more than the limit of 100 MiB\)",
    ),
    _remote(
        "remote-redirect-ftp",
        "/redirect-ftp",
        AT + r"redirect-ftp: the endpoint redirects \(HTTP 302\) to 'ftp://127\.0\.0\.1/results\.json'; "
        r"ppkg follows no redirects",
    ),
    _remote(
        "remote-redirect-file",
        "/redirect-file",
        AT + r"redirect-file: the endpoint redirects \(HTTP 302\) to 'file:///etc/passwd'; ppkg follows no redirects",
    ),
    _remote(
        "remote-html-page",
        "/html",
        AT + r"html: the endpoint answered with a web page \(text/html\), not SPARQL results",
    ),
    _remote(
        "remote-json-without-results",
        "/no-results",
        AT + r"no-results: malformed answer: SPARQL JSON results must contain a 'boolean' or a 'results' key",
    ),
    _remote(
        "remote-bindings-not-a-list",
        "/bindings-not-a-list",
        AT + r"bindings-not-a-list: malformed answer: SPARQL JSON results bindings must be an array",
    ),
    _remote(
        "remote-value-without-type",
        "/value-without-type",
        AT + r"value-without-type: malformed answer: Term serialization must have a 'type' key",
    ),
    _remote(
        "remote-invalid-json",
        "/invalid-json",
        AT + r"invalid-json: malformed answer: Parser error at line 1 column \d+",
    ),
    _remote(
        "remote-not-http",
        "/not-http",
        AT + r"not-http: not an HTTP answer: NOT HTTP",
    ),
    _remote(
        "remote-ask-false-as-a-string",
        "/boolean-as-string",
        AT + r"boolean-as-string: malformed answer: Unexpected boolean value",
        query=ASK,
    ),
    _remote(
        "remote-boolean-for-a-select",
        "/boolean-for-select",
        AT + r"boolean-for-select: the endpoint answered a SELECT query with a yes/no \(ASK\) result",
    ),
    _remote(
        "remote-rows-for-an-ask",
        "/rows-for-ask",
        AT + r"rows-for-ask: the endpoint answered an ASK query with rows, not a yes/no result",
        query=ASK,
    ),
    _remote(
        "remote-cancelled-empty-200",
        "/empty-200",
        AT + r"empty-200: the endpoint sent an empty answer \(it may have cancelled the query at its own time limit\)",
    ),
    _remote(
        "remote-cut-off-200",
        "/cut-off",
        AT + r"cut-off: malformed answer: .*\(the answer stops early: the endpoint may have cut it off",
    ),
    _remote(
        "remote-timeout-500",
        "/timeout-500",
        AT + r"timeout-500: HTTP 500 Internal Server Error: Query evaluation timed out after 30 s",
    ),
    Case(
        "remote-api-ask-false-as-a-string",
        2,
        AT + r"boolean-as-string: malformed answer: Unexpected boolean value",
        python="print(ppkg.connect('{bad}/boolean-as-string').query('ASK { ?s ?p ?o }').boolean)",
        remote=True,
        anchor="issue 10",
    ),
    Case(
        "remote-api-trickle-timeout",
        2,
        r"^QueryTimeoutError: http://127\.0\.0\.1:\d+/trickle: timed out: no complete answer within 2 s",
        python="ppkg.connect('{bad}/trickle', timeout=2).query('SELECT ?x WHERE { ?x ?p ?o }')",
        remote=True,
        anchor="issue 10",
        timeout=20,
    ),
    Case(
        "remote-answer-that-works",
        0,
        "",
        ("query", "--endpoint", "{bad}/one-row", "--sparql", SELECT, "-f", "csv"),
        remote=True,
        stdout=r"^x\nok\n$",
        anchor="issue 10",
    ),
    # -- the endpoint URL itself ----------------------------------------------------------------------------
    Case(
        "endpoint-with-a-newline",
        2,
        r"^ppkg: error: not an http\(s\) endpoint URL: 'http://127\.0\.0\.1:\d+/one-row\\n'",
        ("query", "--endpoint", "{bad}/one-row\n", "--sparql", SELECT),
        anchor="issue 10",
    ),
    Case(
        "endpoint-ftp-scheme",
        2,
        r"^ppkg: error: not an http\(s\) endpoint URL: 'ftp://127\.0\.0\.1/sparql'",
        ("query", "--endpoint", "ftp://127.0.0.1/sparql", "--sparql", SELECT),
        anchor="issue 10",
    ),
    Case(
        "endpoint-file-scheme",
        2,
        r"^ppkg: error: not an http\(s\) endpoint URL: 'file://.*secret\.txt'",
        ("query", "--endpoint", "file://{secret}", "--sparql", SELECT),
        anchor="issue 10",
    ),
    Case(
        "max-result-size-without-endpoint",
        2,
        r"^ppkg: error: --max-result-size applies to --endpoint",
        ("query", "--max-result-size", "1M", "--sparql", SELECT),
        anchor="issue 10",
    ),
    Case(
        "max-result-size-not-a-size",
        2,
        r"^ppkg: error: invalid --max-result-size 'lots': use a number of bytes or a size like 512M or 4G",
        ("query", "--endpoint", "{bad}/one-row", "--max-result-size", "lots", "--sparql", SELECT),
        anchor="issue 10",
    ),
]
