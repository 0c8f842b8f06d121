"""The ``smflow`` command line: argparse, subcommand dispatch, and the one error boundary.

Each subcommand lives in ``smflow.cli.commands.<name>`` and exposes ``register(subparsers)``
(which adds its parser and sets ``func``) and a ``run(args) -> int``. This module is the only
place that catches ``SmflowError`` and renders it; anything else is a bug, reported in one line
(the traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from smflow import __version__
from smflow.errors import SmflowError

__all__ = ["main", "build_parser"]

COMMANDS = ("run", "check", "plan", "ops", "emulator", "graph", "init", "fmt")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smflow",
        description="Release runbooks as code for the Azure Service Management API.",
    )
    parser.add_argument("--version", action="version", version=f"smflow {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"smflow.cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"smflow.cli.commands.{name}":
                raise
            continue  # not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except SmflowError as err:
        print(str(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("smflow: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a bug, said in one line
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"smflow: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                file=sys.stderr,
            )
        return 3


def entry() -> None:
    sys.exit(main())
