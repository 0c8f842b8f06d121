"""Build ``smflow.dsl.ast`` nodes straight from the LALR reductions (``smflow.dsl.lalr``'s, or
lark's when a syntax error is reported): tokens become values, token positions become ``Span``s.

Why embedded (lark's ``transformer=`` option) rather than a tree pass: a 10,000-step flow is
hundreds of thousands of tokens, and building a lark tree only to walk it again doubles the
cost. The grammar is used with ``keep_all_tokens=True``, so every callback sees the keywords
and brackets it was written with (``None`` where an optional part was left out) and computes
its span from its first and last child. Tokens are ``str`` subclasses (``lalr.Token`` or lark's,
alike); this module it decodes string escapes and ``${...}`` interpolations but checks nothing.

One ``FlowTransformer`` is shared by the cached parser; ``push``/``pop`` set which file (and,
for an interpolation, which offset in it) the current parse is reading.
"""

from __future__ import annotations

import dataclasses
import re
from _thread import _local as thread_local  # threading.local, without importing threading (~5 ms)
from collections.abc import Callable
from typing import Any, cast

from smflow.dsl import ast
from smflow.dsl.lalr import Token
from smflow.errors import FlowSyntaxError
from smflow.source import SourceFile, Span

__all__ = ["DURATION_UNITS", "FlowTransformer", "duration_seconds"]

DURATION_UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "$": "$"}
# Where plain text stops inside a string: an escape or a possible ``${``.
_SPECIAL = re.compile(r"[\\$]")
MAX_INT_DIGITS = 1000  # an integer literal longer than this is refused (Python converts at most 4,300 digits)
_DOTTED = re.compile(r"([ \t]*)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*")
# Words the grammar reserves: an interpolation made of one goes through the parser.
_KEYWORDS = frozenset({
    "flow", "use", "param", "secret", "retry", "attempts", "backoff", "jitter", "on", "step", "timeout",
    "wait", "until", "every", "proc", "return", "if", "else", "assert", "confirm", "log", "undo", "rollback", "exists",
    "all", "any", "and", "or", "not", "in", "true", "false", "null", "then", "try", "for", "parallel",
})

# parse_interpolation(text, source, line, col) -> Expr: parse ``text`` whose first character
# sits at (line, col) of ``source``.
InterpolationParser = Callable[[str, SourceFile, int, int], ast.Expr]
Children = list[Any]


def duration_seconds(text: str) -> float:
    """``"1.5h"`` → 5400.0 (the grammar guarantees the shape)."""
    unit = "ms" if text.endswith("ms") else text[-1]
    return float(text[: -len(unit)]) * DURATION_UNITS[unit]


# The values below only pass from one rule's callback to its parent's: plain classes, since
# defining a dataclass costs a ``smflow`` process about 1 ms at import (its methods are
# generated and compiled), and these need no ``__eq__``, ``__repr__`` or ``__hash__``.


class _Block:
    __slots__ = ("body", "span")

    def __init__(self, span: Span, body: tuple[ast.Stmt, ...]) -> None:
        self.span = span
        self.body = body


class _Return:
    __slots__ = ("span", "value")

    def __init__(self, span: Span, value: ast.Expr) -> None:
        self.span = span
        self.value = value


class _ProcBody:
    __slots__ = ("body", "result", "span")

    def __init__(self, span: Span, body: tuple[ast.Stmt, ...], result: _Return | None) -> None:
        self.span = span
        self.body = body
        self.result = result


class _Header:
    __slots__ = ("description", "name", "span")

    def __init__(self, span: Span, name: str, description: str) -> None:
        self.span = span
        self.name = name
        self.description = description


class _Context:
    """Where the current parse reads: its file, and for a ``${...}``, where in the file it starts."""

    __slots__ = ("col_offset", "line_offset", "parens", "previous", "shifted", "source")

    def __init__(self, source: SourceFile, line_offset: int, col_offset: int, previous: _Context | None = None,
                 shifted: bool = False) -> None:
        self.source = source
        self.line_offset = line_offset
        self.col_offset = col_offset
        # A parenthesised expression keeps its own span; the node around it starts or ends at the
        # bracket (id of the inner node → span with the brackets).
        self.parens: dict[int, Span] = {}
        # The parse this one interrupted (a ``${...}`` is parsed in the middle of its file).
        self.previous = previous
        # False for text read from the start of its file: lark's positions are the file's.
        self.shifted = shifted


