"""How the executor names things in messages: call sites, conditions, and errors with attempts.

Kept in one place so that progress lines, journal records, ``RunResult.error`` and replay drift
messages say the same thing the same way (``flows/bg.flow:23:5``, the condition as written).
"""

from __future__ import annotations

from typing import Any

from smflow.errors import SmflowError
from smflow.run.retry import attempts_of

__all__ = ["describe_error", "source_text", "where"]


def describe_error(err: SmflowError) -> str:
    """The error as the user reads it, saying how often it was tried when it was retried."""
    n = attempts_of(err)
    return f"{err} (after {n} attempts)" if n > 1 else str(err)


def where(node: Any) -> str:
    """``file:line:col`` of a node (a call, a statement), or "" when it has no span."""
    span = getattr(node, "span", None)
    if span is None:
        return ""
    return f"{span.source.name}:{span.line}:{span.col}"


def source_text(expr: Any) -> str:
    """An expression as written in the flow, whitespace collapsed (what a wait is waiting for)."""
    span = getattr(expr, "span", None)
    if span is None:
        return "the condition"
    lines = [span.source.line(n) for n in range(span.line, span.end_line + 1)]
    if len(lines) == 1:
        text = lines[0][span.col - 1: span.end_col - 1]
    else:
        text = " ".join([lines[0][span.col - 1:]] + [ln.strip() for ln in lines[1:-1]]
                        + [lines[-1][: span.end_col - 1].strip()])
    return " ".join(text.split()) or "the condition"


