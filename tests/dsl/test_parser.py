"""The parser seam: grammar loading, positions, readable syntax errors, transformer coverage."""

from __future__ import annotations

import pytest
from lark import Lark

from smflow.dsl import ast
from smflow.dsl.checker import diagnose
from smflow.dsl.parser import describe_expected, grammar_text, lark_parser, parse_expression, parse_flow
from smflow.dsl.transformer import FlowTransformer, duration_seconds
from smflow.errors import FlowSyntaxError


def test_parser_is_lalr_and_built_once() -> None:
    parser = lark_parser()
    assert isinstance(parser, Lark)
    assert parser.options.parser == "lalr"
    assert lark_parser() is parser


def test_every_non_inlined_rule_and_alias_has_a_transformer_method() -> None:
    names = set()
    for rule in lark_parser().rules:
        if rule.alias:
            names.add(rule.alias)
        elif not rule.origin.name.startswith(("_", "?")) and not rule.options.expand1:
            names.add(rule.origin.name)
    names -= {"start", "expr"}  # start symbols that are inlined expressions
    missing = sorted(n for n in names if not callable(getattr(FlowTransformer, str(n), None)))
    assert missing == []


def test_grammar_is_the_checkout_file_when_not_installed_as_package_data() -> None:
    assert "flow: header" in grammar_text()


def test_spans_are_one_based_and_end_exclusive() -> None:
    flow = parse_flow('flow f\nstep "s" {\n    x = get_role(service_name: "a", deployment_name: "b", role_name: "c")\n}\n', "f.flow")
    stmt = flow.steps[0].body[0]
    assert isinstance(stmt, ast.AssignStmt)
    assert (stmt.name_span.line, stmt.name_span.col, stmt.name_span.end_col) == (3, 5, 6)
    assert isinstance(stmt.value, ast.Call)
    assert (stmt.value.name_span.col, stmt.value.name_span.end_col) == (9, 17)


def test_interpolation_positions_point_into_the_file() -> None:
    flow = parse_flow('flow f\nstep "s" {\n    log "a ${x.y} b"\n}\n')
    log = flow.steps[0].body[0]
    assert isinstance(log, ast.LogStmt)
    attr = log.message.parts[1]
    assert isinstance(attr, ast.Attribute)
    assert (attr.span.line, attr.span.col, attr.attr_span.col) == (3, 14, 16)


def test_string_escapes() -> None:
    e = parse_expression(r'"q\" b\\ n\n t\t d\$ $${x} $"')
    assert isinstance(e, ast.String)
    assert e.parts == ('q" b\\ n\n t\t d$ ${x} $',)


