"""Parse a flow a step at a time, and parse again only the steps an edit touched.

Why: lark parses a 1,000-line flow in about a hundred milliseconds, and an editor sends the
whole text on every keystroke. But a flow is a flat sequence at the top (header, params,
retry, then ``step`` after ``step``), so the text splits before each ``step`` keyword at
bracket depth 0 into pieces the grammar parses on its own. Each step piece is parsed as a flow
of its own behind a stand-in header, padded with newlines and spaces so that lark's lines
and columns are those of the real file; a piece is parsed again only when its text or its
position changed. The steps are then put back into one ``ast.Flow`` and checked as a whole:
the checker is what sees across steps.

The result is the same AST, and the same first syntax error, as ``parse_flow`` on the whole
text (``tests/lsp/test_incremental.py`` checks this on every shipped flow and on cuts of
them). Where a piece would mean something else on its own (``on failure`` followed by more
steps), the whole text is parsed instead.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from smflow.dsl import ast
from smflow.dsl.parser import parse_flow
from smflow.errors import FlowError
from smflow.lsp.context import step_starts
from smflow.lsp.positions import normalise
from smflow.source import SourceFile, Span

__all__ = ["IncrementalParser"]

_HEADER = "flow f"
_Key = tuple[int, int, str]
# A piece's syntax error, and whether it is at the end of the piece (where the next step cut it).
_Broken = tuple[FlowError, bool]


class IncrementalParser:
    """``parse_flow`` for one document that changes, keeping the pieces of its last text."""

    def __init__(self) -> None:
        self._pieces: dict[_Key, ast.Flow | _Broken] = {}
        self._by_text: dict[tuple[int, str], tuple[int, ast.Flow]] = {}  # a piece that moved up or down
        self.reused = 0  # pieces taken from the last parse, as they were
        self.moved = 0  # pieces taken from the last parse, moved to other lines

    def parse(self, text: str, name: str) -> ast.Flow:
        """Like ``parse_flow(text, name)``; raises its ``FlowError`` on a syntax error."""
        text = normalise(text)
        starts = step_starts(text)
        if not starts:
            self._pieces, self._by_text = {}, {}
            return parse_flow(text, name)
        keys: list[_Key] = [(1, 1, text[: starts[0]])]
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(text)
            line = keys[-1][0] + keys[-1][2].count("\n")
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            keys.append((line, col, text[start:end]))
        pieces: dict[_Key, ast.Flow | _Broken] = {}
        by_text: dict[tuple[int, str], tuple[int, ast.Flow]] = {}
        self.reused = self.moved = 0
        for key in keys:
            line, col, piece = key
            known = self._pieces.get(key)
            if known is not None:
                self.reused += 1
            else:
                was = self._by_text.get((col, piece))
                if was is not None and key is not keys[0]:
                    known = _moved(was[1], line - was[0])
                    self.moved += 1
                else:
                    known = _parse_piece(key, name, first=key is keys[0])
            pieces[key] = known
            if not isinstance(known, tuple):
                by_text[(col, piece)] = (line, known)
        self._pieces = pieces
        self._by_text = by_text
        flows: list[ast.Flow] = []
        for i, key in enumerate(keys):
            parsed = pieces[key]
            if isinstance(parsed, tuple):
                err, at_end = parsed
                if at_end and i + 1 < len(keys):
                    # cut short by the next step: the whole text says where it really breaks
                    return parse_flow(text, name)
                raise err
            flows.append(parsed)
        if any(f.on_failure is not None or f.outputs for f in flows[:-1]):
            return parse_flow(text, name)  # 'on failure' or an output before a step: the parser says where it breaks
        head = flows[0]  # its header, params and retry are the flow's (after a step they break that step's piece)
        steps = tuple(s for f in flows for s in f.steps)
        return dataclasses.replace(head, steps=steps, on_failure=flows[-1].on_failure, outputs=flows[-1].outputs)


def _moved(flow: ast.Flow, delta: int) -> ast.Flow:
    """``flow`` with every span ``delta`` lines further down: what parsing it there would give.

    The spans keep the source they were parsed from: the LSP reads only their positions."""
    moved: ast.Flow = _shift(flow, delta)
    return moved


def _shift(value: Any, delta: int) -> Any:
    cls = type(value)
    if cls is Span:
        return Span(value.source, value.line + delta, value.col, value.end_line + delta, value.end_col)
    if cls is tuple:
        return tuple(_shift(v, delta) for v in value)
    names = _FIELDS.get(cls)
    if names is None:
        if not dataclasses.is_dataclass(cls):
            return value
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return cls(*[_shift(getattr(value, n), delta) for n in names])


_FIELDS: dict[type, tuple[str, ...]] = {}


def _parse_piece(key: _Key, name: str, first: bool) -> ast.Flow | _Broken:
    line, col, piece = key
    if first:
        text = piece
    else:
        text = _HEADER + "\n" * (line - 1) + " " * (col - 1) + piece
    try:
        return parse_flow(text, name)
    except FlowError as err:
        end = SourceFile(name, text).end_span()
        return err, (err.span.line, err.span.col) >= (end.line, end.col)
