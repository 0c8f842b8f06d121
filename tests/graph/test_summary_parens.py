"""A graph label shows an expression as the flow wrote it: parentheses the meaning needs are kept."""

from __future__ import annotations

import pytest

from smflow.dsl import ast
from smflow.dsl.plan import load_flow
from smflow.graph.summary import summarize


def _condition(expr: str) -> object:
    flow = load_flow(f'flow f\nparam a = 1\nparam b = true\nparam s = "x"\nstep "s" {{\n    assert {expr}\n}}\n', "f.flow")
    step = flow.steps[0]
    assert isinstance(step, ast.Step)
    stmt = step.body[0]
    assert isinstance(stmt, ast.AssertStmt)
    return stmt.condition


@pytest.mark.parametrize("expr", [
    'not (a == 1 and b)',
    '(a + 1) * 2 == 4',
    'a - (1 - 2) == 3',
    'not b or a == 1',
    '(b or b) and b',
    '-(a + 1) < 0',
    '(if b then 1 else 2) == 1',
    's + "y" == "xy"',
])
def test_the_label_reads_as_the_flow_wrote_it(expr: str) -> None:
    assert summarize(_condition(expr)) == expr
