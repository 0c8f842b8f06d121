"""Evaluate flow expressions at run time. No Python ``eval``: a walk over the AST.

Why a callback for operations: the evaluator knows the language, the executor knows the world.
An operation call inside an expression (``wait until exists get_...(...)``) is handed, with its
evaluated arguments, to ``call``, which performs it with retries, polling and events. Everything
that can go wrong here (an index out of range, an attribute of null, a missing ``file()``) raises
``FlowRuntimeError`` pointing at the expression.

Values: strings, ints, floats, bools, None, lists, dicts (records), result dataclasses, and
durations as seconds (float). ``now()`` is a timezone-aware ``datetime`` from ``clock_now``.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from smflow.boundedread import FileRefusedError, read_regular_file
from smflow.dsl import ast
from smflow.errors import FlowError, FlowRuntimeError, NotFoundError

__all__ = ["MAX_FILE_BYTES", "Evaluator", "to_text"]

MAX_FILE_BYTES = 16 * 1024 * 1024  # file(): a service configuration or a certificate, never more

CallHook = Callable[[ast.Call, dict[str, Any]], Any]


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


class Evaluator:
    """Evaluates expressions in ``scope`` (params, bindings, quantifier variables)."""

    def __init__(
        self,
        scope: dict[str, Any],
        call: CallHook,
        base_dir: Path,
        clock_now: Callable[[], datetime],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.scope = scope
        self.call = call
        self.base_dir = base_dir
        self.clock_now = clock_now
        self.environ = os.environ if environ is None else environ

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
            if not -len(obj) <= key < len(obj):
                raise FlowRuntimeError(f"index {key} is out of range (the {_kind(obj)} has {len(obj)} items)", e.index.span)
            return obj[key]
        if isinstance(obj, Mapping):
            if key in obj:
                return obj[key]
            raise FlowRuntimeError(f"no key {to_text(key)!r} in the map", e.index.span)
        raise FlowRuntimeError(f"a {_kind(obj)} cannot be indexed", e.obj.span)

    # calls --------------------------------------------------------------------------------
    def _ev_call(self, e: ast.Call) -> Any:
        args = {a.name: self.evaluate(a.value) for a in e.args if a.name is not None}
        return self.call(e, args)

    def _ev_exists(self, e: ast.Exists) -> bool:
        try:
            self._ev_call(e.call)
        except NotFoundError:
            return False
        return True

    def _ev_builtincall(self, e: ast.BuiltinCall) -> Any:
        args = [self.evaluate(a.value) for a in e.args]
        name = e.name
        if name == "now":
            return self.clock_now()
        if name == "length":
            if not hasattr(args[0], "__len__"):
                raise FlowRuntimeError(f"length() of a {_kind(args[0])}", e.span)
            return len(args[0])
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

    # logic --------------------------------------------------------------------------------
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
