"""What the AST leaves out and the formatter must keep: comments, blank lines, the brackets a user
wrote around an expression, and ``else if`` versus ``else { if ... }``.

Why a second, token-level pass: the parser drops comments (``%ignore COMMENT``) and builds the AST
straight from its reductions. Here lark's lexer runs once more over the same text with nothing
ignored (``Lark.lex(text, dont_ignore=True)``, which ``smflow.dsl.lalr.lex_all`` reproduces without
lark); the brackets found there delimit the AST's containers (the file, a block, an argument list,
a list, a record), and each comment is attached to the nearest element of the innermost container
around it:

- on the line where an element ends: that element's trailing comment;
- after an opening bracket, on its line, before any element: the bracket's trailing comment;
- between elements: a leading comment of the next one (dangling before the closing bracket when
  none follows);
- in the middle of an element (inside an expression, between ``}`` and ``else``): a leading
  comment of that element, moved above it.

Nothing is dropped: ``smflow.fmt.format_text`` checks that the comments before and after are
the same.
"""

from __future__ import annotations

import bisect
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field, replace
from typing import cast

from smflow.dsl import ast, lalr
from smflow.dsl.lalr import Token
from smflow.dsl.parser import lark_parser
from smflow.source import Span

__all__ = ["Comment", "Trivia", "collect"]

_OPEN = {"LPAR", "LSQB", "LBRACE"}
_CLOSE = {"RPAR", "RSQB", "RBRACE"}
FILE: Hashable = "file"


@dataclass(frozen=True, slots=True)
class Comment:
    """One ``# ...`` comment, trailing whitespace removed. ``blank_before``: a blank line
    separates it from what precedes it. ``moved``: it was inside its element."""

    text: str
    offset: int
    line: int
    blank_before: bool
    moved: bool = False


@dataclass(slots=True)
class _Element:
    key: int
    start: int
    end: int
    end_line: int


@dataclass(slots=True)
class _Container:
    key: Hashable
    open: int  # offset just after the opening bracket (0 for the file)
    close: int  # offset of the closing bracket (past the end for the file)
    open_line: int  # 0 for the file: nothing trails its "opening"
    elements: list[_Element]


@dataclass(frozen=True)
class ReturnLine:
    """The ``return expr`` line of a proc: the AST keeps only the expression, but a comment or a
    blank line belongs before (or after) the whole line."""

    span: Span
    value: ast.Expr


@dataclass
class Trivia:
    """The comments of one text by where they go, and what its tokens say about its AST."""

    text: str
    comments: list[Comment] = field(default_factory=list)
    leading: dict[int, list[Comment]] = field(default_factory=dict)
    trailing: dict[int, Comment] = field(default_factory=dict)
    open_trailing: dict[Hashable, Comment] = field(default_factory=dict)
    dangling: dict[Hashable, list[Comment]] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    token_at: dict[int, int] = field(default_factory=dict)
    match: dict[int, int] = field(default_factory=dict)
    call_parens: set[int] = field(default_factory=set)
    else_if: set[int] = field(default_factory=set)
    returns: dict[int, ReturnLine] = field(default_factory=dict)  # id(proc) -> its ``return`` line

    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col - 1

    def start(self, node: object) -> int:
        span = node.span  # type: ignore[attr-defined]
        return self.offset(span.line, span.col)

    def end(self, node: object) -> int:
        span = node.span  # type: ignore[attr-defined]
        return self.offset(span.end_line, span.end_col)

    def source(self, node: object) -> str:
        """The text a leaf was written as (strings keep their escapes, numbers their digits)."""
        return self.text[self.start(node) : self.end(node)]

    def blank_before(self, offset: int) -> bool:
        """Whether the whitespace just before ``offset`` holds a blank line."""
        text = self.text
        i = offset
        while i > 0 and text[i - 1] in " \t\f\n":
            i -= 1
        return text.count("\n", i, offset) >= 2

    def parenthesized(self, node: object) -> bool:
        """Whether the user wrote ``( node )`` (the brackets of a call or quantifier excluded)."""
        i = self.token_at.get(self.start(node))
        if not i or self.tokens[i - 1].type != "LPAR" or (i - 1) in self.call_parens:
            return False
        close = self.match.get(i - 1)
        return close is not None and close == bisect.bisect_left(self.starts, self.end(node))

    def tokens_of(self, node: object) -> list[Token]:
        """The tokens ``node`` was written with."""
        return self.tokens[bisect.bisect_left(self.starts, self.start(node)) : bisect.bisect_left(self.starts, self.end(node))]

    def _first(self, kind: str, offset: int) -> int:
        """Index of the first token of type ``kind`` starting at or after ``offset``."""
        i = bisect.bisect_left(self.starts, offset)
        while self.tokens[i].type != kind:
            i += 1
        return i


