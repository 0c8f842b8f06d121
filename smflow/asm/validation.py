"""Argument checks shared by the client (before any request) and the flow checker (on literals).

``validate_arguments(spec, args)`` returns every problem as ``(argument name, message)``; the
client raises ``ArgumentError`` on the first, the checker reports them all with a caret. A value
the checker cannot know before run time (a variable, a call result) is passed as ``UNKNOWN``: it
counts as present but its type and value are not checked. ``None`` means "not given", as in the
SDK's keyword defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from smflow.asm.records import SYSTEM_CONFIG, SYSTEM_CONFIG_VARIANTS
from smflow.asm.types import AnyType, EnumType, ListType, MapType, ModelType, RecordType, ScalarType, Type

if TYPE_CHECKING:
    from smflow.asm.catalogue import Argument, OperationSpec

__all__ = ["UNKNOWN", "Problem", "validate_arguments", "validate_value"]

Problem = tuple[str | None, str]


class _Unknown:
    """A value known only at run time."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def _did_you_mean(name: str, choices: list[str]) -> str:
    import difflib  # only for a mistake (a flow without one never pays for it)

    close = difflib.get_close_matches(name, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _type_name(value: object) -> str:
    return {str: "string", bool: "bool", int: "int", float: "float"}.get(type(value), type(value).__name__)


def validate_value(t: Type, value: object, where: str, secret: frozenset[str] | bool = False) -> list[str]:
    """Problems of ``value`` against ``t``; ``where`` names it in messages (``role_size``, ``a.b[0]``).

    ``secret`` is True for a secret value, or the names of secret record fields: their values are
    never quoted in a message.
    """
    if value is UNKNOWN or isinstance(t, AnyType):
        return []
    hidden = secret is True or (isinstance(secret, frozenset) and where.rpartition(".")[2] in secret)
    shown = "(secret)" if hidden else repr(value)
    if isinstance(t, ScalarType):
        ok = {
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "duration": isinstance(value, (int, float)) and not isinstance(value, bool),
        }.get(t.name, True)
        return [] if ok else [f"{where} must be {t.name}, not {_type_name(value)} {shown}"]
    if isinstance(t, EnumType):
        if isinstance(value, str) and t.accepts(value):
            return []
        valid = ", ".join(repr(v) for v in t.values)
        extra = " (any case)" if t.case_insensitive else ""
        return [f"{where} must be one of {valid}{extra}, not {shown}"]
    if isinstance(t, ListType):
        if not isinstance(value, (list, tuple)):
            return [f"{where} must be a list of {t.item}, not {_type_name(value)}"]
        return [p for i, item in enumerate(value) for p in validate_value(t.item, item, f"{where}[{i}]", secret)]
    if isinstance(t, MapType):
        if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and (isinstance(v, str) or v is UNKNOWN) for k, v in value.items()
        ):
            return [f"{where} must be a map of string to string"]
        return []
    if isinstance(t, RecordType):
        return _validate_record(t, value, where, secret if isinstance(secret, frozenset) else frozenset())
    if isinstance(t, ModelType):
        return [] if isinstance(value, t.cls) else [f"{where} must be a {t.cls.__name__}"]
    return []


def _validate_record(t: RecordType, value: object, where: str, secret: frozenset[str]) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{where} must be a record {{key: value, ...}} of {t.name}, not {_type_name(value)}"]
    names = [f.name for f in t.fields]
    problems: list[str] = []
    allowed: frozenset[str] = frozenset(names)
    required = {f.name for f in t.fields if f.required}
    if t is SYSTEM_CONFIG:
        kind = value.get("type")
        if isinstance(kind, str) and kind.lower() in SYSTEM_CONFIG_VARIANTS:
            allowed, variant_required = SYSTEM_CONFIG_VARIANTS[kind.lower()]
            required |= variant_required
    for key in value:
        if key not in allowed:
            if key in names:
                problems.append(f"{where}.{key} does not apply to a {value.get('type')} system_config")
            else:
                problems.append(f"{where} has no field '{key}'{_did_you_mean(str(key), sorted(allowed))}")
    for key in sorted(required):
        if value.get(key) is None:
            problems.append(f"{where}.{key} is required")
    for f in t.fields:
        if f.name in value and value[f.name] is not None and f.name in allowed:
            problems.extend(validate_value(f.type, value[f.name], f"{where}.{f.name}", secret))
    return problems


def _validate_constraints(arg: Argument, value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    if arg.min_length is not None and len(value) < arg.min_length:
        return [f"{arg.name} must have at least {arg.min_length} character(s), got {len(value)}"]
    if arg.max_length is not None and len(value) > arg.max_length:
        return [f"{arg.name} must have at most {arg.max_length} characters, got {len(value)}"]
    if arg.pattern is not None and not re.fullmatch(arg.pattern, value):
        shown = "(secret)" if arg.secret else repr(value if len(value) <= 40 else value[:37] + "...")
        return [f"{arg.name} must be {arg.pattern_doc or 'matching ' + arg.pattern}, got {shown}"]
    return []


def validate_arguments(spec: OperationSpec, args: Mapping[str, object]) -> list[Problem]:
    """Every problem of a call's arguments, in argument order; [] when the call may be sent."""
    problems: list[Problem] = []
    for name in args:
        if spec.argument(name) is None:
            known = [a.name for a in spec.arguments]
            problems.append((name, f"unknown argument '{name}' for {spec.name}{_did_you_mean(name, known)}"
                                   f" (arguments: {', '.join(known) or 'none'})"))
    for arg in spec.arguments:
        value = args.get(arg.name)
        if value is None:
            if arg.required:
                problems.append((arg.name, f"missing required argument '{arg.name}' ({arg.type})"))
            continue
        secret = True if arg.secret else arg.secret_fields
        for message in validate_value(arg.type, value, arg.name, secret) + _validate_constraints(arg, value):
            problems.append((arg.name, message))
    for group in spec.exactly_one_of:
        given = [n for n in group if args.get(n) is not None]
        names = " or ".join(f"'{n}'" for n in group)
        if len(given) > 1:
            problems.append((given[1], f"give only one of {names}, not both"))
        elif not given:
            problems.append((None, f"{spec.name} needs one of {names}"))
    for group in spec.at_least_one_of:
        if all(args.get(n) is None for n in group):
            names = " or ".join(f"'{n}'" for n in group)
            problems.append((None, f"{spec.name} needs at least one of {names}"))
    return problems
