"""``smflow check FILE... [--var NAME=VALUE]... [--strict] [--require-vars] [--format text|json|github]``.

Reports every problem of every file before review, with a caret under each (stderr), or as one
JSON object per line (stdout, ``--format json`` or ``--json``), or as GitHub Actions annotations
(stdout, ``--format github``). Exit 0 when clean, 2 on any error (or any warning with
``--strict``).

Required params: a flow meant for several environments leaves some params to ``--var``, so
``check`` does not require them by default (it checks the text, not a particular run). With
``--require-vars`` it does, as ``smflow run`` and ``smflow plan`` always do (``MissingParam``).
Any ``--var`` given is checked against the param's type either way (``InvalidVar``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from smflow.cli.options import parse_vars
from smflow.errors import UsageError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check flows for every mistake, before any request is sent",
        description="Parse and type-check .flow files against the operation catalogue. "
        "Exit 0 when clean, 2 on any error (or warning, with --strict).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help=".flow files to check")
    parser.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="a param value (repeatable)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--require-vars", action="store_true", help="report required params without a --var (MissingParam)")
    parser.add_argument("--json", action="store_true", help="one JSON object per diagnostic on stdout")
    parser.add_argument("--format", choices=("text", "json", "github"), default=None,
                        help="text (carets, stderr; the default), json (as --json) or github "
                        "(GitHub Actions annotations on stdout)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from smflow.dsl.checker import diagnose

    fmt = args.format or ("json" if args.json else "text")
    if args.json and fmt != "json":
        raise UsageError(f"smflow check: --json and --format {fmt} disagree")
    if fmt == "github":
        from smflow.cli.annotations import github_annotation
    vars = parse_vars(args.var)
    texts: list[tuple[str, str]] = []
    for name in args.files:
        path = Path(name)
        try:
            texts.append((name, path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise UsageError(f"smflow check: no such file: {name}") from None
        except IsADirectoryError:
            raise UsageError(f"smflow check: {name} is a directory, not a .flow file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"smflow check: cannot read {name}: {exc}") from None
    if fmt == "json":
        import json  # only for --format json: a plain check does not pay for the module
    errors = warnings = 0
    for name, text in texts:
        for d in diagnose(text, name, vars, require_params=args.require_vars):
            if d.severity == "error":
                errors += 1
            else:
                warnings += 1
            if fmt == "json":
                print(json.dumps(d.to_json()), flush=False)
            elif fmt == "github":
                print(github_annotation(d), flush=False)
            else:
                print(d.render(), file=sys.stderr)
    if fmt != "json":
        files = f"{len(texts)} file{'s' if len(texts) != 1 else ''}"
        strict = " (--strict: warnings fail the check)" if args.strict and warnings else ""
        print(f"smflow check: {files}, {errors} error(s), {warnings} warning(s){strict}", file=sys.stderr)
    return 2 if errors or (args.strict and warnings) else 0
