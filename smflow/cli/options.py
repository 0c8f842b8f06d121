"""Options shared by several subcommands (as pip-tools' ``options.py``), so that ``--var`` is
read, and refused, the same way by ``check``, ``plan`` and ``run``."""

from __future__ import annotations

from smflow.errors import UsageError

__all__ = ["parse_vars"]


def parse_vars(items: list[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a malformed item is a ``UsageError``.

    The message never repeats the value: it may be a secret param's.
    """
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            shown = name if sep and name else "..."
            raise UsageError(f"--var expects NAME=VALUE (NAME a param name), got {shown!r}")
        if name in values:
            raise UsageError(f"--var {name} is given twice")
        values[name] = value
    return values
