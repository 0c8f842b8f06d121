"""Evaluate flow expressions at run time. No Python ``eval``: a walk over the AST.

Why a callback for operations: the evaluator knows the language, the executor knows the world.
An operation call inside an expression (``wait until exists get_...(...)``) is handed, with its
evaluated arguments, to ``call``, which performs it with retries, polling and events. Everything
that can go wrong here (an index out of range, an attribute of null, a missing ``file()``) raises
``FlowRuntimeError`` pointing at the expression.

Values: strings, ints, floats, bools, None, lists, dicts (records), result dataclasses, and
durations as seconds (float). ``now()`` is a timezone-aware ``datetime`` from ``clock_now`` and
``uuid()`` a string from ``new_uuid``: a run passes its recorder of drawn values for both
(``smflow.run.drawn``), so that a resume or a replay gets the values the run had.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from smflow.boundedread import FileRefusedError, read_regular_file
from smflow.dsl import ast
from smflow.errors import FlowError, FlowRuntimeError, NotFoundError, ReplayDriftError
from smflow.source import Span

__all__ = ["MAX_FILE_BYTES", "Evaluator", "to_text"]

MAX_FILE_BYTES = 16 * 1024 * 1024  # file(): a service configuration or a certificate, never more

CallHook = Callable[[ast.Call, dict[str, Any]], Any]
# holds_secret(text) -> True when the text contains a secret value (in any form the masker knows).
SecretTest = Callable[[str], bool]

# Builtins whose result is a piece or a rewrite of their text: the masker knows a secret and its
# encodings, not an arbitrary piece or rewrite of it, so these refuse a text holding a secret.
_OPAQUE = frozenset({"split", "replace", "trim", "url_host"})
# Arithmetic on ints stops here: a runbook has no use for numbers this long, and Python would
# spend minutes (and gigabytes) on ``x * x * x ...``.
MAX_INT_BITS = 256


def to_text(value: Any) -> str:
    """How a value reads inside ``"${...}"``: ``true``/``false``, ``null``, ``30`` for 30.0."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {to_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if dataclasses.is_dataclass(value):
        return type(value).__name__
    return {str: "string", bool: "bool", int: "int", float: "number", list: "list", dict: "record"}.get(
        type(value), type(value).__name__
    )


def _new_uuid() -> str:
    # uuid imported by the flows that call uuid() only: it imports platform, which compiles
    # a dozen regexes (about 3 ms of every run's start-up).
    import uuid

    return str(uuid.uuid4())


