"""The cassette file: vcrpy's YAML plus an ``smflow:`` block, loaded fast and saved atomically.

A cassette is vcrpy's format (``version: 1`` and ``interactions``) so that plain vcrpy can read
it, with one top-level block of ours in front::

    smflow:
      format: 1
      smflow_version: 0.1.0
      recorded_at: '2026-11-26T04:30:00+00:00'
      endpoint: http://127.0.0.1:41234
      subscription_id: SUBSCRIPTION-ID
      duration: 93.2          # wall seconds the recorded run took
      complete: true          # false: the run raised; the cassette holds what happened until then
      meta: {...}             # what the executor passed (flow, vars...), scrubbed

A file without the block, or with another ``format``, is refused with ``CassetteFormatError``
rather than half-replayed.

Speed: a 10,000-interaction cassette is ~6 MB, and PyYAML needs seconds for that even with
libyaml (its nodes and constructors are Python). So smflow *writes* the YAML in JSON-compatible
flow style (JSON is a subset of YAML: vcrpy and any YAML tool still read it; one interaction
field per line, so diffs stay readable) and *reads* it with the ``json`` module first, about
a hundred times faster; a cassette that is not JSON-shaped (hand-edited into block style,
or holding a binary body as ``!!binary``) is read with libyaml's ``CSafeLoader`` where present.
PyYAML itself is imported only then (or to write such a body): loading a JSON-shaped cassette,
as every replay does, costs no YAML import.
Saving writes a temp file in the same
directory, fsyncs it, lets a check read the bytes back, and only then renames it over the
target, so a crash or a refused check never leaves a truncated or leaky cassette behind
(vcrpy's own persister writes in place).

Reading trusts nothing: the path must be a regular file of at most ``MAX_CASSETTE_BYTES`` (a FIFO
or ``/dev/urandom`` is refused, not read forever), and YAML anchors and aliases are refused (smflow
never writes them; a "billion laughs" alias bomb in ``meta.vars`` expands to gigabytes as soon as
anything walks it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from smflow import __version__
from smflow.boundedread import FileRefusedError, read_regular_file
from smflow.errors import CassetteFormatError, CassetteNotFoundError

__all__ = [
    "FORMAT",
    "MAX_CASSETTE_BYTES",
    "CassetteHeader",
    "LoadedCassette",
    "dump_cassette",
    "load_cassette",
    "parse_yaml",
    "recorded_drawn",
    "recorded_meta",
    "recorded_vars",
]

FORMAT = 1
VCR_VERSION = 1  # vcrpy's own cassette format version
MAX_CASSETTE_BYTES = 256 * 1024 * 1024  # ~400,000 interactions: far more than any release records



def _yaml() -> ModuleType:
    """PyYAML, imported when a cassette is not JSON-shaped (the ``except`` clauses naming its
    error call this only once an exception is on its way: Python evaluates them lazily)."""
    import yaml

    return yaml


def _safe_loader() -> Any:
    """libyaml's safe loader (an order of magnitude faster on big cassettes), else PyYAML's."""
    yaml = _yaml()
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def __getattr__(name: str) -> Any:
    """``_Loader``: the YAML loader cassettes are read with, resolved (PyYAML imported) on first use."""
    if name == "_Loader":
        return _safe_loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class CassetteHeader:
    """The ``smflow:`` block of a cassette."""

    endpoint: str
    subscription_id: str
    duration: float
    recorded_at: str
    complete: bool = True
    meta: Mapping[str, Any] = field(default_factory=dict)
    format: int = FORMAT
    smflow_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["meta"] = dict(self.meta)
        order = ["format", "smflow_version", "recorded_at", "endpoint", "subscription_id", "duration", "complete", "meta"]
        return {key: data[key] for key in order}


@dataclass(frozen=True)
class LoadedCassette:
    """A parsed cassette: its header and vcrpy's interaction dicts (request/response)."""

    path: Path
    header: CassetteHeader
    interactions: list[dict[str, Any]]