@pytest.mark.parametrize(("text", "seconds"), [("500ms", 0.5), ("30s", 30), ("5m", 300), ("1.5h", 5400), ("1d", 86400)])
def test_durations(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds
    e = parse_expression(text)
    assert isinstance(e, ast.Duration) and e.seconds == seconds and e.text == text


def test_precedence_not_binds_looser_than_comparison() -> None:
    e = parse_expression("not a == b and c or d")
    assert isinstance(e, ast.BinaryOp) and e.op == "or"
    left = e.left
    assert isinstance(left, ast.BinaryOp) and left.op == "and"
    assert isinstance(left.left, ast.UnaryOp) and isinstance(left.left.operand, ast.BinaryOp)


def test_builtins_and_operations_are_told_apart_by_name() -> None:
    assert isinstance(parse_expression('length(x)'), ast.BuiltinCall)
    assert isinstance(parse_expression('get_role(service_name: "a")'), ast.Call)


def test_else_if_chains_nest() -> None:
    flow = parse_flow('flow f\nstep "s" { if a { log "1" } else if b { log "2" } else { log "3" } }')
    stmt = flow.steps[0].body[0]
    assert isinstance(stmt, ast.IfStmt)
    (inner,) = stmt.orelse
    assert isinstance(inner, ast.IfStmt) and len(inner.orelse) == 1


def test_flow_retry_on_kinds_then_on_failure() -> None:
    flow = parse_flow('flow f\nretry attempts 2 on transient\non failure { rollback }')
    assert flow.retry is not None and [n.name for n in flow.retry.on or ()] == ["transient"]
    assert flow.on_failure is not None


def _error(text: str) -> FlowSyntaxError:
    with pytest.raises(FlowSyntaxError) as info:
        parse_flow(text, "e.flow")
    return info.value


def test_eof_error_points_at_the_end_of_the_last_line_not_minus_one() -> None:
    err = _error('flow f\nstep "s" {\n    log "x"')
    assert (err.span.line, err.span.col) == (3, 12)
    assert "unexpected end of file; expected" in err.message
    assert "-1" not in str(err)


@pytest.mark.parametrize("char", list("\v\f\x1c\x1d\x1e\x85\u2028\u2029"))
def test_an_unusual_line_break_is_refused_where_it_is(char: str) -> None:
    err = _error(f'flow f\nstep "s" {{ log "a{char}b" }}')
    assert err.message == f"unexpected character U+{ord(char):04X} (an unusual line break)"
    assert (err.span.line, err.span.col) == (2, 18)


def test_empty_file() -> None:
    err = _error("")
    assert (err.span.line, err.span.col) == (1, 1)
    assert "expected 'flow'" in err.message


def test_expected_terminals_read_as_words() -> None:
    assert describe_expected({"RPAR", "COMMA"}) == "')' or ','"
    assert describe_expected({"$END"}) == "end of file"
    assert "a duration" in describe_expected({"DURATION"})


def test_missing_comma_is_labelled_at_any_depth() -> None:
    err = _error('flow f\nparam a = 1\nparam b = 2\nstep "s" {\n  if true {\n    f(x: a y: 2)\n  }\n}')
    assert "missing ',' between arguments" in err.message
    assert (err.span.line, err.span.col) == (6, 12)


def test_error_inside_interpolation_is_placed_in_the_file() -> None:
    err = _error('flow f\nstep "s" { log "ab ${1 2}" }')
    assert (err.span.line, err.span.col) == (2, 24)


def test_incomplete_interpolation_is_reported_on_its_string_not_at_the_end_of_the_file() -> None:
    err = _error('flow f\nparam a = "b"\nstep "s" {\n    log "x ${a(}"\n}\n\n# the end\n')
    assert (err.span.line, err.span.col) == (4, 16)  # just past "a(", inside the ${...}
    assert err.message.startswith("unexpected end of the ${...}; expected")


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    flow = parse_flow('\ufeffflow f "bom"\nstep "s" { log "x" }\n', "bom.flow")
    assert flow.name == "f" and flow.span.col == 1


def test_an_integer_beyond_python_conversion_limit_is_a_syntax_error_on_it() -> None:
    err = _error('flow f\nstep "s" {\n    _x = ' + "9" * 5000 + "\n}")
    assert (err.span.line, err.span.col) == (3, 10)
    assert "5000 digits" in err.message
    retry = _error('flow f\nretry attempts ' + "9" * 4301 + '\nstep "s" { log "x" }')
    assert (retry.span.line, retry.span.col) == (2, 16)


def test_a_huge_line_is_cut_around_the_span_in_the_rendered_excerpt() -> None:
    err = _error('flow f\nstep "s" {\n    log ' + "a" * 1_000_000 + "\n}")
    text = str(err)
    assert len(text) < 600
    head, line, carets = text.splitlines()
    assert head.startswith("e.flow:3:9: error[SyntaxError]: unexpected 'aaa")
    assert line.endswith("a...") and len(line) < 200
    assert carets.index("^") == line.index("a") and 100 <= carets.count("^") <= 120
    far = _error('flow f\nstep "s" {\n    log "' + "x" * 5000 + '" +\n}')
    far_line, far_carets = str(far).splitlines()[1:]
    assert far_line.split("| ", 1)[1].startswith("...") and far_carets.index("^") == far_line.index("+")


def test_deep_nesting_parses_and_checks_without_a_crash() -> None:
    text = 'flow f\nstep "s" {\n    _x = ' + "[" * 3000 + "]" * 3000 + "\n}"
    flow = parse_flow(text)  # the LALR parser and the builder do not recurse
    assert isinstance(flow.steps[0].body[0], ast.AssignStmt)
    codes = [d.code for d in diagnose(text, "deep.flow")]
    assert codes == ["NotSupported"]  # the checker does: one clear diagnostic, no traceback