class Evaluator:
    """Evaluates expressions in ``scope`` (params, bindings, quantifier variables)."""

    def __init__(
        self,
        scope: dict[str, Any],
        call: CallHook,
        base_dir: Path,
        clock_now: Callable[[], datetime],
        environ: Mapping[str, str] | None = None,
        holds_secret: SecretTest | None = None,
        new_uuid: Callable[[], str] | None = None,
    ) -> None:
        self.scope = scope
        self.call = call
        self.base_dir = base_dir
        self.clock_now = clock_now
        self.environ = os.environ if environ is None else environ
        self.holds_secret: SecretTest = holds_secret or (lambda text: False)
        self.new_uuid: Callable[[], str] = new_uuid or _new_uuid
        self._absent_ok: set[int] = set()  # ids of the calls under a ``try`` being evaluated

    def evaluate(self, e: ast.Expr) -> Any:
        method = getattr(self, "_ev_" + type(e).__name__.lower())
        return method(e)

    def truth(self, e: ast.Expr) -> bool:
        """A condition's value (``if``, ``wait until``, ``assert``)."""
        return bool(self.evaluate(e))

    def text(self, s: ast.String) -> str:
        return "".join(p if isinstance(p, str) else to_text(self.evaluate(p)) for p in s.parts)

    # literals -----------------------------------------------------------------------------
    def _ev_string(self, e: ast.String) -> str:
        return self.text(e)

    def _ev_int(self, e: ast.Int) -> int:
        return e.value

    def _ev_float(self, e: ast.Float) -> float:
        return e.value

    def _ev_bool(self, e: ast.Bool) -> bool:
        return e.value

    def _ev_null(self, e: ast.Null) -> None:
        return None

    def _ev_duration(self, e: ast.Duration) -> float:
        return e.seconds

    def _ev_listexpr(self, e: ast.ListExpr) -> list[Any]:
        return [self.evaluate(i) for i in e.items]

    def _ev_record(self, e: ast.Record) -> dict[str, Any]:
        return {entry.key: self.evaluate(entry.value) for entry in e.entries}

    # names and access ---------------------------------------------------------------------
    def _ev_name(self, e: ast.Name) -> Any:
        try:
            return self.scope[e.name]
        except KeyError:
            raise FlowRuntimeError(f"'{e.name}' has no value (the statement that binds it did not run)", e.span) from None

    def _ev_attribute(self, e: ast.Attribute) -> Any:
        obj = self.evaluate(e.obj)
        if obj is None:
            raise FlowRuntimeError(f"cannot read '.{e.attr}' of null", e.attr_span)
        if isinstance(obj, Mapping):
            if e.attr in obj:
                return obj[e.attr]
        elif dataclasses.is_dataclass(obj) and not e.attr.startswith("_") and hasattr(obj, e.attr):
            return getattr(obj, e.attr)
        raise FlowRuntimeError(f"a {_kind(obj)} has no attribute '{e.attr}'", e.attr_span)

    def _ev_index(self, e: ast.Index) -> Any:
        obj = self.evaluate(e.obj)
        key = self.evaluate(e.index)
        if isinstance(obj, (list, tuple, str)):
            if not isinstance(key, int) or isinstance(key, bool):
                raise FlowRuntimeError(f"an index must be an int, got {_kind(key)}", e.index.span)
            if isinstance(obj, str):
                self._refuse_secret("indexing", obj, e.obj.span)
            if not -len(obj) <= key < len(obj):
                raise FlowRuntimeError(f"index {key} is out of range (the {_kind(obj)} has {len(obj)} items)", e.index.span)
            return obj[key]
        if isinstance(obj, Mapping):
            if key in obj:
                return obj[key]
            raise FlowRuntimeError(f"no key {to_text(key)!r} in the map", e.index.span)
        raise FlowRuntimeError(f"a {_kind(obj)} cannot be indexed", e.obj.span)

    def _ev_slice(self, e: ast.Slice) -> Any:
        obj = self.evaluate(e.obj)
        bounds: list[int | None] = []
        for bound in (e.start, e.stop):
            value = None if bound is None else self.evaluate(bound)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise FlowRuntimeError(f"a slice bound must be an int, got {_kind(value)}", bound.span)  # type: ignore[union-attr]
            bounds.append(value)
        if isinstance(obj, str):
            self._refuse_secret("slicing", obj, e.obj.span)
            return obj[bounds[0]:bounds[1]]
        if isinstance(obj, (list, tuple)):
            return list(obj[bounds[0]:bounds[1]])
        raise FlowRuntimeError(f"only a list or a string can be sliced, not a {_kind(obj)}", e.obj.span)

    def _refuse_secret(self, what: str, text: str, span: Span) -> None:
        if self.holds_secret(text):
            raise FlowRuntimeError(f"{what} would turn a secret value into a form that cannot be masked "
                                   "in output, journals and cassettes; pass the secret whole", span)

    # calls --------------------------------------------------------------------------------
    def _ev_call(self, e: ast.Call) -> Any:
        # Operations take named arguments only (the checker says so); a proc's positional ones
        # are passed under their position ("0", "1", ...), which no name can be.
        args = {a.name if a.name is not None else str(i): self.evaluate(a.value) for i, a in enumerate(e.args)}
        if id(e) in self._absent_ok:
            try:
                return self.call(e, args)
            except NotFoundError:
                raise _AbsentError from None
        return self.call(e, args)

    def _ev_tryexpr(self, e: ast.TryExpr) -> Any:
        root = e.call
        self._absent_ok.add(id(root))
        try:
            return self.evaluate(e.expr)
        except _AbsentError:
            return None
        finally:
            self._absent_ok.discard(id(root))

    def _ev_exists(self, e: ast.Exists) -> bool:
        try:
            self._ev_call(e.call)
        except NotFoundError:
            return False
        return True

    def _ev_builtincall(self, e: ast.BuiltinCall) -> Any:
        args = [self.evaluate(a.value) for a in e.args]
        name = e.name
        if name in ("now", "uuid"):
            try:
                return self.clock_now() if name == "now" else self.new_uuid()
            except ReplayDriftError as exc:  # a value the recording lacks: point at the flow's call
                raise ReplayDriftError(e.span.render("error", "ReplayDrift", str(exc))) from None
        if name == "length":
            if not hasattr(args[0], "__len__"):
                raise FlowRuntimeError(f"length() of a {_kind(args[0])}", e.span)
            return len(args[0])
        if name in _LOCAL_BUILTINS:
            return _LOCAL_BUILTINS[name](self, e, args)
        if name in ("env", "env_secret"):  # env_secret's value is a secret: see flowplan.env_secrets
            if args[0] in self.environ:
                return self.environ[args[0]]
            if len(args) > 1:
                return args[1]
            raise FlowRuntimeError(f"environment variable {args[0]} is not set (give a default: {name}(\"{args[0]}\", \"...\"))", e.span)
        if not all(isinstance(a, str) for a in args):
            raise FlowRuntimeError(f"{name}() needs a string, got {', '.join(_kind(a) for a in args)}", e.span)
        if name == "file":
            path = self.base_dir / args[0]
            try:
                return read_regular_file(path, MAX_FILE_BYTES).decode("utf-8")
            except FileRefusedError as exc:
                # Bad input rather than a failed run (exit 2 before any step; a failed step inside one).
                raise FlowError(f"file() refuses {str(path)!r}: {exc}", e.span, "FileRefused") from None
            except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL in the path
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else (
                    "a path cannot contain a NUL character" if "\0" in args[0] else type(exc).__name__)
                raise FlowRuntimeError(f"cannot read file {str(path)!r}: {reason}", e.span) from None
        if name == "base64":
            return base64.b64encode(args[0].encode("utf-8")).decode("ascii")
        if name == "lower":
            return args[0].lower()
        if name == "upper":
            return args[0].upper()
        raise FlowRuntimeError(f"unknown builtin '{name}'", e.name_span)  # pragma: no cover - parser guards

    # the string, time and record builtins (one function each, below the class) ---------------
    def strings(self, e: ast.BuiltinCall, args: list[Any], opaque: bool = False) -> list[str]:
        """``args`` when they are all strings, else a run-time error naming the builtin."""
        for arg, value in zip(e.args, args, strict=True):
            if not isinstance(value, str):
                raise FlowRuntimeError(f"{e.name}() needs a string, got {_kind(value)}", arg.value.span)
            if opaque:
                self._refuse_secret(f"{e.name}()", value, arg.value.span)
        return args

    # logic --------------------------------------------------------------------------------
    def _ev_conditional(self, e: ast.Conditional) -> Any:
        return self.evaluate(e.then if self.truth(e.condition) else e.orelse)

    def _ev_quantifier(self, e: ast.Quantifier) -> bool:
        items = self.evaluate(e.items)
        if items is None:
            items = []
        if not isinstance(items, (list, tuple)):
            raise FlowRuntimeError(f"{e.kind}() needs a list, got {_kind(items)}", e.items.span)
        missing = object()
        saved = self.scope.get(e.var, missing)
        try:
            for item in items:
                self.scope[e.var] = item
                hit = bool(self.evaluate(e.condition))
                if e.kind == "any" and hit:
                    return True
                if e.kind == "all" and not hit:
                    return False
            return e.kind == "all"
        finally:
            if saved is missing:
                self.scope.pop(e.var, None)
            else:
                self.scope[e.var] = saved

    def _ev_binaryop(self, e: ast.BinaryOp) -> Any:
        if e.op == "and":
            return bool(self.evaluate(e.left)) and bool(self.evaluate(e.right))
        if e.op == "or":
            return bool(self.evaluate(e.left)) or bool(self.evaluate(e.right))
        left, right = self.evaluate(e.left), self.evaluate(e.right)
        if e.op in ("+", "-", "*"):
            return _arithmetic(e, left, right)
        try:
            if e.op == "==":
                return bool(left == right)
            if e.op == "!=":
                return bool(left != right)
            if e.op in ("in", "not in"):
                found = left in right
                return found if e.op == "in" else not found
            if e.op == "<":
                return bool(left < right)
            if e.op == "<=":
                return bool(left <= right)
            if e.op == ">":
                return bool(left > right)
            if e.op == ">=":
                return bool(left >= right)
        except TypeError:
            raise FlowRuntimeError(f"cannot apply '{e.op}' to {_kind(left)} and {_kind(right)}", e.op_span) from None
        raise FlowRuntimeError(f"unknown operator '{e.op}'", e.op_span)  # pragma: no cover

    def _ev_unaryop(self, e: ast.UnaryOp) -> Any:
        value = self.evaluate(e.operand)
        if e.op == "not":
            return not value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FlowRuntimeError(f"'-' needs a number, got {_kind(value)}", e.operand.span)
        return -value


