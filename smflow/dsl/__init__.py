"""The flow language: parse (``load_flow``), check and resolve (``check_flow`` → ``Plan``).

``smflow.dsl.ast`` holds the tree the executor walks, ``smflow.dsl.evaluate`` the expression
evaluator it uses, and ``smflow.dsl.checker`` the static checks behind ``smflow check``.
"""

from smflow.dsl.plan import Plan, PlannedStep, RetryPolicy, check_flow, load_flow

__all__ = ["Plan", "PlannedStep", "RetryPolicy", "check_flow", "load_flow"]
