"""Outputs in ``smflow graph`` (a box after the last step, before "succeeded") and in
``smflow plan`` (listed after the steps: a value the params decide, else a placeholder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.cli.main import main
from smflow.dsl.parser import parse_flow
from smflow.graph.model import build_graph
from smflow.graph.render import render_dot, render_mermaid

TEXT = '''flow f "outputs"
param service = "svc-graph"
step "read" {
    d = get_deployment_by_slot(service_name: service, deployment_slot: "production")
}
output url = d.url
output site = "https://${service}.cloudapp.net/"
output stamp = format_time(now(), "%Y")
on failure {
    log "failed"
}
'''


def test_outputs_are_a_box_between_the_last_step_and_success() -> None:
    graph = build_graph(parse_flow(TEXT, "f.flow"))
    (box,) = [g for g in graph.groups if g.id == "outputs"]
    labels = [graph.nodes[n].label for n in box.nodes]
    assert labels == ["output url = d.url", 'output site = "https://${service}.cloudapp.net/"',
                      'output stamp = format_time(now(), "%Y")']
    chain = [(e.source, e.target) for e in graph.edges if e.kind == "next"]
    (last_step_node,) = graph.groups[0].nodes
    assert (last_step_node, box.nodes[0]) in chain and (box.nodes[-1], "done") in chain
    assert not any(e.target == "done" and e.source != box.nodes[-1] for e in graph.edges)
    assert 'subgraph outputs["outputs"]' in render_mermaid(graph)
    assert "subgraph cluster_outputs {" in render_dot(graph)


def test_plan_lists_the_outputs_after_the_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flow = tmp_path / "f.flow"
    flow.write_text(TEXT, encoding="utf-8")
    assert main(["plan", str(flow), "--var", "service=svc-planned"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("\noutputs ("):]
    assert block.splitlines()[1:] == [
        "outputs (after the last step succeeds; none if the run fails)",
        "  url = <d.url>",
        "  site = https://svc-planned.cloudapp.net/",
        '  stamp = <format_time(now(), "%Y")>',  # the time of the run's end, not of the plan
    ]
