"""The flow language: parse (``load_flow``), check and resolve (``check_flow`` → ``Plan``).

``smflow.dsl.ast`` holds the tree the executor walks, ``smflow.dsl.evaluate`` the expression
evaluator it uses, and ``smflow.dsl.checker`` the static checks behind ``smflow check``.

The names below load ``smflow.dsl.plan`` on first use (PEP 562), so that ``smflow check``,
which needs only the parser and the checker, does not pay for the planner and the evaluator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smflow.dsl.plan import Plan, PlannedStep, RetryPolicy, check_flow, load_flow

__all__ = ["Plan", "PlannedStep", "RetryPolicy", "check_flow", "load_flow"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from smflow.dsl import plan

        return getattr(plan, name)
    raise AttributeError(f"module 'smflow.dsl' has no attribute {name!r}")