_new = object.__new__
_set = object.__setattr__


def _mkspan(source: SourceFile, line: int, col: int, end_line: int, end_col: int) -> Span:
    """``Span(source, line, col, end_line, end_col)`` without the frozen dataclass's ``__init__``
    frame: a parse makes one span per token and per node. Same fields set the same way, so the
    result is an ordinary ``Span``, equal and as compact (filling ``__dict__`` directly would
    be faster still but makes every span 128 bytes bigger: 800 MB at 100,000 steps)."""
    span: Span = _new(Span)
    _set(span, "source", source)
    _set(span, "line", line)
    _set(span, "col", col)
    _set(span, "end_line", end_line)
    _set(span, "end_col", end_col)
    return span


def _int_literal(tok: Token, span: Span) -> int:
    """An integer literal; Python refuses to convert one of more than 4,300 digits (and no
    count, port or size needs a tenth of that)."""
    if len(tok) > MAX_INT_DIGITS:
        raise FlowSyntaxError(f"integer literal of {len(tok)} digits is too long (at most {MAX_INT_DIGITS})",
                              span, "SyntaxError")
    return int(tok)


def _is_name(c: Any) -> bool:
    return isinstance(c, str) and c.type == "NAME"  # type: ignore[attr-defined]


def _tspan(ctx: _Context, tok: Token) -> Span:
    line: int = tok.line  # type: ignore[assignment]
    end_line: int = tok.end_line  # type: ignore[assignment]
    if not ctx.shifted:
        return _mkspan(ctx.source, line, tok.column, end_line, tok.end_column)  # type: ignore[arg-type]
    col: int = tok.column  # type: ignore[assignment]
    end_col: int = tok.end_column  # type: ignore[assignment]
    if line == 1:
        col += ctx.col_offset
    if end_line == 1:
        end_col += ctx.col_offset
    return _mkspan(ctx.source, line + ctx.line_offset, col, end_line + ctx.line_offset, end_col)


def _from_token(ctx: _Context, first: Token, end: Span) -> Span:
    """From the start of token ``first`` to the end of ``end`` (no span made for the token)."""
    if not ctx.shifted:
        return _mkspan(ctx.source, first.line, first.column, end.end_line, end.end_col)  # type: ignore[arg-type]
    a = _tspan(ctx, first)
    return _mkspan(a.source, a.line, a.col, end.end_line, end.end_col)


def _start(ctx: _Context, c: Any) -> Span:
    if isinstance(c, str):  # a token: smflow.dsl.lalr's, or lark's when lark reports an error
        return _tspan(ctx, cast(Token, c))
    parens = ctx.parens
    if parens and id(c) in parens:
        return parens[id(c)]
    return cast(Span, c.span)


def _between(ctx: _Context, first: Any, last: Any) -> Span:
    """From the start of ``first`` to the end of ``last`` (tokens or nodes, neither ``None``)."""
    a = _start(ctx, first)
    b = _start(ctx, last)
    return _mkspan(a.source, a.line, a.col, b.end_line, b.end_col)


def _span(ctx: _Context, children: Children) -> Span:
    """From the start of the first child to the end of the last (placeholders skipped)."""
    first = last = None
    for c in children:
        if c is not None:
            first = c
            break
    for c in reversed(children):
        if c is not None:
            last = c
            break
    a = _start(ctx, first)
    if last is first:
        return a
    b = _start(ctx, last)
    return _mkspan(a.source, a.line, a.col, b.end_line, b.end_col)


