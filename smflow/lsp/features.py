"""What the editor shows, computed from an analysis: completion, hover, navigation, rename, symbols.

Plain functions from (analysis, position) to protocol values (``lsprotocol.types``), so they are
tested without a process and the server module only routes requests. Positions arrive in the
protocol's units and are converted once (``smflow.lsp.positions``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from pathlib import Path

from lsprotocol import types as lsp

from smflow.asm.catalogue import Argument, OperationSpec, all_operations, get_operation
from smflow.asm.types import (
    ANY,
    STRING,
    EnumType,
    ListType,
    MapType,
    ModelType,
    RecordType,
    Type,
    attribute_names,
    attribute_type,
)
from smflow.dsl import ast
from smflow.dsl.diagnostics import Diagnostic
from smflow.dsl.expressions import describe_type
from smflow.lsp.analysis import Analysis, Definition, NameIndex, Occurrence
from smflow.lsp.context import CompletionContext, completion_context
from smflow.lsp.positions import LineMap, normalise
from smflow.source import Span

__all__ = [
    "RenameError",
    "completion",
    "definition",
    "diagnostics",
    "document_symbols",
    "hover",
    "prepare_rename",
    "references",
    "rename",
]

# (signature, what it does) of each builtin, as a person reads it.
BUILTIN_DOCS: dict[str, tuple[str, str]] = {
    "file": ("file(path: string) -> string", "the text of a file, relative to the flow's directory"),
    "base64": ("base64(text: string) -> string", "base64 of the UTF-8 text (a .cscfg for create_deployment)"),
    "env": ("env(name: string, default: string) -> string", "an environment variable of the run"),
    "now": ("now() -> time", "the time the expression is evaluated (UTC), recorded: a resume or a replay gets the same one back"),
    "length": ("length(value: list | map | string) -> int", "how many items or characters"),
    "lower": ("lower(text: string) -> string", "the text in lower case"),
    "upper": ("upper(text: string) -> string", "the text in upper case"),
    "split": ("split(text: string, separator: string) -> list[string]", "the pieces of the text between separators"),
    "join": ("join(items: list[string], separator: string) -> string", "the items with the separator between them"),
    "replace": ("replace(text: string, old: string, new: string) -> string", "the text with every 'old' replaced by 'new'"),
    "trim": ("trim(text: string) -> string", "the text without leading and trailing white space"),
    "starts_with": ("starts_with(text: string, prefix: string) -> bool", "whether the text begins with the prefix"),
    "ends_with": ("ends_with(text: string, suffix: string) -> bool", "whether the text ends with the suffix"),
    "contains": ("contains(text: string, part: string) -> bool", "whether the part occurs in the text"),
    "format_time": ("format_time(time, format: string) -> string", "a time as text, strftime codes: format_time(now(), \"%Y%m%d-%H%M\")"),
    "url_host": ("url_host(url: string) -> string", "the host name of a URL (no port, no credentials)"),
    "keys": ("keys(record: record | map) -> list[string]", "the keys, in order"),
    "values": ("values(record: record | map) -> list", "the values, in key order"),
    "uuid": ("uuid() -> string", "a random UUID (version 4), recorded: a resume or a replay gets the same one back"),
    "cscfg_roles": ("cscfg_roles(config: string) -> list[string]", "the role names of a service configuration (.cscfg text)"),
    "cscfg_instances": ("cscfg_instances(config: string, role: string) -> int", "a role's instance count"),
    "cscfg_set_instances": ("cscfg_set_instances(config: string, role: string, count: int) -> string",
                            "the configuration with the role's instance count changed (nothing else)"),
    "cscfg_setting": ("cscfg_setting(config: string, role: string, name: string) -> string", "a role's setting value"),
    "cscfg_set_setting": ("cscfg_set_setting(config: string, role: string, name: string, value: string) -> string",
                          "the configuration with one setting's value changed (nothing else)"),
    "cscfg_os_family": ("cscfg_os_family(config: string) -> string", "the guest OS family (osFamily)"),
    "cscfg_set_os_family": ("cscfg_set_os_family(config: string, family: string) -> string",
                            "the configuration with osFamily changed (nothing else)"),
}
STATEMENT_KEYWORDS = ("if", "else", "wait until", "assert", "confirm", "log", "undo", "rollback", "for")
EXPRESSION_KEYWORDS = ("exists", "all", "any", "not", "and", "or", "in", "true", "false", "null", "if", "then", "else", "try")
DECLARATION_KEYWORDS = ("step", "param", "secret param", "retry", "on failure", "timeout", "every", "output", "for",
                        "parallel for", "max", "use", "proc", "return")
RESERVED_WORDS = frozenset({
    "flow", "use", "param", "secret", "retry", "attempts", "backoff", "jitter", "on", "step", "timeout",
    "if", "else", "wait", "until", "every", "assert", "confirm", "log", "undo", "rollback", "exists",
    "all", "any", "not", "and", "or", "in", "true", "false", "null", "then", "try", "for", "parallel",
})
_attribute_type = functools.cache(attribute_type)  # reads the model's type hints: once per question
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALLEE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


class RenameError(ValueError):
    """A rename that cannot be done as asked (the server answers it as an invalid request)."""


# --- positions -------------------------------------------------------------------------------


def to_range(lines: LineMap, span: Span) -> lsp.Range:
    start = lines.to_lsp(span.line, span.col)
    end = lines.to_lsp(span.end_line, span.end_col)
    return lsp.Range(lsp.Position(*start), lsp.Position(*end))


def _occurrence(analysis: Analysis, lines: LineMap, position: lsp.Position) -> Occurrence | None:
    if analysis.index is None:
        return None
    line, col = lines.from_lsp(position.line, position.character)
    return analysis.index.at(line, col)


# --- diagnostics -----------------------------------------------------------------------------


def diagnostics(analysis: Analysis, lines: LineMap) -> list[lsp.Diagnostic]:
    return [_diagnostic(d, lines) for d in analysis.diagnostics]


def _diagnostic(d: Diagnostic, lines: LineMap) -> lsp.Diagnostic:
    tags = [lsp.DiagnosticTag.Unnecessary] if d.code in ("UnusedBinding", "UnusedParam") else None
    return lsp.Diagnostic(
        range=to_range(lines, d.span),
        message=d.message,
        severity=lsp.DiagnosticSeverity.Error if d.severity == "error" else lsp.DiagnosticSeverity.Warning,
        code=d.code,
        source="smflow",
        tags=tags,
    )


# --- completion ------------------------------------------------------------------------------


def completion(text: str, position: lsp.Position, good: Analysis | None, *, snippets: bool = True) -> lsp.CompletionList:
    """Completion at ``position`` of ``text`` (the current text, which may not parse); names and
    binding types come from ``good``, the last analysis that parsed. ``snippets``: whether the
    client takes snippets (calls with placeholders for their required arguments)."""
    lines = LineMap(text)
    offset = lines.offset(position.line, position.character)
    ctx = completion_context(normalise(text), offset)
    line = position.line + 1
    items: list[lsp.CompletionItem]
    if ctx.kind == "attribute":
        items = _attribute_items(ctx, good, line)
    elif ctx.kind == "argument":
        spec = get_operation(ctx.call or "")
        items = _argument_items(spec, ctx.given) if spec is not None else _general_items(good, line, snippets)
    elif ctx.kind == "value":
        items = _value_items(ctx, good, line, snippets)
    elif ctx.kind == "field":
        items = _field_items(ctx)
    elif ctx.kind == "general":
        items = _general_items(good, line, snippets)
    else:
        items = []
    return lsp.CompletionList(is_incomplete=False, items=items)


@functools.cache
def _operation_items(snippets: bool) -> list[lsp.CompletionItem]:
    """Every operation; with snippets, the call with its required arguments to fill in."""
    items = []
    for spec in all_operations().values():
        placeholders = ", ".join(f"{a.name}: ${{{i}}}" for i, a in enumerate(spec.required, start=1))
        items.append(lsp.CompletionItem(
            label=spec.name,
            kind=lsp.CompletionItemKind.Function,
            detail=_route(spec),
            documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, _operation_markdown(spec)),
            insert_text=f"{spec.name}({placeholders})$0" if snippets else spec.name,
            insert_text_format=lsp.InsertTextFormat.Snippet if snippets else lsp.InsertTextFormat.PlainText,
            sort_text=f"2{spec.name}",
        ))
    return items


@functools.cache
def _builtin_items(snippets: bool) -> list[lsp.CompletionItem]:
    return [
        lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Function, detail=sig, documentation=doc,
                           insert_text=(f"{name}($1)$0" if name not in ("now", "uuid") else f"{name}()") if snippets else name,
                           insert_text_format=lsp.InsertTextFormat.Snippet if snippets else lsp.InsertTextFormat.PlainText,
                           sort_text=f"3{name}")
        for name, (sig, doc) in BUILTIN_DOCS.items()
    ]


@functools.cache
def _keyword_items(keywords: tuple[str, ...]) -> list[lsp.CompletionItem]:
    return [lsp.CompletionItem(label=k, kind=lsp.CompletionItemKind.Keyword, sort_text=f"4{k}") for k in keywords]


def _visible(good: Analysis | None, line: int) -> list[Definition]:
    """Params and bindings bound before ``line``, quantifier variables around it, and the names
    ``on failure`` binds inside it."""
    if good is None or good.flow is None:
        return []
    found = [d for d in good.declared if d.kind == "param" or (d.span is not None and d.span.line < line)]
    found.extend(good.variables_at(line))
    failure = good.flow.on_failure
    if failure is not None and failure.span.line <= line:
        found.extend(Definition(name, "reserved", None, None) for name in ("error", "failed_step"))
    return found


def _name_items(good: Analysis | None, line: int) -> list[lsp.CompletionItem]:
    oracle = good.oracle if good is not None else None
    items = []
    seen: set[str] = set()
    for d in _visible(good, line):
        if d.name in seen:
            continue
        seen.add(d.name)
        t = oracle.definition_type(d) if oracle is not None else ANY
        where = f", line {d.span.line}" if d.span is not None else ""
        items.append(lsp.CompletionItem(
            label=d.name, kind=lsp.CompletionItemKind.Variable, detail=f"{describe_type(t)} ({d.kind}{where})",
            sort_text=f"1{d.name}",
        ))
    return items


def _general_items(good: Analysis | None, line: int, snippets: bool) -> list[lsp.CompletionItem]:
    return (_name_items(good, line) + _operation_items(snippets) + _builtin_items(snippets)
            + _keyword_items(STATEMENT_KEYWORDS + EXPRESSION_KEYWORDS + DECLARATION_KEYWORDS))


def _argument_items(spec: OperationSpec, given: set[str]) -> list[lsp.CompletionItem]:
    items = []
    for i, a in enumerate(spec.arguments):
        if a.name in given:
            continue
        items.append(lsp.CompletionItem(
            label=a.name,
            kind=lsp.CompletionItemKind.Field,
            label_details=lsp.CompletionItemLabelDetails(detail=f": {describe_type(a.type)}"),
            detail=f"{describe_type(a.type)}{_requirement(a)}",
            documentation=a.doc or None,
            insert_text=f"{a.name}: ",
            sort_text=f"{0 if a.required else 1}{i:03d}",
        ))
    return items


def _requirement(a: Argument) -> str:
    if a.required:
        return " (required)"
    if a.default is not None:
        return f" = {_literal(a.default)}"
    return " (optional)"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _field_items(ctx: CompletionContext) -> list[lsp.CompletionItem]:
    """The fields of a record argument (``system_config: {``), required first, minus those given."""
    spec = get_operation(ctx.call or "")
    arg = spec.argument(ctx.fields[0]) if spec is not None and ctx.fields else None
    t: Type | None = arg.type if arg is not None else None
    for key in ctx.fields[1:]:
        while isinstance(t, ListType):
            t = t.item
        found = t.field(key) if isinstance(t, RecordType) else None
        t = found.type if found is not None else None
    while isinstance(t, ListType):
        t = t.item
    if not isinstance(t, RecordType):
        return []
    return [
        lsp.CompletionItem(label=f.name, kind=lsp.CompletionItemKind.Field,
                           label_details=lsp.CompletionItemLabelDetails(detail=f": {describe_type(f.type)}"),
                           detail=f"{describe_type(f.type)}{' (required)' if f.required else ''}",
                           insert_text=f"{f.name}: ", sort_text=f"{0 if f.required else 1}{i:03d}")
        for i, f in enumerate(t.fields) if f.name not in ctx.given
    ]


def _value_items(ctx: CompletionContext, good: Analysis | None, line: int, snippets: bool) -> list[lsp.CompletionItem]:
    items: list[lsp.CompletionItem] = []
    spec = get_operation(ctx.call or "")
    arg = spec.argument(ctx.argument or "") if spec is not None else None
    if arg is not None and isinstance(arg.type, EnumType):
        items.extend(lsp.CompletionItem(label=f'"{v}"', kind=lsp.CompletionItemKind.EnumMember, sort_text=f"0{v}",
                                        detail=f"{arg.name}: {describe_type(arg.type)}")
                     for v in arg.type.values)
    return items + _name_items(good, line) + _builtin_items(snippets) + _keyword_items(EXPRESSION_KEYWORDS)


def _attribute_items(ctx: CompletionContext, good: Analysis | None, line: int) -> list[lsp.CompletionItem]:
    t = _chain_type(ctx, good, line)
    return _attributes_of(t) if t is not None else []


@functools.cache
def _attributes_of(t: ModelType | RecordType) -> list[lsp.CompletionItem]:
    """The attributes of a model or record (types are frozen: each is read from its dataclass once)."""
    items = []
    for name in attribute_names(t):
        at = _attribute_type(t, name) or ANY
        detail = describe_type(at)
        if isinstance(at, ListType) and isinstance(at.item, ModelType):
            detail += "  (index it: [0].…)"
        items.append(lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Field, detail=detail,
                                        documentation=f"{t}.{name}"))
    return items


def _chain_type(ctx: CompletionContext, good: Analysis | None, line: int) -> ModelType | RecordType | None:
    assert ctx.root is not None
    kind, root = ctx.root
    t: Type | None
    if kind == "call":
        spec = get_operation(root)
        t = spec.result if spec is not None else None
    else:
        t = None
        oracle = good.oracle if good is not None else None
        if good is not None and oracle is not None:
            for d in _visible(good, line + 1):
                if d.name == root:
                    t = oracle.definition_type(d)
            if t is None:  # bound later or in another branch: still worth offering
                t = next((oracle.definition_type(d) for d in good.declared if d.name == root), None)
    for step, name in ctx.accessors:
        if t is None:
            return None
        if step == "index":
            t = t.item if isinstance(t, ListType) else STRING if isinstance(t, MapType) else None
        else:
            t = _attribute_type(t, name)
    return t if isinstance(t, (ModelType, RecordType)) else None


# --- hover -----------------------------------------------------------------------------------


def _route(spec: OperationSpec) -> str:
    return f"{spec.method} {spec.shown_path}"


def _operation_markdown(spec: OperationSpec) -> str:
    mode = "asynchronous: the step polls the request until it succeeds" if spec.asynchronous else "synchronous"
    result = f"returns `{spec.result}`" if spec.result is not None else "returns nothing"
    rows = ["| argument | type | required | default | |", "|---|---|---|---|---|"]
    for a in spec.arguments:
        default = _literal(a.default) if a.default is not None else ""
        doc = a.doc.replace("|", "\\|")
        type_text = describe_type(a.type).replace("|", "\\|")
        required = "yes" if a.required else ""
        rows.append(f"| `{a.name}` | `{type_text}` | {required} | {default} | {doc} |")
    return "\n".join([
        f"**{spec.name}**: {spec.doc}",
        "",
        f"`{_route(spec)}`",
        "",
        f"{mode}; {result}.",
        "",
        *rows,
    ])


def hover(analysis: Analysis, position: lsp.Position) -> lsp.Hover | None:
    lines = LineMap(analysis.text)
    if analysis.index is None:
        return _operation_hover_in_text(lines, position)
    occ = _occurrence(analysis, lines, position)
    if occ is None:
        return None
    if occ.call is not None:
        spec = get_operation(occ.call.name)
        if spec is None:
            return None
        text = _operation_markdown(spec)
    elif occ.definition is not None and analysis.index is not None:
        d = occ.definition
        oracle = analysis.oracle
        t = oracle.definition_type(d) if oracle is not None else ANY
        text = _name_markdown(d, t)
    else:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, text), range=to_range(lines, occ.span))


def _operation_hover_in_text(lines: LineMap, position: lsp.Position) -> lsp.Hover | None:
    """An operation's hover while the text does not parse (a call being written): the word
    under the cursor, when it names an operation and a '(' follows it."""
    text = lines.line(position.line)
    _, col = lines.from_lsp(position.line, position.character)
    for m in _CALLEE.finditer(text):
        if m.start(1) < col <= m.end(1) + 1 and get_operation(m.group(1)) is not None:
            start = lines.to_lsp(position.line + 1, m.start(1) + 1)
            end = lines.to_lsp(position.line + 1, m.end(1) + 1)
            return lsp.Hover(contents=lsp.MarkupContent(lsp.MarkupKind.Markdown, _operation_markdown(all_operations()[m.group(1)])),
                             range=lsp.Range(lsp.Position(*start), lsp.Position(*end)))
    return None


def _name_markdown(d: Definition, t: Type) -> str:
    what = {
        "param": "param", "binding": "binding", "local": "binding (local to its undo block)",
        "variable": "quantifier variable", "reserved": "bound by 'on failure'",
    }[d.kind]
    if isinstance(d.node, ast.Param) and d.node.secret:
        what = "secret param (never printed, journaled or recorded)"
    where = f", line {d.span.line}" if d.span is not None else ""
    return f"```smflow\n{d.name}: {describe_type(t)}\n```\n{what}{where}"


# --- navigation and rename -------------------------------------------------------------------


def definition(analysis: Analysis, position: lsp.Position) -> lsp.Location | None:
    lines = LineMap(analysis.text)
    occ = _occurrence(analysis, lines, position)
    if occ is not None and occ.call is not None and occ.call.name in analysis.procs:
        name_span = analysis.procs[occ.call.name].name_span  # a proc: maybe in a used file
        if name_span.source.name == analysis.name:
            return lsp.Location(uri=analysis.name, range=to_range(lines, name_span))
        uri = Path(os.path.abspath(name_span.file)).as_uri()
        return lsp.Location(uri=uri, range=to_range(LineMap(name_span.source.text), name_span))
    if occ is None or occ.definition is None or occ.definition.span is None:
        return None
    span = occ.definition.span
    return lsp.Location(uri=span.file, range=to_range(lines, span))


def references(analysis: Analysis, position: lsp.Position, include_declaration: bool) -> list[lsp.Location]:
    lines = LineMap(analysis.text)
    occ = _occurrence(analysis, lines, position)
    if occ is None or occ.definition is None:
        return []
    return [lsp.Location(uri=s.file, range=to_range(lines, s)) for s in _spans(occ.definition, include_declaration)]


def _spans(d: Definition, include_declaration: bool = True) -> list[Span]:
    spans = list(d.references)
    if include_declaration and d.span is not None:
        spans.insert(0, d.span)
    return spans


def prepare_rename(analysis: Analysis, position: lsp.Position) -> lsp.Range | None:
    lines = LineMap(analysis.text)
    occ = _occurrence(analysis, lines, position)
    if occ is None or occ.definition is None or occ.definition.span is None:
        return None
    return to_range(lines, occ.span)


def rename(analysis: Analysis, position: lsp.Position, new_name: str) -> lsp.WorkspaceEdit | None:
    """Every binding and use of the name at ``position``, and nothing else."""
    lines = LineMap(analysis.text)
    occ = _occurrence(analysis, lines, position)
    if occ is None or occ.definition is None or occ.definition.span is None or analysis.index is None:
        return None
    d = occ.definition
    _check_new_name(new_name, d, analysis.index)
    edits: dict[str, list[lsp.TextEdit]] = {}
    for span in _spans(d):
        edits.setdefault(span.file, []).append(lsp.TextEdit(range=to_range(lines, span), new_text=new_name))
    return lsp.WorkspaceEdit(changes=edits)


def _check_new_name(new_name: str, d: Definition, index: NameIndex) -> None:
    if not _IDENTIFIER.fullmatch(new_name):
        raise RenameError(f"'{new_name}' is not a name (letters, digits and '_', not starting with a digit)")
    if new_name in RESERVED_WORDS:
        raise RenameError(f"'{new_name}' is a keyword of the flow language")
    if new_name in ast.BUILTINS or get_operation(new_name) is not None or new_name in ("failed_step", "error"):
        raise RenameError(f"'{new_name}' is already the name of a builtin, an operation or a reserved name")
    if new_name == d.name:
        return
    clash = next((o for o in index.definitions if o.name == new_name), None)
    if clash is not None and clash.span is not None:
        raise RenameError(f"'{new_name}' is already bound on line {clash.span.line}")
    if new_name in index.names():  # used but never bound: renaming would capture those uses
        raise RenameError(f"'{new_name}' is already used in this flow")


# --- symbols ---------------------------------------------------------------------------------


def document_symbols(analysis: Analysis) -> list[lsp.DocumentSymbol]:
    flow = analysis.flow
    if flow is None:
        return []
    lines = LineMap(analysis.text)
    children: list[lsp.DocumentSymbol] = []
    for p in flow.params:
        detail = "secret param" if p.secret else "param"
        children.append(_symbol(lines, p.name, detail, lsp.SymbolKind.Variable, p.span, p.name_span))
    for step in ast.flat_steps(flow.steps):
        bindings = [_symbol(lines, s.name, "binding", lsp.SymbolKind.Variable, s.span, s.name_span)
                    for s in _assignments(step.body)]
        children.append(_symbol(lines, step.name, "step", lsp.SymbolKind.Function, step.span, step.name_span,
                                bindings))
    for out in flow.outputs:
        children.append(_symbol(lines, out.name, "output", lsp.SymbolKind.Property, out.span, out.name_span))
    if flow.on_failure is not None:
        f = flow.on_failure
        children.append(_symbol(lines, "on failure", "", lsp.SymbolKind.Event, f.span, f.span))
    last = lines.lines[-1] if lines.lines else ""
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(len(lines.lines) - 1, len(last.encode("utf-16-le")) // 2))
    head = to_range(lines, flow.span)
    return [lsp.DocumentSymbol(name=flow.name, detail=flow.description, kind=lsp.SymbolKind.Module, range=whole,
                               selection_range=head, children=children)]


def _assignments(body: Iterable[ast.Stmt]) -> list[ast.AssignStmt]:
    found: list[ast.AssignStmt] = []
    for s in body:
        if isinstance(s, ast.AssignStmt):
            found.append(s)
        elif isinstance(s, ast.IfStmt):
            found.extend(_assignments(s.then))
            found.extend(_assignments(s.orelse))
        elif isinstance(s, ast.ForStmt):
            found.extend(_assignments(s.body))
    return found


def _symbol(lines: LineMap, name: str, detail: str, kind: lsp.SymbolKind, span: Span, selection: Span,
            children: list[lsp.DocumentSymbol] | None = None) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(name=name or "(unnamed)", detail=detail, kind=kind, range=to_range(lines, span),
                              selection_range=to_range(lines, selection), children=children or None)
