"""Dataclass methods compiled once per machine instead of once per ``smflow`` process.

Why: ``@dataclass`` writes the source of each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` (and a frozen class's ``__setattr__``/``__delattr__``) and compiles it with ``exec``
every time the class is created, that is at every start of the process. ``smflow check`` creates
87 dataclasses on its way (the AST, the catalogue's models and types), ``smflow run`` 134; that
was 92 ms of a 250 ms ``check`` and 146 ms of a replay, more than half of it in ``compile``.

How: the command line (``smflow.cli.main``, not the library: importing smflow changes nothing)
replaces ``dataclasses._create_fn`` with the same function that looks the generated source up in
a table of code objects compiled from that exact source, kept beside the grammar cache
(``$SMFLOW_CACHE_DIR``, empty for none, else ``$XDG_CACHE_HOME/smflow`` or ``~/.cache/smflow``: a
directory of the user's own, like ``__pycache__``, because it holds code). Same source, same code
object, same ``exec``: the classes are the ones ``dataclasses`` would make. New entries are added
to the file at exit (atomically; a damaged or foreign file is ignored and rewritten). Only on the
Python whose ``_create_fn`` this reproduces (3.11); anywhere else nothing is replaced.
"""

from __future__ import annotations

import atexit
import dataclasses
import marshal
import os
import sys
import types
from typing import Any

__all__ = ["cache_path", "install", "stats"]

_VERSION = (3, 11)
_FORMAT = "v1"  # changes whenever what the table holds, or how an entry is compiled, changes
# One smflow version's commands make about 900 entries; a file past this (a checkout whose classes
# changed many times) is started afresh rather than loaded at every start.
_MAX_ENTRIES = 5_000
# Files of other smflow versions not rewritten for this long are removed when this one is saved.
_STALE_SECONDS = 30 * 24 * 3600

# Source -> its code object, marshalled: unmarshalled one by one as classes need them (the whole
# table at once cost 30 ms; its bytes as bytes cost next to nothing).
_codes: dict[str, bytes] = {}
_new: dict[str, bytes] = {}
_installed: list[str] = []  # the cache file, once installed
_hits = [0]


def cache_path() -> str | None:
    """Where the compiled methods are kept, or None for nowhere (see the module docstring)."""
    base = os.environ.get("SMFLOW_CACHE_DIR")
    if base is None:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                            "smflow")
    if not base:
        return None
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
    except OSError:
        return None
    from smflow import __version__

    tag = sys.implementation.cache_tag or "unknown"
    # One file per smflow version: an upgrade starts a file of its own classes instead of adding
    # them to the old ones (which every start would load, used or not).
    return os.path.join(base, f"dataclasses-{_FORMAT}-{tag}-{sys.version_info.micro}-{__version__}.marshal")


def _load(path: str) -> dict[str, bytes]:
    try:
        with open(path, "rb") as f:
            table = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict) or len(table) > _MAX_ENTRIES:
        return {}
    return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, bytes)}


def _save() -> None:
    if not _new or not _installed:
        return
    path = _installed[0]
    table = {**_load(path), **_codes, **_new}
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            marshal.dump(table, f)
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    _remove_stale_siblings(path)


def _remove_stale_siblings(path: str) -> None:
    """Remove other versions' files that no process has rewritten for ``_STALE_SECONDS``: a version
    in use keeps its file (it is rewritten whenever it learns an entry); an uninstalled one's file
    would otherwise stay forever. A version still in use whose file goes is rebuilt on its next start."""
    import glob
    import time

    cutoff = time.time() - _STALE_SECONDS
    for other in glob.glob(os.path.join(glob.escape(os.path.dirname(path)), f"dataclasses-{_FORMAT}-*.marshal")):
        if other == path:
            continue
        try:
            if os.stat(other).st_mtime < cutoff:
                os.unlink(other)
        except OSError:
            pass


def _create_fn(name: str, args: list[str], body: list[str], *, globals: dict[str, Any] | None = None,
               locals: dict[str, Any] | None = None, return_type: Any = dataclasses.MISSING) -> Any:
    """``dataclasses._create_fn`` of Python 3.11, line for line, with ``compile`` looked up first."""
    if locals is None:
        locals = {}
    return_annotation = ""
    if return_type is not dataclasses.MISSING:
        locals["_return_type"] = return_type
        return_annotation = "->_return_type"
    joined_args = ",".join(args)
    joined_body = "\n".join(f"  {b}" for b in body)
    txt = f" def {name}({joined_args}){return_annotation}:\n{joined_body}"
    local_vars = ", ".join(locals.keys())
    txt = f"def __create_fn__({local_vars}):\n{txt}\n return {name}"
    code = _code(_codes.get(txt) or _new.get(txt))
    if code is not None:
        _hits[0] += 1
    else:
        # dont_inherit: never this module's ``from __future__ import annotations`` (dataclasses
        # has none, and it would turn the methods' annotations into strings).
        code = compile(txt, "<string>", "exec", dont_inherit=True)
        _new[txt] = marshal.dumps(code)
    ns: dict[str, Any] = {}
    exec(code, globals, ns)  # what dataclasses itself does, with the same source
    return ns["__create_fn__"](**locals)


def _code(blob: bytes | None) -> types.CodeType | None:
    """The code object of a table entry; None for no entry or one that is not a code object."""
    if blob is None:
        return None
    try:
        code = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None


def install() -> bool:
    """Replace ``dataclasses._create_fn`` (once) when this Python's is the one reproduced here and
    there is a cache directory; True if it is (now) replaced."""
    if _installed:
        return True
    if sys.version_info[:2] != _VERSION or not callable(getattr(dataclasses, "_create_fn", None)):
        return False
    path = cache_path()
    if path is None:
        return False
    _codes.update(_load(path))
    _installed.append(path)
    dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]
    atexit.register(_save)
    return True


def stats() -> tuple[int, int]:
    """(methods made from an already compiled source, methods compiled) in this process."""
    return _hits[0], len(_new)
