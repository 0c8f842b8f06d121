"""What the cursor is in, read from the raw text: completion must work on text that does not parse.

While a call is being typed (``create_deployment(service_name: s,``) the flow never parses,
so the parser cannot say where the cursor is. A small tokenizer can: strings end on their
line, brackets nest, and the tokens just before the cursor say whether it sits after a ``.``
(an attribute of a result), after ``(`` or ``,`` of an operation call (an argument name),
after ``name:`` (a value), or anywhere else (a statement or an expression).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Accessor", "CompletionContext", "completion_context", "significant_tokens", "step_starts"]

# The grammar's STRING first; then a string left open to the end of its line.
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<comment>\#[^\n]*)
    |(?P<string>"(?:[^"\\$\n]|\\[^\n]|\$\$\{|\$\{[^}\n]*\}|\$(?!\{))*"|"[^\n]*)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>[0-9]+(?:\.[0-9]+)?[a-z]*)
    |(?P<op>=>|==|!=|<=|>=|\.\.)
    |(?P<punct>.)""",
    re.VERBOSE,
)
# Only what decides bracket depth: strings and comments (to skip them), brackets, and 'step'.
_STRUCTURE = re.compile(
    r"""(?:"(?:[^"\\$\n]|\\[^\n]|\$\$\{|\$\{[^}\n]*\}|\$(?!\{))*"|"[^\n]*)|\#[^\n]*|[()\[\]{}]|\bstep\b"""
)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}

ContextKind = Literal["none", "attribute", "argument", "value", "field", "general"]
# ("attr", name) or ("index", "") after the root of an attribute chain.
Accessor = tuple[Literal["attr", "index"], str]


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class CompletionContext:
    """Where completion is asked. ``root`` is ("name", x) or ("call", op) for an attribute chain."""

    kind: ContextKind
    prefix: str = ""
    root: tuple[Literal["name", "call"], str] | None = None
    accessors: list[Accessor] = field(default_factory=list)
    call: str | None = None
    given: set[str] = field(default_factory=set)
    argument: str | None = None
    fields: list[str] = field(default_factory=list)  # "field": the keys from the call's argument to the record


