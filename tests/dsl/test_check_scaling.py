"""The checker is linear in the flow's size, whatever the constructs: an undo block, a nested if
or a wait costs the same in step 10 as in step 10,000.

The checker once copied its whole scope for every undo block, so checking grew with the square
of the number of steps (10,000 steps: 1.7 s with undo blocks, 0.2 s without). Here one parsed
step (a binding, a nested if, a wait, an undo block) is repeated under fresh names to build flows
of two sizes, without lark (whose parse is linear and dominates the time), and the check times
are compared: 8x the steps may cost at most 16x the time (linear is 8x; the quadratic checker
took over 40x).
"""

from __future__ import annotations

import dataclasses
import time

from smflow.dsl import ast
from smflow.dsl.checker import check
from smflow.dsl.parser import parse_flow

TEMPLATE = '''flow scaling "one step, repeated"
param service = "svc"
step "release" timeout 30m {
    d = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
    log "deployment ${d.name} is ${d.status}"
    if d.status != "Running" {
        if d.label == "old" {
            log "old label"
        } else {
            update_deployment_status(service_name: service, deployment_name: d.name, status: "Running")
        }
    }
    wait until get_deployment_by_name(service_name: service, deployment_name: d.name).status == "Running" every 15s timeout 20m
    undo {
        previous = get_deployment_by_name(service_name: service, deployment_name: d.name)
        update_deployment_status(service_name: service, deployment_name: previous.name, status: "Suspended")
    }
}
'''


def _renamed(node: object, old: str, new: str) -> object:
    """``node`` with every binding and use of the name ``old`` renamed ``new``."""
    if isinstance(node, tuple):
        return tuple(_renamed(n, old, new) for n in node)
    if not dataclasses.is_dataclass(node) or isinstance(node, type):
        return node
    changes: dict[str, object] = {}
    for f in dataclasses.fields(node):
        if f.name == "span" or f.name.endswith("_span"):
            continue
        value = getattr(node, f.name)
        if f.name == "name" and value == old and isinstance(node, (ast.Name, ast.AssignStmt)):
            changes[f.name] = new
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[f.name] = _renamed(value, old, new)
    return dataclasses.replace(node, **changes) if changes else node  # type: ignore[type-var]


def flow_of(steps: int) -> ast.Flow:
    flow = parse_flow(TEMPLATE, "scaling.flow")
    (step,) = flow.steps
    many = tuple(dataclasses.replace(step, name=f"release {i}", body=_renamed(step.body, "d", f"d{i}"))  # type: ignore[arg-type]
                 for i in range(steps))
    return dataclasses.replace(flow, steps=many)


def check_seconds(flow: ast.Flow) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        report = check(flow, {})
        best = min(best, time.process_time() - t0)
        assert not report.errors and not report.warnings, (report.errors + report.warnings)[0].render()
    return best


def test_checking_grows_linearly_with_undo_blocks_nested_ifs_and_waits() -> None:
    small, large = flow_of(500), flow_of(4000)
    assert len(large.steps) == 4000 and large.steps[-1].body[0].name == "d3999"  # type: ignore[union-attr]
    ratio = check_seconds(large) / check_seconds(small)
    assert ratio <= 16, f"8x the steps took {ratio:.1f}x the time"
