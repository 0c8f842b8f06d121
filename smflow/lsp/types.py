"""The type of a param or binding, worked out when the editor asks (hover, completion after ``.``).

Why on demand and not during analysis: a keystroke needs only diagnostics; a type is wanted for
one name at a time, so it is computed then, from the name's defining expression, with the
checker's own typing rules (``smflow.dsl.arguments.ArgumentChecker``, problems ignored: the
diagnostics already hold them). Names in that expression resolve through the name index,
which is built only then: ``x = op(...)``, the usual binding, needs none.
"""

from __future__ import annotations

from smflow.asm.catalogue import OperationSpec, get_operation
from smflow.asm.types import ANY, STRING, ListType, Type
from smflow.dsl import ast
from smflow.dsl.arguments import ArgumentChecker
from smflow.dsl.params import param_type
from smflow.lsp.analysis import Analysis, Definition
from smflow.source import Span

__all__ = ["TypeOracle"]


class TypeOracle(ArgumentChecker):
    """Types of definitions of one analysed flow (memoised; a cycle types as ``any``)."""

    def __init__(self, analysis: Analysis) -> None:
        super().__init__(self._ignore)
        self.analysis = analysis
        self._types: dict[int, Type] = {}

    @staticmethod
    def _ignore(code: str, message: str, span: Span) -> None:
        return None

    def call(self, call: ast.Call) -> OperationSpec | None:
        """The operation's spec, without checking the arguments (the diagnostics did)."""
        return get_operation(call.name)

    def type_of_name(self, node: ast.Name) -> Type:
        index = self.analysis.index  # built on the first name that needs resolving
        d = index.definition_of(node) if index is not None else None
        return self.definition_type(d) if d is not None else ANY

    def definition_type(self, d: Definition) -> Type:
        key = id(d)
        known = self._types.get(key)
        if known is not None:
            return known
        self._types[key] = ANY  # a cycle (never in a checked flow) ends here
        try:
            t = self._compute(d)
        except RecursionError:
            t = ANY
        self._types[key] = t
        return t

    def _compute(self, d: Definition) -> Type:
        node = d.node
        if isinstance(node, ast.Param):
            t, problem = param_type(node.type)
            if node.type is None and node.default is not None:
                dt = self.type_of(node.default)
                return dt if dt != ANY else STRING
            return ANY if problem else t
        if isinstance(node, ast.AssignStmt):
            if type(node.value) is ast.Call:  # the usual binding: no name to resolve
                spec = self.call(node.value)
                return spec.result if spec is not None and spec.result is not None else ANY
            return self.type_of(node.value)
        if isinstance(node, (ast.Quantifier, ast.ForStmt, ast.StepLoop)):
            items = self.type_of(node.items)
            return items.item if isinstance(items, ListType) else ANY
        return STRING  # failed_step, error
