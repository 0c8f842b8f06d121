"""Property: an expression the checker accepts evaluates to a value of the type it inferred.

Expressions are generated from the operators and builtins of the language (well and badly typed
alike); the checker types each one against a scope of known names; when it reports nothing, the
evaluator must give a value of that type or a ``FlowRuntimeError`` (an index out of range) —
never another exception, never a value of another type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

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
    RecordType,
    Type,
)
from smflow.dsl import ast
from smflow.dsl.evaluate import Evaluator
from smflow.dsl.expressions import TIME, ExprChecker
from smflow.dsl.parser import parse_expression
from smflow.errors import FlowError, FlowRuntimeError
from smflow.source import Span

NOW = datetime(2026, 11, 26, 4, 5, tzinfo=UTC)
SCOPE: dict[str, tuple[Type, Any]] = {
    "s": (STRING, " svc-a,b "),
    "n": (INT, 3),
    "f": (FLOAT, 0.5),
    "d": (DURATION, 30.0),
    "ok": (BOOL, True),
    "xs": (ListType(STRING), ["web", "worker", "cron"]),
    "ns": (ListType(INT), [1, 2]),
    "r": (RecordType("record", ()), {"a": 1, "b": 2}),
}


class _Checker(ExprChecker):
    def __init__(self) -> None:
        self.problems: list[str] = []
        super().__init__(lambda code, message, span: self.problems.append(f"{code}: {message}"))
        self.locals: dict[str, Type] = {}

    def type_of_name(self, node: ast.Name) -> Type:
        if node.name in self.locals:
            return self.locals[node.name]
        if node.name in SCOPE:
            return SCOPE[node.name][0]
        self.report("UndefinedName", node.name, node.span)
        return ANY

    def bind_local(self, name: str, span: Span, t: Type) -> None:
        self.locals[name] = t

    def unbind_local(self, name: str) -> None:
        self.locals.pop(name, None)


def matches(value: Any, t: Type) -> bool:
    if isinstance(t, AnyType):
        return True
    if isinstance(value, bool):
        return t == BOOL
    if t == STRING or isinstance(t, EnumType):
        return isinstance(value, str)
    if t == INT:
        return isinstance(value, int)
    if t in (FLOAT, DURATION):
        return isinstance(value, (int, float))
    if t == TIME:
        return isinstance(value, datetime)
    if isinstance(t, ListType):
        return isinstance(value, list) and all(matches(v, t.item) for v in value)
    if isinstance(t, (RecordType, MapType)):
        return isinstance(value, dict)
    return False


LEAVES = st.sampled_from(['"a,b"', '" x "', '""', "0", "2", "-1", "1.5", "30s", "2m", "true", "false",
                          "now()", *SCOPE])


def _combine(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    two = st.tuples(sub, sub)
    return st.one_of(
        st.builds(lambda ab, op: f"({ab[0]} {op} {ab[1]})", two, st.sampled_from(["+", "-", "*", "==", "<", "and"])),
        st.builds(lambda c, ab: f"(if {c} then {ab[0]} else {ab[1]})",
                  st.one_of(st.sampled_from(["ok", "not ok", "n > 2", "n < 5"]), sub), two),
        st.builds(lambda a, b, c: f"{a}[{b}:{c}]", sub, st.sampled_from(["", "0", "1", "-1", "n"]),
                  st.sampled_from(["", "2", "-1"])),
        st.builds(lambda a, i: f"{a}[{i}]", sub, st.sampled_from(["0", "-1", "n"])),
        st.builds(lambda name, a: f"{name}({a})", st.sampled_from(["trim", "length", "keys", "values", "url_host",
                                                                   "upper", "lower"]), sub),
        st.builds(lambda name, ab: f"{name}({ab[0]}, {ab[1]})",
                  st.sampled_from(["split", "join", "starts_with", "ends_with", "contains", "format_time"]), two),
        st.builds(lambda a: f'replace({a}, "a", "-")', sub),
        st.builds(lambda a: f"any({a}, x => x == 1)", sub),
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=6)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
@example("(if not ok then 2 else 1.5)")
@example("(if ok then d else 2m) * n")
@example('values(r)')
@example('xs[1:] + ["a"]')
def test_checked_type_matches_evaluated_value(text: str) -> None:
    expr = parse_expression(text)
    checker = _Checker()
    t = checker.type_of(expr)
    if checker.problems:
        return
    evaluator = Evaluator({k: v for k, (_, v) in SCOPE.items()}, lambda call, args: None, Path("."), lambda: NOW,
                          environ={})
    try:
        value = evaluator.evaluate(expr)
    except FlowRuntimeError:
        return
    assert matches(value, t), (text, str(t), value)


@pytest.mark.parametrize(("text", "expected", "value"), [
    ('s + "-" + xs[0]', STRING, " svc-a,b -web"),
    ("n * 2 - 1 + -n", INT, 2),
    ("n * f", FLOAT, 1.5),
    ("d * 2 + 1m - 10s", DURATION, 110.0),
    ("n * d", DURATION, 90.0),
    ("d >= 30s and 1h > d", BOOL, True),
    ('if n > 2 then "big" else "small"', STRING, "big"),
    ("if ok then 1 else 2.5", FLOAT, 1),
    ("xs[-2:]", ListType(STRING), ["worker", "cron"]),
    ("s[1:4]", STRING, "svc"),
    ('split(trim(s), ",")', ListType(STRING), ["svc-a", "b"]),
    ('join(xs, "+")', STRING, "web+worker+cron"),
    ('replace(s, "-", "_")', STRING, " svc_a,b "),
    ('[starts_with(s, " s"), ends_with(s, "b "), contains(s, "c-a")]', ListType(BOOL), [True, True, True]),
    ('format_time(now(), "%Y%m%d-%H%M")', STRING, "20261126-0405"),
    ('format_time(now() + 1h, "%H:%M")', STRING, "05:05"),
    ("now() - 90s", TIME, datetime(2026, 11, 26, 4, 3, 30, tzinfo=UTC)),
    ("now() - (now() - 1h)", DURATION, 3600.0),
    ("now() + d > now()", BOOL, True),
    ('if ok then now() else now() + 1m', TIME, NOW),
    ('url_host("https://user:pw@Example.blob.core.windows.net:443/c/app.cspkg?sv=1")', STRING,
     "example.blob.core.windows.net"),
    ("keys(r)", ListType(STRING), ["a", "b"]),
    ("values(r)", ListType(ANY), [1, 2]),
])
def test_expression_type_and_value(text: str, expected: Type, value: Any) -> None:
    checker = _Checker()
    assert checker.type_of(parse_expression(text)) == expected
    assert checker.problems == []
    evaluator = Evaluator({k: v for k, (_, v) in SCOPE.items()}, lambda call, args: None, Path("."), lambda: NOW,
                          environ={})
    assert evaluator.evaluate(parse_expression(text)) == value


def test_a_badly_typed_operand_is_reported_by_the_checker_not_at_run_time() -> None:
    for text in ['s + 1', 'd + 1', '3 * s', 'ok + 1', 'd - "x"', '[1] + ["a"]', 'if n then 1 else 2',
                 "now() + 5", "now() * 2", "1h + now()", "now() > 1h", "length(now())", 'format_time(s, "%Y")',
                 "-now()", "now()[0]", 'now() + "x"', "if ok then now() else 1h"]:
        checker = _Checker()
        checker.type_of(parse_expression(text))
        assert checker.problems, text


def test_generated_expressions_parse() -> None:
    # The strategy writes only text the grammar accepts: a parse error here is a bug in the grammar.
    for text in ['(s + "-")[0:2]', "if ok then d * 2 else 1m", 'join(split(s, ","), "/")', "values(r)[0] + 1"]:
        try:
            parse_expression(text)
        except FlowError as err:  # pragma: no cover - the assertion explains
            raise AssertionError(text) from err
