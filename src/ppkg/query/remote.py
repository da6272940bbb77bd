"""Running ppkg's queries on any SPARQL 1.1 endpoint, through SPARQLWrapper.

Bound parameters travel as a ``VALUES`` block of terms serialised with rdflib's ``n3()`` (which
escapes literals and refuses malformed IRIs), placed at the start of the outermost ``WHERE`` group, so
they constrain the query exactly where in-process binding does for ppkg's catalogued queries. The
ppkg prefixes are declared in front of the query text. Nothing is sent unless the user names an
endpoint.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from ppkg.errors import EndpointError, QuerySyntaxError
from ppkg.query.engines import RawResult
from ppkg.query.safety import blank_tokens, is_http_url
from ppkg.rdf.namespaces import sparql_prologue

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for an endpoint's answer."""

_WHERE_OPEN = re.compile(r"(?<![\w?$:])WHERE\s*\{", re.IGNORECASE)


def inject_values(query: str, bindings: Mapping[str, Node]) -> str:
    """Return ``query`` with a ``VALUES`` block for ``bindings`` at the start of its outer ``WHERE`` group."""
    if not bindings:
        return query
    names = sorted(bindings)
    try:
        row = " ".join(bindings[n].n3() for n in names)
    except Exception as err:  # rdflib raises a bare Exception for IRIs it cannot serialise
        raise QuerySyntaxError(f"cannot send a bound value to an endpoint: {err}") from None
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }} "
    masked = blank_tokens(query)
    match = _WHERE_OPEN.search(masked) or re.search(r"\{", masked)
    if match is None:
        raise QuerySyntaxError("cannot bind parameters: the query has no WHERE group")
    return query[: match.end()] + block + query[match.end() :]


class RemoteEngine:
    """A SPARQL 1.1 endpoint reached over HTTP."""

    name = "remote"

    def __init__(self, endpoint: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not is_http_url(endpoint):
            raise EndpointError(f"not an http(s) endpoint URL: {endpoint!r}")
        self.endpoint = endpoint
        self.timeout = timeout

    def execute(self, query: str, form: str, bindings: Mapping[str, Node]) -> RawResult:
        """Send the query with its bindings as ``VALUES``; parse the endpoint's answer."""
        from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        # SPARQLWrapper guesses the query form from the text and is misled by words in comments
        # ("additional" reads as ADD), so whole-line comments (the #+ header) are not sent
        text = sparql_prologue() + re.sub(r"(?m)^[ \t]*#.*$", "", inject_values(query, bindings))
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(int(max(1, self.timeout)))
        client.setQuery(text)
        client.setReturnFormat(N3 if form in ("CONSTRUCT", "DESCRIBE") else JSON)
        try:
            response = client.query()
            body = response.response.read()
        except SPARQLWrapperException as err:
            raise EndpointError(f"{self.endpoint}: the endpoint refused the query: {_refusal(err)}") from None
        except urllib.error.HTTPError as err:
            detail = err.read(4096).decode(errors="replace").strip().splitlines()
            reason = f": {detail[0][:300]}" if detail else ""
            raise EndpointError(f"{self.endpoint}: HTTP {err.code} {err.reason}{reason}") from None
        except TimeoutError:
            raise EndpointError(f"{self.endpoint}: no answer within {self.timeout:g} s") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
            # OSError: refused, reset, unreachable; HTTPException: not an HTTP answer; ValueError: a bad URL
            reason = getattr(err, "reason", None) or _first_line(err)
            raise EndpointError(f"{self.endpoint}: cannot reach the endpoint: {_first_line(reason)}") from None
        if form in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            try:
                graph.parse(data=body, format="turtle")
            except Exception as err:
                raise EndpointError(f"{self.endpoint}: malformed RDF in the answer: {_first_line(err)}") from None
            return RawResult(form, triples=list(graph))  # type: ignore[arg-type]
        try:
            doc = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise EndpointError(
                f"{self.endpoint}: malformed JSON in the answer (the endpoint may have hit its own time limit)"
            ) from None
        try:
            if "boolean" in doc:
                if not isinstance(doc["boolean"], bool):
                    raise TypeError("boolean")
                return RawResult(form, boolean=doc["boolean"])
            variables = [str(v) for v in doc.get("head", {}).get("vars", [])]
            rows = [tuple(_term(b.get(v)) for v in variables) for b in doc.get("results", {}).get("bindings", [])]
        except (AttributeError, TypeError, KeyError, ValueError):
            raise EndpointError(f"{self.endpoint}: malformed answer: not SPARQL 1.1 JSON results") from None
        return RawResult(form, variables=variables, rows=rows)


def _refusal(err: BaseException) -> str:
    """What an endpoint said when it refused a query: the first line of its answer, else the error's first line."""
    _, found, response = str(err).partition("Response:")
    body = response.strip()
    if found and body.startswith(("b'", 'b"')):
        body = body[2:-1].encode().decode("unicode_escape", errors="replace")
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return lines[0][:300] if lines else _first_line(err)


def _first_line(err: object) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _term(binding: dict[str, Any] | None) -> Identifier | None:
    if binding is None:
        return None
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = binding.get("xml:lang")
    datatype = binding.get("datatype")
    if lang:
        return Literal(value, lang=lang)
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)
