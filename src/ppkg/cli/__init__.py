"""The ``ppkg`` command line.

Exit codes: 0 success; 1 the data does not conform to the shapes (``validate``/``contribute``);
2 bad input: an unknown query, topic or other value, an unsafe or malformed query, an unreadable file,
an unreachable endpoint, or any other error (always one line on stderr, never a traceback).

Each command lives in the module of its user (:mod:`~ppkg.cli.research`, :mod:`~ppkg.cli.stewardship`,
:mod:`~ppkg.cli.serving`); errors are turned into messages and exit codes in one place, :func:`main`.
"""

from __future__ import annotations

import sys
import warnings

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # the parser's own errors (typer vendors click)

from ppkg.cli import presenting, research, serving, stewardship, storage
from ppkg.cli.app import app
from ppkg.errors import EXIT_INPUT, PpkgError

__all__ = ["app", "main", "presenting", "research", "serving", "stewardship", "storage"]


def _fail(message: str, code: int = EXIT_INPUT) -> None:
    typer.echo(f"ppkg: error: {' '.join(message.split()) or 'unknown error'}", err=True)
    sys.exit(code)


def _warning_line(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    typer.echo(f"ppkg: warning: {' '.join(str(message).split())}", err=True)


def main() -> None:
    """Entry point of the ``ppkg`` console script: run a command and turn every error into one line.

    Usage errors (an unknown option, a missing argument) are one line too, naming the command's ``--help``, and
    exit 2; Ctrl-C exits 130. Warnings (a contribution file that cannot be read and is skipped) are one line each.
    """
    warnings.showwarning = _warning_line
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as err:  # `ppkg` alone: the help, as the parser shows it
        err.show()
        sys.exit(err.exit_code)
    except UsageError as err:  # an unknown option or command, a missing argument: one line, exit 2
        command = err.ctx.command_path if err.ctx else "ppkg"
        _fail(f"{err.format_message()} (see '{command} --help')", err.exit_code)
    except typer.TyperException as err:
        _fail(str(err))
    except typer.Abort:
        _fail("aborted", 130)
    except PpkgError as err:
        _fail(str(err), err.exit_code)
    except RecursionError:
        _fail("the input is nested too deeply to process")
    except MemoryError:
        _fail("out of memory while processing the input")
    except Exception as err:  # last resort: one line and exit 2, never a traceback and never exit 1
        _fail(f"{type(err).__name__}: {err}")
    sys.exit(code if isinstance(code, int) else 0)
