"""The fields a resumed run reads from each journal record, and their types.

A journal is ours, but it is a text file in the user's working directory: an editor, a merge or
a bad disk can leave a record that parses as JSON yet has a field missing or of another type.
``read_journal`` checks every record against this table first, so such a journal is refused as
a whole (``JournalError``, naming the line and the field) instead of failing half-way through
a resume with a ``KeyError``. Fields not listed are not read back, and records of other kinds
(``log``, ``step_failed``...) are informational, so both are left free.
"""

from __future__ import annotations

from typing import Any

__all__ = ["record_problem"]

_STR = (str,)
_OPT_STR = (str, type(None))
_INT = (int,)

# kind -> field -> (allowed types, required)
_FIELDS: dict[str, dict[str, tuple[tuple[type, ...], bool]]] = {
    "run": {"flow": (_STR, False), "flow_path": (_OPT_STR, False), "flow_sha256": (_OPT_STR, False),
            "vars": ((dict,), False), "secret_params": ((list,), False), "target": (_OPT_STR, False),
            "endpoint": (_OPT_STR, False)},
    "step_started": {"index": (_INT, True), "template": (_STR, False)},
    "step_done": {"index": (_INT, True), "bound": ((dict,), False), "undos": ((list,), False),
                  "template": (_STR, False)},
    "call_intent": {"key": (_STR, True), "op": (_STR, True), "at": (_STR, False)},
    "call_sent": {"key": (_STR, True), "op": (_STR, False), "request_id": (_OPT_STR, False)},
    "call_done": {"key": (_STR, True), "op": (_STR, False)},
    "bind": {"index": (_INT, True), "key": (_STR, True), "calls": ((dict,), False)},
    "rolling_back": {"index": (_INT, True)},
    "rolled_back": {"index": (_INT, True)},
    "run_done": {"status": (_STR, True)},
    "drawn": {"step": (_STR, True), "key": (_STR, True), "value": (_STR, True), "bind": (_OPT_STR, False)},
    "loop": {"key": (_STR, True), "items": ((list,), True)},
}

_NAMES = {str: "a string", int: "an integer", dict: "a mapping", list: "a list", type(None): "null"}


def record_problem(record: dict[str, Any]) -> str | None:
    """What makes ``record`` unusable for a resume, or None."""
    kind = record.get("t")
    if not isinstance(kind, str):
        return "'t' must be a string"
    for name, (types, required) in _FIELDS.get(kind, {}).items():
        if name not in record:
            if required:
                return f"a '{kind}' record needs '{name}'"
            continue
        value = record[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            wanted = " or ".join(_NAMES[t] for t in types)
            return f"'{name}' of a '{kind}' record must be {wanted}"
    if kind == "step_done":
        bound, undos = record.get("bound", {}), record.get("undos", [])
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in bound.items()):
            return "'bound' of a 'step_done' record must map names to bind keys"
        if not all(type(u) is int for u in undos):
            return "'undos' of a 'step_done' record must list integers"
    if kind == "bind" and not all(isinstance(k, str) and type(v) is int for k, v in record.get("calls", {}).items()):
        return "'calls' of a 'bind' record must map operations to counts"
    return None
