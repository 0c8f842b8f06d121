"""Together the flows call every operation of the catalogue (issue 7).

Computed from the catalogue and the parsed flows, so adding an operation to
``smflow.asm.catalogue`` without a flow that calls it fails here, naming it.
"""

from __future__ import annotations

from pathlib import Path

from smflow.asm.catalogue import all_operations
from smflow.dsl import ast
from smflow.dsl.library import resolve
from smflow.dsl.parser import parse_flow

from .conftest import FLOWS, flow_names


def called_operations(path: Path) -> set[str]:
    """The catalogue operations a flow calls anywhere (steps, conditions, undo, on failure, and
    the procs it declares or uses)."""
    flow = parse_flow(path.read_text(encoding="utf-8"), str(path))
    procs = resolve(flow).procs
    return {node.name for root in (flow, *procs.values()) for node in ast.walk(root)
            if isinstance(node, ast.Call) and node.name not in procs}


def test_every_catalogue_operation_is_called_by_a_flow() -> None:
    called: set[str] = set()
    for name in flow_names():
        called |= called_operations(FLOWS / f"{name}.flow")
    missing = sorted(set(all_operations()) - called)
    assert not missing, f"no flow in flows/ calls: {', '.join(missing)}"


def test_flows_call_only_catalogue_operations() -> None:
    for name in flow_names():
        unknown = called_operations(FLOWS / f"{name}.flow") - set(all_operations())
        assert not unknown, f"{name}.flow calls {sorted(unknown)}, which the catalogue does not have"


def test_calls_are_found_wherever_they_are_written(tmp_path: Path) -> None:
    """The walk sees calls in conditions, interpolations, undo blocks and ``on failure``."""
    path = tmp_path / "nested.flow"
    path.write_text(
        'flow nested\n'
        'param s = "svc"\n'
        'step "a" {\n'
        '    if exists get_hosted_service_properties(service_name: s) {\n'
        '        log "${length(list_locations())}"\n'
        '    }\n'
        '    undo { delete_hosted_service(service_name: s) }\n'
        '}\n'
        'on failure { log "${get_deployment_by_slot(service_name: s, deployment_slot: "staging").name}" }\n',
        encoding="utf-8",
    )
    assert called_operations(path) == {
        "get_hosted_service_properties", "list_locations", "delete_hosted_service", "get_deployment_by_slot",
    }
