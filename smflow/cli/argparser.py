"""``argparse.ArgumentParser`` without the ``shutil`` import it makes at every ``add_argument``.

Why: argparse builds a help formatter at each ``add_argument`` (to check the metavar), and the
formatter's constructor imports ``shutil`` (with zlib, bz2 and lzma, ~2-3 ms of a ``check``) only
to read the terminal width. The width is read here exactly as ``shutil.get_terminal_size`` reads
it, so help text wraps as before. Subparsers are of the same class (``add_subparsers`` makes them
with ``type(self)``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["ArgumentParser", "help_width"]


def help_width() -> int:
    """``shutil.get_terminal_size().columns - 2``: the width ``argparse.HelpFormatter`` wraps at."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns - 2


class ArgumentParser(argparse.ArgumentParser):
    def _get_formatter(self) -> argparse.HelpFormatter:
        formatter_class: Any = self.formatter_class
        return formatter_class(prog=self.prog, width=help_width())  # type: ignore[no-any-return]