def significant_tokens(text: str) -> list[_Tok]:
    """The tokens of ``text`` that matter (no whitespace, no comments)."""
    return [_Tok(m.lastgroup or "", m.group(), m.start()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("ws", "comment")]


def _interpolation_start(line: str) -> int | None:
    """Where the expression of an open ``${`` starts, when the line ends inside one; -1 when it
    ends inside plain string text or a comment; None when outside both."""
    i, n = 0, len(line)
    in_string = False
    expr_start: int | None = None
    while i < n:
        ch = line[i]
        if expr_start is not None:
            if ch == "}":
                expr_start = None
            elif ch == '"':  # a string inside the interpolation: skip it whole
                close = line.find('"', i + 1)
                if close < 0:
                    return -1
                i = close
        elif in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
            elif line.startswith("$${", i):
                i += 2
            elif line.startswith("${", i):
                expr_start = i + 2
                i += 1
        elif ch == "#":
            return -1  # in a comment
        elif ch == '"':
            in_string = True
        i += 1
    if expr_start is not None:
        return expr_start
    return -1 if in_string else None


def step_starts(text: str) -> list[int]:
    """Offsets of the ``step`` keywords at bracket depth 0, except on the first line: where the
    top-level pieces of a flow begin (one regex pass; a keystroke pays it)."""
    starts: list[int] = []
    depth = 0
    first_line_end = text.find("\n")
    for m in _STRUCTURE.finditer(text):
        ch = text[m.start()]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        elif ch == "s" and depth == 0 and 0 <= first_line_end < m.start():
            starts.append(m.start())
    return starts


def completion_context(text: str, offset: int) -> CompletionContext:
    """The context of a cursor at ``offset`` in (line-end normalised) ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    inside = _interpolation_start(text[line_start:offset])
    if inside == -1:
        return CompletionContext("none")
    word = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", text[line_start:offset])
    prefix = word.group() if word else ""
    if inside is not None:
        before = significant_tokens(text[line_start + inside: offset - len(prefix)])
        after: list[_Tok] = []
    else:
        # from the start of the step the cursor is in: brackets never span two steps
        piece = max((s for s in step_starts(text[: offset - len(prefix)])), default=0)
        before = significant_tokens(text[piece: offset - len(prefix)])
        after = []
    if before and before[-1].text == "." and before[-1].kind == "punct":
        root, accessors = _chain(before[:-1])
        if root is None:
            return CompletionContext("none", prefix)
        return CompletionContext("attribute", prefix, root=root, accessors=accessors)
    if before and before[-1].kind == "number":
        return CompletionContext("none", prefix)
    stack = _open_stack(before)
    open_at = stack[-1] if stack else None
    last = before[-1].text if before else ""
    if open_at is not None and before[open_at].text == "(" and open_at > 0 and before[open_at - 1].kind == "name":
        callee = before[open_at - 1].text
        if last in ("(", ","):
            if inside is None:
                after = significant_tokens(_rest_of_step(text, offset))
            return CompletionContext("argument", prefix, call=callee, given=_given(before[open_at + 1:], after, prefix))
        if last == ":" and len(before) >= 3 and before[-2].kind == "name" and before[-3].text in ("(", ","):
            return CompletionContext("value", prefix, call=callee, argument=before[-2].text)
    if open_at is not None and before[open_at].text == "{" and last in ("{", ","):
        path = _record_path(before, stack)
        if path is not None:
            if inside is None:
                after = significant_tokens(_rest_of_step(text, offset))
            return CompletionContext("field", prefix, call=path[0], fields=path[1],
                                     given=_given(before[open_at + 1:], after, prefix))
    return CompletionContext("general", prefix)


_NEXT_STEP = re.compile(r'\n[ \t]*step[ \t]+"')


def _rest_of_step(text: str, offset: int) -> str:
    """The text after the cursor up to the next step (a call or record never runs past it)."""
    m = _NEXT_STEP.search(text, offset)
    return text[offset: m.start() if m else len(text)]


def _open_stack(tokens: list[_Tok]) -> list[int]:
    """Indices of the brackets still open at the end of ``tokens``, outermost first."""
    stack: list[int] = []
    for i, t in enumerate(tokens):
        if t.kind != "punct":
            continue
        if t.text in _OPEN:
            stack.append(i)
        elif t.text in _CLOSE and stack and tokens[stack[-1]].text == _CLOSE[t.text]:
            stack.pop()
        elif t.text in _CLOSE:
            stack.clear()  # unbalanced: trust only what follows
    return stack


def _record_path(tokens: list[_Tok], stack: list[int]) -> tuple[str, list[str]] | None:
    """For a cursor inside ``{...}`` written as an operation's argument: the operation and the
    keys leading to the record (``network_config: {input_endpoints: [{`` gives
    ``("create_virtual_machine_deployment", ["network_config", "input_endpoints"])``)."""
    keys: list[str] = []
    for j in reversed(stack):
        bracket = tokens[j].text
        before = tokens[j - 1].text if j > 0 else ""
        if bracket == "(":
            return (tokens[j - 1].text, keys[::-1]) if j > 0 and tokens[j - 1].kind == "name" else None
        if before == ":" and j >= 2 and tokens[j - 2].kind == "name":
            keys.append(tokens[j - 2].text)
        elif not (bracket == "{" and before in ("[", ",")):  # a record in a list: the list holds its key
            return None
    return None


def _given(inside_before: list[_Tok], after: list[_Tok], prefix: str) -> set[str]:
    """Argument names already written in the call, both sides of the cursor (depth 1 only)."""
    if prefix and after and after[0].start == 0 and after[0].kind == "name":
        after = after[1:]  # the rest of the word under the cursor
    names: set[str] = set()
    for tokens, stop_at_close in ((inside_before, False), (after, True)):
        depth = 0
        for i, t in enumerate(tokens):
            if t.kind == "punct" and t.text in _OPEN:
                depth += 1
            elif t.kind == "punct" and t.text in _CLOSE:
                if depth == 0 and stop_at_close:
                    break
                depth = max(depth - 1, 0)
            elif depth == 0 and t.kind == "name" and i + 1 < len(tokens) and tokens[i + 1].text == ":":
                names.add(t.text)
    names.discard(prefix)
    return names


def _chain(tokens: list[_Tok]) -> tuple[tuple[Literal["name", "call"], str] | None, list[Accessor]]:
    """Read ``x.a[0].b`` (or ``op(...).a``) backwards from the end of ``tokens``."""
    accessors: list[Accessor] = []
    i = len(tokens) - 1
    while i >= 0:
        t = tokens[i]
        if t.kind == "name":
            if i > 0 and tokens[i - 1].text == "." and tokens[i - 1].kind == "punct":
                accessors.append(("attr", t.text))
                i -= 2
                continue
            return ("name", t.text), accessors[::-1]
        if t.text in ("]", ")"):
            j = _matching_open(tokens, i)
            if j is None:
                return None, []
            if t.text == "]":
                accessors.append(("index", ""))
                i = j - 1
                continue
            if j > 0 and tokens[j - 1].kind == "name":
                return ("call", tokens[j - 1].text), accessors[::-1]
            return None, []
        return None, []
    return None, []


def _matching_open(tokens: list[_Tok], close: int) -> int | None:
    depth = 0
    for i in range(close, -1, -1):
        t = tokens[i]
        if t.kind != "punct":
            continue
        if t.text in _CLOSE:
            depth += 1
        elif t.text in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None
