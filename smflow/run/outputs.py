"""A flow's declared outputs (``output NAME = EXPR``): evaluated once the last step succeeded,
refused if they hold a secret, and rendered as ``name=value`` lines for CI.

Why here and not in the executor: outputs are not a step (no retry, no journal of their own,
no rollback when one fails): they read the scope the steps left. The checker already refused
operation calls and anything computed from a secret param or ``env_secret``; this module
catches what only the run knows: a value that the run's masker recognises (a storage key
returned by the service, a public ``--var`` holding a secret). Such an output fails the run
with a message naming the output, and no output is written.

Rendering (``--outputs FILE``, ``$GITHUB_OUTPUT``): a string as it is, anything else as JSON
(``true``, ``3``, ``["a", "b"]``, a record or a result as an object; a duration as its number
of seconds, a time as ISO 8601 text). A value holding a newline uses GitHub's multi-line form,
``name<<DELIMITER`` … ``DELIMITER``, with a random delimiter that does not occur in the value.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from smflow.dsl import ast
from smflow.errors import FlowRuntimeError
from smflow.run.secrets import Masker

__all__ = ["MARKER", "evaluate_outputs", "plain", "render_lines", "render_value"]

# The first line of a file written by ``--outputs FILE``: how smflow knows the file is its own.
MARKER = "smflow_run_id"

Evaluate = Callable[[ast.Expr], Any]


def plain(value: Any) -> Any:
    """A JSON-shaped copy of a run value: result models and records become dicts, a time its
    ISO 8601 text, a whole-number float (a duration in seconds) an int."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def render_value(value: Any) -> str:
    """How an output reads in a ``name=value`` line: strings as they are, the rest as JSON."""
    value = plain(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def evaluate_outputs(outputs: tuple[ast.Output, ...], evaluate: Evaluate, masker: Masker) -> dict[str, Any]:
    """Every declared output's value (JSON-shaped, see ``plain``), in declaration order.

    ``FlowRuntimeError`` (naming the output, pointing at its expression) when one cannot be
    evaluated, or holds a secret the run knows; its value never appears in the message."""
    values: dict[str, Any] = {}
    for out in outputs:
        try:
            value = evaluate(out.value)
        except FlowRuntimeError as err:
            raise FlowRuntimeError(f"output '{out.name}': {err.message}", err.span, err.code) from None
        if _holds_secret(value, masker):
            raise FlowRuntimeError(
                f"output '{out.name}' holds a secret value the run knows (the subscription id, a storage key, a "
                "secret param's value...); outputs are written in clear, so none was written",
                out.value.span, "SecretOutput")
        values[out.name] = plain(value)
    return values


def _holds_secret(value: Any, masker: Masker) -> bool:
    return render_value(masker.value(value)) != render_value(value)


def render_lines(values: Mapping[str, Any]) -> str:
    """``name=value`` lines (GitHub's ``name<<DELIMITER`` form for a value with a line break)."""
    out: list[str] = []
    for name, value in values.items():
        text = render_value(value)
        if "\n" in text or "\r" in text:
            delimiter = _delimiter(text)
            out.append(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
        else:
            out.append(f"{name}={text}\n")
    return "".join(out)


def _delimiter(text: str) -> str:
    while True:
        candidate = f"smflow_EOF_{secrets.token_hex(16)}"
        if candidate not in text:
            return candidate
