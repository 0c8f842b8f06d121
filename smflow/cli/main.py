"""The ``smflow`` command line: argparse, subcommand dispatch, and the one error boundary.

Each subcommand lives in ``smflow.cli.commands.<name>`` and exposes ``register(subparsers)``
(which adds its parser and sets ``func``) and a ``run(args) -> int``; adding a command is one
name in ``COMMANDS``. Start-up is most of a small command's cost, so only the module of the
command being run is imported (all of them only for the overall help), and a command module
imports at its top only what ``register`` needs, the rest inside ``run``
(``tests/cli/test_imports.py`` pins what each command may import). This module is the only
place that catches ``SmflowError`` and renders it; anything else is a bug, reported in one line
(the traceback only with ``--debug``).
"""

from __future__ import annotations

import importlib
import sys

from smflow import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads the name)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = ["main", "build_parser"]

COMMANDS = ("run", "check", "plan", "ops", "emulator", "graph", "init", "fmt", "lsp")


def _commands_needed(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules to register for ``argv``: the one it names, none for a bare
    ``--version`` (argparse answers it before looking further), otherwise every one (help)."""
    for arg in argv:
        if arg == "--":
            break
        if not arg.startswith("-"):
            return (arg,) if arg in COMMANDS else COMMANDS
        if arg in ("-h", "--help"):
            return COMMANDS
        if arg == "--version":
            return ()
    return COMMANDS


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv`` (default: every command)."""
    from smflow.cli.argparser import ArgumentParser

    parser = ArgumentParser(
        prog="smflow",
        description="Release runbooks as code for the Azure Service Management API.",
    )
    parser.add_argument("--version", action="version", version=f"smflow {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback on internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS if argv is None else _commands_needed(argv):
        try:
            module = importlib.import_module(f"smflow.cli.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"smflow.cli.commands.{name}":
                raise
            continue  # not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if list(argv) == ["--version"]:  # what argparse would print, without the cost of its help machinery
        print(f"smflow {__version__}")
        return 0
    from smflow.classcache import install

    install()  # dataclass methods compiled once per machine, before any command creates a class
    from smflow.errors import SmflowError

    parser = build_parser(argv)
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
            import traceback

            traceback.print_exc()
        else:
            print(
                f"smflow: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                file=sys.stderr,
            )
        return 3


def entry() -> None:
    from smflow.gcpause import pause

    pause()  # the whole process is this command's: start-up needs no cycle collection (see gcpause)
    sys.exit(main())