def collect(text: str, flow: ast.Flow) -> Trivia:
    """Comments, brackets and blank lines of ``text``, already parsed into ``flow``."""
    trivia = Trivia(text)
    trivia.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    try:
        tokens = lalr.lex_all(text)
    except lalr.MismatchError:  # not after a parse that succeeded; lark says where
        tokens = cast(list[Token], list(lark_parser().lex(text, dont_ignore=True)))
    for tok in tokens:
        if tok.type == "COMMENT":
            offset = tok.start_pos or 0
            trivia.comments.append(Comment(str(tok).rstrip(), offset, tok.line or 1, trivia.blank_before(offset)))
        elif tok.type != "WS":
            trivia.tokens.append(tok)
    trivia.starts = [t.start_pos or 0 for t in trivia.tokens]
    trivia.token_at = {s: i for i, s in enumerate(trivia.starts)}
    stack: list[int] = []
    for i, tok in enumerate(trivia.tokens):
        if tok.type in _OPEN:
            stack.append(i)
        elif tok.type in _CLOSE and stack:
            trivia.match[stack.pop()] = i
    containers = [c for node in _nodes(flow) for c in _containers(trivia, node)]
    _attach(trivia, containers)
    return trivia


def _nodes(flow: ast.Flow) -> Iterator[object]:
    """Every node, depth first, without entering strings (an interpolation is no container:
    the string is kept as written)."""
    stack: list[object] = [flow]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.String):
            stack.extend(reversed(list(ast.children(node))))


def _elements(trivia: Trivia, nodes: tuple[object, ...] | list[object]) -> list[_Element]:
    return [_Element(id(n), trivia.start(n), trivia.end(n), n.span.end_line) for n in nodes]  # type: ignore[attr-defined]


def _block(trivia: Trivia, key: Hashable, open_index: int, body: tuple[ast.Stmt, ...]) -> _Container:
    tok = trivia.tokens[open_index]
    close = trivia.tokens[trivia.match[open_index]].start_pos or 0
    return _Container(key, (tok.end_pos or 0), close, tok.line or 0, _elements(trivia, body))


