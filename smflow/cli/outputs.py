"""Files the CLI writes on request (``run --record FILE``, ``run --outputs FILE``, ``graph -o FILE``):
never over a file that is not ours.

A mistyped path (``--record flows/blue_green.flow``, ``-o README.md``) must not destroy what
was there, so before anything runs, the target is checked: a new path, or a file smflow itself
wrote (a cassette, a diagram), may be replaced; anything else only with ``--force``. The write
itself stays atomic (``smflow.durable.atomic_write``): a crash leaves the old file or the new one.

A symlink to a file of ours is written through (the link stays a link); a dangling or looping
link, a directory or a special file is refused (with ``--force`` a link is replaced by the file).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from smflow.errors import UsageError

__all__ = ["is_our_cassette", "is_our_graph", "is_our_outputs", "writable_target"]

_SNIFF = 4096  # enough to recognise the start of a cassette or a diagram


def is_our_cassette(head: bytes) -> bool:
    """A cassette smflow wrote starts with its ``smflow:`` block (JSON-shaped or block YAML)."""
    text = head.lstrip()
    return text.startswith(b"smflow:") or (text.startswith(b"{") and text[1:].lstrip().startswith(b'"smflow":'))


def is_our_graph(head: bytes) -> bool:
    """A diagram ``smflow graph`` drew: its first two lines are always these."""
    mermaid = head.startswith(b"flowchart TD\n    ")
    dot = head.startswith(b'digraph "') and b"\n    rankdir=TB; compound=true;\n" in head
    return mermaid or dot


def is_our_outputs(head: bytes) -> bool:
    """A file ``run --outputs`` wrote: its first line is always ``smflow_run_id=<run id>``."""
    return head.startswith(b"smflow_run_id=")


def _shown(path: str) -> str:
    return path if len(path) <= 200 else f"{path[:100]}...{path[-40:]} ({len(path)} characters)"


def writable_target(path_text: str, *, flag: str, what: str, ours: Callable[[bytes], bool], force: bool) -> Path:
    """The path to write ``path_text``'s new content to, or a ``UsageError`` saying why not.

    ``what`` names the kind of file (``"cassette"``), ``flag`` the option (``"--record"``).
    """
    path = Path(path_text)
    name = _shown(path_text)
    if "\0" in path_text:
        raise UsageError(f"{flag} {name!r}: a path cannot contain a NUL character")
    try:
        link = path.lstat()
    except FileNotFoundError:
        return path  # a new file (a missing directory is made by the writer)
    except OSError as exc:
        raise UsageError(f"{flag} {name}: cannot use this path ({exc.strerror or exc})") from None
    target = path
    if stat.S_ISLNK(link.st_mode):
        if force:
            return path  # the link itself is replaced
        try:
            target = Path(os.path.realpath(path, strict=True))
        except (OSError, RuntimeError) as exc:
            reason = getattr(exc, "strerror", None) or "a dangling or looping link"
            raise UsageError(f"{flag} {name}: is a symbolic link that cannot be followed ({reason});"
                             " pass --force to replace the link") from None
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        raise UsageError(f"{flag} {name}: cannot use this path ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"{flag} {name}: is a directory, not a {what} file")
    if not stat.S_ISREG(mode):
        raise UsageError(f"{flag} {name}: is not a regular file; give the path of a {what} file")
    if force:
        return target
    try:
        with target.open("rb") as handle:
            head = handle.read(_SNIFF)
    except OSError as exc:
        raise UsageError(f"{flag} {name}: cannot read the existing file ({exc.strerror or exc});"
                         " pass --force to replace it") from None
    if head and not ours(head):  # an empty file holds nothing to lose
        raise UsageError(f"{flag} {name}: refusing to overwrite a file that is not an smflow {what};"
                         " pass --force to replace it")
    return target
