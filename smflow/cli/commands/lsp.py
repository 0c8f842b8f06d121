"""``smflow lsp``: the language server for editors, over stdin/stdout.

It needs pygls (``pip install 'smflow[lsp]'``), an optional extra: a runbook repository's CI
does not need an editor server. Without it the command says how to install it (exit 2).
``--stdio`` is accepted because editor clients pass it; stdio is the only transport.
"""

from __future__ import annotations

import argparse
from typing import Any

from smflow.errors import UsageError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lsp", help="run the language server for editors (stdio)",
        description="Serve the Language Server Protocol over stdin/stdout: diagnostics as you type, "
        "completion, hover, go to definition, references, rename, symbols and formatting for .flow files.",
    )
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default and only transport)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from smflow.lsp.server import serve
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in ("pygls", "lsprotocol"):
            raise
        raise UsageError("smflow lsp: the language server needs pygls; install it with: pip install 'smflow[lsp]'") \
            from None
    from smflow.gcpause import resume

    resume()  # start-up is over: a long session is collected as usual
    serve()
    return 0
