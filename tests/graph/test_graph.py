"""``smflow graph``: the picture says what the flow does (steps, waits, branches, undo, failure)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from smflow.dsl import load_flow
from smflow.graph import build_graph, render_dot, render_mermaid

ROOT = Path(__file__).resolve().parents[2]
BLUE_GREEN = ROOT / "flows" / "blue_green.flow"


def _flow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.flow"
    path.write_text(text, encoding="utf-8")
    return path


SMALL = '''flow small "a small flow"
param service = "svc"
step "create" {
    create_hosted_service(service_name: service, label: service, location: "West US")
    undo { delete_hosted_service(service_name: service) }
}
step "wait" {
    wait until exists get_hosted_service_properties(service_name: service) every 5s timeout 1m
}
step "maybe" {
    if service == "svc" {
        log "it is \\"svc\\" <b>"
    } else {
        confirm "continue?"
    }
}
on failure {
    rollback
}
'''


def test_graph_model_connects_steps_undo_and_failure(tmp_path: Path) -> None:
    graph = build_graph(load_flow(_flow(tmp_path, SMALL)))
    shapes = {n.label: n.shape for n in graph.nodes.values()}
    assert shapes["create_hosted_service"] == "call"
    assert shapes["undo: delete_hosted_service"] == "undo"
    assert any(label.startswith("wait until exists") and shape == "wait" for label, shape in shapes.items())
    assert [g.label for g in graph.groups] == ["1. create", "2. wait", "3. maybe", "on failure"]
    kinds = [(e.kind, e.label) for e in graph.edges]
    assert kinds.count(("fails", "fails")) == 3  # every step has a failure edge
    assert ("yes", "yes") in kinds and ("no", "no") in kinds
    rollback = next(n.id for n in graph.nodes.values() if n.shape == "rollback")
    undo = next(n.id for n in graph.nodes.values() if n.shape == "undo")
    assert any(e.source == rollback and e.target == undo for e in graph.edges)


def _declared_mermaid_ids(text: str) -> set[str]:
    ids = set(re.findall(r"^\s+(\w+)[\[\(\{>]", text, flags=re.M))
    ids |= set(re.findall(r"^\s+subgraph (\w+)\[", text, flags=re.M))
    return ids


def test_mermaid_edges_use_declared_ids_and_escape_labels(tmp_path: Path) -> None:
    text = render_mermaid(build_graph(load_flow(_flow(tmp_path, SMALL))))
    assert text.startswith("flowchart TD\n")
    declared = _declared_mermaid_ids(text)
    for source, target in re.findall(r"^\s+(\w+) -\.?->(?:\|[^|]*\|)? (\w+)$", text, flags=re.M):
        assert source in declared and target in declared, (source, target)
    assert "#quot;svc#quot;" in text and "#lt;b#gt;" in text
    # no raw quote may appear inside a quoted label
    for label in re.findall(r'"([^"\n]*)"', text):
        assert '"' not in label
    assert text.count("subgraph ") == text.count("\n    end")


def test_dot_is_balanced_and_uses_clusters(tmp_path: Path) -> None:
    text = render_dot(build_graph(load_flow(_flow(tmp_path, SMALL))))
    assert text.startswith('digraph "small" {')
    assert text.count("{") == text.count("}")
    assert "subgraph cluster_s1" in text and "ltail=cluster_s1" in text
    assert '\\"svc\\"' in text


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_cli_graph_of_blue_green(fmt: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "smflow", "graph", str(BLUE_GREEN), "--format", fmt],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "swap_deployment" in proc.stdout and "create_deployment" in proc.stdout


def test_cli_graph_missing_file_is_one_line_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "smflow", "graph", str(tmp_path / "nope.flow")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "nope.flow" in proc.stderr


def test_cli_graph_bad_flow_shows_caret(tmp_path: Path) -> None:
    path = _flow(tmp_path, 'flow x "y"\nstep "a" {\n  create_hosted_service(\n')
    proc = subprocess.run([sys.executable, "-m", "smflow", "graph", str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "t.flow:" in proc.stderr and "^" in proc.stderr


def test_cli_graph_writes_output_file(tmp_path: Path) -> None:
    out = tmp_path / "bg.mmd"
    proc = subprocess.run(
        [sys.executable, "-m", "smflow", "graph", str(BLUE_GREEN), "-o", str(out)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and out.read_text(encoding="utf-8").startswith("flowchart TD\n")
    assert [p.name for p in tmp_path.iterdir()] == ["bg.mmd"]  # no temp file left behind
