"""Following ``use "lib/common.flow"``: the files a flow uses and the procedures they declare.

Why its own module: this is the one place the language reads other flow files. The checker
stays pure (it is handed a ``Library``), and every reader of a flow (``check``, ``plan``,
``run``, ``graph``, the language server) gets the same procedures, the same errors and the
same list of files, whose text is part of the run's fingerprint so that a library edited
since a run started is noticed on ``--resume``.

Rules (the README's language reference says the same):

- A path is relative to the file that writes the ``use``; a flow read from standard input
  (or from text) resolves against the working directory.
- A used file starts with a ``flow`` header and holds only ``use`` lines and ``proc``s: a
  param, a retry policy, a step or an ``on failure`` block in it is an error naming the file.
- Procedures share one namespace: the top flow's and those of every file it uses, directly
  or not. Two with one name are an error naming both places.
- A cycle of ``use`` lines is refused with the chain; a file reached twice otherwise (a
  diamond) is read once.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smflow.boundedread import FileRefusedError, read_regular_file
from smflow.dsl import ast
from smflow.dsl.diagnostics import Diagnostic
from smflow.errors import FlowError
from smflow.source import Span

__all__ = ["MAX_LIBRARY_BYTES", "Library", "UsedFile", "resolve"]

MAX_LIBRARY_BYTES = 4 * 1024 * 1024  # a file of procedures; a flow that big is not a library

# read(path) -> text, or raises OSError / FileRefusedError / UnicodeDecodeError
Reader = Callable[[str], str]


@dataclass(frozen=True)
class UsedFile:
    """One file reached through ``use``: its path as reported (relative to the working directory
    when the top flow's is), its text, and its parsed tree."""

    path: str
    text: str
    flow: ast.Flow


@dataclass
class Library:
    """Every procedure the top flow can call, with the files they came from."""

    procs: dict[str, ast.Proc] = field(default_factory=dict)
    files: list[UsedFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def texts(self) -> list[tuple[str, str]]:
        """(path, text) of every used file, in the order they were read (for fingerprints)."""
        return [(f.path, f.text) for f in self.files]


def _read(path: str) -> str:
    return read_regular_file(Path(path), MAX_LIBRARY_BYTES).decode("utf-8")


def _base_dir(name: str) -> str:
    """Where the relative paths of a file's ``use`` lines start."""
    if name.startswith("<") or name == "-":
        return ""
    return os.path.dirname(name)


def resolve(flow: ast.Flow, read: Reader | None = None, *, base_dir: str | None = None) -> Library:
    """Follow ``flow``'s ``use`` lines (transitively) and collect every procedure.

    Problems are returned as diagnostics (never raised), each located where it is: a missing
    file or a cycle on the ``use`` line, a step in a used file on that step. ``base_dir`` is
    where the top flow's paths start when its name is not a path (the language server names
    a document by its URI).
    """
    from smflow.dsl.parser import parse_flow

    reader = read or _read
    lib = Library()
    seen_procs: dict[str, ast.Proc] = {}

    def report(message: str, span: Span, code: str) -> None:
        lib.diagnostics.append(Diagnostic("error", code, message, span))

    def add_procs(f: ast.Flow) -> None:
        for proc in f.procs:
            first = seen_procs.get(proc.name)
            if first is not None:
                report(f"proc '{proc.name}' is already defined at {first.name_span.location()}", proc.name_span,
                       "DuplicateProc")
                continue
            seen_procs[proc.name] = proc
            lib.procs[proc.name] = proc

    loaded: dict[str, str] = {}  # real path -> reported path

    def visit(f: ast.Flow, chain: list[tuple[str, str]]) -> None:
        base = base_dir if f is flow and base_dir is not None else _base_dir(f.span.source.name)
        for use in f.uses:
            if not use.path.is_plain:
                report("a use path is a plain string (no ${...})", use.path.span, "UseError")
                continue
            rel = use.path.text
            if not rel or os.path.isabs(rel):
                report(f"use needs a path relative to this file, got {rel!r}", use.path.span, "UseError")
                continue
            shown = os.path.normpath(os.path.join(base, rel))
            real = os.path.realpath(shown)
            if any(real == r for r, _ in chain):
                names = [name for _, name in chain[[r for r, _ in chain].index(real):]] + [shown]
                report(f"use cycle: {' -> '.join(names)}", use.path.span, "UseCycle")
                continue
            if real in loaded:
                continue  # reached before by another path: read once
            try:
                text = reader(shown)
            except FileNotFoundError:
                report(f"cannot use {rel!r}: there is no file {shown} (a path is relative to the file that uses it)",
                       use.path.span, "UseError")
                continue
            except (OSError, FileRefusedError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                report(f"cannot use {rel!r}: {shown}: {reason}", use.path.span, "UseError")
                continue
            loaded[real] = shown
            try:
                used = parse_flow(text, shown)
            except FlowError as err:
                report(err.message, err.span, err.code)
                continue
            lib.files.append(UsedFile(shown, used.span.source.text, used))
            _only_procs(used, shown, report)
            add_procs(used)
            visit(used, chain + [(real, shown)])

    top_name = flow.span.source.name
    add_procs(flow)
    if flow.uses:
        top_path = os.path.join(base_dir, os.path.basename(top_name)) if base_dir is not None else top_name
        visit(flow, [(os.path.realpath(top_path), top_name)])
    return lib


def _only_procs(used: ast.Flow, path: str, report: Callable[[str, Span, str], None]) -> None:
    what: list[tuple[str, Span]] = [("a param", p.span) for p in used.params]
    if used.retry is not None:
        what.append(("a retry policy", used.retry.span))
    what += [("a step", s.name_span) if isinstance(s, ast.Step) else ("a loop", s.span) for s in used.steps]
    what += [("an output", o.span) for o in used.outputs]
    if used.on_failure is not None:
        what.append(("an 'on failure' block", used.on_failure.span))
    for noun, span in what:
        report(f"{path} is used as a library: it may hold only 'use' lines and procs, not {noun}", span,
               "NotALibrary")
