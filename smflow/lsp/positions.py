"""Between smflow's positions and the protocol's.

smflow counts lines and columns from 1, in characters (code points); the Language Server
Protocol counts from 0, in UTF-16 code units (the default position encoding, and the only
one every client supports). They differ on any character outside the Basic Multilingual
Plane, an emoji in a log message say, so every position crosses here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LineMap", "normalise"]


def normalise(text: str) -> str:
    """Line ends as the parser sees them (CRLF and lone CR become LF): the lines agree."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


@dataclass(frozen=True)
class LineMap:
    """The lines of one text, for converting positions both ways."""

    text: str
    lines: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(normalise(self.text).split("\n")))

    def line(self, line0: int) -> str:
        return self.lines[line0] if 0 <= line0 < len(self.lines) else ""

    def to_lsp(self, line1: int, col1: int) -> tuple[int, int]:
        """(1-based line, 1-based column in characters) → (0-based line, UTF-16 offset)."""
        text = self.line(line1 - 1)
        prefix = text[: max(col1 - 1, 0)]
        if prefix.isascii():
            return line1 - 1, len(prefix)
        return line1 - 1, len(prefix.encode("utf-16-le")) // 2

    def from_lsp(self, line0: int, character: int) -> tuple[int, int]:
        """(0-based line, UTF-16 offset) → (1-based line, 1-based column in characters)."""
        text = self.line(line0)
        if text.isascii():
            return line0 + 1, min(character, len(text)) + 1
        units = 0
        for i, ch in enumerate(text):
            if units >= character:
                return line0 + 1, i + 1
            units += 2 if ord(ch) > 0xFFFF else 1
        return line0 + 1, len(text) + 1

    def offset(self, line0: int, character: int) -> int:
        """The index into the normalised text of an LSP position (clamped into the text)."""
        line0 = min(max(line0, 0), len(self.lines) - 1)
        _, col1 = self.from_lsp(line0, character)
        return sum(len(x) + 1 for x in self.lines[:line0]) + col1 - 1
