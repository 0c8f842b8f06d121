"""A small Wadler/prettier-style document algebra and its printer: the layout engine of
``smflow fmt``, knowing nothing about flows.

Why a document algebra rather than string building: "put the call on one line if it fits, else
one argument per line" has to be decided outermost first, with what follows on the same line
counted, and re-decided for every nested call. ``Group`` says where that choice is made, the
printer makes it (prettier's algorithm, simplified), and the flow layout (``smflow.fmt.layout``)
only says what may break, so a new construct of the language is one method there.

Trailing comments are ``LineSuffix``: not counted against the width (so aligning them never
changes a wrapping decision), flushed at the next line break, and returned beside each line's
code so ``render`` can align them in a column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

__all__ = [
    "BREAK_PARENT",
    "Doc",
    "Group",
    "HARDLINE",
    "IfBreak",
    "IfFits",
    "LINE",
    "LineSuffix",
    "SOFTLINE",
    "cat",
    "group",
    "if_fits",
    "indent",
    "print_lines",
    "render",
]

INDENT = 4
_FLAT, _BREAK = 0, 1


@dataclass(frozen=True, slots=True)
class Concat:
    parts: tuple[Doc, ...]
    hard: bool


@dataclass(frozen=True, slots=True)
class Group:
    """Printed flat when it fits in the rest of the line, else broken (its lines become newlines).
    ``hard``: it holds a hard line or a trailing comment, so it can never be flat."""

    contents: Doc
    hard: bool


@dataclass(frozen=True, slots=True)
class Indent:
    contents: Doc
    hard: bool


@dataclass(frozen=True, slots=True)
class Line:
    """A possible line break: ``flat`` text when its group is flat; ``hard`` always breaks."""

    flat: str
    hard: bool


@dataclass(frozen=True, slots=True)
class IfBreak:
    """``broken`` when the enclosing group is broken, else ``flat`` (a trailing comma)."""

    broken: str
    flat: str
    hard: bool = False


@dataclass(frozen=True, slots=True)
class LineSuffix:
    """A trailing comment: printed at the end of the current line, never counted in its width;
    it forces every enclosing group to break (nothing may follow it on the line)."""

    text: str
    hard: bool = True


@dataclass(frozen=True, slots=True)
class IfFits:
    """``then`` when ``probe`` printed flat fits in the rest of the line, else ``otherwise``:
    for the few choices one group cannot express ("the condition on one line and the clause
    below it, else the clause after the wrapped condition")."""

    probe: Doc
    then: Doc
    otherwise: Doc
    hard: bool


Doc: TypeAlias = "str | Concat | Group | Indent | Line | IfBreak | LineSuffix | IfFits"

LINE = Line(" ", False)
SOFTLINE = Line("", False)
HARDLINE = Line("", True)
# Nothing to print, but its group can never be flat (after a comment on a line of its own).
BREAK_PARENT = IfBreak("", "", True)


def _hard(parts: Iterable[Doc]) -> bool:
    return any(not isinstance(p, str) and p.hard for p in parts)


def cat(*parts: Doc) -> Doc:
    """The parts one after another."""
    kept = tuple(p for p in parts if p != "")
    if len(kept) == 1:
        return kept[0]
    return Concat(kept, _hard(kept))


def if_fits(probe: Doc, then: Doc, otherwise: Doc) -> IfFits:
    return IfFits(probe, then, otherwise, _hard((then, otherwise)))


def group(*parts: Doc) -> Group:
    contents = cat(*parts)
    return Group(contents, _hard((contents,)))


def indent(*parts: Doc) -> Indent:
    """The line breaks inside start one level (4 spaces) deeper than the enclosing level."""
    contents = cat(*parts)
    return Indent(contents, _hard((contents,)))


_Cmd = tuple[int, int, "Doc"]


def _fits(next_cmd: _Cmd, rest: list[_Cmd], width: int) -> bool:
    """Whether ``next_cmd`` printed flat, and what follows it up to the next possible line break
    (in the mode already chosen for it), stays within ``width`` columns."""
    todo: list[tuple[int, Doc]] = [(next_cmd[1], next_cmd[2])]
    rest_index = len(rest) - 1
    while width >= 0:
        if not todo:
            if rest_index < 0:
                return True
            _, mode, doc = rest[rest_index]
            rest_index -= 1
            todo.append((mode, doc))
            continue
        mode, doc = todo.pop()
        if isinstance(doc, str):
            width -= len(doc)
        elif isinstance(doc, Concat):
            todo.extend((mode, p) for p in reversed(doc.parts))
        elif isinstance(doc, (Indent, Group)):
            todo.append((_BREAK if doc.hard else mode, doc.contents))
        elif isinstance(doc, Line):
            if mode == _BREAK or doc.hard:
                return True
            width -= len(doc.flat)
        elif isinstance(doc, IfBreak):
            width -= len(doc.broken if mode == _BREAK else doc.flat)
        elif isinstance(doc, IfFits):
            todo.append((mode, doc.otherwise))
        # LineSuffix: no width
    return False


def print_lines(doc: Doc, width: int) -> list[tuple[str, str | None]]:
    """Lay ``doc`` out in ``width`` columns: one ``(code, trailing comment or None)`` per line,
    code without trailing whitespace."""
    lines: list[tuple[str, str | None]] = []
    current: list[str] = []
    column = 0
    suffix: list[str] = []
    stack: list[_Cmd] = [(0, _BREAK, doc)]
    while stack:
        level, mode, d = stack.pop()
        if isinstance(d, str):
            current.append(d)
            column += len(d)
        elif isinstance(d, Concat):
            stack.extend((level, mode, p) for p in reversed(d.parts))
        elif isinstance(d, Indent):
            stack.append((level + INDENT, mode, d.contents))
        elif isinstance(d, Group):
            if mode == _FLAT and not d.hard:
                stack.append((level, _FLAT, d.contents))
            else:
                flat = not d.hard and _fits((level, _FLAT, d.contents), stack, width - column)
                stack.append((level, _FLAT if flat else _BREAK, d.contents))
        elif isinstance(d, Line):
            if mode == _FLAT and not d.hard:
                current.append(d.flat)
                column += len(d.flat)
            else:
                lines.append(("".join(current).rstrip(), "  ".join(suffix) if suffix else None))
                suffix = []
                current = [" " * level]
                column = level
        elif isinstance(d, IfBreak):
            text = d.broken if mode == _BREAK else d.flat
            current.append(text)
            column += len(text)
        elif isinstance(d, IfFits):
            fits = not _hard((d.probe,)) and _fits((level, _FLAT, d.probe), [], width - column)
            stack.append((level, mode, d.then if fits else d.otherwise))
        else:
            suffix.append(d.text)
    lines.append(("".join(current).rstrip(), "  ".join(suffix) if suffix else None))
    return lines


def render(doc: Doc, width: int) -> str:
    """``doc`` as text, with one newline at the end.

    Trailing comments of neighbouring lines (no blank line, no comment line, same indentation
    between them) are aligned two spaces after the longest code among them, as long as the
    comments then stay within ``width``; a comment that would not starts a new alignment group.
    """
    lines = print_lines(doc, width)
    out: list[str] = []
    i = 0
    while i < len(lines):
        code, comment = lines[i]
        if comment is None:
            out.append(code)
            i += 1
            continue
        depth = _depth(code)
        j = i + 1
        while j < len(lines) and lines[j][0] and _depth(lines[j][0]) == depth and not lines[j][0].lstrip().startswith("#"):
            j += 1
        # Greedy groups of the commented lines, each with its column.
        columns: dict[int, int] = {}
        members: list[int] = []
        column = 0
        for k in range(i, j):
            c, t = lines[k]
            if t is None:
                continue
            wider = max(column, len(c) + 2)
            if members and wider + max(len(x) for x in [t, *(lines[m][1] or "" for m in members)]) > width:
                columns.update(dict.fromkeys(members, column))
                members, wider = [], len(c) + 2
            members.append(k)
            column = wider
        columns.update(dict.fromkeys(members, column))
        for k in range(i, j):
            c, t = lines[k]
            out.append(c if t is None else c.ljust(columns[k]) + t)
        i = j
    return "\n".join(out).rstrip("\n") + "\n"


def _depth(code: str) -> int:
    return len(code) - len(code.lstrip(" "))
