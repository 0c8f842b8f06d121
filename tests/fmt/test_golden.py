"""Golden layouts: each ``cases/NAME.flow`` formats to ``cases/NAME.expected.flow`` exactly, and
the expected file is a fixed point. Comments in every position, long-call wrapping, spacing."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.dsl import ast
from smflow.dsl.parser import parse_flow
from smflow.errors import FlowSyntaxError
from smflow.fmt import format_text

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name.removesuffix(".flow") for p in CASES.glob("*.flow") if not p.name.endswith(".expected.flow"))


def test_there_are_cases() -> None:
    assert {"comments", "wrapping", "layout"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_case_formats_to_its_expected_file(name: str) -> None:
    source = (CASES / f"{name}.flow").read_text(encoding="utf-8")
    expected = (CASES / f"{name}.expected.flow").read_text(encoding="utf-8")
    assert format_text(source, filename=f"{name}.flow") == expected


@pytest.mark.parametrize("name", NAMES)
def test_expected_file_is_a_fixed_point(name: str) -> None:
    expected = (CASES / f"{name}.expected.flow").read_text(encoding="utf-8")
    assert format_text(expected) == expected


def test_every_comment_of_the_comments_case_is_kept_verbatim() -> None:
    source = (CASES / "comments.flow").read_text(encoding="utf-8")
    out = format_text(source)
    comments = [line[line.index("#"):].rstrip() for line in source.splitlines() if "#" in line]
    assert len(comments) == 30
    for comment in comments:
        assert out.count(comment) == source.count(comment), comment


def test_no_line_of_the_wrapping_case_is_wider_than_100_columns() -> None:
    out = format_text((CASES / "wrapping.flow").read_text(encoding="utf-8"))
    assert max(len(line) for line in out.splitlines()) <= 100
    assert format_text(out, width=60) != out  # the width is what decides


def test_crlf_line_ends_become_lf() -> None:
    assert format_text('flow f\r\nstep "s" {\r\n  log "x"   # c\r\n}\r\n') == 'flow f\n\nstep "s" {\n    log "x"  # c\n}\n'


def test_a_text_that_does_not_parse_raises_the_syntax_error_of_check() -> None:
    with pytest.raises(FlowSyntaxError) as caught:
        format_text('flow f\nstep "s" { f(a: 1 b: 2) }\n', filename="bad.flow")
    assert str(caught.value).startswith("bad.flow:2:19: error[SyntaxError]: unexpected 'b'")


def test_strings_and_numbers_keep_their_spelling() -> None:
    text = 'flow f\nparam n = 007\nparam x = 1.50\nparam s = "a\\tb \\${x} $${y} ${ n }"\n'
    out = format_text(text)
    assert out == 'flow f\n\nparam n = 007\nparam x = 1.50\nparam s = "a\\tb \\${x} $${y} ${ n }"\n'
    before, after = parse_flow(text).params[2].default, parse_flow(out).params[2].default
    assert isinstance(before, ast.String) and isinstance(after, ast.String)
    assert [p for p in after.parts if isinstance(p, str)] == [p for p in before.parts if isinstance(p, str)]


def test_the_signature_the_language_server_calls() -> None:
    import inspect

    params = inspect.signature(format_text).parameters
    assert list(params) == ["text", "filename", "width"]
    assert params["filename"].kind is inspect.Parameter.KEYWORD_ONLY and params["filename"].default == "<string>"
    assert params["width"].kind is inspect.Parameter.KEYWORD_ONLY and params["width"].default == 100
