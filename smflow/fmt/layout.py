"""AST → document: the canonical layout of a flow, one method per construct.

Why per-construct methods on one class: the language will grow (loops, procedures), and a new
statement or expression is then one ``stmt_<rule>`` or ``expr_<rule>`` method, found from the
node's class name (``BinaryOp`` → ``expr_binary_op``). Everything the AST does not hold (comments, the user's parentheses, blank
lines, how a string or number was spelt) comes from ``smflow.fmt.trivia``.

The layout, in short: four spaces per level; one blank line around each step and between the
sections of the file (header, ``use`` lines, params, retry policy, steps, ``on failure``); at
most one blank line kept between statements or params; params of a run (no blank line between
them) aligned on their ``:``/``=``; a call, list, record or quantifier on one line when it fits
in the width, else one argument per line with a trailing comma (black's "magic trailing comma"
is not honoured: the width alone decides); an ``undo`` block of one statement on the line of its
``undo`` when it fits; trailing comments aligned two spaces after the longest line of their run.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

from smflow.dsl import ast
from smflow.fmt.doc import BREAK_PARENT, HARDLINE, LINE, SOFTLINE, Doc, IfBreak, LineSuffix, cat, group, if_fits, indent
from smflow.fmt.trivia import FILE, Trivia

__all__ = ["Layout"]

# A line of a block or of the file: (a blank line before it, what it says).
_Item = tuple[bool, Doc]


_SNAKE: dict[type, str] = {}


def _snake(cls: type) -> str:
    """``BinaryOp`` → ``binary_op``: the method for a node is named after its grammar rule."""
    name = _SNAKE.get(cls)
    if name is None:
        name = _SNAKE[cls] = re.sub(r"(?<!^)([A-Z])", r"_\1", cls.__name__).lower()
    return name


class Layout:
    """The document for one parsed flow and its trivia."""

    def __init__(self, trivia: Trivia) -> None:
        self.trivia = trivia

    # ------------------------------------------------------------------------ file

    def flow(self, flow: ast.Flow) -> Doc:
        sections: list[tuple[bool, list[Any]]] = [
            (False, [flow]),
            (True, list(flow.uses)),
            (True, list(flow.params)),
            (True, [flow.retry] if flow.retry else []),
        ]
        sections += [(True, [proc]) for proc in flow.procs]
        sections += [(True, [step]) for step in flow.steps]
        sections.append((True, list(flow.outputs)))
        sections.append((True, [flow.on_failure] if flow.on_failure else []))
        items: list[_Item] = []
        for forced, nodes in sections:
            run: list[ast.Param] = []
            outputs: list[ast.Output] = []
            for i, node in enumerate(nodes):
                if isinstance(node, ast.Param):
                    run = self._param_run(nodes, i, run)
                    doc = self.param(node, run)
                elif isinstance(node, ast.Output):
                    outputs = self._output_run(nodes, i, outputs)
                    doc = self.output(node, outputs)
                else:
                    doc = self.decl(node)
                lines = self._lines(node, doc)
                if forced and i == 0 and items:
                    lines[0] = (True, lines[0][1])
                items += lines
        items += [(c.blank_before, c.text) for c in self.trivia.dangling.get(FILE, [])]
        return self._join(items, first=True)

    def decl(self, node: object) -> Doc:
        method = getattr(self, "decl_" + _snake(type(node)))
        doc: Doc = method(node)
        return doc

    def decl_flow(self, flow: ast.Flow) -> Doc:
        last = self.trivia.tokens_of(flow)[-1]
        description = str(last) if last.type == "STRING" else ""
        return cat("flow ", flow.name, " " if description else "", description)

    def decl_use(self, use: ast.Use) -> Doc:
        return cat("use ", self.trivia.source(use.path))

    def _param_run(self, nodes: Sequence[object], i: int, run: list[ast.Param]) -> list[ast.Param]:
        """The params aligned with ``nodes[i]``: its neighbours with no blank line between, all
        secret or none (a lone ``secret param`` would push every other name far right)."""
        if any(p is nodes[i] for p in run):
            return run
        run = []
        for node in nodes[i:]:
            if not isinstance(node, ast.Param) or (run and (self._blank_before(node) or node.secret != run[0].secret)):
                break
            run.append(node)
        return run

    def _param_head(self, param: ast.Param) -> str:
        return ("secret " if param.secret else "") + "param " + param.name

    def param(self, param: ast.Param, run: list[ast.Param]) -> Doc:
        head = self._param_head(param)
        if param.type is None and param.default is None:
            return head
        head = head.ljust(max(len(self._param_head(p)) for p in run))
        parts: list[Doc] = [head]
        if param.type is not None:
            parts += [" : ", self.type_ref(param.type)]
        if param.default is not None:
            parts += [" = ", self.expr(param.default)]
        return cat(*parts)

    def type_ref(self, ref: ast.TypeRef) -> str:
        return ref.name if ref.item is None else f"{ref.name}[{self.type_ref(ref.item)}]"

    def decl_retry_clause(self, retry: ast.RetryClause) -> Doc:
        parts = ["retry"]
        if retry.attempts is not None:
            parts.append(f"attempts {self.trivia.source(retry.attempts)}")
        if retry.backoff_min is not None and retry.backoff_max is not None:
            parts.append(f"backoff {ast.duration_text(retry.backoff_min)}..{ast.duration_text(retry.backoff_max)}")
        if retry.jitter:
            parts.append("jitter")
        if retry.on is not None:
            parts.append("on " + ", ".join(n.name for n in retry.on))
        return " ".join(parts)

    def decl_step(self, step: ast.Step) -> Doc:
        parts: list[Doc] = ["step ", self.trivia.text[self.trivia.offset(step.name_span.line, step.name_span.col):
                                                       self.trivia.offset(step.name_span.end_line, step.name_span.end_col)]]
        if step.timeout is not None:
            parts += [" timeout ", ast.duration_text(step.timeout)]
        if step.retry is not None:
            parts += [" ", self.decl_retry_clause(step.retry)]
        return cat(*parts, " ", self.block(step.body, ("body", id(step))))

    def _output_run(self, nodes: Sequence[object], i: int, run: list[ast.Output]) -> list[ast.Output]:
        """The outputs whose ``=`` aligns with ``nodes[i]``'s: its neighbours with no blank line between."""
        if any(o is nodes[i] for o in run):
            return run
        run = []
        for node in nodes[i:]:
            if not isinstance(node, ast.Output) or (run and self._blank_before(node)):
                break
            run.append(node)
        return run

    def output(self, node: ast.Output, run: list[ast.Output]) -> Doc:
        width = max(len(o.name) for o in run)
        return cat("output ", node.name.ljust(width), " = ", self.expr(node.value))

    def decl_step_loop(self, loop: ast.StepLoop) -> Doc:
        """``[parallel] for x in LIST [max N] { steps }``: its steps one blank line apart, as at
        the top level."""
        head: list[Doc] = ["parallel " if loop.parallel else "", "for ", loop.var, " in ", self.expr(loop.items)]
        if loop.limit is not None:
            head += [" max ", self.expr(loop.limit)]
        key = ("body", id(loop))
        items: list[_Item] = []
        for step in loop.body:
            lines = self._lines(step, self.decl(step))
            lines[0] = (bool(items), lines[0][1])
            items += lines
        items += [(c.blank_before, c.text) for c in self.trivia.dangling.get(key, [])]
        if not items and self._open_trailing(key) == "":
            return cat(*head, " {}")
        return cat(*head, " {", self._open_trailing(key), indent(self._join(items)), HARDLINE, "}")

    # ------------------------------------------------------------------------ procedures

    def decl_proc(self, proc: ast.Proc) -> Doc:
        params = [(p, self.proc_param(p)) for p in proc.params]
        key = ("body", id(proc))
        items: list[_Item] = []
        for stmt in proc.body:
            items += self._lines(stmt, self.stmt(stmt))
        line = self.trivia.returns.get(id(proc))
        if line is not None:
            items += self._lines(line, cat("return ", self.expr(line.value)))
        items += [(c.blank_before, c.text) for c in self.trivia.dangling.get(key, [])]
        opening = self._open_trailing(key)
        if items:
            items[0] = (False, items[0][1])
            body: Doc = cat("{", opening, indent(self._join(items)), HARDLINE, "}")
        else:
            body = "{}" if opening == "" else cat("{", opening, HARDLINE, "}")
        return cat("proc ", proc.name, self.bracketed("(", ")", params, ("params", id(proc))), " ", body)

    def proc_param(self, param: ast.ProcParam) -> Doc:
        parts: list[Doc] = [param.name, ": ", self.type_ref(param.type)]
        if param.default is not None:
            parts += [" = ", self.expr(param.default)]
        return cat(*parts)

    def decl_on_failure(self, node: ast.OnFailure) -> Doc:
        return cat("on failure ", self.block(node.body, ("body", id(node))))

    # ------------------------------------------------------------------------ lines and blocks

    def _blank_before(self, node: object) -> bool:
        leading = self.trivia.leading.get(id(node))
        if leading:
            return leading[0].blank_before
        return self.trivia.blank_before(self.trivia.start(node))

    def _lines(self, node: object, doc: Doc) -> list[_Item]:
        """``node``'s leading comments, then ``node`` with its trailing comment."""
        leading = self.trivia.leading.get(id(node), [])
        items: list[_Item] = [(c.blank_before, c.text) for c in leading]
        blank = not any(c.moved for c in leading) and self.trivia.blank_before(self.trivia.start(node))
        trailing = self.trivia.trailing.get(id(node))
        items.append((blank, cat(doc, LineSuffix(trailing.text)) if trailing else doc))
        return items

    def _join(self, items: list[_Item], first: bool = False) -> Doc:
        """Lines, one blank line kept where the source had one or more (none before the first)."""
        parts: list[Doc] = []
        for i, (blank, doc) in enumerate(items):
            if i or not first:
                parts.append(HARDLINE)
            if blank and i:
                parts.append(HARDLINE)
            parts.append(doc)
        return cat(*parts)

    def block(self, body: tuple[ast.Stmt, ...], key: Hashable) -> Doc:
        """``{ statements }``: one statement per line, comments kept where they were."""
        opening = self._open_trailing(key)
        dangling = self.trivia.dangling.get(key, [])
        if not body and not dangling and opening == "":
            return "{}"
        items: list[_Item] = []
        for stmt in body:
            items += self._lines(stmt, self.stmt(stmt))
        items += [(c.blank_before, c.text) for c in dangling]
        if items:
            items[0] = (False, items[0][1])
        return cat("{", opening, indent(self._join(items)), HARDLINE, "}")

    def _open_trailing(self, key: Hashable) -> Doc:
        comment = self.trivia.open_trailing.get(key)
        return LineSuffix(comment.text) if comment else ""

    # ------------------------------------------------------------------------ statements

    def stmt(self, stmt: ast.Stmt) -> Doc:
        method = getattr(self, "stmt_" + _snake(type(stmt)))
        doc: Doc = method(stmt)
        return doc

    def stmt_call_stmt(self, stmt: ast.CallStmt) -> Doc:
        return self.expr(stmt.call)

    def stmt_assign_stmt(self, stmt: ast.AssignStmt) -> Doc:
        return cat(stmt.name, " = ", self.expr(stmt.value))

    def stmt_wait_stmt(self, stmt: ast.WaitStmt) -> Doc:
        clause: list[str] = []
        if stmt.every is not None:
            clause += ["every", ast.duration_text(stmt.every)]
        if stmt.timeout is not None:
            clause += ["timeout", ast.duration_text(stmt.timeout)]
        return cat("wait until ", self._with_clause(self.expr(stmt.condition), "", " ".join(clause)))

    def _with_clause(self, head: Doc, separator: str, clause: str) -> Doc:
        """``head`` then ``clause`` (a wait's ``every``/``timeout``, an assert's message): on one
        line if they fit; else the clause on the next line when ``head`` fits on its own; else
        after the wrapped ``head``, on its last line."""
        if not clause:
            return head
        same_line = cat(head, separator, " ", clause)
        return if_fits(same_line, same_line,
                       if_fits(head, cat(head, separator, indent(HARDLINE, clause)), same_line))

    def stmt_if_stmt(self, stmt: ast.IfStmt) -> Doc:
        parts: list[Doc] = ["if ", self.expr(stmt.condition), " ", self.block(stmt.then, ("then", id(stmt)))]
        if id(stmt) in self.trivia.else_if:
            inner = stmt.orelse[0]
            parts += [" else ", self.stmt(inner)]
        elif stmt.orelse or ("else", id(stmt)) in self.trivia.dangling or ("else", id(stmt)) in self.trivia.open_trailing:
            parts += [" else ", self.block(stmt.orelse, ("else", id(stmt)))]
        return cat(*parts)

    def stmt_assert_stmt(self, stmt: ast.AssertStmt) -> Doc:
        if stmt.message is None:
            return cat("assert ", self.expr(stmt.condition))
        return cat("assert ", self._with_clause(self.expr(stmt.condition), ",", self.trivia.source(stmt.message)))

    def stmt_confirm_stmt(self, stmt: ast.ConfirmStmt) -> Doc:
        return cat("confirm ", self.trivia.source(stmt.message))

    def stmt_log_stmt(self, stmt: ast.LogStmt) -> Doc:
        return cat("log ", self.trivia.source(stmt.message))

    def stmt_undo_stmt(self, stmt: ast.UndoStmt) -> Doc:
        key = ("body", id(stmt))
        block = self.block(stmt.body, key)
        if len(stmt.body) == 1 and not isinstance(stmt.body[0], (ast.IfStmt, ast.UndoStmt)) and not block_has_comments(self.trivia, stmt.body[0], key):
            # One statement: on the line of its ``undo`` when it fits.
            return group("undo {", indent(LINE, self.stmt(stmt.body[0])), LINE, "}")
        return cat("undo ", block)

    def stmt_rollback_stmt(self, stmt: ast.RollbackStmt) -> Doc:
        return "rollback"

    def stmt_for_stmt(self, stmt: ast.ForStmt) -> Doc:
        return cat("for ", stmt.var, " in ", self.expr(stmt.items), " ", self.block(stmt.body, ("body", id(stmt))))

    # ------------------------------------------------------------------------ expressions

    def expr(self, node: ast.Expr) -> Doc:
        method = getattr(self, "expr_" + _snake(type(node)))
        doc: Doc = method(node)
        if self.trivia.parenthesized(node):
            return cat("(", doc, ")")
        return doc

    def expr_string(self, node: ast.String) -> Doc:
        return self.trivia.source(node)

    def expr_int(self, node: ast.Int) -> Doc:
        return self.trivia.source(node)

    def expr_float(self, node: ast.Float) -> Doc:
        return self.trivia.source(node)

    def expr_duration(self, node: ast.Duration) -> Doc:
        return node.text

    def expr_bool(self, node: ast.Bool) -> Doc:
        return "true" if node.value else "false"

    def expr_null(self, node: ast.Null) -> Doc:
        return "null"

    def expr_name(self, node: ast.Name) -> Doc:
        return node.name

    def expr_attribute(self, node: ast.Attribute) -> Doc:
        return cat(self.expr(node.obj), ".", node.attr)

    def expr_index(self, node: ast.Index) -> Doc:
        return cat(self.expr(node.obj), "[", self.expr(node.index), "]")

    def expr_slice(self, node: ast.Slice) -> Doc:
        start: Doc = "" if node.start is None else self.expr(node.start)
        stop: Doc = "" if node.stop is None else self.expr(node.stop)
        return cat(self.expr(node.obj), "[", start, ":", stop, "]")

    def expr_try_expr(self, node: ast.TryExpr) -> Doc:
        return cat("try ", self.expr(node.expr))

    def expr_conditional(self, node: ast.Conditional) -> Doc:
        # Breaks before ``then`` and ``else`` when too long, the branches indented.
        return group("if ", self.expr(node.condition),
                     indent(LINE, "then ", self.expr(node.then), LINE, "else ", self.expr(node.orelse)))

    def expr_list_expr(self, node: ast.ListExpr) -> Doc:
        return self.bracketed("[", "]", [(item, self.expr(item)) for item in node.items], id(node))

    def expr_record(self, node: ast.Record) -> Doc:
        entries = [(e, cat(e.key, ": ", self.expr(e.value))) for e in node.entries]
        return self.bracketed("{", "}", entries, id(node))

    def expr_call(self, node: ast.Call | ast.BuiltinCall) -> Doc:
        args = [(a, self.arg(a)) for a in node.args]
        return cat(node.name, self.bracketed("(", ")", args, ("args", id(node))))

    expr_builtin_call = expr_call

    def arg(self, arg: ast.Arg) -> Doc:
        return self.expr(arg.value) if arg.name is None else cat(arg.name, ": ", self.expr(arg.value))

    def expr_exists(self, node: ast.Exists) -> Doc:
        return cat("exists ", self.expr(node.call))

    def expr_quantifier(self, node: ast.Quantifier) -> Doc:
        # No trailing comma: the grammar has none here.
        return group(node.kind, "(", indent(SOFTLINE, self.expr(node.items), ",", LINE, node.var, " => ",
                                            self.expr(node.condition)), SOFTLINE, ")")

    def expr_binary_op(self, node: ast.BinaryOp) -> Doc:
        if node.op in ("and", "or"):
            # A chain of one operator breaks before each operator, one operand a line.
            operands = [*self._chain(node.left, node.op), node.right]
            rest = [cat(LINE, node.op, " ", self.expr(o)) for o in operands[1:]]
            return group(self.expr(operands[0]), indent(*rest))
        return cat(self.expr(node.left), " ", node.op, " ", self.expr(node.right))

    def _chain(self, node: ast.Expr, op: str) -> list[ast.Expr]:
        if isinstance(node, ast.BinaryOp) and node.op == op and not self.trivia.parenthesized(node):
            return [*self._chain(node.left, op), node.right]
        return [node]

    def expr_unary_op(self, node: ast.UnaryOp) -> Doc:
        return cat("not " if node.op == "not" else "-", self.expr(node.operand))

    def bracketed(self, opening: str, closing: str, items: list[tuple[Any, Doc]], key: Hashable) -> Doc:
        """``(a, b)`` when it fits, else one item a line with a trailing comma; comments around
        items kept (a comment forces the broken form)."""
        dangling = self.trivia.dangling.get(key, [])
        opened = self._open_trailing(key)
        if not items and not dangling:
            return opening + closing if opened == "" else cat(opening, opened, HARDLINE, closing)
        parts: list[Doc] = []
        for i, (node, doc) in enumerate(items):
            for comment in self.trivia.leading.get(id(node), []):
                parts += [comment.text, HARDLINE]
            last = i == len(items) - 1
            parts += [doc, IfBreak(",", "") if last else ","]
            trailing = self.trivia.trailing.get(id(node))
            if trailing is not None:
                parts.append(LineSuffix(trailing.text))
            if not last:
                parts.append(LINE)
        for i, comment in enumerate(dangling):
            if items or i:
                parts.append(HARDLINE)
            parts += [comment.text, BREAK_PARENT]
        return group(opening, opened, indent(SOFTLINE, *parts), SOFTLINE, closing)


def block_has_comments(trivia: Trivia, stmt: ast.Stmt, key: Hashable) -> bool:
    return (id(stmt) in trivia.leading or id(stmt) in trivia.trailing or key in trivia.dangling
            or key in trivia.open_trailing)
