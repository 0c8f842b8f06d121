"""``smflow fmt``: one canonical layout for ``.flow`` files.

``format_text`` is the whole formatter (the CLI and the language server both call it): parse,
collect what the AST leaves out (``trivia``), lay the AST out (``layout``) and print it in the
width (``doc``). Then black's two safety checks, on every call: the output parses to the same
AST (spans ignored) with the same comments, and formatting the output again changes nothing.
If either fails, ``FormatterError`` (exit 3): a bug in smflow, and nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from smflow.errors import FlowSyntaxError, FormatterError
from smflow.source import Span

__all__ = ["WIDTH", "format_text", "shape"]

# Columns a line may fill before a call, list, record or condition is wrapped.
WIDTH = 100


def shape(node: object) -> object:
    """``node`` with every span left out: two trees with equal shapes mean the same flow."""
    if isinstance(node, tuple):
        return tuple(shape(item) for item in node)
    cls = type(node)
    if cls not in _FIELDS:
        _FIELDS[cls] = None
        if dataclasses.is_dataclass(node) and not isinstance(node, Span):
            _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(node) if not f.name.endswith("span"))
    names = _FIELDS[cls]
    if names is None:
        return node
    return (cls.__name__, *(shape(getattr(node, name)) for name in names))


# Node class -> its fields other than spans; None for a plain value.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _normalized(text: str) -> str:
    """Line ends as the parser reads them (CRLF and lone CR are LF); the output uses LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _format_once(text: str, filename: str, width: int) -> tuple[str, object, Counter[str]]:
    """The formatted text, the input's AST shape and its comments."""
    from smflow.dsl.parser import parse_flow, paused_gc
    from smflow.fmt.doc import render
    from smflow.fmt.layout import Layout
    from smflow.fmt.trivia import collect

    flow = parse_flow(text, filename)
    text = _normalized(text)
    with paused_gc():
        trivia = collect(text, flow)
        out = render(Layout(trivia).flow(flow), width)
        return out, shape(flow), Counter(c.text for c in trivia.comments)


def format_text(text: str, *, filename: str = "<string>", width: int = WIDTH) -> str:
    """``text`` in the canonical layout.

    Raises ``FlowSyntaxError`` when ``text`` does not parse (reported under ``filename``), and
    ``FormatterError`` when the result fails a safety check (never expected: a bug).
    """
    out, before, comments = _format_once(text, filename, width)
    try:
        again, after, comments_after = _format_once(out, filename, width)
    except FlowSyntaxError as err:
        raise _inconsistent(filename, f"the output does not parse ({err.message} at line {err.span.line})") from None
    if after != before:
        raise _inconsistent(filename, "the output parses to a different flow")
    if comments_after != comments:
        raise _inconsistent(filename, "a comment would be lost")
    if again != out:
        raise _inconsistent(filename, "formatting the output again changes it")
    return out


def _inconsistent(filename: str, what: str) -> FormatterError:
    return FormatterError(
        f"smflow fmt: internal error: {filename}: {what}; nothing was changed. "
        "This is a bug in smflow: please report it with the file."
    )
