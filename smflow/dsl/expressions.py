"""Static typing of expressions and operation calls against the catalogue.

Why separate from ``checker``: the checker owns names, scopes and statements; this module owns
what a value is (its ``smflow.asm.types.Type``) and whether it fits where it goes. Types come from
the catalogue (argument types, result models) and from ``asm.types.attribute_type``, so the
checker never keeps its own copy of the API. Values known before running (literals, params
with a known value) are also passed to ``asm.validation`` to catch constraint failures.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from smflow.asm.catalogue import OperationSpec
from smflow.asm.types import (
    ANY,
    BOOL,
    DURATION,
    FLOAT,
    INT,
    STRING,
    AnyType,
    EnumType,
    ListType,
    MapType,
    ModelType,
    RecordField,
    RecordType,
    ScalarType,
    Type,
    attribute_names,
    attribute_type,
)
from smflow.asm.validation import UNKNOWN
from smflow.dsl import ast
from smflow.source import Span

__all__ = ["TIME", "ExprChecker", "compatible", "did_you_mean", "describe_type"]

# A point in time: what now() gives (a UTC datetime at run time). Flow-language only, like durations:
# a time moves by a duration (now() + 1h), two times differ by one (now() - started), and
# format_time() makes one text; anything else is a type error before the run.
TIME = ScalarType("time")

# Report(code, message, span)
Report = Callable[[str, str, Span], None]

# builtin name → (min args, max args, argument types, result type)
_BUILTINS: dict[str, tuple[int, int, tuple[Type, ...], Type]] = {
    "file": (1, 1, (STRING,), STRING),
    "base64": (1, 1, (STRING,), STRING),
    "env": (1, 2, (STRING, STRING), STRING),
    "env_secret": (1, 2, (STRING, STRING), STRING),
    "now": (0, 0, (), TIME),
    "length": (1, 1, (ANY,), INT),
    "lower": (1, 1, (STRING,), STRING),
    "upper": (1, 1, (STRING,), STRING),
    "split": (2, 2, (STRING, STRING), ListType(STRING)),
    "join": (2, 2, (ListType(ANY), STRING), STRING),
    "replace": (3, 3, (STRING, STRING, STRING), STRING),
    "trim": (1, 1, (STRING,), STRING),
    "starts_with": (2, 2, (STRING, STRING), BOOL),
    "ends_with": (2, 2, (STRING, STRING), BOOL),
    "contains": (2, 2, (STRING, STRING), BOOL),
    "format_time": (2, 2, (TIME, STRING), STRING),
    "url_host": (1, 1, (STRING,), STRING),
    "keys": (1, 1, (ANY,), ListType(STRING)),
    "values": (1, 1, (ANY,), ListType(ANY)),
    "uuid": (0, 0, (), STRING),
    # service configuration (.cscfg) text: smflow.dsl.cscfg
    "cscfg_roles": (1, 1, (STRING,), ListType(STRING)),
    "cscfg_instances": (2, 2, (STRING, STRING), INT),
    "cscfg_set_instances": (3, 3, (STRING, STRING, INT), STRING),
    "cscfg_setting": (3, 3, (STRING, STRING, STRING), STRING),
    "cscfg_set_setting": (4, 4, (STRING, STRING, STRING, STRING), STRING),
    "cscfg_os_family": (1, 1, (STRING,), STRING),
    "cscfg_set_os_family": (2, 2, (STRING, STRING), STRING),
}
_ARITHMETIC_HELP = {
    "+": "it joins strings or lists and adds numbers or durations",
    "-": "it subtracts numbers or durations",
    "*": "it multiplies numbers, or a duration by a number",
}
_RECORD_LITERAL = "record"
# attribute_type reads the model's type hints each time; a check asks the same few questions
# thousands of times (types are frozen, hence hashable).
_attribute_type = functools.cache(attribute_type)  # RecordType.name of a ``{...}`` written in a flow


def _a(noun: str) -> str:
    """``int`` → ``an int``; ``string`` → ``a string``."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def did_you_mean(name: str, choices: list[str]) -> str:
    import difflib  # only for a mistake (a flow without one never pays for it)

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe_type(t: Type) -> str:
    if isinstance(t, RecordType) and t.name == _RECORD_LITERAL:
        return "record"
    if isinstance(t, EnumType):
        return "string"
    return str(t)


def _is_numeric(t: Type) -> bool:
    return t in (INT, FLOAT)