class FlowTransformer:
    """Callbacks named after the grammar's rules and aliases (one per AST node)."""

    def __init__(self, parse_interpolation: InterpolationParser) -> None:
        self.parse_interpolation = parse_interpolation
        self._local = thread_local()

    # ------------------------------------------------------------------ context
    # The current context is one thread-local attribute (the innermost parse), looked up once
    # per callback rather than once per token.

    def push(self, source: SourceFile, line: int = 1, col: int = 1) -> None:
        local = self._local
        local.ctx = _Context(source, line - 1, col - 1, previous=getattr(local, "ctx", None),
                             shifted=line != 1 or col != 1)

    def pop(self) -> None:
        local = self._local
        local.ctx = local.ctx.previous

    @property
    def ctx(self) -> _Context:
        ctx: _Context = self._local.ctx
        return ctx

    # ------------------------------------------------------------------ positions

    def tspan(self, tok: Token) -> Span:
        return _tspan(self._local.ctx, tok)

    def span(self, children: Children) -> Span:
        return _span(self._local.ctx, children)

    # ------------------------------------------------------------------ strings

    def make_string(self, tok: Token) -> ast.String:
        """Decode escapes and split out ``${expr}`` parts of a STRING token."""
        raw = str(tok)
        span = _tspan(self._local.ctx, tok)
        end = len(raw) - 1  # inside the quotes: raw[1:end]
        if "\\" not in raw and "$" not in raw:  # most strings: the text as written
            return ast.String(span, (raw[1:end],) if end > 1 else ())
        parts: list[ast.StringPart] = []
        text: list[str] = []
        i = 1
        while i < end:
            m = _SPECIAL.search(raw, i, end)
            if m is None:
                text.append(raw[i:end])
                break
            j = m.start()
            if j > i:
                text.append(raw[i:j])
            i = j
            if raw[i] == "\\":
                nxt = raw[i + 1]
                if nxt not in _ESCAPES:
                    at = Span(span.source, span.line, span.col + i, span.line, span.col + i + 2)
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
                    at = Span(span.source, span.line, span.col + i, span.line, span.col + close + 1)
                    raise FlowSyntaxError("empty ${} in a string", at, "SyntaxError")
                parts.append(self._interpolation(inner, span, span.col + i + 2))
                i = close + 1
            else:
                text.append("$")
                i += 1
        if text:
            parts.append("".join(text))
        return ast.String(span, tuple(parts))

    def _interpolation(self, inner: str, span: Span, col: int) -> ast.Expr:
        """``${name}`` and ``${a.b.c}`` (most interpolations) are built directly; anything else
        goes through the parser's ``expr`` rule."""
        m = _DOTTED.fullmatch(inner)
        if m is None or any(word in _KEYWORDS for word in m.group(2).split(".")):
            return self.parse_interpolation(inner, span.source, span.line, col)
        col += m.start(2)
        expr: ast.Expr | None = None
        for word in m.group(2).split("."):
            here = _mkspan(span.source, span.line, col, span.line, col + len(word))
            if expr is None:
                expr = ast.Name(here, word)
            else:
                whole = _mkspan(span.source, span.line, expr.span.col, span.line, col + len(word))
                expr = ast.Attribute(whole, expr, word, here)
            col += len(word) + 1
        assert expr is not None
        return expr

    def plain_text(self, tok: Token) -> str:
        """A string used as a name or description: its decoded text, interpolations kept as ``${...}``."""
        s = self.make_string(tok)
        return "".join(p if isinstance(p, str) else "${...}" for p in s.parts)

    def make_duration(self, tok: Token | ast.DurationRef | None) -> ast.DurationRef | None:
        if tok is None or isinstance(tok, (ast.Duration, ast.Name)):
            return tok  # a duration_ref, already built by ``duration`` or ``name``
        return ast.Duration(self.tspan(tok), duration_seconds(str(tok)), str(tok))

    # ------------------------------------------------------------------ declarations

    def flow(self, c: Children) -> ast.Flow:
        header: _Header = c[0]
        rest = c[1:]
        return ast.Flow(
            header.span,
            header.name,
            header.description,
            uses=tuple(x for x in rest if isinstance(x, ast.Use)),
            params=tuple(x for x in rest if isinstance(x, ast.Param)),
            retry=next((x for x in rest if isinstance(x, ast.RetryClause)), None),
            steps=tuple(x for x in rest if isinstance(x, (ast.Step, ast.StepLoop))),
            on_failure=next((x for x in rest if isinstance(x, ast.OnFailure)), None),
            outputs=tuple(x for x in rest if isinstance(x, ast.Output)),
            procs=tuple(x for x in rest if isinstance(x, ast.Proc)),
        )

    def header(self, c: Children) -> _Header:  # "flow" NAME [STRING]
        return _Header(self.span(c), str(c[1]), self.plain_text(c[2]) if c[2] is not None else "")

    def use_decl(self, c: Children) -> ast.Use:  # "use" STRING
        return ast.Use(self.span(c), self.make_string(c[1]))

    def param_decl(self, c: Children) -> ast.Param:  # [SECRET] "param" NAME [":" type] ["=" expr]
        secret, _, name, _, type_ref, _, default = c
        return ast.Param(self.span(c), str(name), self.tspan(name), type_ref, default, secret is not None)

    def type_ref(self, c: Children) -> ast.TypeRef:  # NAME ["[" type_ref "]"]
        return ast.TypeRef(self.span(c), str(c[0]), c[2])

    def retry_clause(self, c: Children) -> ast.RetryClause:
        # "retry" ["attempts" INT] ["backoff" D ".." D] [JITTER] ["on" NAME ("," NAME)*]
        attempts, low, high, jitter = c[2], c[4], c[6], c[7]
        kinds = tuple(ast.Name(self.tspan(k), str(k)) for k in c[9:] if _is_name(k))
        return ast.RetryClause(
            self.span(c),
            ast.Int(self.tspan(attempts), _int_literal(attempts, self.tspan(attempts))) if attempts is not None else None,
            self.make_duration(low),
            self.make_duration(high),
            True if jitter is not None else None,
            kinds or None,
        )

    def step_decl(self, c: Children) -> ast.Step:  # "step" STRING ["timeout" D] [retry] block
        ctx = self._local.ctx
        _, name, _, timeout, retry, block = c
        return ast.Step(_from_token(ctx, c[0], block.span), self.plain_text(name),
                        _tspan(ctx, name), self.make_duration(timeout), retry, block.body)

    def output_decl(self, c: Children) -> ast.Output:  # "output" NAME "=" expr
        ctx = self._local.ctx
        return ast.Output(_between(ctx, c[0], c[3]), str(c[1]), _tspan(ctx, c[1]), c[3])
    # ------------------------------------------------------------------ loops (issue 12)

    def step_loop(self, c: Children) -> ast.StepLoop:
        # [PARALLEL] "for" NAME "in" expr ["max" max_ref] "{" step_decl* "}"
        ctx = self._local.ctx
        parallel, _, var, _, items, _, limit = c[:7]
        steps: list[ast.Step] = []
        names: list[ast.String] = []
        for step in (x for x in c[8:-1] if isinstance(x, ast.Step)):
            # The name as written (``deploy ${region}``) is the step's template name, and its
            # interpolations are evaluated per iteration.
            at = step.name_span
            raw = at.source.line(at.line)[at.col - 1 : at.end_col - 1]
            names.append(self.make_string(Token("STRING", raw, line=at.line, column=at.col, end_line=at.end_line,
                                                end_column=at.end_col)))
            steps.append(dataclasses.replace(step, name=raw[1:-1]))
        return ast.StepLoop(_from_token(ctx, c[0] if c[0] is not None else c[1], _tspan(ctx, c[-1])), str(var),
                            _tspan(ctx, var), items, parallel is not None, limit, tuple(steps),
                            tuple(names))

    def for_stmt(self, c: Children) -> ast.ForStmt:  # "for" NAME "in" expr block
        ctx = self._local.ctx
        _, var, _, items, block = c
        return ast.ForStmt(_from_token(ctx, c[0], block.span), str(var), _tspan(ctx, var), items, block.body)

    def on_failure(self, c: Children) -> ast.OnFailure:
        return ast.OnFailure(self.span(c), c[1].body)

    def block(self, c: Children) -> _Block:  # "{" stmt* "}"
        ctx = self._local.ctx
        return _Block(_from_token(ctx, c[0], _tspan(ctx, c[-1])), tuple(c[1:-1]))

    # ------------------------------------------------------------------ procedures

    def proc_decl(self, c: Children) -> ast.Proc:  # "proc" NAME "(" [param ("," param)* [","]] ")" body
        ctx = self._local.ctx
        body: _ProcBody = c[-1]
        params = tuple(x for x in c[3:-2] if type(x) is ast.ProcParam)
        result = body.result
        return ast.Proc(_from_token(ctx, c[0], body.span), str(c[1]), _tspan(ctx, c[1]), params, body.body,
                        result.value if result is not None else None, result.span if result is not None else None)

    def proc_param(self, c: Children) -> ast.ProcParam:  # NAME ":" type_ref ["=" expr]
        name, _, type_ref, _, default = c
        return ast.ProcParam(self.span(c), str(name), self.tspan(name), type_ref, default)

    def proc_body(self, c: Children) -> _ProcBody:  # "{" stmt* [return_stmt] "}"
        ctx = self._local.ctx
        result = c[-2] if isinstance(c[-2], _Return) else None
        stmts = tuple(x for x in c[1:-1] if x is not None and not isinstance(x, _Return))
        return _ProcBody(_from_token(ctx, c[0], _tspan(ctx, c[-1])), stmts, result)

    def return_stmt(self, c: Children) -> _Return:  # "return" expr
        return _Return(self.span(c), c[1])

    # ------------------------------------------------------------------ statements

    def call_stmt(self, c: Children) -> ast.CallStmt:
        call = c[0]
        if isinstance(call, ast.BuiltinCall):
            # A builtin as a statement has no effect; keep it as a call so the checker can say so.
            call = ast.Call(call.span, call.name, call.name_span, call.args)
        return ast.CallStmt(call.span, call)

    def assign_stmt(self, c: Children) -> ast.AssignStmt:  # NAME "=" expr
        ctx = self._local.ctx
        a = _tspan(ctx, c[0])
        b = _start(ctx, c[2])
        return ast.AssignStmt(_mkspan(a.source, a.line, a.col, b.end_line, b.end_col), str(c[0]), a, c[2])

    def wait_stmt(self, c: Children) -> ast.WaitStmt:  # "wait" "until" expr ["every" D] ["timeout" D]
        return ast.WaitStmt(self.span(c), c[2], self.make_duration(c[4]), self.make_duration(c[6]))

    def if_stmt(self, c: Children) -> ast.IfStmt:  # "if" expr block ["else" (block | if_stmt)]
        orelse = c[4]
        body: tuple[ast.Stmt, ...] = ()
        if isinstance(orelse, _Block):
            body = orelse.body
        elif isinstance(orelse, ast.IfStmt):
            body = (orelse,)
        return ast.IfStmt(self.span(c), c[1], c[2].body, body)

    def assert_stmt(self, c: Children) -> ast.AssertStmt:  # "assert" expr ["," STRING]
        return ast.AssertStmt(self.span(c), c[1], self.make_string(c[3]) if c[3] is not None else None)

    def confirm_stmt(self, c: Children) -> ast.ConfirmStmt:
        return ast.ConfirmStmt(self.span(c), self.make_string(c[1]))

    def log_stmt(self, c: Children) -> ast.LogStmt:
        message = self.make_string(c[1])
        return ast.LogStmt(_from_token(self._local.ctx, c[0], message.span), message)

    def undo_stmt(self, c: Children) -> ast.UndoStmt:
        return ast.UndoStmt(self.span(c), c[1].body)

    def rollback_stmt(self, c: Children) -> ast.RollbackStmt:
        return ast.RollbackStmt(self.span(c))

    # ------------------------------------------------------------------ expressions

    def atom(self, c: Children) -> ast.Expr:  # "(" expr ")"
        self.ctx.parens[id(c[1])] = self.span(c)
        return cast(ast.Expr, c[1])

    def binary_op(self, c: Children) -> ast.BinaryOp:
        ctx = self._local.ctx
        left, op, right = c
        return ast.BinaryOp(_between(ctx, left, right), cast(ast.BinaryOperator, str(op)), left, right, _tspan(ctx, op))

    def not_in_op(self, c: Children) -> ast.BinaryOp:
        left, not_tok, in_tok, right = c
        op_span = self.span([not_tok, in_tok])
        return ast.BinaryOp(self.span(c), "not in", left, right, op_span)

    def unary_op(self, c: Children) -> ast.UnaryOp:
        op, operand = c
        return ast.UnaryOp(self.span(c), "not" if str(op) == "not" else "-", operand)

    def attribute(self, c: Children) -> ast.Attribute:  # postfix "." NAME
        ctx = self._local.ctx
        return ast.Attribute(_between(ctx, c[0], c[2]), c[0], str(c[2]), _tspan(ctx, c[2]))

    def index(self, c: Children) -> ast.Index:  # postfix "[" expr "]"
        return ast.Index(self.span(c), c[0], c[2])

    def try_expr(self, c: Children) -> ast.TryExpr:  # "try" postfix
        return ast.TryExpr(self.span(c), c[1])

    def slice(self, c: Children) -> ast.Slice:  # postfix "[" [expr] ":" [expr] "]"
        return ast.Slice(self.span(c), c[0], c[2], c[4])

    def conditional(self, c: Children) -> ast.Conditional:  # "if" expr "then" expr "else" expr
        return ast.Conditional(self.span(c), c[1], c[3], c[5])

    def string(self, c: Children) -> ast.String:
        return self.make_string(c[0])

    def int(self, c: Children) -> ast.Int:
        span = _tspan(self._local.ctx, c[0])
        return ast.Int(span, _int_literal(c[0], span))

    def float(self, c: Children) -> ast.Float:
        return ast.Float(self.tspan(c[0]), float(c[0]))

    def duration(self, c: Children) -> ast.Duration:
        return cast(ast.Duration, self.make_duration(c[0]))

    def true(self, c: Children) -> ast.Bool:
        return ast.Bool(_tspan(self._local.ctx, c[0]), True)

    def false(self, c: Children) -> ast.Bool:
        return ast.Bool(_tspan(self._local.ctx, c[0]), False)

    def null(self, c: Children) -> ast.Null:
        return ast.Null(self.tspan(c[0]))

    def name(self, c: Children) -> ast.Name:
        return ast.Name(_tspan(self._local.ctx, c[0]), str(c[0]))

    def call(self, c: Children) -> ast.Call | ast.BuiltinCall:  # NAME "(" [arg ("," arg)* [","]] ")"
        ctx = self._local.ctx
        name = str(c[0])
        args = tuple(a for a in c[2:-1] if type(a) is ast.Arg)
        a = _tspan(ctx, c[0])
        b = _tspan(ctx, c[-1])
        span = _mkspan(a.source, a.line, a.col, b.end_line, b.end_col)
        if name in ast.BUILTINS:
            return ast.BuiltinCall(span, name, a, args)
        return ast.Call(span, name, a, args)

    def named_arg(self, c: Children) -> ast.Arg:  # NAME ":" expr
        ctx = self._local.ctx
        a = _tspan(ctx, c[0])
        b = _start(ctx, c[2])
        return ast.Arg(_mkspan(a.source, a.line, a.col, b.end_line, b.end_col), str(c[0]), a, c[2])

    def positional_arg(self, c: Children) -> ast.Arg:
        value = c[0]
        return ast.Arg(value.span, None, value.span, value)

    def exists(self, c: Children) -> ast.Exists:  # "exists" call
        call = c[1]
        if isinstance(call, ast.BuiltinCall):
            call = ast.Call(call.span, call.name, call.name_span, call.args)
        return ast.Exists(self.span(c), call)

    def quantifier(self, c: Children) -> ast.Quantifier:  # (ALL|ANY) "(" expr "," NAME "=>" expr ")"
        kind, _, items, _, var, _, cond, _ = c
        return ast.Quantifier(self.span(c), "all" if str(kind) == "all" else "any", items, str(var), self.tspan(var), cond)

    def list_expr(self, c: Children) -> ast.ListExpr:  # "[" [expr ("," expr)* [","]] "]"
        return ast.ListExpr(self.span(c), tuple(x for x in c[1:-1] if x is not None and not isinstance(x, str)))

    def record(self, c: Children) -> ast.Record:
        return ast.Record(self.span(c), tuple(x for x in c[1:-1] if isinstance(x, ast.RecordEntry)))

    def record_entry(self, c: Children) -> ast.RecordEntry:  # NAME ":" expr
        return ast.RecordEntry(self.span(c), str(c[0]), self.tspan(c[0]), c[2])
