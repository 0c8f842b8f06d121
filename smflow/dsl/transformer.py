"""Turn lark's parse tree into ``smflow.dsl.ast`` nodes: meta becomes ``Span``, tokens become values.

Why here and nowhere else: this is the only module (with ``parser``) that sees lark trees, so the
AST stays free of lark types. It does no checking beyond what is needed to build a node (decoding
string escapes and ``${...}`` interpolations); everything semantic is the checker's job.

Interpolations are parsed by a callback from ``parser`` (the one place that catches lark errors),
with the column of the ``${`` so the inner spans land at their true place in the file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from lark import Token, Transformer, v_args
from lark.tree import Meta

from smflow.dsl import ast
from smflow.errors import FlowSyntaxError
from smflow.source import SourceFile, Span

__all__ = ["FlowTransformer", "DURATION_UNITS", "duration_seconds"]

DURATION_UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "$": "$"}

# parse_interpolation(text, line, col) -> Expr: parses ``text`` whose first character sits at
# (line, col) of the source file.
InterpolationParser = Callable[[str, int, int], ast.Expr]


def duration_seconds(text: str) -> float:
    """``"1.5h"`` → 5400.0 (the grammar guarantees the shape)."""
    unit = "ms" if text.endswith("ms") else text[-1]
    return float(text[: -len(unit)]) * DURATION_UNITS[unit]


@v_args(meta=True)
class FlowTransformer(Transformer[Token, Any]):
    """One instance per parse: it knows the file and where the parsed text starts in it
    (``col_offset`` is non-zero only for an interpolation, which is always one line)."""

    def __init__(self, source: SourceFile, parse_interpolation: InterpolationParser, line: int = 1, col: int = 1):
        super().__init__(visit_tokens=False)
        self.source = source
        self.parse_interpolation = parse_interpolation
        self.line_offset = line - 1
        self.col_offset = col - 1

    # ------------------------------------------------------------------ positions

    def _pos(self, line: int, col: int) -> tuple[int, int]:
        if line == 1:
            col += self.col_offset
        return line + self.line_offset, col

    def span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return self.source.end_span()
        line, col = self._pos(meta.line, meta.column)
        end_line, end_col = self._pos(meta.end_line, meta.end_column)
        return Span(self.source, line, col, end_line, end_col)

    def tspan(self, tok: Token) -> Span:
        line, col = self._pos(cast(int, tok.line), cast(int, tok.column))
        end_line, end_col = self._pos(cast(int, tok.end_line), cast(int, tok.end_column))
        return Span(self.source, line, col, end_line, end_col)

    def join(self, first: Span, last: Span) -> Span:
        return Span(self.source, first.line, first.col, last.end_line, last.end_col)

    # ------------------------------------------------------------------ strings

    def make_string(self, tok: Token) -> ast.String:
        """Decode escapes and split out ``${expr}`` parts of a STRING token."""
        raw = str(tok)
        span = self.tspan(tok)
        parts: list[ast.StringPart] = []
        text: list[str] = []
        i, end = 1, len(raw) - 1  # inside the quotes
        while i < end:
            ch = raw[i]
            if ch == "\\":
                nxt = raw[i + 1]
                if nxt not in _ESCAPES:
                    at = Span(self.source, span.line, span.col + i, span.line, span.col + i + 2)
                    raise FlowSyntaxError(
                        f"unknown escape '\\{nxt}' in a string (use \\\" \\\\ \\n \\t or \\$)", at, "SyntaxError"
                    )
                text.append(_ESCAPES[nxt])
                i += 2
            elif raw.startswith("$${", i):
                text.append("${")
                i += 3
            elif raw.startswith("${", i):
                close = raw.index("}", i)
                inner = raw[i + 2 : close]
                if text:
                    parts.append("".join(text))
                    text = []
                if not inner.strip():
                    at = Span(self.source, span.line, span.col + i, span.line, span.col + close + 1)
                    raise FlowSyntaxError("empty ${} in a string", at, "SyntaxError")
                parts.append(self.parse_interpolation(inner, span.line, span.col + i + 2))
                i = close + 1
            else:
                text.append(ch)
                i += 1
        if text:
            parts.append("".join(text))
        return ast.String(span, tuple(parts))

    def plain_text(self, tok: Token) -> str:
        """A string used as a name or description: its decoded text, interpolations kept as written."""
        s = self.make_string(tok)
        return "".join(p if isinstance(p, str) else "${...}" for p in s.parts)

    def make_duration(self, tok: Token) -> ast.Duration:
        return ast.Duration(self.tspan(tok), duration_seconds(str(tok)), str(tok))

    # ------------------------------------------------------------------ declarations

    def flow(self, meta: Meta, children: list[Any]) -> ast.Flow:
        header: tuple[Span, str, str] = children[0]
        rest = children[1:]
        retry = next((c for c in rest if isinstance(c, ast.RetryClause)), None)
        on_failure = next((c for c in rest if isinstance(c, ast.OnFailure)), None)
        return ast.Flow(
            header[0],
            header[1],
            header[2],
            uses=tuple(c for c in rest if isinstance(c, ast.Use)),
            params=tuple(c for c in rest if isinstance(c, ast.Param)),
            retry=retry,
            steps=tuple(c for c in rest if isinstance(c, ast.Step)),
            on_failure=on_failure,
        )

    def header(self, meta: Meta, children: list[Any]) -> tuple[Span, str, str]:
        name, desc = children
        return (self.span(meta), str(name), self.plain_text(desc) if desc is not None else "")

    def use_decl(self, meta: Meta, children: list[Any]) -> ast.Use:
        return ast.Use(self.span(meta), self.make_string(children[0]))

    def param_decl(self, meta: Meta, children: list[Any]) -> ast.Param:
        secret, name, type_ref, default = children
        return ast.Param(self.span(meta), str(name), self.tspan(name), type_ref, default, secret is not None)

    def type_ref(self, meta: Meta, children: list[Any]) -> ast.TypeRef:
        name, item = children
        return ast.TypeRef(self.span(meta), str(name), item)

    def retry_clause(self, meta: Meta, children: list[Any]) -> ast.RetryClause:
        attempts, low, high, jitter, *kinds = children
        names = tuple(ast.Name(self.tspan(k), str(k)) for k in kinds if k is not None)
        return ast.RetryClause(
            self.span(meta),
            ast.Int(self.tspan(attempts), int(attempts)) if attempts is not None else None,
            self.make_duration(low) if low is not None else None,
            self.make_duration(high) if high is not None else None,
            True if jitter is not None else None,
            names if names else None,
        )

    def step_decl(self, meta: Meta, children: list[Any]) -> ast.Step:
        name, timeout, retry, body = children
        return ast.Step(
            self.span(meta),
            self.plain_text(name),
            self.tspan(name),
            self.make_duration(timeout) if timeout is not None else None,
            retry,
            body,
        )

    def on_failure(self, meta: Meta, children: list[Any]) -> ast.OnFailure:
        return ast.OnFailure(self.span(meta), children[1])

    def block(self, meta: Meta, children: list[Any]) -> tuple[ast.Stmt, ...]:
        return tuple(children)

    # ------------------------------------------------------------------ statements

    def call_stmt(self, meta: Meta, children: list[Any]) -> ast.Stmt:
        call = children[0]
        if isinstance(call, ast.BuiltinCall):
            # A builtin as a statement has no effect; keep it as a call so the checker can say so.
            call = ast.Call(call.span, call.name, call.name_span, call.args)
        return ast.CallStmt(self.span(meta), call)

    def assign_stmt(self, meta: Meta, children: list[Any]) -> ast.AssignStmt:
        name, value = children
        return ast.AssignStmt(self.span(meta), str(name), self.tspan(name), value)

    def wait_stmt(self, meta: Meta, children: list[Any]) -> ast.WaitStmt:
        cond, every, timeout = children
        return ast.WaitStmt(
            self.span(meta),
            cond,
            self.make_duration(every) if every is not None else None,
            self.make_duration(timeout) if timeout is not None else None,
        )

    def if_stmt(self, meta: Meta, children: list[Any]) -> ast.IfStmt:
        cond, then, orelse = children
        if orelse is None:
            orelse = ()
        elif isinstance(orelse, ast.IfStmt):
            orelse = (orelse,)
        return ast.IfStmt(self.span(meta), cond, then, orelse)

    def assert_stmt(self, meta: Meta, children: list[Any]) -> ast.AssertStmt:
        cond, message = children
        return ast.AssertStmt(self.span(meta), cond, self.make_string(message) if message is not None else None)

    def confirm_stmt(self, meta: Meta, children: list[Any]) -> ast.ConfirmStmt:
        return ast.ConfirmStmt(self.span(meta), self.make_string(children[0]))

    def log_stmt(self, meta: Meta, children: list[Any]) -> ast.LogStmt:
        return ast.LogStmt(self.span(meta), self.make_string(children[0]))

    def undo_stmt(self, meta: Meta, children: list[Any]) -> ast.UndoStmt:
        return ast.UndoStmt(self.span(meta), children[0])

    def rollback_stmt(self, meta: Meta, children: list[Any]) -> ast.RollbackStmt:
        return ast.RollbackStmt(self.span(meta))

    # ------------------------------------------------------------------ expressions

    def binary_op(self, meta: Meta, children: list[Any]) -> ast.BinaryOp:
        left, op, right = children
        return ast.BinaryOp(self.span(meta), cast(ast.BinaryOperator, str(op)), left, right, self.tspan(op))

    def not_in_op(self, meta: Meta, children: list[Any]) -> ast.BinaryOp:
        left, not_tok, in_tok, right = children
        op_span = self.join(self.tspan(not_tok), self.tspan(in_tok))
        return ast.BinaryOp(self.span(meta), "not in", left, right, op_span)

    def unary_op(self, meta: Meta, children: list[Any]) -> ast.UnaryOp:
        op, operand = children
        return ast.UnaryOp(self.span(meta), "not" if str(op) == "not" else "-", operand)

    def attribute(self, meta: Meta, children: list[Any]) -> ast.Attribute:
        obj, name = children
        return ast.Attribute(self.span(meta), obj, str(name), self.tspan(name))

    def index(self, meta: Meta, children: list[Any]) -> ast.Index:
        obj, idx = children
        return ast.Index(self.span(meta), obj, idx)

    def string(self, meta: Meta, children: list[Any]) -> ast.String:
        return self.make_string(children[0])

    def int(self, meta: Meta, children: list[Any]) -> ast.Int:
        return ast.Int(self.span(meta), int(children[0]))

    def float(self, meta: Meta, children: list[Any]) -> ast.Float:
        return ast.Float(self.span(meta), float(children[0]))

    def duration(self, meta: Meta, children: list[Any]) -> ast.Duration:
        return self.make_duration(children[0])

    def true(self, meta: Meta, children: list[Any]) -> ast.Bool:
        return ast.Bool(self.span(meta), True)

    def false(self, meta: Meta, children: list[Any]) -> ast.Bool:
        return ast.Bool(self.span(meta), False)

    def null(self, meta: Meta, children: list[Any]) -> ast.Null:
        return ast.Null(self.span(meta))

    def name(self, meta: Meta, children: list[Any]) -> ast.Name:
        return ast.Name(self.span(meta), str(children[0]))

    def call(self, meta: Meta, children: list[Any]) -> ast.Call | ast.BuiltinCall:
        name, *args = children
        arg_nodes = tuple(a for a in args if a is not None)
        if str(name) in ast.BUILTINS:
            return ast.BuiltinCall(self.span(meta), str(name), self.tspan(name), arg_nodes)
        return ast.Call(self.span(meta), str(name), self.tspan(name), arg_nodes)

    def named_arg(self, meta: Meta, children: list[Any]) -> ast.Arg:
        name, value = children
        return ast.Arg(self.span(meta), str(name), self.tspan(name), value)

    def positional_arg(self, meta: Meta, children: list[Any]) -> ast.Arg:
        value = children[0]
        return ast.Arg(value.span, None, value.span, value)

    def exists(self, meta: Meta, children: list[Any]) -> ast.Exists:
        call = children[0]
        if isinstance(call, ast.BuiltinCall):
            call = ast.Call(call.span, call.name, call.name_span, call.args)
        return ast.Exists(self.span(meta), call)

    def quantifier(self, meta: Meta, children: list[Any]) -> ast.Quantifier:
        kind, items, var, cond = children
        return ast.Quantifier(self.span(meta), "all" if str(kind) == "all" else "any", items, str(var), self.tspan(var), cond)

    def list_expr(self, meta: Meta, children: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(self.span(meta), tuple(c for c in children if c is not None))

    def record(self, meta: Meta, children: list[Any]) -> ast.Record:
        return ast.Record(self.span(meta), tuple(c for c in children if c is not None))

    def record_entry(self, meta: Meta, children: list[Any]) -> ast.RecordEntry:
        key, value = children
        return ast.RecordEntry(self.span(meta), str(key), self.tspan(key), value)
