"""Audit hook for the bad-input suite, loaded by every Python process the suite starts (``PYTHONPATH``).

When ``PPKG_AUDIT_LOG`` names a file, each file this process opens and each network call it makes is appended
to it, one JSON object a line (``{"event": ..., "arg": ..., "pid": ...}``), so that the test can prove nothing
outside the inputs was read and nothing reached the network. Without the variable this module does nothing.
"""

from __future__ import annotations

import json
import os
import sys

_LOG = os.environ.get("PPKG_AUDIT_LOG")
_EVENTS = {"open", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"}

if _LOG:
    _fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    _pid = os.getpid()

    def _hook(event: str, args: tuple[object, ...]) -> None:
        if event not in _EVENTS or not args:
            return
        first = args[0]
        if event == "open":
            if isinstance(first, int) or first is None:
                return
            arg = os.fsdecode(first) if isinstance(first, (str, bytes, os.PathLike)) else repr(first)
        elif event == "socket.connect":
            arg = repr(args[1]) if len(args) > 1 else repr(first)
        elif event == "urllib.Request":
            arg = str(first)
        else:
            arg = repr(first)
        line = json.dumps({"event": event, "arg": arg, "pid": _pid}) + "\n"
        try:
            os.write(_fd, line.encode("utf-8", "replace"))
        except OSError:
            pass

    sys.addaudithook(_hook)
