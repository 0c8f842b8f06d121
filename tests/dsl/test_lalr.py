"""``smflow.dsl.lalr`` parses exactly as lark does: the generated tables are lark's for this grammar
(regenerated and compared), the token stream is lark's token for token (types, texts, positions),
and every flow parses to the same AST, or fails with the same diagnostic, as with lark alone.

Inputs: every flow in the repository and the test cases, then generated text (mutations of them,
token soup, random text), since the lexer takes shortcuts that must never change an answer.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import UnexpectedInput

from smflow.dsl import lalr, parser, tablegen
from smflow.dsl.parser import grammar_text, parse_expression, parse_flow
from smflow.errors import FlowError

from .test_properties import SEEDS, TOKENS, mutated

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("flows/*.flow"), *ROOT.glob("tests/**/*.flow"), *ROOT.glob("smflow/**/*.flow")])
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
Tok = tuple[str, str, Any, Any, Any, Any, Any, Any]


def test_the_tables_are_lark_s_analysis_of_this_grammar() -> None:
    """Fails after a grammar change or a lark upgrade: run ``python -m smflow.dsl.tablegen``."""
    assert tablegen.generate() == tablegen.TABLES_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def bare() -> Lark:
    return _bare()


_BARE: list[Lark] = []


def _bare() -> Lark:
    """lark's parser for the grammar, building lark trees (the tables do not depend on the transformer)."""
    if not _BARE:
        _BARE.append(Lark(grammar_text(), parser="lalr", start=["flow", "expr"], keep_all_tokens=True,
                          maybe_placeholders=True))
    return _BARE[0]


def _fields(tok: Any) -> Tok:
    return (tok.type, str(tok), tok.start_pos, tok.line, tok.column, tok.end_line, tok.end_column, tok.end_pos)


def _lark_tokens(text: str, start: str) -> tuple[list[Tok], bool]:
    out: list[Tok] = []
    interactive = _bare().parse_interactive(text, start=start)
    try:
        out.extend(_fields(t) for t in interactive.iter_parse())
        interactive.feed_eof()
    except UnexpectedInput:
        return out, False
    return out, True


def _our_tokens(text: str, start: str) -> tuple[list[Tok], bool]:
    out: list[Tok] = []
    try:
        out.extend(_fields(t) for t in lalr.lex(text, start))
    except lalr.MismatchError:
        return out, False
    return out, True


def _same_tokens(text: str, start: str = "flow") -> None:
    assert _our_tokens(text, start) == _lark_tokens(text, start)


@contextlib.contextmanager
def _lark_only() -> Iterator[None]:
    """Parse with lark alone, as before the generated tables (and as with tables out of date)."""
    saved = parser._tables_current
    parser._tables_current = lambda: False  # type: ignore[assignment]
    try:
        yield
    finally:
        parser._tables_current = saved


def _outcome(parse: Any, text: str) -> str:
    try:
        return repr(parse(text, "m.flow"))
    except FlowError as err:
        return f"{type(err).__name__}: {err} @ {err.span!r}"


def _same_outcome(text: str, parse: Any = parse_flow) -> None:
    ours = _outcome(parse, text)
    with _lark_only():
        theirs = _outcome(parse, text)
    assert ours == theirs


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flow_lexes_and_parses_as_with_lark(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    _same_tokens(text)
    _same_outcome(text)


def test_the_files_include_good_and_bad_flows() -> None:
    outcomes = [_our_tokens(p.read_text(encoding="utf-8"), "flow")[1] for p in FILES]
    assert len(FILES) > 100 and outcomes.count(True) > 50 and outcomes.count(False) > 10


@pytest.mark.parametrize("text", [
    "", "flow", "flow f", "flow f\n", "flow f # c", "flow f\non failure { }", "flow f\non  \n failure { }",
    "flow f\nstep \"s\" { x = on }", "flow f\nstep \"s\" { output = 1 }", "flow f\noutput x = 1",
    "flow f\nstep \"s\" timeout 1.5h { }", "flow f\nstep \"s\" { x = 1.5 + 2 - 3ms }", "flow steps",
    "flow f\nparam stepx = 1", "flow f\nretry on x, y on failure { }", "flow f\nstep \"s\" { for in in x { } }",
])
def test_keywords_names_and_numbers_lex_as_with_lark(text: str) -> None:
    _same_tokens(text)
    _same_outcome(text)


@pytest.mark.parametrize("text", ["a", "a.b[1:2]", "if a then 1 else -2", "x in [1, 2]", "f(a: 1) and not b", "1 +", ")"])
def test_expressions_parse_as_with_lark(text: str) -> None:
    _same_tokens(text, "expr")
    _same_outcome(text, parse_expression)


@SETTINGS
@given(mutated())
@example('flow f\nstep "s" { log "${a +}" }')
@example('flow f\nstep "s" { log "${if}" }')
def test_mutated_flows_lex_and_parse_as_with_lark(text: str) -> None:
    _same_tokens(text)
    _same_outcome(text)


@SETTINGS
@given(st.lists(st.sampled_from([*TOKENS, "output", "proc", "return", "for", "parallel", "max", "try", "then",
                                 "use", "x.y", "a[1]", "1.5h", "500ms", "+", "*", "f(", "on\nfailure"]),
                max_size=40).map(" ".join))
def test_token_soup_lexes_and_parses_as_with_lark(text: str) -> None:
    _same_tokens("flow f\n" + text)
    _same_outcome("flow f\n" + text)
    _same_tokens(text, "expr")


@SETTINGS
@given(st.text(max_size=100))
def test_random_text_lexes_as_with_lark(text: str) -> None:
    _same_tokens(text)
    _same_tokens("flow f\nstep \"s\" {" + text)


def test_seeds_are_the_good_cases() -> None:
    assert len(SEEDS) > 10


def test_reading_or_formatting_a_correct_flow_does_not_import_lark() -> None:
    script = ("import sys; from smflow.dsl.parser import parse_flow; from smflow.fmt import format_text; "
              "text = open(sys.argv[1], encoding='utf-8').read(); parse_flow(text); format_text(text); "
              "print('lark' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script, str(ROOT / "flows" / "blue_green.flow")], capture_output=True,
                          text=True, timeout=120, check=True, env={**os.environ, "SMFLOW_CACHE_DIR": ""})
    assert done.stdout.strip() == "False"


def _lark_all(text: str) -> list[Tok] | str:
    try:
        return [_fields(t) for t in _bare().lex(text, dont_ignore=True)]
    except UnexpectedInput:
        return "error"


def _our_all(text: str) -> list[Tok] | str:
    try:
        return [_fields(t) for t in lalr.lex_all(text)]
    except lalr.MismatchError:
        return "error"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_flow_lexes_with_comments_as_lark_does_for_fmt(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert _our_all(text) == _lark_all(text)


@SETTINGS
@given(st.one_of(mutated(), st.text(max_size=100), st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join)))
@example("on failure # x\n\tstep_x 1.5h 007 <=")
@example("a ~ b")
def test_generated_text_lexes_with_comments_as_lark_does_for_fmt(text: str) -> None:
    assert _our_all(text) == _lark_all(text)
