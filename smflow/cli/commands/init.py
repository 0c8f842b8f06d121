"""``smflow init [DIR] [--force]``: write a starter flows/ + cassettes/ + tests/ layout.

The layout (``smflow.scaffold``) is a working example to adapt: a blue/green flow, its
configuration, a cassette recorded at init time against an in-process emulator, and a pytest
module replaying it. Existing files are never overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a starter flows/, cassettes/ and pytest test into a repository",
        description="Write a starter layout into DIR (default: the current directory): "
        "flows/release.flow (a blue/green release), flows/lib/common.flow (procedures it uses), "
        "flows/ServiceConfiguration.cscfg, "
        "cassettes/release.yaml (recorded now against a local emulator) and tests/test_runbooks.py "
        "(replays it with the smflow pytest plugin). Refuses to overwrite a file unless --force.",
    )
    parser.add_argument("directory", nargs="?", default=".", metavar="DIR", help="where to write (default: .)")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")
    parser.set_defaults(func=run)


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def run(args: argparse.Namespace) -> int:
    from smflow.scaffold import FLOW, PACKAGE_URL, write_starter

    directory = Path(args.directory)
    for item in write_starter(directory, force=args.force):
        print(f"{'replaced' if item.replaced else 'wrote'} {_shown(item.path)}")
    print("\nnext:")
    if directory.resolve() != Path.cwd().resolve():
        print(f"  cd {_shown(directory)}")
    print(f"  smflow check --strict {FLOW}")
    print(f"  smflow run {FLOW} --var package_url={PACKAGE_URL}")
    print("  python -m pytest tests/test_runbooks.py")
    return 0
