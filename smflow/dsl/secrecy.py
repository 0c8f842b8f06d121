"""Which names of a flow hold (something computed from) a secret, known before the run.

Why: an ``output`` is written to CI files and logs in clear, so one computed from a secret
param or from ``env_secret(...)`` must be refused by ``smflow check``, at the operand that
brings the secret in, not discovered when the run is over. The rule is deliberately simple,
so an operator can predict it: a value is secret when it is a secret param, an
``env_secret(...)``, or a binding whose expression uses one, through any operator or builtin
(a comparison, ``length`` or ``contains`` of a secret is still computed from it). Only what an
operation returns is not: the service answers with its own data (a value it echoes back is
caught at run time, when the run's masker recognises it).
"""

from __future__ import annotations

from dataclasses import dataclass

from smflow.dsl import ast

__all__ = ["SecretOperand", "SecretNames", "secret_names"]


@dataclass(frozen=True)
class SecretOperand:
    """A node of an expression that brings a secret in, and why, e.g. ``"'pw' is a secret param"``."""

    node: ast.Name | ast.BuiltinCall
    why: str


class SecretNames:
    """The secret params and the bindings computed from them (or from ``env_secret``)."""

    def __init__(self) -> None:
        self.why: dict[str, str] = {}

    def operands(self, expr: ast.Expr) -> list[SecretOperand]:
        """The operands of ``expr`` that carry a secret, in source order (calls not entered)."""
        found: list[SecretOperand] = []
        stack: list[object] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, (ast.Call, ast.Exists)):
                continue  # an operation's result is the service's data
            if isinstance(node, ast.TryExpr) and isinstance(node.call, ast.Call):
                continue
            if isinstance(node, ast.Name) and node.name in self.why:
                found.append(SecretOperand(node, self.why[node.name]))
            elif isinstance(node, ast.BuiltinCall) and node.name == "env_secret":
                found.append(SecretOperand(node, "env_secret() is a secret"))
                continue
            stack.extend(reversed(list(ast.children(node))))
        return found

    def bind(self, stmt: ast.AssignStmt) -> None:
        found = self.operands(stmt.value)
        if found:
            self.why[stmt.name] = f"'{stmt.name}' is computed from {_source(found[0])} (line {stmt.name_span.line})"

    def block(self, body: tuple[ast.Stmt, ...]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.AssignStmt):
                self.bind(stmt)
            elif isinstance(stmt, ast.IfStmt):
                self.block(stmt.then)
                self.block(stmt.orelse)
            # an undo block's bindings are local to it: they never reach the end of the flow


def _source(operand: SecretOperand) -> str:
    return f"'{operand.node.name}'" if isinstance(operand.node, ast.Name) else "env_secret()"


def secret_names(flow: ast.Flow) -> SecretNames:
    """The secret names in scope at the end of ``flow``'s steps (where outputs are evaluated)."""
    names = SecretNames()
    for p in flow.params:
        if p.secret:
            names.why[p.name] = f"'{p.name}' is a secret param"
        elif p.default is not None and (found := names.operands(p.default)):
            names.why[p.name] = f"the default of param '{p.name}' uses {_source(found[0])}"
    for step in flow.steps:
        if isinstance(step, ast.Step):  # a loop's bindings are local to its iterations
            names.block(step.body)
    return names