class _AbsentError(Exception):
    """The call under a ``try`` answered 404: the ``try`` gives null."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _arithmetic(e: ast.BinaryOp, left: Any, right: Any) -> Any:
    """``+ - *`` on run-time values. Durations are seconds (floats), so the checker, not this
    function, keeps a duration from being added to a plain number; a time (``now()``) moves by
    a duration."""
    op = e.op
    result: Any = None
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    if op == "+" and isinstance(left, list) and isinstance(right, list):
        return left + right
    if _number(left) and _number(right):
        if op == "*" and isinstance(left, int) and isinstance(right, int) and (
                left.bit_length() + right.bit_length() > MAX_INT_BITS):
            raise FlowRuntimeError(f"'*' gives a number longer than {MAX_INT_BITS} bits", e.op_span)
        result = left + right if op == "+" else left - right if op == "-" else left * right
        return result
    if isinstance(left, datetime) and _number(right) and op in ("+", "-"):
        delta = timedelta(seconds=right)
        return left + delta if op == "+" else left - delta
    if isinstance(left, datetime) and isinstance(right, datetime) and op == "-":
        return (left - right).total_seconds()
    raise FlowRuntimeError(f"cannot apply '{op}' to {_kind(left)} and {_kind(right)}", e.op_span)


def _split(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> list[str]:
    text, sep = ev.strings(e, args, opaque=True)
    if sep == "":
        raise FlowRuntimeError("split() needs a non-empty separator", e.args[1].value.span)
    return text.split(sep)


def _join(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> str:
    items, sep = args
    if not isinstance(items, (list, tuple)):
        raise FlowRuntimeError(f"join() needs a list, got {_kind(items)}", e.args[0].value.span)
    if not isinstance(sep, str):
        raise FlowRuntimeError(f"join() needs a string separator, got {_kind(sep)}", e.args[1].value.span)
    return sep.join(to_text(i) for i in items)


def _replace(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> str:
    text, old, new = ev.strings(e, args, opaque=True)
    if old == "":
        raise FlowRuntimeError("replace() needs a non-empty text to replace", e.args[1].value.span)
    return text.replace(old, new)


def _trim(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> str:
    (text,) = ev.strings(e, args, opaque=True)
    return text.strip()


def _starts_with(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> bool:
    text, part = ev.strings(e, args)
    return text.startswith(part)


def _ends_with(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> bool:
    text, part = ev.strings(e, args)
    return text.endswith(part)


def _contains(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> bool:
    text, part = ev.strings(e, args)
    return part in text


def _format_time(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> str:
    time, fmt = args
    if not isinstance(time, datetime):
        raise FlowRuntimeError(f"format_time() needs a time (now()), got {_kind(time)}", e.args[0].value.span)
    if not isinstance(fmt, str):
        raise FlowRuntimeError(f"format_time() needs a format string, got {_kind(fmt)}", e.args[1].value.span)
    try:
        return time.strftime(fmt)
    except ValueError as exc:  # e.g. a lone '%' on some platforms, or a NUL
        raise FlowRuntimeError(f"format_time() cannot use this format: {exc}", e.args[1].value.span) from None


def _url_host(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> str:
    (url,) = ev.strings(e, args, opaque=True)
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        raise FlowRuntimeError("url_host() needs a URL with a host (like https://host/path)", e.args[0].value.span)
    return host


# -- service configuration (.cscfg) builtins: smflow.dsl.cscfg ------------------------------------


def _cscfg(function: str, types: tuple[type, ...]) -> Callable[[Evaluator, ast.BuiltinCall, list[Any]], Any]:
    """A builtin over ``cscfg.<function>``: arguments type-checked at run time, and a ``CscfgError``
    turned into a run-time error pointing at the argument it is about. ``smflow.dsl.cscfg`` is
    imported by the first call: a flow that never calls one does not pay for it."""
    def builtin(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> Any:
        from smflow.dsl import cscfg

        for arg, value, wanted in zip(e.args, args, types, strict=True):
            if not isinstance(value, wanted) or isinstance(value, bool):
                kind = "an int" if wanted is int else "a string"
                raise FlowRuntimeError(f"{e.name}() needs {kind}, got {_kind(value)}", arg.value.span)
        if e.name == "cscfg_set_setting" and ev.holds_secret(args[3]) and any(c in args[3] for c in "\t\n\r"):
            ev._refuse_secret(f"{e.name}() of a value with a tab or line break", args[3], e.args[3].value.span)
        try:
            return getattr(cscfg, function)(*args)
        except cscfg.CscfgError as exc:
            raise FlowRuntimeError(f"{e.name}(): {exc.message}", e.args[min(exc.argument, len(e.args) - 1)].value.span) from None

    return builtin


def _mapping(e: ast.BuiltinCall, value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    raise FlowRuntimeError(f"{e.name}() needs a record or a map, got {_kind(value)}", e.args[0].value.span)


def _keys(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> list[str]:
    return [str(k) for k in _mapping(e, args[0])]


def _values(ev: Evaluator, e: ast.BuiltinCall, args: list[Any]) -> list[Any]:
    return list(_mapping(e, args[0]).values())


_LOCAL_BUILTINS: dict[str, Callable[[Evaluator, ast.BuiltinCall, list[Any]], Any]] = {
    "split": _split,
    "join": _join,
    "replace": _replace,
    "trim": _trim,
    "starts_with": _starts_with,
    "ends_with": _ends_with,
    "contains": _contains,
    "format_time": _format_time,
    "url_host": _url_host,
    "keys": _keys,
    "values": _values,
    "cscfg_roles": _cscfg("roles", (str,)),
    "cscfg_instances": _cscfg("instances", (str, str)),
    "cscfg_set_instances": _cscfg("set_instances", (str, str, int)),
    "cscfg_setting": _cscfg("setting", (str, str, str)),
    "cscfg_set_setting": _cscfg("set_setting", (str, str, str, str)),
    "cscfg_os_family": _cscfg("os_family", (str,)),
    "cscfg_set_os_family": _cscfg("set_os_family", (str, str)),
}