def parse_yaml(text: str | bytes) -> Any:
    """Parse cassette text: the json fast path when it is JSON-shaped, else (safe) YAML without
    anchors or aliases (``yaml.YAMLError`` if it has one)."""
    if text[:1] in ("{", b"{"):
        try:
            return json.loads(text)
        except ValueError:  # JSON-looking YAML (comments, single quotes...): YAML decides
            pass
        except RecursionError:
            raise _yaml().YAMLError("nested too deeply") from None
    yaml, loader = _yaml(), _safe_loader()
    try:
        for event in yaml.parse(text, Loader=loader):  # events only: cheap, and nothing expanded
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.YAMLError("it uses YAML anchors or aliases (&name / *name), which a cassette never holds")
        return yaml.load(text, Loader=loader)  # a safe loader (CSafeLoader/SafeLoader)
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def _header(path: Path, data: Any) -> CassetteHeader:
    if not isinstance(data, dict) or "interactions" not in data:
        raise CassetteFormatError(f"{path}: not a cassette (no 'interactions' list)")
    block = data.get("smflow")
    if not isinstance(block, dict):
        raise CassetteFormatError(
            f"{path}: not an smflow cassette (no 'smflow:' block); record it with"
            " 'smflow run FLOW --record CASSETTE'"
        )
    version = block.get("format")
    if version != FORMAT:
        raise CassetteFormatError(
            f"{path}: cassette format {version!r} was written by smflow {block.get('smflow_version', '?')};"
            f" this smflow {__version__} reads format {FORMAT}: re-record it with 'smflow run FLOW --record CASSETTE'"
        )
    for key, types in _HEADER_TYPES.items():
        if key in block and not isinstance(block[key], types) or key in _HEADER_REQUIRED and key not in block:
            raise CassetteFormatError(f"{path}: the 'smflow:' block needs '{key}' as {_HEADER_KINDS[key]}")
    meta = block.get("meta") or {}
    if not isinstance(meta.get("vars", {}), dict) or not isinstance(meta.get("flow", ""), str):
        raise CassetteFormatError(f"{path}: the 'smflow:' block's meta needs 'vars' as a mapping and 'flow' as a string")
    try:
        return CassetteHeader(
            endpoint=str(block["endpoint"]),
            subscription_id=str(block["subscription_id"]),
            duration=float(block["duration"]),
            recorded_at=str(block["recorded_at"]),
            complete=bool(block.get("complete", True)),
            meta=dict(block.get("meta") or {}),
            format=FORMAT,
            smflow_version=str(block.get("smflow_version", "?")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteFormatError(f"{path}: the 'smflow:' block is missing or has a bad {exc}") from None


_REQUEST_KEYS = {"method", "uri", "body", "headers"}
# The header's fields and their YAML types (bool is an int in Python: "complete: 1" is refused).
_HEADER_TYPES: dict[str, type | tuple[type, ...]] = {
    "endpoint": str, "subscription_id": str, "duration": (int, float), "recorded_at": (str, date), "complete": bool,
    "meta": (dict, type(None)), "smflow_version": (str, int, float),  # a hand edit may unquote a date or version
}
_HEADER_REQUIRED = ("endpoint", "subscription_id", "duration", "recorded_at")
_HEADER_KINDS = {"endpoint": "a string", "subscription_id": "a string", "duration": "a number of seconds",
                 "recorded_at": "a timestamp", "complete": "true or false", "meta": "a mapping",
                 "smflow_version": "a version"}


def _interaction_problem(interaction: Any) -> str | None:
    """What makes one interaction unusable (a hand edit gone wrong), or None."""
    if not isinstance(interaction, dict):
        return "not a mapping"
    request, response = interaction.get("request"), interaction.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "needs a 'request' and a 'response' mapping"
    if set(request) != _REQUEST_KEYS or not isinstance(request["method"], str) or not isinstance(request["uri"], str):
        return "the request needs exactly method, uri, body and headers"
    try:
        parts = urlsplit(request["uri"])
        _ = parts.port  # raises on a bad port
    except ValueError:
        return "the request uri is not a URL"
    if not parts.scheme or not parts.netloc:
        return "the request uri is not an absolute URL"
    if not _headers_ok(request["headers"]):
        return "the request headers must map names to strings or lists of strings"
    if not isinstance(request["body"], (str, bytes, type(None))):
        return "the request body must be a string or null"
    status, body = response.get("status"), response.get("body")
    if not isinstance(status, dict) or type(status.get("code")) is not int:
        return "the response needs a status with an integer code"
    if not isinstance(status.get("message"), str):
        return "the response status needs a 'message' string"
    if not isinstance(response.get("headers"), dict) or not isinstance(body, dict) or "string" not in body:
        return "the response needs headers and a body with a 'string'"
    if not _headers_ok(response["headers"]):
        return "the response headers must map names to strings or lists of strings"
    if not isinstance(body["string"], (str, bytes)):
        return "the response body 'string' must be a string"
    return None


def _headers_ok(headers: Any) -> bool:
    """vcrpy's shape: ``{name: [value, ...]}``, at least one value (a bare string is read as one)."""
    if not isinstance(headers, dict):
        return False
    for name, value in headers.items():
        if not isinstance(name, str):
            return False
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            return False
    return True


def load_cassette(path: Path) -> LoadedCassette:
    """Read and validate a cassette. Raises CassetteNotFoundError / CassetteFormatError."""
    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_CASSETTE_BYTES)
    except FileNotFoundError:
        raise CassetteNotFoundError(f"{path}: no such cassette; record one with 'smflow run FLOW --record {path}'") from None
    except IsADirectoryError:
        raise CassetteNotFoundError(f"{path}: is a directory, not a cassette") from None
    except FileRefusedError as exc:
        raise CassetteFormatError(f"{path}: not a cassette: {exc}") from None
    except OSError as exc:  # a link loop, no permission, an I/O error
        raise CassetteFormatError(f"{path}: cannot read the cassette ({exc.strerror or exc})") from None
    try:
        data = parse_yaml(raw)
    except _yaml().YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        why = f": {exc}" if type(exc) is _yaml().YAMLError else ""
        raise CassetteFormatError(f"{path}: not valid YAML{where}{why}") from None
    header = _header(path, data)
    interactions = data["interactions"]
    if not isinstance(interactions, list):
        raise CassetteFormatError(f"{path}: 'interactions' must be a list")
    for number, interaction in enumerate(interactions, start=1):
        problem = _interaction_problem(interaction)
        if problem:
            raise CassetteFormatError(f"{path}: interaction {number}: {problem}")
    return LoadedCassette(path, header, interactions)


def recorded_meta(path: Path) -> Mapping[str, Any]:
    """A cassette's ``meta`` (what a replay repeats); nothing for a missing cassette (the replay
    itself then says it is missing)."""
    try:
        return load_cassette(Path(path)).header.meta
    except CassetteNotFoundError:
        return {}


def recorded_vars(path: Path, meta: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The public vars a cassette was recorded with, so that a replay repeats them without
    ``--var``. Secret params are never in a cassette: they still have to be given. A missing
    cassette gives nothing here; the replay itself then says it is missing. ``meta``: the
    cassette's, when already read."""
    recorded = (recorded_meta(path) if meta is None else meta).get("vars")
    if not isinstance(recorded, dict):
        return {}
    return {str(k): str(v) for k, v in recorded.items()}


# -- now() and uuid() values (smflow.run.drawn) ----------------------------------------------------


def recorded_drawn(meta: Mapping[str, Any]) -> dict[str, dict[str, str]] | None:
    """The ``now()``/``uuid()`` values a cassette's run drew (``meta.drawn``: scope -> key -> text),
    or None for a cassette recorded before they were (its replay then cannot draw any)."""
    drawn = meta.get("drawn")
    if drawn is None:
        return None
    if not isinstance(drawn, dict) or not all(
            isinstance(keys, dict) and all(isinstance(v, str) for v in keys.values()) for keys in drawn.values()):
        raise CassetteFormatError("the 'smflow:' block's meta.drawn must map scopes to {key: text}")
    return {str(scope): {str(k): v for k, v in keys.items()} for scope, keys in drawn.items()}


def dump_cassette(header: CassetteHeader, interactions: list[dict[str, Any]]) -> str:
    """The cassette text: our block first, then vcrpy's version and interactions.

    JSON-compatible flow YAML (see the module docstring); block YAML only when a body is binary
    (bytes that are not UTF-8), which JSON cannot carry. Either way no value is folded across
    lines, since a secret split by a line break would escape a byte search.
    """
    data = {"smflow": header.to_dict(), "version": VCR_VERSION, "interactions": interactions}
    try:
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError):  # bytes (a binary body) or a non-finite float
        yaml = _yaml()

        class NoAliasDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
            """Writes a value referenced twice in full both times: a cassette never holds an alias."""

            def ignore_aliases(self, data: Any) -> bool:
                return True

        text: str = yaml.dump(data, Dumper=NoAliasDumper, sort_keys=False, allow_unicode=True, width=2**31 - 1)
        return text
