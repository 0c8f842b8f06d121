"""One flow text, analysed: its AST, its diagnostics, and where each name is bound and used.

Why a name index of its own: the checker answers "is this flow right?", the editor asks
"what is this name, and where else is it?". The index follows the checker's scoping rules
(``smflow.dsl.checker``): a param is visible everywhere, a binding from the statement after
it on, bindings inside ``undo`` are local to it, a quantifier variable lives in its
condition, and ``on failure`` binds ``failed_step`` and ``error``. A use the checker would
refuse (before its binding, misspelt) resolves to nothing, so rename never touches it.

Every definition carries its file's name, so that procedures imported from other files can
later join the same index without changing its users (one index per workspace, keyed by
file).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit

from smflow.dsl import ast
from smflow.dsl.checker import RESERVED_NAMES, check
from smflow.dsl.diagnostics import Diagnostic, from_error
from smflow.dsl.library import resolve
from smflow.dsl.parser import parse_flow
from smflow.errors import FlowError
from smflow.lsp.incremental import IncrementalParser
from smflow.source import SourceFile, Span

if TYPE_CHECKING:
    from smflow.lsp.types import TypeOracle

__all__ = ["Analysis", "Definition", "NameIndex", "Occurrence", "analyse"]

DefinitionKind = Literal["param", "binding", "local", "variable", "reserved"]


@dataclass(eq=False)
class Definition:
    """Where a name is bound; ``node`` is the Param, AssignStmt, Quantifier or loop that binds
    it (None for the names ``on failure`` binds)."""

    name: str
    kind: DefinitionKind
    span: Span | None
    node: ast.Param | ast.AssignStmt | ast.Quantifier | ast.ForStmt | ast.StepLoop | None
    references: list[Span] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.span.file if self.span is not None else ""


@dataclass(frozen=True)
class Occurrence:
    """Something at a position an editor may ask about: a name (a use or its binding) or
    the name of an operation call."""

    span: Span
    name: str
    definition: Definition | None = None
    call: ast.Call | None = None
    is_definition: bool = False


@dataclass
class NameIndex:
    """Definitions in source order, and every occurrence by the line it starts on."""

    definitions: list[Definition] = field(default_factory=list)
    by_line: dict[int, list[Occurrence]] = field(default_factory=dict)
    by_start: dict[tuple[int, int], Occurrence] = field(default_factory=dict)

    def add(self, occurrence: Occurrence) -> None:
        self.by_line.setdefault(occurrence.span.line, []).append(occurrence)
        self.by_start[(occurrence.span.line, occurrence.span.col)] = occurrence

    def at(self, line: int, col: int) -> Occurrence | None:
        """The occurrence covering (line, col), or ending just there (the cursor after a word)."""
        best: Occurrence | None = None
        for occ in self.by_line.get(line, ()):
            s = occ.span
            if s.col <= col < s.end_col:
                return occ
            if col == s.end_col:
                best = occ
        return best

    def definition_of(self, node: ast.Name) -> Definition | None:
        occ = self.by_start.get((node.span.line, node.span.col))
        return occ.definition if occ is not None else None

    def names(self) -> set[str]:
        """Every name bound or used in the flow (operations called included)."""
        return {occ.name for occs in self.by_line.values() for occ in occs}


@dataclass
class Analysis:
    """The outcome for one text. ``flow`` and ``index`` are None when the text does not parse.

    The index is built when first asked for: a keystroke needs only the diagnostics."""

    name: str
    text: str
    flow: ast.Flow | None
    diagnostics: list[Diagnostic]
    procs: dict[str, ast.Proc] = field(default_factory=dict)  # every proc the flow can call (go to definition)

    @functools.cached_property
    def index(self) -> NameIndex | None:
        if self.flow is None:
            return None
        try:
            return _Indexer().flow(self.flow)
        except RecursionError:
            return None

    @functools.cached_property
    def oracle(self) -> TypeOracle | None:
        """Types of names, each worked out once per analysis."""
        from smflow.lsp.types import TypeOracle  # here: it builds on this module

        return TypeOracle(self) if self.flow is not None else None

    @functools.cached_property
    def declared(self) -> list[Definition]:
        """Params and step bindings in source order, from the statements alone (no index, no
        references): what completion offers, without walking every expression of the flow."""
        if self.flow is None:
            return []
        found = [Definition(p.name, "param", p.name_span, p) for p in self.flow.params]
        steps = ast.flat_steps(self.flow.steps)
        stack: list[ast.Stmt] = [s for step in reversed(steps) for s in reversed(step.body)]
        while stack:
            s = stack.pop()
            if isinstance(s, ast.AssignStmt):
                found.append(Definition(s.name, "binding", s.name_span, s))
            elif isinstance(s, ast.ForStmt):
                stack.extend(reversed(s.body))
            elif isinstance(s, ast.IfStmt):
                stack.extend(reversed(s.orelse))
                stack.extend(reversed(s.then))
        return found

    def variables_at(self, line: int) -> list[Definition]:
        """Quantifier variables whose quantifier spans ``line`` (only its step is walked)."""
        if self.flow is None:
            return []
        blocks: list[object] = [step for step in self.flow.steps if step.span.line <= line <= step.span.end_line]
        if self.flow.on_failure is not None:
            blocks.append(self.flow.on_failure)
        return [Definition(n.var, "variable", n.var_span, n) for b in blocks for n in ast.walk(b)
                if isinstance(n, (ast.Quantifier, ast.ForStmt, ast.StepLoop)) and n.span.line <= line <= n.span.end_line]


def analyse(text: str, name: str, parser: IncrementalParser | None = None) -> Analysis:
    """Parse and check ``text``, never raising for anything the text holds. ``parser`` keeps
    the pieces of the document's last text (see ``smflow.lsp.incremental``)."""
    try:
        flow = parser.parse(text, name) if parser is not None else parse_flow(text, name)
    except FlowError as err:
        return Analysis(name, text, None, [from_error(err)])
    except RecursionError:
        span = SourceFile(name, text).span_at(1, 1)
        return Analysis(name, text, None, [Diagnostic("error", "NotSupported", "the flow is nested too deeply to parse",
                                                      span)])
    library = resolve(flow, base_dir=_document_dir(name))
    report = check(flow, library=library)
    found = [d if d.span.source.name == name else _at_use(flow, d) for d in report.errors + report.warnings]
    return Analysis(name, text, flow, sorted(found, key=Diagnostic.sort_key), dict(library.procs))