def compatible(actual: Type, expected: Type) -> bool:
    """Can a value of static type ``actual`` go where ``expected`` is wanted?"""
    if actual is expected:  # the common case (types are mostly shared constants), and always true
        return True
    if isinstance(actual, AnyType) or isinstance(expected, AnyType):
        return True
    if isinstance(expected, EnumType):
        return actual == STRING or isinstance(actual, EnumType)
    if isinstance(expected, ScalarType):
        if expected == FLOAT:
            return _is_numeric(actual)
        if expected == STRING:
            return actual == STRING or isinstance(actual, EnumType)
        return actual == expected
    if isinstance(expected, ListType):
        return isinstance(actual, ListType) and compatible(actual.item, expected.item)
    if isinstance(expected, MapType):
        return isinstance(actual, MapType) or (isinstance(actual, RecordType) and actual.name == _RECORD_LITERAL)
    if isinstance(expected, RecordType):
        return isinstance(actual, RecordType) and (actual.name == _RECORD_LITERAL or actual == expected)
    return actual == expected


def _comparable(a: Type, b: Type) -> bool:
    if isinstance(a, AnyType) or isinstance(b, AnyType):
        return True
    if _is_numeric(a) and _is_numeric(b):
        return True
    return compatible(a, b) or compatible(b, a)


