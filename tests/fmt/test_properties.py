"""Property: for any flow, formatting keeps the AST (spans aside) and every comment, and a second
format changes nothing. Flows are generated from the grammar with random spacing, line breaks and
comments between tokens; the mutated flows of ``tests/dsl/test_properties.py`` are reused too."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smflow.dsl.parser import lark_parser, parse_flow
from smflow.errors import FlowError
from smflow.fmt import format_text
from smflow.source import Span
from tests.dsl.test_properties import mutated

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(["service", "slot", "x", "d", "old", "i", "version"])
OPS = st.sampled_from(["get_deployment_by_slot", "delete_deployment", "swap_deployment", "list_locations"])
ARGS = st.sampled_from(["service_name", "deployment_slot", "deployment_name", "production", "label"])
STRINGS = st.sampled_from(['"staging"', '"a b"', '""', '"x ${d.name} y"', '"esc \\" \\\\ \\$ $${"', '"# not a comment"'])
# What may separate two tokens: spacing, line breaks, comments (a comment always ends its line).
GAPS = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\t", "  # c1\n", "\n# c2\n", " #c3 (x)\n\n"])


def _strip(value: Any) -> Any:
    """The tree without spans (independent of ``smflow.fmt.shape`` on purpose)."""
    if isinstance(value, tuple):
        return tuple(_strip(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, (type, Span)):
        return (type(value).__name__, {f.name: _strip(getattr(value, f.name)) for f in dataclasses.fields(value)
                                        if f.name != "span" and not f.name.endswith("_span")})
    return value


def _comments(text: str) -> Counter[str]:
    return Counter(str(t).rstrip() for t in lark_parser().lex(text, dont_ignore=True) if t.type == "COMMENT")


def expressions() -> st.SearchStrategy[list[str]]:
    """An expression as a list of tokens."""
    leaf = st.one_of(NAMES.map(lambda n: [n]), STRINGS.map(lambda s: [s]),
                     st.sampled_from(["1", "007", "2.50", "30s", "5m", "true", "false", "null"]).map(lambda s: [s]))

    def extend(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
        def call(name: str, args: list[tuple[str, list[str]]], comma: bool) -> list[str]:
            out = [name, "("]
            for i, (key, value) in enumerate(args):
                out += ([","] if i else []) + [key, ":"] + value
            return out + ([","] if comma and args else []) + [")"]

        def seq(open_: str, close: str, items: list[list[str]]) -> list[str]:
            out = [open_]
            for i, item in enumerate(items):
                out += ([","] if i else []) + item
            return out + [close]

        def wrap(tokens: list[str]) -> list[str]:
            return tokens if len(tokens) == 1 else ["(", *tokens, ")"]

        return st.one_of(
            st.builds(call, OPS, st.lists(st.tuples(ARGS, inner), max_size=4), st.booleans()),
            st.builds(lambda n, a: ["length", "("] + a + [")"], st.just(0), inner),
            st.lists(inner, max_size=4).map(lambda items: seq("[", "]", items)),
            st.lists(st.tuples(ARGS, inner), max_size=3).map(
                lambda es: seq("{", "}", [[k, ":"] + v for k, v in es])),
            st.tuples(inner, NAMES).map(lambda t: wrap(t[0]) + [".", t[1]]),
            st.tuples(inner, inner).map(lambda t: wrap(t[0]) + ["["] + t[1] + ["]"]),
            st.tuples(inner, st.sampled_from(["==", "!=", "<", ">=", "in", "not in"]), inner).map(
                lambda t: wrap(t[0]) + [t[1]] + wrap(t[2])),
            st.lists(inner, min_size=2, max_size=4).flatmap(lambda items: st.sampled_from(["and", "or"]).map(
                lambda op: [t for i, item in enumerate(items) for t in ([op] if i else []) + wrap(item)])),
            st.tuples(st.sampled_from(["not", "-"]), inner).map(lambda t: [t[0]] + wrap(t[1])),
            inner.map(lambda e: ["("] + e + [")"]),
            st.tuples(st.sampled_from(["all", "any"]), inner, NAMES, inner).map(
                lambda t: [t[0], "(", *t[1], ",", t[2], "=>", *t[3], ")"]),
            st.tuples(OPS, ARGS, inner).map(lambda t: ["exists", t[0], "(", t[1], ":", *t[2], ")"]),
        )

    return st.recursive(leaf, extend, max_leaves=8)


def statements() -> st.SearchStrategy[list[str]]:
    expr = expressions()
    simple = st.one_of(
        st.tuples(NAMES, expr).map(lambda t: [t[0], "="] + t[1]),
        st.tuples(OPS, ARGS, expr).map(lambda t: [t[0], "(", t[1], ":", *t[2], ")"]),
        st.tuples(expr, st.sampled_from([[], ["every", "10s"], ["timeout", "5m"], ["every", "1s", "timeout", "1h"]])).map(
            lambda t: ["wait", "until", *t[0], *t[1]]),
        st.tuples(expr, st.one_of(st.just([]), STRINGS.map(lambda s: [",", s]))).map(lambda t: ["assert", *t[0], *t[1]]),
        STRINGS.map(lambda s: ["confirm", s]),
        STRINGS.map(lambda s: ["log", s]),
        st.just(["rollback"]),
    )

    def extend(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
        block = st.lists(inner, max_size=3).map(lambda ss: ["{", *[t for s in ss for t in s], "}"])
        return st.one_of(
            block.map(lambda b: ["undo", *b]),
            st.tuples(NAMES, expr, block).map(lambda t: ["for", t[0], "in", *t[1], *t[2]]),
            st.tuples(expr, block, st.sampled_from(["", "else", "else if"]), block, expr).map(
                lambda t: ["if", *t[0], *t[1]] + ([] if not t[2] else ["else", *t[3]] if t[2] == "else"
                                                  else ["else", "if", *t[4], *t[1], "else", *t[3]])),
        )

    return st.recursive(simple, extend, max_leaves=6)


@st.composite
def flows(draw: st.DrawFn) -> str:
    stmt_block = st.lists(statements(), max_size=4).map(lambda ss: ["{", *[t for s in ss for t in s], "}"])
    tokens = ["flow", "f"] + draw(st.sampled_from([[], ['"a flow"']]))
    for _ in range(draw(st.integers(0, 2))):
        tokens += ["use", '"other.flow"']
    for i in range(draw(st.integers(0, 4))):
        tokens += draw(st.sampled_from([[], ["secret"]])) + ["param", f"p{i}"]
        tokens += draw(st.sampled_from([[], [":", "int"], [":", "list", "[", "string", "]"]]))
        if draw(st.booleans()):
            tokens += ["="] + draw(expressions())
    if draw(st.booleans()):
        tokens += ["retry", "attempts", "3", "backoff", "1s", "..", "1m", "jitter", "on", "busy", ",", "throttled"]
    for i in range(draw(st.integers(0, 3))):
        loop = draw(st.sampled_from([[], ["for"], ["parallel", "for"]]))  # a loop around the step
        name = f'"s{i}"' if not loop else f'"s{i} ${{x}}"'
        if loop:
            tokens += [*loop, "x", "in", *draw(expressions()), *(["max", "2"] if len(loop) == 2 else []), "{"]
        tokens += ["step", name] + draw(st.sampled_from([[], ["timeout", "5m"], ["retry", "attempts", "2"]]))
        tokens += draw(stmt_block)
        tokens += ["}"] if loop else []
    if draw(st.booleans()):
        tokens += ["on failure"] + draw(stmt_block)
    text = draw(GAPS.filter(lambda g: "#" in g)) if draw(st.booleans()) else ""
    for tok in tokens:
        text += tok + draw(GAPS)
    return text


def _check(text: str) -> None:
    try:
        before = parse_flow(text, "g.flow")
    except FlowError:
        return
    out = format_text(text, filename="g.flow")
    assert _strip(parse_flow(out, "g.flow")) == _strip(before)
    assert _comments(out) == _comments(text)
    assert format_text(out, filename="g.flow") == out


@SETTINGS
@given(flows())
def test_generated_flows_keep_their_ast_and_comments_and_format_once(text: str) -> None:
    parse_flow(text, "g.flow")  # the generator makes flows that parse
    _check(text)


@SETTINGS
@given(mutated())
def test_mutated_flows_that_parse_format_safely(text: str) -> None:
    _check(text)