def _containers(trivia: Trivia, node: object) -> Iterator[_Container]:
    if isinstance(node, ast.Flow):
        header: list[object] = [node, *node.uses, *node.params, *([node.retry] if node.retry else []),
                                *node.procs, *node.steps, *node.outputs, *([node.on_failure] if node.on_failure else [])]
        yield _Container(FILE, 0, len(trivia.text) + 1, 0, _elements(trivia, header))
    elif isinstance(node, ast.Proc):
        params = trivia.token_at[trivia.offset(node.name_span.line, node.name_span.col)] + 1
        trivia.call_parens.add(params)
        yield _block(trivia, ("params", id(node)), params, node.params)  # type: ignore[arg-type]
        body: list[object] = list(node.body)
        if node.result is not None and node.result_span is not None:
            line = trivia.returns[id(node)] = ReturnLine(node.result_span, node.result)
            body.append(line)
        yield _block(trivia, ("body", id(node)), trivia._first("LBRACE", trivia.end(node.params[-1]) if node.params
                                                               else trivia.start(node)), tuple(body))  # type: ignore[arg-type]
    elif isinstance(node, (ast.Step, ast.OnFailure, ast.UndoStmt)):
        yield _block(trivia, ("body", id(node)), trivia._first("LBRACE", trivia.start(node)), node.body)
    elif isinstance(node, ast.StepLoop):
        last = node.limit if node.limit is not None else node.items
        yield _block(trivia, ("body", id(node)), trivia._first("LBRACE", trivia.end(last)), node.body)  # type: ignore[arg-type]
    elif isinstance(node, ast.ForStmt):
        yield _block(trivia, ("body", id(node)), trivia._first("LBRACE", trivia.end(node.items)), node.body)
    elif isinstance(node, ast.IfStmt):
        then = trivia._first("LBRACE", trivia.end(node.condition))
        yield _block(trivia, ("then", id(node)), then, node.then)
        after = trivia.match[then] + 1
        if after < len(trivia.tokens) and trivia.tokens[after].type == "ELSE" and trivia.end(node) > trivia.starts[after]:
            if trivia.tokens[after + 1].type == "LBRACE":
                yield _block(trivia, ("else", id(node)), after + 1, node.orelse)
            else:
                trivia.else_if.add(id(node))
    elif isinstance(node, (ast.Call, ast.BuiltinCall)):
        open_index = trivia.token_at[trivia.offset(node.name_span.line, node.name_span.col)] + 1
        trivia.call_parens.add(open_index)
        yield _block(trivia, ("args", id(node)), open_index, node.args)  # type: ignore[arg-type]
    elif isinstance(node, ast.Quantifier):
        trivia.call_parens.add(trivia.token_at[trivia.start(node)] + 1)
    elif isinstance(node, ast.ListExpr):
        yield _block(trivia, id(node), trivia.token_at[trivia.start(node)], node.items)  # type: ignore[arg-type]
    elif isinstance(node, ast.Record):
        yield _block(trivia, id(node), trivia.token_at[trivia.start(node)], node.entries)  # type: ignore[arg-type]


def _attach(trivia: Trivia, containers: list[_Container]) -> None:
    """Give each comment its place: a sweep over the comments in source order, keeping the stack
    of containers open at that point (containers nest, so the innermost is on top)."""
    containers.sort(key=lambda c: c.open)
    stack: list[_Container] = []
    next_container = 0
    for comment in trivia.comments:
        pos = comment.offset
        while next_container < len(containers) and containers[next_container].open <= pos:
            new = containers[next_container]
            while stack and stack[-1].close <= new.open:
                stack.pop()
            stack.append(new)
            next_container += 1
        while stack[-1].close <= pos:
            stack.pop()
        _place(trivia, stack[-1], comment)


def _place(trivia: Trivia, container: _Container, comment: Comment) -> None:
    elements = container.elements
    pos = comment.offset
    i = bisect.bisect_right([e.start for e in elements], pos) - 1
    if i >= 0 and pos < elements[i].end:
        # Inside an element, in no container of its own: moved above the element.
        moved = trivia.leading.setdefault(elements[i].key, [])
        blank = not moved and trivia.blank_before(elements[i].start)
        moved.append(replace(comment, blank_before=blank, moved=True))
        return
    before = elements[i] if i >= 0 else None
    after = elements[i + 1] if i + 1 < len(elements) else None
    if before is not None and comment.line == before.end_line and before.key not in trivia.trailing:
        trivia.trailing[before.key] = comment
    elif before is None and comment.line == container.open_line and container.key not in trivia.open_trailing:
        trivia.open_trailing[container.key] = comment
    elif after is not None:
        trivia.leading.setdefault(after.key, []).append(comment)
    else:
        trivia.dangling.setdefault(container.key, []).append(comment)