class ExprChecker:
    """Types expressions; subclasses supply name lookup (``type_of_name``) and statics."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.operations: dict[str, OperationSpec] = {}
        self.procs: dict[str, ast.Proc] = {}  # callable procedures (smflow.dsl.library)

    # hooks -------------------------------------------------------------------------------
    def type_of_name(self, node: ast.Name) -> Type:  # pragma: no cover - overridden
        return ANY

    def static_of_name(self, name: str) -> object:  # pragma: no cover - overridden
        return UNKNOWN

    def bind_local(self, name: str, span: Span, t: Type) -> None:  # pragma: no cover
        pass

    def unbind_local(self, name: str) -> None:  # pragma: no cover
        pass

    # values known before running ----------------------------------------------------------
    def static(self, e: ast.Expr) -> object:
        if isinstance(e, ast.String):
            return e.text if e.is_plain else UNKNOWN
        if isinstance(e, (ast.Int, ast.Float, ast.Bool)):
            return e.value
        if isinstance(e, ast.Duration):
            return e.seconds
        if isinstance(e, ast.Null):
            return None
        if isinstance(e, ast.Name):
            return self.static_of_name(e.name)
        if isinstance(e, ast.UnaryOp) and e.op == "-" and isinstance(e.operand, (ast.Int, ast.Float)):
            return -e.operand.value
        if isinstance(e, ast.ListExpr):
            return [self.static(i) for i in e.items]
        if isinstance(e, ast.Record):
            return {entry.key: self.static(entry.value) for entry in e.entries}
        return UNKNOWN

    # typing ------------------------------------------------------------------------------
    def condition(self, e: ast.Expr, what: str) -> None:
        t = self.type_of(e)
        if not compatible(t, BOOL):
            self.report("TypeMismatch", f"{what} must be a bool, got {describe_type(t)}", e.span)

    def type_of(self, e: ast.Expr) -> Type:
        # The common kinds first, by exact class (AST classes are final): a name or attribute
        # otherwise walks a dozen isinstance tests, and type_of runs once per expression.
        if type(e) is ast.Name:
            return self.type_of_name(e)
        if type(e) is ast.Attribute:
            return self._attribute(e)
        if type(e) is ast.Call:
            if e.name in self.procs:
                return self.proc_call(e)
            spec = self.call(e)
            return spec.result if spec is not None and spec.result is not None else ANY
        if isinstance(e, ast.String):
            for part in e.parts:
                if not isinstance(part, str):
                    self.type_of(part)
            return STRING
        if isinstance(e, ast.Int):
            return INT
        if isinstance(e, ast.Float):
            return FLOAT
        if isinstance(e, ast.Bool):
            return BOOL
        if isinstance(e, ast.Duration):
            return DURATION
        if isinstance(e, ast.Null):
            return ANY
        if isinstance(e, ast.Name):
            return self.type_of_name(e)
        if isinstance(e, ast.ListExpr):
            items = [self.type_of(i) for i in e.items]
            known = [t for t in items if not isinstance(t, AnyType)]
            item = known[0] if known and all(compatible(t, known[0]) for t in known) else ANY
            return ListType(item)
        if isinstance(e, ast.Record):
            fields = tuple(RecordField(entry.key, self.type_of(entry.value)) for entry in e.entries)
            return RecordType(_RECORD_LITERAL, fields)
        if isinstance(e, ast.Attribute):
            return self._attribute(e)
        if isinstance(e, ast.Index):
            return self._index(e)
        if isinstance(e, ast.Call):
            spec = self.call(e)
            return spec.result if spec is not None and spec.result is not None else ANY
        if isinstance(e, ast.BuiltinCall):
            return self._builtin(e)
        if isinstance(e, ast.Exists):
            spec = self.call(e.call)
            if spec is not None and spec.effect != "read":
                self.report("TypeMismatch", f"exists needs a read operation; {spec.name} changes things", e.call.name_span)
            return BOOL
        if isinstance(e, ast.Quantifier):
            return self._quantifier(e)
        if isinstance(e, ast.BinaryOp):
            return self._binary(e)
        if isinstance(e, ast.Slice):
            return self._slice(e)
        if isinstance(e, ast.Conditional):
            return self._conditional(e)
        if isinstance(e, ast.TryExpr):
            root = e.call
            if not isinstance(root, ast.Call):
                self.report("TypeMismatch", "try needs an operation call: try get_deployment_by_slot(...) or "
                            "try get_deployment_by_slot(...).status", root.span)
                return self.type_of(e.expr)
            t = self.type_of(e.expr)
            spec = self.operations.get(root.name)
            if spec is not None and spec.effect != "read":
                self.report("TypeMismatch", f"try needs a read operation; {spec.name} changes things", root.name_span)
            return t
        if isinstance(e, ast.UnaryOp):
            if e.op == "not":
                self.condition(e.operand, "the operand of 'not'")
                return BOOL
            t = self.type_of(e.operand)
            if not (isinstance(t, AnyType) or _is_numeric(t) or t == DURATION):
                self.report("TypeMismatch", f"'-' needs a number, got {describe_type(t)}", e.operand.span)
                return ANY
            return t
        raise AssertionError(f"unknown expression {type(e).__name__}")  # pragma: no cover

    def _attribute(self, e: ast.Attribute) -> Type:
        t = self.type_of(e.obj)
        result = _attribute_type(t, e.attr)
        if result is not None:
            return result
        if isinstance(t, (ModelType, RecordType)):
            names = attribute_names(t)
            self.report(
                "UnknownAttribute",
                f"{describe_type(t)} has no attribute '{e.attr}'{did_you_mean(e.attr, names)}",
                e.attr_span,
            )
        elif isinstance(t, ListType):
            self.report("UnknownAttribute", f"a list has no attribute '{e.attr}' (index it first: [0].{e.attr})", e.attr_span)
        else:
            self.report("UnknownAttribute", f"a {describe_type(t)} has no attribute '{e.attr}'", e.attr_span)
        return ANY

    def _index(self, e: ast.Index) -> Type:
        t = self.type_of(e.obj)
        it = self.type_of(e.index)
        if isinstance(t, ListType):
            if not compatible(it, INT):
                self.report("TypeMismatch", f"a list index must be an int, got {describe_type(it)}", e.index.span)
            return t.item
        if isinstance(t, MapType):
            if not compatible(it, STRING):
                self.report("TypeMismatch", f"a map key must be a string, got {describe_type(it)}", e.index.span)
            return STRING
        if isinstance(t, AnyType):
            return ANY
        if t == STRING:
            if not compatible(it, INT):
                self.report("TypeMismatch", f"a string index must be an int, got {describe_type(it)}", e.index.span)
            return STRING
        self.report("TypeMismatch", f"a {describe_type(t)} cannot be indexed", e.obj.span)
        return ANY

    def _slice(self, e: ast.Slice) -> Type:
        t = self.type_of(e.obj)
        for bound in (e.start, e.stop):
            if bound is not None:
                bt = self.type_of(bound)
                if not compatible(bt, INT):
                    self.report("TypeMismatch", f"a slice bound must be an int, got {describe_type(bt)}", bound.span)
        if isinstance(t, (ListType, AnyType)) or t == STRING:
            return t
        if isinstance(t, EnumType):
            return STRING
        self.report("TypeMismatch", f"only a list or a string can be sliced, not {_a(describe_type(t))}", e.obj.span)
        return ANY

    def _conditional(self, e: ast.Conditional) -> Type:
        self.condition(e.condition, "the condition of 'if ... then ... else'")
        a, b = self.type_of(e.then), self.type_of(e.orelse)
        if isinstance(a, AnyType) or isinstance(b, AnyType):
            return ANY
        if a == b:
            return a
        if _is_numeric(a) and _is_numeric(b):
            return FLOAT
        if compatible(a, STRING) and compatible(b, STRING):
            return STRING
        if compatible(a, b) and compatible(b, a):
            return a
        self.report("TypeMismatch", f"both branches must have one type: 'then' gives {describe_type(a)}, "
                    f"'else' gives {describe_type(b)}", e.orelse.span)
        return ANY

    def _arithmetic(self, e: ast.BinaryOp, left: Type, right: Type) -> Type:
        """``+ - *``: the result type, or a report pointing at the operand that does not fit."""
        op = e.op
        if isinstance(left, AnyType) or isinstance(right, AnyType):
            for side, t in ((e.left, left), (e.right, right)):
                if t == BOOL or (op != "+" and (compatible(t, STRING) and not isinstance(t, AnyType))):
                    self.report("TypeMismatch", f"'{op}' cannot take {describe_type(t)} "
                                f"({_ARITHMETIC_HELP[op]})", side.span)
            return ANY
        if op == "+":
            if compatible(left, STRING) and compatible(right, STRING):
                return STRING
            if isinstance(left, ListType) and isinstance(right, ListType):
                if compatible(right.item, left.item) and compatible(left.item, right.item):
                    return left
                self.report("TypeMismatch", f"'+' joins lists of one type: a list of {describe_type(left.item)} "
                            f"and a list of {describe_type(right.item)}", e.right.span)
                return ANY
        if _is_numeric(left) and _is_numeric(right):
            return INT if left == right == INT else FLOAT
        if op in ("+", "-") and left == right == DURATION:
            return DURATION
        if op == "*" and DURATION in (left, right) and (_is_numeric(left) or _is_numeric(right)):
            return DURATION
        if left == TIME and op in ("+", "-") and right == DURATION:
            return TIME
        if op == "-" and left == right == TIME:
            return DURATION
        if op == "*" and TIME in (left, right):  # a time is never multiplied: point at it
            self.report("TypeMismatch", f"'*' cannot take time ({_ARITHMETIC_HELP['*']})",
                        (e.left if left == TIME else e.right).span)
            return ANY
        # Point at the operand that does not fit the other one.
        anchor, good = (e.right, left) if self._operand_kind(left) else (e.left, right)
        bad = right if anchor is e.right else left
        wants = {
            "+": {"string": "a string (to join text, or use \"${...}\")", "number": "a number",
                  "duration": "a duration", "list": "a list", "time": "a duration"},
            "-": {"number": "a number", "duration": "a duration", "time": "a duration or a time"},
            "*": {"number": "a number or a duration", "duration": "a number"},
        }[op]
        kind = self._operand_kind(good)
        if kind in wants:
            self.report("TypeMismatch", f"'{op}' with {_a(describe_type(good))} needs {wants[kind]}, got {describe_type(bad)}",
                        anchor.span)
        else:
            self.report("TypeMismatch", f"'{op}' cannot take {describe_type(bad)} "
                        f"({_ARITHMETIC_HELP[op]})", anchor.span)
        return ANY

    @staticmethod
    def _operand_kind(t: Type) -> str | None:
        """What kind of ``+ - *`` operand a type is, or None when it cannot be one."""
        if compatible(t, STRING) and not isinstance(t, AnyType):
            return "string"
        if _is_numeric(t):
            return "number"
        if t == DURATION:
            return "duration"
        if isinstance(t, ListType):
            return "list"
        if t == TIME:
            return "time"
        return None

    def _builtin(self, e: ast.BuiltinCall) -> Type:
        low, high, types, result = _BUILTINS[e.name]
        for arg in e.args:
            if arg.name is not None:
                self.report("UnknownArgument", f"{e.name}() takes positional arguments, not '{arg.name}:'", arg.name_span)
        if len(e.args) < low:
            self.report("MissingArgument", f"{e.name}() needs {low} argument(s), got {len(e.args)}", e.span)
        arg_types: list[Type] = []
        for i, arg in enumerate(e.args):
            t = self.type_of(arg.value)
            arg_types.append(t)
            if i >= high:
                self.report("UnknownArgument", f"{e.name}() takes at most {high} argument(s)", arg.value.span)
            elif not compatible(t, types[i]):
                wanted = "list" if types[i] == ListType(ANY) else "time (now())" if types[i] == TIME else \
                    describe_type(types[i])
                self.report("TypeMismatch", f"{e.name}() needs {_a(wanted)}, got {describe_type(t)}", arg.value.span)
            elif e.name == "env_secret" and not (isinstance(arg.value, ast.String) and arg.value.is_plain):
                self.report("InvalidValue", f"env_secret() needs {'its name' if i == 0 else 'its default'} as a plain "
                            "string literal, so that the secret is known, and masked, before the run starts",
                            arg.value.span)
            elif e.name == "length" and not isinstance(t, (AnyType, ListType, MapType)) and t != STRING:
                self.report("TypeMismatch", f"length() needs a list, map or string, got {describe_type(t)}", arg.value.span)
            elif e.name in ("keys", "values") and not isinstance(t, (AnyType, MapType, RecordType)):
                self.report("TypeMismatch", f"{e.name}() needs a record or a map, got {describe_type(t)}", arg.value.span)
        if e.name.startswith("cscfg_set_"):
            self._cscfg_literals(e)
        if e.name == "values" and arg_types:
            first = arg_types[0]
            if isinstance(first, MapType):
                return ListType(STRING)
            if isinstance(first, RecordType):
                fields = {f.type for f in first.fields}
                return ListType(next(iter(fields))) if len(fields) == 1 else ListType(ANY)
        return result

    def _cscfg_literals(self, e: ast.BuiltinCall) -> None:
        """An instance count or OS family written in the flow is checked before the run."""
        from smflow.dsl import cscfg  # only a flow that calls a cscfg builtin pays for it

        if e.name == "cscfg_set_instances" and len(e.args) == 3:
            count = self.static(e.args[2].value)
            if type(count) is int and not 1 <= count <= cscfg.MAX_INSTANCES:
                self.report("InvalidValue", f"an instance count must be from 1 to {cscfg.MAX_INSTANCES}, got {count}",
                            e.args[2].value.span)
        elif e.name == "cscfg_set_os_family" and len(e.args) == 2:
            family = self.static(e.args[1].value)
            if isinstance(family, str) and not cscfg.OS_FAMILY.fullmatch(family):
                self.report("InvalidValue", f"an OS family is a number as text, like \"6\", got {family!r}",
                            e.args[1].value.span)

    def _quantifier(self, e: ast.Quantifier) -> Type:
        t = self.type_of(e.items)
        item: Type = ANY
        if isinstance(t, ListType):
            item = t.item
        elif not isinstance(t, AnyType):
            self.report("TypeMismatch", f"{e.kind}() needs a list, got {describe_type(t)}", e.items.span)
        self.bind_local(e.var, e.var_span, item)
        try:
            self.condition(e.condition, f"the condition of {e.kind}()")
        finally:
            self.unbind_local(e.var)
        return BOOL

    def _binary(self, e: ast.BinaryOp) -> Type:
        if e.op in ("and", "or"):
            self.condition(e.left, f"the left side of '{e.op}'")
            self.condition(e.right, f"the right side of '{e.op}'")
            return BOOL
        left, right = self.type_of(e.left), self.type_of(e.right)
        if e.op in ("+", "-", "*"):
            return self._arithmetic(e, left, right)
        if e.op in ("in", "not in"):
            if isinstance(right, ListType):
                if not _comparable(left, right.item):
                    self.report("TypeMismatch", f"'{e.op}' compares a {describe_type(left)} with a list of {describe_type(right.item)}", e.op_span)
            elif not (isinstance(right, (AnyType, MapType)) or right == STRING):
                self.report("TypeMismatch", f"'{e.op}' needs a list, map or string on the right, got {describe_type(right)}", e.right.span)
            return BOOL
        if not _comparable(left, right):
            self.report("TypeMismatch", f"cannot compare {describe_type(left)} with {describe_type(right)}", e.op_span)
        elif e.op not in ("==", "!=") and not all(
            isinstance(t, AnyType) or _is_numeric(t) or t in (STRING, DURATION, TIME) for t in (left, right)
        ):
            self.report("TypeMismatch", f"'{e.op}' needs numbers, durations, times or strings", e.op_span)
        return BOOL

    # operation calls: see smflow.dsl.arguments ------------------------------------------
    def call(self, call: ast.Call) -> OperationSpec | None:  # pragma: no cover - overridden
        raise NotImplementedError

    def proc_call(self, call: ast.Call) -> Type:  # pragma: no cover - overridden by the checker
        return ANY
