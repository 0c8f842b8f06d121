"""``smflow fmt [--check] [--diff] FILE...``: rewrite flows in the canonical layout.

``--check`` (for CI and pre-commit) writes nothing and exits 1 naming each file that would change;
``--diff`` prints a unified diff instead of writing; with neither, each changed file is replaced
atomically (temp file, fsync, rename; its mode kept) and an unchanged file is not touched at all.
``-`` reads standard input and writes the result to standard output.

Every file is tried even after one fails: a file that does not parse is reported with its caret
(exit 2), a formatter inconsistency (a bug, exit 3) leaves its file as it was.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from pathlib import Path
from typing import Any

from smflow.errors import FlowError, FormatterError, UsageError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fmt",
        help="format flows in the one canonical layout",
        description="Rewrite .flow files in smflow's canonical layout (comments kept, meaning checked "
        "unchanged). '-' reads stdin and writes stdout.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help=".flow files to format, or - for stdin")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any file would be reformatted (names them)")
    parser.add_argument("--diff", action="store_true", help="write nothing; print a unified diff of the changes")
    parser.set_defaults(func=run)


def _read(name: str) -> str:
    try:
        if name == "-":
            return sys.stdin.read()
        return Path(name).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UsageError(f"smflow fmt: no such file: {name}") from None
    except IsADirectoryError:
        raise UsageError(f"smflow fmt: {name} is a directory, not a .flow file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"smflow fmt: cannot read {name}: {exc}") from None


def _diff(name: str, before: str, after: str) -> str:
    label = "<stdin>" if name == "-" else name
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 f"a/{label}", f"b/{label}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def run(args: argparse.Namespace) -> int:
    from smflow.durable import atomic_write
    from smflow.fmt import format_text

    if args.files.count("-") > 1:
        raise UsageError("smflow fmt: '-' (stdin) may be given once")
    status = 0
    changed = unchanged = failed = 0
    for name in args.files:
        try:
            before = _read(name)
            after = format_text(before, filename="<stdin>" if name == "-" else name)
        except (FlowError, FormatterError, UsageError) as err:
            print(str(err), file=sys.stderr)
            status = max(status, err.exit_code)
            failed += 1
            continue
        if after == before:
            unchanged += 1
            if name == "-" and not (args.check or args.diff):
                sys.stdout.write(after)
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(_diff(name, before, after))
        if args.check:
            print(f"would reformat {name}", file=sys.stderr)
            status = max(status, 1)
        elif args.diff:
            pass
        elif name == "-":
            sys.stdout.write(after)
        else:
            try:
                # Through a symlink, the file it points to is rewritten (the link stays a link).
                atomic_write(Path(os.path.realpath(name)), after.encode("utf-8"))
            except OSError as exc:
                print(f"smflow fmt: cannot write {name}: {exc} (the file is unchanged)", file=sys.stderr)
                status = max(status, 2)
                changed -= 1
                failed += 1
                continue
            print(f"reformatted {name}", file=sys.stderr)
    if args.files != ["-"]:
        verb = "would be reformatted" if args.check or args.diff else "reformatted"
        summary = f"smflow fmt: {changed} file{'s' if changed != 1 else ''} {verb}, {unchanged} unchanged"
        if failed:
            summary += f", {failed} failed"
        print(summary, file=sys.stderr)
    return status
