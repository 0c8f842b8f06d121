"""JSON encoding of flow values for the journal, so a resumed run can rebind earlier results.

Step bindings hold strings, numbers, lists, maps and result models (dataclasses from
``smflow.asm.models``). Models are written with a type tag and rebuilt as the same class on
resume, so ``old.name`` means the same thing before and after a crash. Only classes under the
``smflow`` package are ever rebuilt: a journal is data, not code.

Secret values never reach the journal. Secret fields of result models (storage keys) are
written as ``***`` and come back as ``***`` (read them again after a resume). A string that is
a secret is written ``{"__secret__": name}``; one that holds secrets as it was built by the
flow (``"prefix-${pw}"``, ``lower(pw)``, ``base64("user:${pw}")``) is written as its parts,
``{"__text__": ["prefix-", {"__secret__": name}]}`` (a part may say ``"as": "lower"``, or
``"xml"`` for a secret set into a service configuration), or as
``{"__base64__": <the decoded text, so encoded>}``. The decoder puts back the value given for
each secret on resume (secrets are never journaled, so they must be passed again with ``--var``
or the environment), so a resumed run binds exactly what the first run bound. Whatever still
holds a secret in another form is masked by the journal's masker on the way to disk.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import importlib
import re
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
_TAG_TEXT = "__text__"
_TAG_BASE64 = "__base64__"
def _xml_attribute(quote: str) -> Any:
    """A secret as ``cscfg_set_setting`` writes it into a quoted XML attribute (smflow.dsl.cscfg)."""
    def escape(value: str) -> str:
        out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return out.replace('"', "&quot;") if quote == '"' else out.replace("'", "&apos;")

    return escape


# The forms a flow can give a secret inside a longer text, and how to make them again on resume.
_CASES = {"lower": str.lower, "upper": str.upper, "xml": _xml_attribute('"'), "xml'": _xml_attribute("'")}
_BASE64 = re.compile(r"[A-Za-z0-9+/]{8,}={0,2}")


def encode(value: Any, secrets: Mapping[str, str] | None = None) -> Any:
    """A JSON-ready form of ``value``; ``secrets`` maps secret values to their param names."""
    return _encode(value, _Finder(secrets) if secrets else None)


def _encode(value: Any, finder: _Finder | None) -> Any:
    cls: type = type(value)
    if cls is str or isinstance(value, str):
        return finder.text(value) if finder else value
    if cls in _PLAIN or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, Enum):
        return _encode(value.value, finder)
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
                fields[name] = finder.text(item) if finder else item
            elif kind in _PLAIN:
                fields[name] = item
            else:
                fields[name] = _encode(item, finder)
        return {_TAG_MODEL: tag, "fields": fields}
    if isinstance(value, Mapping):
        return {str(k): _encode(v, finder) for k, v in value.items()}
    if isinstance(value, tuple):
        return {_TAG_TUPLE: [_encode(v, finder) for v in value]}
    if isinstance(value, (list, set, frozenset)):
        return [_encode(v, finder) for v in value]
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


class _Finder:
    """Finds the secrets in a string, as written or as ``lower``/``upper`` made them (longest
    first), and writes the string as its parts (see the module docstring)."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        self.secrets = secrets
        forms: dict[str, tuple[str, str | None]] = {}
        for value, name in secrets.items():
            for case, convert in _CASES.items():
                forms.setdefault(convert(value), (name, case))
        for value, name in secrets.items():
            forms[value] = (name, None)  # as written wins over a case that happens to equal it
        self.forms = forms
        ordered = sorted((f for f in forms if f), key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(f) for f in ordered)) if ordered else None

    def text(self, value: str) -> Any:
        if value in self.secrets:
            return {_TAG_SECRET: self.secrets[value]}
        if self.pattern is None:
            return value
        parts: list[Any] = []
        position = 0
        for match in self.pattern.finditer(value):
            name, case = self.forms[match.group()]
            if match.start() > position:
                parts.append(value[position:match.start()])
            parts.append({_TAG_SECRET: name, "as": case} if case else {_TAG_SECRET: name})
            position = match.end()
        if parts:
            if position < len(value):
                parts.append(value[position:])
            return {_TAG_TEXT: parts}
        if _BASE64.fullmatch(value):
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                return value
            if base64.b64encode(decoded.encode("utf-8")).decode("ascii") == value:
                inner = self.text(decoded)
                if inner != decoded:
                    return {_TAG_BASE64: inner}
        return value


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
        return _secret(data, secrets)
    if _TAG_TEXT in data:
        return "".join(p if isinstance(p, str) else _secret(p, secrets) for p in data[_TAG_TEXT])
    if _TAG_BASE64 in data:
        return base64.b64encode(str(decode(data[_TAG_BASE64], secrets)).encode("utf-8")).decode("ascii")
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


def _secret(data: Mapping[str, Any], secrets: Mapping[str, str]) -> str:
    name = str(data[_TAG_SECRET])
    if name not in secrets:
        if name.startswith("env:"):
            raise JournalError(f"the journal refers to env_secret(\"{name[4:]}\"), which is never journaled: "
                               f"set {name[4:]} in the environment again to resume")
        raise JournalError(
            f"the journal refers to secret param '{name}', which is never journaled: "
            f"pass it again with --var {name}=... (or its environment variable) to resume"
        )
    value = secrets[name]
    case = data.get("as")
    return _CASES[case](value) if case in _CASES else value


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