def _document_dir(name: str) -> str | None:
    """The folder of a document named by a ``file:`` URI (where its ``use`` paths start)."""
    if not name.startswith("file:"):
        return None
    return os.path.dirname(unquote(urlsplit(name).path))


def _at_use(flow: ast.Flow, d: Diagnostic) -> Diagnostic:
    """A problem inside a used file, shown on the ``use`` line that brings that file in (the
    first one, when it comes in through another used file), naming where it really is."""
    if not flow.uses:
        return d
    target = os.path.normpath(d.span.file)
    use = next((u for u in flow.uses if target.endswith(os.path.normpath(u.path.text))), flow.uses[0])
    return Diagnostic(d.severity, d.code, f"{d.span.location()}: {d.message}", use.path.span)


Scope = dict[str, Definition]


class _Indexer:
    def __init__(self) -> None:
        self.index = NameIndex()
        self.in_undo = False

    def define(self, scope: Scope, name: str, kind: DefinitionKind, span: Span,
               node: ast.Param | ast.AssignStmt | ast.Quantifier | ast.ForStmt | ast.StepLoop) -> None:
        d = Definition(name, kind, span, node)
        self.index.definitions.append(d)
        self.index.add(Occurrence(span, name, d, is_definition=True))
        # A second binding of a name is refused by the checker (ShadowedName): uses keep
        # resolving to the first.
        scope.setdefault(name, d)

    def flow(self, flow: ast.Flow) -> NameIndex:
        scope: Scope = {}
        for p in flow.params:
            if p.default is not None:
                self.expr(p.default, scope)
            self.define(scope, p.name, "param", p.name_span, p)
        for item in flow.steps:
            if isinstance(item, ast.StepLoop):  # the loop variable and the iteration's bindings: local to it
                self.expr(item.items, scope)
                if item.limit is not None:
                    self.expr(item.limit, scope)
                local = dict(scope)
                self.define(local, item.var, "variable", item.var_span, item)
                for written in item.names:
                    self.expr(written, local)
                for step in item.body:
                    self.block(step.body, local)
            else:
                self.block(item.body, scope)
        for out in flow.outputs:  # in the scope the steps end with
            self.expr(out.value, scope)
        if flow.on_failure is not None:
            inner = dict(scope)
            for name in sorted(RESERVED_NAMES):
                inner[name] = Definition(name, "reserved", None, None)
            self.block(flow.on_failure.body, inner)
        return self.index

    def block(self, body: Sequence[ast.Stmt], scope: Scope) -> None:
        for s in body:
            self.stmt(s, scope)

    def stmt(self, s: ast.Stmt, scope: Scope) -> None:
        if isinstance(s, ast.AssignStmt):
            self.expr(s.value, scope)
            self.define(scope, s.name, "local" if self.in_undo else "binding", s.name_span, s)
        elif isinstance(s, ast.UndoStmt):
            was, self.in_undo = self.in_undo, True
            try:
                self.block(s.body, dict(scope))
            finally:
                self.in_undo = was
        elif isinstance(s, ast.IfStmt):
            self.expr(s.condition, scope)
            self.block(s.then, scope)
            self.block(s.orelse, scope)
        elif isinstance(s, ast.ForStmt):
            self.expr(s.items, scope)
            local = dict(scope)
            self.define(local, s.var, "variable", s.var_span, s)
            self.block(s.body, local)
        elif isinstance(s, ast.CallStmt):
            self.expr(s.call, scope)
        elif isinstance(s, ast.WaitStmt):
            self.expr(s.condition, scope)
        elif isinstance(s, ast.AssertStmt):
            self.expr(s.condition, scope)
            if s.message is not None:
                self.expr(s.message, scope)
        elif isinstance(s, (ast.ConfirmStmt, ast.LogStmt)):
            self.expr(s.message, scope)

    def expr(self, e: object, scope: Scope) -> None:
        if isinstance(e, ast.Name):
            d = scope.get(e.name)
            if d is not None:
                d.references.append(e.span)
            self.index.add(Occurrence(e.span, e.name, d))
        elif isinstance(e, ast.Call):
            self.index.add(Occurrence(e.name_span, e.name, call=e))
            for arg in e.args:
                self.expr(arg.value, scope)
        elif isinstance(e, ast.Quantifier):
            self.expr(e.items, scope)
            inner = dict(scope)
            inner.pop(e.var, None)
            self.define(inner, e.var, "variable", e.var_span, e)
            self.expr(e.condition, inner)
        elif isinstance(e, (ast.Arg, ast.RecordEntry)):
            self.expr(e.value, scope)
        else:
            for child in ast.children(e):
                self.expr(child, scope)
