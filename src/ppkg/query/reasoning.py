"""Opt-in RDFS / OWL 2 RL reasoning with owlrl, bounded in time, memory and size.

The closure is computed in a child process (owlrl cannot be interrupted from Python, and on some
inputs it does not terminate), and only the triples it *adds* are kept, for the named graph
``https://w3id.org/ppkg/id/graph/inferred``. Asserted data is never changed. Trivial entailments
(``?x a rdfs:Resource``, ``?x a owl:Thing``, ``?x owl:sameAs ?x``) are dropped.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

from ppkg.errors import ReasoningError

PROFILES = ("rdfs", "owlrl")
"""Reasoning profiles: RDFS, or OWL 2 RL (which includes RDFS)."""

DEFAULT_TIMEOUT = 120.0
"""Seconds the closure may take."""
DEFAULT_MAX_TRIPLES = 200_000
"""Most inferred triples accepted."""
MEMORY_LIMIT_BYTES = 4 * 1024**3
"""Address-space limit of the reasoning process."""


def infer(
    nquads: bytes,
    profile: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_triples: int = DEFAULT_MAX_TRIPLES,
) -> Graph:
    """Return the triples that ``profile`` entails from the union of the quads, beyond those asserted."""
    if profile not in PROFILES:
        raise ReasoningError(f"unknown reasoning profile {profile!r}; use one of {', '.join(PROFILES)}")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ppkg.query.reasoning", profile, str(max_triples)],
            input=nquads,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReasoningError(
            f"{profile} reasoning stopped after {timeout:g} s (its time limit); query without --reason, "
            "or raise the limit"
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise ReasoningError(message[-1] if message else f"{profile} reasoning failed ({done.returncode})")
    from rdflib import Graph

    inferred = Graph()
    inferred.parse(data=done.stdout, format="nt")
    return inferred


def _closure(profile: str, max_triples: int) -> int:
    """Child process: read N-Quads on stdin, write the inferred triples as N-Triples on stdout."""
    import resource

    import owlrl
    from rdflib import Dataset, Graph, Literal
    from rdflib.namespace import OWL, RDF, RDFS

    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ValueError, OSError):
        pass
    dataset = Dataset()
    dataset.parse(data=sys.stdin.buffer.read(), format="nquads")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    asserted = set(graph)
    semantics = owlrl.OWLRL_Semantics if profile == "owlrl" else owlrl.RDFS_Semantics
    try:
        owlrl.DeductiveClosure(semantics, rdfs_closure=False, axiomatic_triples=False).expand(graph)
    except MemoryError:
        sys.stderr.write(f"{profile} reasoning stopped: it needed more than {MEMORY_LIMIT_BYTES >> 30} GiB\n")
        return 3
    trivial = {RDFS.Resource, OWL.Thing}
    out = Graph()
    for s, p, o in graph:
        if (s, p, o) in asserted or isinstance(s, Literal):
            continue
        if (p == RDF.type and o in trivial) or (p == OWL.sameAs and s == o):
            continue
        out.add((s, p, o))
    if len(out) > max_triples:
        sys.stderr.write(
            f"{profile} reasoning stopped: it inferred {len(out):,} triples, more than the limit of {max_triples:,}\n"
        )
        return 3
    sys.stdout.buffer.write(out.serialize(format="nt", encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(_closure(sys.argv[1], int(sys.argv[2])))
