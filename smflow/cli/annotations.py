"""Diagnostics as GitHub Actions workflow commands (``smflow check --format github``), so that a
CI run shows each problem on the line of the pull request's diff.

The escaping is the runner's (``@actions/core``'s ``escapeData``/``escapeProperty``): ``%``,
CR and LF in the message; those and ``:`` and ``,`` in a property, where they would end it.
Columns are as smflow counts them (1-based; ``endColumn`` just past the span, as ruff does).
"""

from __future__ import annotations

from smflow.dsl.diagnostics import Diagnostic

__all__ = ["escape_data", "escape_property", "github_annotation"]


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(diagnostic: Diagnostic) -> str:
    """``::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`` (``::warning`` for
    a warning, even under ``--strict``: the annotation says what it is, the exit code decides)."""
    s = diagnostic.span
    properties = {
        "file": s.file,
        "line": str(s.line),
        "col": str(s.col),
        "endLine": str(s.end_line),
        "endColumn": str(s.end_col),
        "title": f"smflow {diagnostic.code}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{diagnostic.severity} {joined}::{escape_data(diagnostic.message)}"
