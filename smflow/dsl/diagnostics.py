"""Diagnostics: one problem (or warning) found in a flow, with a stable code and a span.

Why a value type of its own: the checker collects every problem before raising, warnings travel
on the plan without failing anything, and ``smflow check`` prints both as text or ``--json``.
Errors become ``FlowCheckError`` (the exception tree in ``smflow.errors`` stays the only one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from smflow.errors import FlowCheckError, FlowError
from smflow.source import Span

__all__ = ["CODES", "WARNING_CODES", "Diagnostic", "Severity", "from_error"]

Severity = Literal["error", "warning"]

# Every code the checker and parser emit, with what it means (``smflow check --help`` could list
# these; tests assert each has a golden case).
CODES: dict[str, str] = {
    "SyntaxError": "the text does not parse",
    "UnknownOperation": "the callee is not an operation of the catalogue",
    "UnknownArgument": "an operation (or builtin, or record) has no such argument",
    "MissingArgument": "a required argument is not given",
    "DuplicateArgument": "an argument is given twice",
    "TypeMismatch": "a value has the wrong type (string, int, bool, duration, enum, list, record)",
    "InvalidValue": "a literal breaks an argument's constraint (length, pattern, range)",
    "UndefinedName": "a name is used but never bound",
    "ShadowedName": "a name is bound twice, or hides a param or a reserved name",
    "UnknownAttribute": "a result model or record has no such attribute",
    "DuplicateStep": "two steps have the same name",
    "EmptyStep": "a step has no statements",
    "UndoUsesLaterName": "an undo block uses a name bound after it",
    "MissingParam": "a required param has no value",
    "DurationOutOfRange": "a timeout, poll interval or backoff is out of range",
    "RollbackOutsideFailure": "rollback is used outside 'on failure'",
    "NotSupported": "a reserved construct that smflow does not support yet",
    "InvalidVar": "a --var is malformed, unknown, or does not convert to the param's type",
    "UnknownType": "a param type is not one of string, int, bool, duration, list",
    "DuplicateOutput": "two outputs have the same name (output names are case-insensitive, as in GitHub Actions)",
    "InvalidOutputName": "an output name is reserved (smflow_...) for the lines smflow writes itself",
    "SecretOutput": "an output is computed from a secret param or env_secret()",
    "UnusedBinding": "a bound name is never used (warning)",
    "WaitWithoutTimeout": "a wait has no timeout or no interval (warning)",
    "UnusedParam": "a param is never used (warning)",
    "LoopStepName": "a step inside a loop does not use the loop variable in its name",
    "MissingLimit": "a 'parallel for' has no 'max N'",
    # procedures and `use` (smflow.dsl.library, smflow.dsl.checker)
    "UseError": "a `use` path is not a plain relative path, or its file cannot be read",
    "UseCycle": "files use each other in a cycle",
    "NotALibrary": "a used file holds something other than `use` lines and procs",
    "DuplicateProc": "two procs have one name (in one file or across used files)",
    "ProcRecursion": "a proc calls itself, directly or through other procs",
}
WARNING_CODES = frozenset({"UnusedBinding", "WaitWithoutTimeout", "UnusedParam"})


@dataclass(frozen=True)
class Diagnostic:
    """One finding. ``render()`` is the text form, ``to_json()`` the ``--json`` object."""

    severity: Severity
    code: str
    message: str
    span: Span

    def render(self) -> str:
        return self.span.render(self.severity, self.code, self.message)

    def to_json(self) -> dict[str, object]:
        s = self.span
        return {
            "file": s.file,
            "line": s.line,
            "col": s.col,
            "end_line": s.end_line,
            "end_col": s.end_col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }

    def to_error(self) -> FlowCheckError:
        return FlowCheckError(self.message, self.span, self.code)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (*self.span.sort_key(), self.code)


def from_error(err: FlowError) -> Diagnostic:
    """A parse error (or any single flow error) as a diagnostic, for uniform output."""
    return Diagnostic("error", err.code, err.message, err.span)
