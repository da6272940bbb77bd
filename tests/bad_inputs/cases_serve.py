"""``ppkg serve`` started wrongly: a bad address, a port in use, an address other machines can reach without the
flag that allows it. Each is one line and exit 2 before anything listens (issue 10)."""

from __future__ import annotations

from tests.bad_inputs.harness import Case

CASES: list[Case] = [
    Case(
        "serve-invalid-host",
        2,
        r"^ppkg: error: invalid host '999\.1\.1\.1': not an IP address or a host name$",
        ("serve", "--host", "999.1.1.1", "--port", "0"),
        anchor="issue 10",
        timeout=30,
    ),
    Case(
        "serve-host-with-a-newline",
        2,
        r"^ppkg: error: invalid host '127\.0\.0\.1\\n': not an IP address or a host name$",
        ("serve", "--host", "127.0.0.1\n", "--port", "0"),
        anchor="issue 10",
        timeout=30,
    ),
    Case(
        "serve-port-in-use",
        2,
        r"^ppkg: error: cannot listen on 127\.0\.0\.1:\d+: the port is already in use$",
        ("serve", "--port", "{listener_port}"),
        anchor="issue 10",
        timeout=30,
    ),
    Case(
        "serve-port-out-of-range",
        2,
        r"^ppkg: error: .*70000",
        ("serve", "--port", "70000"),
        anchor="issue 10",
        timeout=30,
    ),
    Case(
        "serve-all-interfaces-without-the-flag",
        2,
        r"^ppkg: error: listening on 0\.0\.0\.0 would let other machines query this endpoint; pass --allow-remote",
        ("serve", "--host", "0.0.0.0", "--port", "0"),
        anchor="issue 10",
        timeout=30,
    ),
    Case(
        "serve-ipv6-all-interfaces-without-the-flag",
        2,
        r"^ppkg: error: listening on :: would let other machines query this endpoint; pass --allow-remote",
        ("serve", "--host", "::", "--port", "0"),
        anchor="issue 10",
        timeout=30,
    ),
    Case(
        "serve-bad-size",
        2,
        r"^ppkg: error: invalid --max-result-size 'huge'",
        ("serve", "--port", "0", "--max-result-size", "huge"),
        anchor="issue 10",
        timeout=30,
    ),
]
