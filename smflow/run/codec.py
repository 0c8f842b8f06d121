"""JSON encoding of flow values for the journal, so a resumed run can rebind earlier results.

Step bindings hold strings, numbers, lists, maps and result models (dataclasses from
``smflow.asm.models``). Models are written with a type tag and rebuilt as the same class on
resume, so ``old.name`` means the same thing before and after a crash. Only classes under the
``smflow`` package are ever rebuilt: a journal is data, not code.

Secret values never reach the journal. Secret fields of result models (storage keys) are
written as ``***`` and come back as ``***`` (read them again after a resume). The encoder replaces them with ``{"__secret__": name}``
and the decoder puts back the value given for that secret param on resume (secret params are
never journaled, so they must be passed again with ``--var`` or the environment).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from smflow.errors import JournalError

__all__ = ["decode", "encode"]

_TAG_MODEL = "__model__"
_TAG_SECRET = "__secret__"
_TAG_DATETIME = "__datetime__"
_TAG_TUPLE = "__tuple__"


def encode(value: Any, secrets: Mapping[str, str] | None = None) -> Any:
    """A JSON-ready form of ``value``; ``secrets`` maps secret values to their param names."""
    secrets = secrets or {}
    cls: type = type(value)
    if cls is str or isinstance(value, str):
        return {_TAG_SECRET: secrets[value]} if value in secrets else value
    if cls in _PLAIN or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Enum):
        return encode(value.value, secrets)
    if isinstance(value, datetime):
        return {_TAG_DATETIME: value.isoformat()}
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    model = _model(cls)
    if model is not None:
        tag, names = model
        fields: dict[str, Any] = {}
        for name, secret in names:
            item = getattr(value, name)
            kind = type(item)
            # Most fields are plain leaves: skip the call for them (results are encoded per bind).
            if secret:
                fields[name] = "***"
            elif kind is str:
                fields[name] = {_TAG_SECRET: secrets[item]} if item in secrets else item
            elif kind in _PLAIN:
                fields[name] = item
            else:
                fields[name] = encode(item, secrets)
        return {_TAG_MODEL: tag, "fields": fields}
    if isinstance(value, Mapping):
        return {str(k): encode(v, secrets) for k, v in value.items()}
    if isinstance(value, tuple):
        return {_TAG_TUPLE: [encode(v, secrets) for v in value]}
    if isinstance(value, (list, set, frozenset)):
        return [encode(v, secrets) for v in value]
    return str(value)


_PLAIN: frozenset[type] = frozenset({int, float, bool, type(None)})  # kept as they are


@functools.cache
def _model(cls: type) -> tuple[str, tuple[tuple[str, bool], ...]] | None:
    """A dataclass's tag and its init fields as (name, secret), read once per class (every bound
    result of every run is encoded into the journal); None for any other class (a dataclass
    *class* has ``type`` as its class, so it is not taken for an instance)."""
    if not dataclasses.is_dataclass(cls):
        return None
    fields = tuple((f.name, bool(f.metadata.get("secret"))) for f in dataclasses.fields(cls) if f.init)
    return f"{cls.__module__}:{cls.__qualname__}", fields


def decode(data: Any, secrets: Mapping[str, str] | None = None) -> Any:
    """Rebuild a value written by ``encode``; ``secrets`` maps param names to their values.

    A value that cannot be rebuilt (a journal edited by hand, a bad disk) is a ``JournalError``."""
    try:
        return _decode(data, secrets)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise JournalError(f"the journal holds a value that cannot be rebuilt ({type(exc).__name__}); "
                           "the run cannot be resumed") from None


def _decode(data: Any, secrets: Mapping[str, str] | None = None) -> Any:
    secrets = secrets or {}
    if isinstance(data, list):
        return [decode(v, secrets) for v in data]
    if not isinstance(data, dict):
        return data
    if _TAG_SECRET in data:
        name = data[_TAG_SECRET]
        if name not in secrets:
            raise JournalError(
                f"the journal refers to secret param '{name}', which is never journaled: "
                f"pass it again with --var {name}=... (or its environment variable) to resume"
            )
        return secrets[name]
    if _TAG_DATETIME in data:
        return datetime.fromisoformat(data[_TAG_DATETIME])
    if _TAG_TUPLE in data:
        return tuple(decode(v, secrets) for v in data[_TAG_TUPLE])
    if _TAG_MODEL in data:
        cls = _model_class(str(data[_TAG_MODEL]))
        fields = {k: decode(v, secrets) for k, v in dict(data.get("fields", {})).items()}
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in fields.items() if k in known})
    return {k: decode(v, secrets) for k, v in data.items()}


def _model_class(tag: str) -> Any:
    module_name, _, qualname = tag.partition(":")
    if not (module_name == "smflow" or module_name.startswith("smflow.")) or not qualname:
        raise JournalError(f"the journal names a type outside smflow ({tag!r}); refusing to rebuild it")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise JournalError(f"the journal names a type this smflow does not have ({tag!r})") from exc
    if not (isinstance(obj, type) and dataclasses.is_dataclass(obj)):
        raise JournalError(f"the journal names {tag!r}, which is not a result model")
    return obj
