"""A generic AST → JSON serializer for golden files: every dataclass becomes an object with its
class name under ``"node"``; spans become ``"line:col-end_line:end_col"``. A field that
defaults to ``()`` is left out while empty, so a new construct does not touch every golden file."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from smflow.source import Span


def to_data(value: Any) -> Any:
    if isinstance(value, Span):
        return f"{value.line}:{value.col}-{value.end_line}:{value.end_col}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"node": type(value).__name__}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item == () and f.default == ():  # a construct the file does not use (e.g. no procs)
                continue
            out[f.name] = to_data(item)
        return out
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    return value


def to_json(value: Any) -> str:
    return json.dumps(to_data(value), indent=1, ensure_ascii=False) + "\n"
