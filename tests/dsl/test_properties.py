"""Property: whatever text goes in, parse + check answers with flow errors only, and every
position it reports lies inside the file (end of input included). Never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smflow.dsl.checker import check, diagnose
from smflow.dsl.diagnostics import Diagnostic
from smflow.dsl.parser import parse_flow
from smflow.errors import FlowError
from smflow.source import Span

ROOT = Path(__file__).resolve().parents[2]
SEEDS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent / "cases" / "ok").glob("*.flow"))]
SEEDS.append((ROOT / "flows" / "blue_green.flow").read_text(encoding="utf-8"))
TOKENS = [
    "flow", "step", "param", "secret", "retry", "attempts", "backoff", "jitter", "on", "on failure", "use",
    "timeout", "wait", "until", "every", "if", "else", "assert", "confirm", "log", "undo", "rollback",
    "exists", "all", "any", "not", "and", "or", "in", "true", "false", "null", "{", "}", "(", ")", "[", "]",
    ",", ":", "=", "==", "!=", "<", ">=", ".", "..", "=>", "-", '"', "${", "$${", "\\", "#", "\n", "\r\n", "\t",
    " ", "30s", "5m", "1.5", "007", "x", "service", "get_deployment_by_slot", "swap_deployment", "length",
    '"staging"', "deployment_slot:", "old.name", "\u2028", "\x00", "é",
]
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _inside(span: Span) -> bool:
    src = span.source
    if not 1 <= span.line <= src.line_count:
        return False
    if not 1 <= span.col <= len(src.line(span.line)) + 1:
        return False
    return (span.end_line, span.end_col) >= (span.line, span.col) and span.end_line <= src.line_count


def _run(text: str) -> None:
    diagnostics: list[Diagnostic] = diagnose(text, "m.flow", {"x": "1"}, require_params=True)
    for d in diagnostics:
        assert _inside(d.span), (d.render(), d.span)
        d.render()
    try:
        flow = parse_flow(text, "m.flow")
    except FlowError as err:
        assert _inside(err.span)
        return
    report = check(flow, {}, require_params=True)
    for d in report.errors + report.warnings:
        assert _inside(d.span)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            text = draw(st.sampled_from(TOKENS))
            continue
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 12)))
        op = draw(st.sampled_from(["delete", "insert", "swap", "token", "dup_line"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.text(min_size=1, max_size=3)) + text[i:]
        elif op == "swap" and j < len(text):
            text = text[:i] + text[j] + text[i + 1 : j] + text[i] + text[j + 1 :]
        elif op == "token":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[j:]
        else:
            lines = text.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            text = "\n".join(lines)
    return text


@SETTINGS
@given(mutated())
def test_mutated_flows_give_only_flow_errors_inside_the_file(text: str) -> None:
    _run(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_token_soup_gives_only_flow_errors_inside_the_file(text: str) -> None:
    _run("flow f\n" + text)


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_gives_only_flow_errors_inside_the_file(text: str) -> None:
    _run(text)
