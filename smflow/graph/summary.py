"""Short, one-line text for expressions and statements, as a reviewer wants to read them in a
picture: ``not exists get_hosted_service_properties(service_name: service)``.

Written from the AST (not the source text) so that a label never spans lines or carries
comments; long labels are cut with an ellipsis so a diagram stays legible.
"""

from __future__ import annotations

from smflow.dsl import ast

__all__ = ["summarize", "truncate"]

MAX_LABEL = 60


def truncate(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _string(node: ast.String) -> str:
    out = []
    for part in node.parts:
        out.append(part if isinstance(part, str) else "${" + summarize(part) + "}")
    return '"' + "".join(out) + '"'


def _args(args: tuple[ast.Arg, ...]) -> str:
    return ", ".join(f"{a.name}: {summarize(a.value)}" if a.name else summarize(a.value) for a in args)


def summarize(node: object) -> str:
    """The expression as flow text, on one line."""
    match node:
        case ast.String():
            return _string(node)
        case ast.Int() | ast.Float():
            return str(node.value)
        case ast.Bool():
            return "true" if node.value else "false"
        case ast.Null():
            return "null"
        case ast.Duration():
            return node.text
        case ast.ListExpr():
            return "[" + ", ".join(summarize(i) for i in node.items) + "]"
        case ast.Record():
            return "{" + ", ".join(f"{e.key}: {summarize(e.value)}" for e in node.entries) + "}"
        case ast.Name():
            return node.name
        case ast.Attribute():
            return f"{summarize(node.obj)}.{node.attr}"
        case ast.Index():
            return f"{summarize(node.obj)}[{summarize(node.index)}]"
        case ast.Slice():
            start = "" if node.start is None else summarize(node.start)
            stop = "" if node.stop is None else summarize(node.stop)
            return f"{summarize(node.obj)}[{start}:{stop}]"
        case ast.TryExpr():
            return f"try {summarize(node.expr)}"
        case ast.Conditional():
            return f"if {summarize(node.condition)} then {summarize(node.then)} else {summarize(node.orelse)}"
        case ast.Call() | ast.BuiltinCall():
            return f"{node.name}({_args(node.args)})"
        case ast.Exists():
            return f"exists {summarize(node.call)}"
        case ast.Quantifier():
            return f"{node.kind}({summarize(node.items)}, {node.var} => {summarize(node.condition)})"
        case ast.BinaryOp():
            level = _level(node)
            return f"{_operand(node.left, level)} {node.op} {_operand(node.right, level + 1)}"
        case ast.UnaryOp():
            sep = " " if node.op == "not" else ""
            return f"{node.op}{sep}{_operand(node.operand, _level(node))}"
    return type(node).__name__


# How tightly each operator binds (the grammar's order, loosest first): an operand that binds
# more loosely than its place needs is shown in parentheses, so the label means what the flow says.
_BINARY_LEVELS = {"or": 1, "and": 2, "+": 5, "-": 5, "*": 6}
_COMPARISON = 4
_POSTFIX = 8


def _level(node: object) -> int:
    match node:
        case ast.Conditional():
            return 0
        case ast.BinaryOp():
            return _BINARY_LEVELS.get(node.op, _COMPARISON)
        case ast.UnaryOp():
            return 3 if node.op == "not" else 7
        case ast.TryExpr():
            return 7
    return _POSTFIX


def _operand(node: object, needed: int) -> str:
    text = summarize(node)
    return f"({text})" if _level(node) < needed else text
