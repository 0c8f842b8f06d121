"""Options shared by several subcommands (as pip-tools' ``options.py``), so that ``--var`` is
read, and refused, the same way by ``check``, ``plan`` and ``run``."""

from __future__ import annotations

import re

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
        # Printable ASCII (nearly every value) holds none of them: the class (its surrogate range
        # costs ~1 ms to compile) is searched only for a value with another character.
        bad = None if value.isascii() and value.isprintable() else re.search(_NOT_XML, value)
        if bad and "\ud800" <= bad.group() <= "\udfff":  # how Python passes argv bytes that are not UTF-8
            raise UsageError(f"--var {name}: the value is not valid UTF-8")
        if bad:
            raise UsageError(f"--var {name}: the value contains the character U+{ord(bad.group()):04X},"
                             " which no request can carry (XML 1.0 refuses it)")
        values[name] = value
    return values


# Characters XML 1.0 cannot carry (tab, newline and carriage return it can): a value holding one
# could never be sent, so it is refused here, before the run, rather than when a step builds its body.
# (A pattern, compiled by ``re`` on first use: a command without --var never pays for it.)
_NOT_XML = "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
