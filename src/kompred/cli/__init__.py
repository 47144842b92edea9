"""The ``kompred`` command: ``main(argv=None)`` dispatches to one module per subcommand.

Each subcommand module has ``add_parser(subparsers)`` and ``run(args) -> int``, and ``run`` calls
one plain library function and formats its result. Errors kompred raises on purpose are printed
as one clear message (exit code 2), without a traceback.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import warnings

from .._version import __version__
from ..exceptions import KompredError, KompredWarning

# order = the order in `kompred --help`
SUBCOMMANDS = ("report", "train", "score", "evaluate", "consistency", "handlers", "check", "model",
               "serve")


def _available() -> list:
    mods = []
    for name in SUBCOMMANDS:
        try:
            mods.append(importlib.import_module(f"kompred.cli._{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"kompred.cli._{name}":
                raise
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kompred",
        description="Topics, grant probabilities and decision consistency for applications to "
                    "Omställningsfonden (förebyggande insatser).",
        epilog="Run 'kompred COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"kompred {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error (anywhere on the command line)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for mod in _available():
        mod.add_parser(sub)
    return parser


def _redact(text: object) -> str:
    from ..text import redact_personnummer

    return redact_personnummer(str(text))


def _show_warning(message, category, filename, lineno, file=None, line=None):
    prefix = "varning" if issubclass(category, KompredWarning) else category.__name__
    print(f"kompred: {prefix}: {_redact(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kompred`` console script; returns the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted before or after the command
    debug = "--debug" in argv
    args = parser.parse_args([a for a in argv if a != "--debug"])
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    old = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        return int(args.func(args) or 0)
    except KompredError as exc:
        if debug:
            raise
        # no personnummer in a message, whatever cell it quotes
        print(f"kompred {args.command}: error: {_redact(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kompred: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: one line, the traceback with --debug
        if debug:
            raise
        print(f"kompred {args.command}: unexpected error ({type(exc).__name__}): {_redact(exc)}\n"
              "This is a bug in kompred; run the same command with --debug for the traceback "
              "and report it.", file=sys.stderr)
        return 3
    finally:
        warnings.showwarning = old


def console_main() -> int:
    """The ``kompred`` console script: :func:`main`, after which the process ends.

    The process ends right after, so the interpreter's final collections over every library
    object still loaded are skipped (``gc.freeze``: 0.3-0.5 s after a check, on a loaded 2-core
    machine). Exit handlers, finalizers and the flushing of output still run.
    """
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(console_main())
