"""Property: whatever text goes in, parse + check answers with flow errors only, and every
position it reports lies inside the file (end of input included). Never another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
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


# -- the cscfg builtins, uuid() and now() ---------------------------------------------------------
# Property: an expression over them that the checker accepts evaluates to a value of the type the
# checker inferred (or fails with a FlowRuntimeError naming the role, setting or value at fault);
# an edit changes the one attribute and nothing else, whatever value it writes.

from datetime import UTC, datetime  # noqa: E402

from smflow.asm.types import ANY, INT, STRING, ListType, Type  # noqa: E402
from smflow.dsl import ast, cscfg  # noqa: E402
from smflow.dsl.evaluate import Evaluator  # noqa: E402
from smflow.dsl.expressions import ExprChecker  # noqa: E402
from smflow.dsl.parser import parse_expression  # noqa: E402
from smflow.errors import FlowRuntimeError  # noqa: E402
from smflow.run.drawn import DrawnValues  # noqa: E402

from .test_expression_types import matches  # noqa: E402

CSCFG = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!-- two roles -->\n'
    f'<ServiceConfiguration serviceName="demo" xmlns="{cscfg.NAMESPACE}" osFamily="4" osVersion="*">\n'
    '  <Role name="WebRole1">\n    <Instances count="2" />\n    <ConfigurationSettings>\n'
    "      <Setting name='Mode' value='slow' />\n    </ConfigurationSettings>\n  </Role>\n"
    '  <Role name="Worker">\n    <Instances count="1"/>\n  </Role>\n</ServiceConfiguration>\n'
)
CSCFG_SCOPE: dict[str, tuple[Type, object]] = {
    "cfg": (STRING, CSCFG), "s": (STRING, "a&b"), "n": (INT, 3), "roles": (ListType(STRING), ["WebRole1", "Worker"]),
}
ROLE = st.sampled_from(['"WebRole1"', '"Worker"', '"Nope"', "roles[0]", "s"])
COUNT = st.sampled_from(["1", "4", "n", "0", '"2"', 'cscfg_instances(cfg, "Worker") + 1', "length(roles)"])
VALUE = st.sampled_from(['"fast"', "s", "uuid()", '"a<\\"b\'"', 'format_time(now(), "%Y-%m-%dT%H")', "n"])
FAMILY = st.sampled_from(['"6"', '"x6"', "s", 'format_time(now(), "%d")', "n"])


class _ScopeChecker(ExprChecker):
    def __init__(self) -> None:
        self.problems: list[str] = []
        super().__init__(lambda code, message, span: self.problems.append(f"{code}: {message}"))

    def type_of_name(self, node: ast.Name) -> Type:
        if node.name in CSCFG_SCOPE:
            return CSCFG_SCOPE[node.name][0]
        self.report("UndefinedName", node.name, node.span)
        return ANY


def _configs(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda c, r, n: f"cscfg_set_instances({c}, {r}, {n})", sub, ROLE, COUNT),
        st.builds(lambda c, r, v: f'cscfg_set_setting({c}, {r}, "Mode", {v})', sub, ROLE, VALUE),
        st.builds(lambda c, f: f"cscfg_set_os_family({c}, {f})", sub, FAMILY),
    )


CONFIGS = st.recursive(st.just("cfg"), _configs, max_leaves=4)
CSCFG_EXPRESSIONS = st.one_of(
    CONFIGS,
    st.builds(lambda c, r: f"cscfg_instances({c}, {r})", CONFIGS, ROLE),
    st.builds(lambda c, r: f'cscfg_setting({c}, {r}, "Mode")', CONFIGS, ROLE),
    st.builds(lambda c: f"cscfg_os_family({c})", CONFIGS),
    st.builds(lambda c: f"cscfg_roles({c})", CONFIGS),
    st.builds(lambda c, r: f"cscfg_instances({c}, {r}) * 2 + n", CONFIGS, ROLE),
    st.sampled_from(["uuid()", '"v-${uuid()}"', 'format_time(now(), "%Y%m%d-%H%M")', "now()", "uuid()[0:8]",
                     '[uuid(), format_time(now() + 1h, "%H")]', "length(uuid())"]),
)
NOW = datetime(2026, 11, 26, 4, 5, tzinfo=UTC)


@SETTINGS
@given(CSCFG_EXPRESSIONS)
def test_cscfg_uuid_and_now_evaluate_to_the_checked_type(text: str) -> None:
    expr = parse_expression(text)
    checker = _ScopeChecker()
    t = checker.type_of(expr)
    if checker.problems:
        return
    evaluator = Evaluator({k: v for k, (_, v) in CSCFG_SCOPE.items()}, lambda call, args: None, Path("."),
                          lambda: NOW, environ={})
    try:
        value = evaluator.evaluate(expr)
    except FlowRuntimeError as err:  # a missing role, a bad count: named, pointing into the expression
        assert err.message.startswith("cscfg_"), err.message
        return
    assert matches(value, t), (text, str(t), value)
    if text.startswith("cscfg_set_"):
        assert cscfg.roles(value) == ["WebRole1", "Worker"]  # still a service configuration


ATTRIBUTE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
                         max_size=20).filter(lambda v: all(ord(c) >= 0x20 or c in "\t\n\r" for c in v))


@SETTINGS
@given(ATTRIBUTE_TEXT)
@example("tab\there, lines\r\nand\n")  # attribute normalisation would make them spaces
@example("&amp; <x> \"q\" 'a' &#10;")
def test_a_setting_set_to_any_text_reads_back_and_changes_one_attribute_only(value: str) -> None:
    edited = cscfg.set_setting(CSCFG, "WebRole1", "Mode", value)
    assert cscfg.setting(edited, "WebRole1", "Mode") == value
    before, _, after = CSCFG.partition("value='slow'")
    assert edited.startswith(before + "value='") and edited.endswith("'" + after)
    assert cscfg.set_setting(edited, "WebRole1", "Mode", "slow") == CSCFG


# Property: whatever a run draws (now() and uuid(), in steps, bindings and waits), a replay of its
# recording draws the same values in the same order, and a resume from its journal gets back the
# same values for everything outside wait conditions.

DRAWS = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["now", "uuid"]),
                           st.sampled_from([None, "bind", "wait"])), max_size=12)


def _draw_all(drawn: DrawnValues, draws: list[tuple[str, str, str | None]], resumed: bool = False) -> list[object]:
    """Draw as a run would; ``resumed``: a binding takes its journaled value, so it draws nothing."""
    out: list[object] = []
    scope = ["a"]
    drawn.scope_of = lambda: scope[0]
    for index, (step, builtin, where) in enumerate(draws):
        scope[0] = step  # a step entered twice (a, b, a) keeps counting: no key is recorded twice
        draw = drawn.now if builtin == "now" else drawn.uuid
        if where == "wait":
            with drawn.waiting():
                out.append(draw())
        elif where == "bind" and resumed:
            drawn.skip(f"x#{index}")
            out.append("skipped")
        elif where == "bind":
            with drawn.binding(f"x#{index}"):
                out.append(draw())
        else:
            out.append(draw())
    return out


class _Records:
    def __init__(self) -> None:
        self.records: list[dict[str, object]] = []

    def append(self, kind: str, *, durable: bool = False, **fields: object) -> None:
        self.records.append({"t": kind, **fields})


@SETTINGS
@given(DRAWS)
def test_a_replay_and_a_resume_repeat_the_values_drawn(draws: list[tuple[str, str, str | None]]) -> None:
    ticks = iter(range(10_000))
    live = DrawnValues(lambda: datetime.fromtimestamp(1_800_000_000 + next(ticks), UTC))
    sink = _Records()
    live.attach(sink)
    first = _draw_all(live, draws)
    replay = DrawnValues(lambda: datetime(1999, 1, 1, tzinfo=UTC), recorded=live.drawn, replay=True)
    assert _draw_all(replay, draws) == first
    records: dict[str, dict[str, tuple[str, str | None]]] = {}
    for r in sink.records:
        bind = r["bind"]
        records.setdefault(str(r["step"]), {})[str(r["key"])] = (str(r["value"]), None if bind is None else str(bind))
    resumed = DrawnValues.from_journal(lambda: datetime(1999, 1, 1, tzinfo=UTC), records)
    again = _draw_all(resumed, draws, resumed=True)
    assert [v for v, (_, _, w) in zip(again, draws, strict=True) if w is None] == \
        [v for v, (_, _, w) in zip(first, draws, strict=True) if w is None]
