"""Loops in every tool that reads a flow: ``smflow plan`` shows each iteration, ``smflow graph``
marks the loops, the language server knows the loop variable, and ``smflow fmt`` keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.dsl import load_flow
from smflow.fmt import format_text
from smflow.graph import build_graph, render_mermaid
from smflow.run.flowplan import load
from smflow.run.preview import planned_steps, preview

ROOT = Path(__file__).resolve().parents[2]
LOOPS = ROOT / "tests" / "dsl" / "cases" / "ok" / "loops.flow"


def test_plan_shows_each_iteration_of_a_loop_known_from_the_params() -> None:
    loaded = load(LOOPS, {"services": "one,two"})
    steps = planned_steps(loaded)
    assert steps == [(1, "list"), (2, "create one"), (2, "create two"), (3, "check one"), (4, "report one"),
                     (3, "check two"), (4, "report two"), (5, "last svc-a")]
    creates = [(c.step, c.path) for c in preview(loaded) if c.operation == "create_hosted_service"]
    assert creates == [("create one", "/<subscription-id>/services/hostedservices"),
                       ("create two", "/<subscription-id>/services/hostedservices")]
    reads = [c.path for c in preview(loaded) if c.operation == "get_hosted_service_properties"]
    assert reads == ["/<subscription-id>/services/hostedservices/one?embed-detail=false",
                     "/<subscription-id>/services/hostedservices/two?embed-detail=false"]


def test_plan_marks_calls_inside_a_loop_in_a_step(tmp_path: Path) -> None:
    path = tmp_path / "inner.flow"
    path.write_text('flow inner\nparam names : list[string] = ["a", "b"]\nstep "each" {\n'
                    '    for n in names {\n        get_hosted_service_properties(service_name: n)\n    }\n}\n')
    (call,) = preview(load(path, {}))
    assert (call.step, call.when) == ("each", "per item")
    assert call.path == "/<subscription-id>/services/hostedservices/<n>?embed-detail=false"


def test_plan_cli_heads_each_iteration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from smflow.cli.main import main

    assert main(["plan", str(LOOPS), "--var", "services=one,two"]) == 0
    out = capsys.readouterr().out
    assert "[2/5] create one\n" in out and "[2/5] create two\n" in out and "[4/5] report two\n" in out


def test_graph_marks_loops_around_and_inside_steps() -> None:
    text = render_mermaid(build_graph(load_flow(LOOPS)))
    assert '"for each s in services"' in text  # the loop inside the first step
    assert "2. create ${s} (for s in services)" in text
    assert "3. check ${service} (parallel for service in services" in text  # the rest is cut to fit


def test_fmt_keeps_a_formatted_loop_flow_as_it_is() -> None:
    text = LOOPS.read_text(encoding="utf-8")
    assert format_text(text) == text


def test_language_server_knows_loop_variables_and_offers_the_keywords() -> None:
    pytest.importorskip("lsprotocol")
    from lsprotocol import types as lsp

    from smflow.lsp import features
    from smflow.lsp.analysis import analyse
    from smflow.lsp.positions import LineMap

    text = LOOPS.read_text(encoding="utf-8")
    analysis = analyse(text, "file:///x/loops.flow")
    assert analysis.flow is not None and features.diagnostics(analysis, LineMap(text)) == []
    at = text.index("service_name: service)") + len("service_name: ")
    pos = lsp.Position(text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))
    target = features.definition(analysis, pos)
    assert target is not None
    assert target.range.start.line == text.count("\n", 0, text.index("parallel for service"))
    hover = features.hover(analysis, pos)
    assert hover is not None and "string" in str(hover.contents)
    symbols = features.document_symbols(analysis)
    assert "check ${service}" in [s.name for s in symbols[0].children or []]
    blank = 'flow f\n\n'
    labels = {i.label for i in features.completion(blank, lsp.Position(1, 0), None).items}
    assert {"for", "parallel for"} <= labels
