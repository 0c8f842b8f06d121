"""Param types as written in a flow, and ``--var NAME=VALUE`` strings converted to them.

Why its own module: the checker (which reports ``InvalidVar`` with a caret on the param) and the
plan (which hands typed values to the executor) must convert a ``--var`` the same way.
"""

from __future__ import annotations

import re

from smflow.asm.types import ANY, BOOL, DURATION, FLOAT, INT, STRING, ListType, ScalarType, Type
from smflow.dsl import ast

__all__ = ["PARAM_TYPES", "param_type", "convert_var", "parse_duration"]

PARAM_TYPES: dict[str, ScalarType] = {"string": STRING, "int": INT, "bool": BOOL, "duration": DURATION, "float": FLOAT}
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_DURATION = r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)?"  # compiled by ``re`` on first use
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def param_type(ref: ast.TypeRef | None) -> tuple[Type, str | None]:
    """The type a ``TypeRef`` names (ANY when absent) and a problem message when it names none."""
    if ref is None:
        return ANY, None
    if ref.name == "list":
        if ref.item is None:
            return ListType(STRING), None
        item, problem = param_type(ref.item)
        if isinstance(item, ListType):
            return ListType(STRING), "a list of lists is not supported; use list[string]"
        return ListType(item), problem
    if ref.name in PARAM_TYPES and ref.item is None:
        return PARAM_TYPES[ref.name], None
    names = ", ".join([*PARAM_TYPES, "list", "list[T]"])
    return ANY, f"unknown type '{ref.name}{'[...]' if ref.item else ''}'; use one of {names}"


def parse_duration(text: str) -> float:
    """``"90s"`` → 90.0, ``"1.5h"`` → 5400.0, a bare number is seconds; ValueError otherwise."""
    m = re.fullmatch(_DURATION, text.strip())
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def convert_var(name: str, text: str, t: Type, secret: bool = False) -> object:
    """Convert a ``--var`` string to the param's type; ValueError naming the param otherwise."""
    try:
        if isinstance(t, ListType):
            items = [x.strip() for x in text.split(",")] if text.strip() else []
            return [convert_var(name, x, t.item, secret) for x in items]
        if t == INT:
            return int(text.strip())
        if t == FLOAT:
            return float(text.strip())
        if t == BOOL:
            low = text.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError(text)
        if t == DURATION:
            return parse_duration(text)
        if t == ScalarType("time"):  # a param defaulting to now(): an ISO 8601 time, UTC unless it says
            from datetime import UTC, datetime  # here: a check that sets no time param never imports it

            moment = datetime.fromisoformat(text.strip())
            return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)  # format_time: UTC
        return text
    except ValueError:
        shown = "(secret)" if secret else repr(text if len(text) <= 40 else text[:37] + "...")
        raise ValueError(f"--var {name}={shown} is not a valid {t} (for param '{name}')") from None
