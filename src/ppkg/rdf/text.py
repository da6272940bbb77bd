"""Normalising what people type, and suggesting what they may have meant."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: ``"Self-Care®"`` → ``"self care"``."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def nearest(value: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """Up to ``n`` choices closest to ``value`` (by normalised spelling, then shared words)."""
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(normalize(choice), choice)
    key = normalize(value)
    picked = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.5)
    if len(picked) < n:
        words = set(key.split())
        scored = sorted(
            ((len(words & set(k.split())), k) for k in by_key if k not in picked),
            key=lambda s: (-s[0], s[1]),
        )
        picked += [k for score, k in scored if score > 0][: n - len(picked)]
    if not picked:
        picked = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.0)
    return [by_key[k] for k in picked]


_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\t": "\\t", "\r": "\\r"}


def visible(text: str, *, newlines: bool = True) -> str:
    """``text`` safe for a terminal: control and bidirectional-override characters as escapes (``\\x1b``).

    Newlines are kept unless ``newlines`` is false (then they are escaped too).
    """
    out = _CONTROL.sub(_escape, text)
    return out if newlines else out.replace("\n", "\\n")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
