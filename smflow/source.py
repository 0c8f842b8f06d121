"""Source files and spans, and the one function that draws a caret under a span.

Every position smflow reports (parse errors, check diagnostics, replay drift) goes through
``Span.render`` so that all of them look the same: ``file:line:col: error[Code]: message``,
then the source line and a caret under the span. Lines and columns are 1-based.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["SourceFile", "Span"]

TAB_SIZE = 4
EXCERPT_WIDTH = 120  # columns of a source line shown under a message; longer lines are cut around the span
EXCERPT_CONTEXT = 40  # columns kept before the span when a line is cut
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class SourceFile:
    """The text of one flow file and the name it is reported under."""

    name: str
    text: str
    _lines: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lines", tuple(self.text.splitlines()) or ("",))

    def line(self, number: int) -> str:
        """The text of 1-based line ``number`` (clamped into the file)."""
        index = min(max(number, 1), len(self._lines)) - 1
        return self._lines[index]

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def end_span(self) -> Span:
        """A span at the end of input: the end of the last line, never lark's -1."""
        last = self.line_count
        col = len(self.line(last)) + 1
        return Span(self, last, col, last, col)

    def span_at(self, line: int, col: int, end_line: int | None = None, end_col: int | None = None) -> Span:
        """A span clamped into the file; a nonsense position (0, -1, past the end) becomes EOF."""
        if line < 1 or line > self.line_count or col < 1:
            return self.end_span()
        line_len = len(self.line(line))
        col = min(col, line_len + 1)
        end_line = line if end_line is None or end_line < line else min(end_line, self.line_count)
        end_col = col + 1 if end_col is None else end_col
        if end_line == line and end_col <= col:
            end_col = col + 1
        return Span(self, line, col, end_line, end_col)


@dataclass(frozen=True)
class Span:
    """A region of a source file: start inclusive, end exclusive, 1-based lines and columns."""

    source: SourceFile = field(repr=False, compare=False)
    line: int
    col: int
    end_line: int
    end_col: int

    @property
    def file(self) -> str:
        return self.source.name

    def sort_key(self) -> tuple[str, int, int]:
        return (self.source.name, self.line, self.col)

    def location(self) -> str:
        return f"{self.source.name}:{self.line}:{self.col}"

    def render(self, severity: str, code: str, message: str) -> str:
        """``file:line:col: severity[Code]: message`` + the line + a caret under the span.

        Tabs are expanded before the caret is drawn, and a span running over several lines
        is underlined to the end of its first line.
        """
        head = f"{self.location()}: {severity}[{code}]: {message}"
        raw = self.source.line(self.line)
        prefix = raw[: self.col - 1].expandtabs(TAB_SIZE)
        if self.end_line == self.line:
            body = raw[self.col - 1 : self.end_col - 1]
        else:
            body = raw[self.col - 1 :]
        width = max(len(body.expandtabs(TAB_SIZE)), 1)
        shown, start, width = _excerpt(raw.expandtabs(TAB_SIZE), len(prefix), width)
        gutter = f"{self.line:>5} | "
        blank = " " * (len(gutter) - 2) + "| "
        return f"{head}\n{gutter}{shown}\n{blank}{' ' * start}{'^' * width}"


def _excerpt(line: str, start: int, width: int) -> tuple[str, int, int]:
    """The part of a long line worth showing: a window from a little before the span, with
    ``...`` where it was cut, and the caret's start and width within it. A generated flow with
    a megabyte on one line must not print a megabyte of source (and of carets) per diagnostic."""
    line = _CONTROLS.sub("?", line)  # one column each, and no escape sequence reaches a terminal
    if len(line) <= EXCERPT_WIDTH:
        return line, start, width
    lead = max(0, min(start - EXCERPT_CONTEXT, len(line) - EXCERPT_WIDTH))
    window = line[lead : lead + EXCERPT_WIDTH]
    before = "..." if lead > 0 else ""
    after = "..." if lead + EXCERPT_WIDTH < len(line) else ""
    caret_start = start - lead
    caret_width = max(1, min(width, EXCERPT_WIDTH - caret_start))
    return f"{before}{window}{after}", len(before) + caret_start, caret_width
