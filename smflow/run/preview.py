"""What a run would send, without sending anything: the engine behind ``smflow plan``.

Every operation call of every step is listed in statement order with its HTTP method, path and
body, built by the same client code a run uses (``build_request``), so the preview cannot
disagree with the run about the wire. Arguments are evaluated from the params; a value that
depends on the result of an earlier call (``old.name``) cannot be known before running and is
shown as a placeholder written like the expression, ``<old.name>``. Calls that only happen
sometimes are marked: inside an ``if`` ("conditional"), a ``wait until`` condition ("polled":
repeated until true), inside ``undo``
("on rollback"), inside ``on failure`` ("on failure"), inside a ``for`` statement ("per item").
A loop around steps whose list is known from the params is shown one iteration at a time,
each step under its expanded name (``deploy svc-a``); one whose list only a run can know is
shown once, under the step names as written, with the loop variable as a placeholder.
Secrets and the subscription id are masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from smflow.dsl import ast
from smflow.dsl.evaluate import Evaluator
from smflow.errors import ArgumentError, FlowRuntimeError
from smflow.run.flowplan import LoadedFlow
from smflow.run.secrets import Masker, masker_for

__all__ = ["PlannedCall", "planned_outputs", "planned_steps", "preview"]


@dataclass(frozen=True)
class PlannedCall:
    step_index: int  # 0 for "on failure"
    step: str
    operation: str
    method: str
    path: str  # from the subscription on: /<subscription-id>/services/...
    body: str | None
    when: str  # "always" | "conditional" | "polled" | "on rollback" | "on failure"
    effect: str
    asynchronous: bool
    line: int
    via: str = ""  # "proc NAME in FILE" for a call made inside a proc (``line`` is then in FILE), else ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class _Unknown(Exception):  # noqa: N818 - a control-flow signal, never raised to users
    """An argument needs a value only a run can produce."""


class _NothingSent:
    """The transport of a preview's client: the client only builds requests, and a request that
    somehow went out would be a bug (so an error, not a connection). It also keeps ``smflow plan``
    from importing an HTTP stack it never uses."""

    def send(self, request: Any, before_send: Any = None, *, timeout: float | None = None) -> Any:
        raise AssertionError("smflow plan sends nothing")


def preview(loaded: LoadedFlow) -> list[PlannedCall]:
    from smflow.asm.client import ServiceManagementClient

    client = ServiceManagementClient("plan", transport=_NothingSent())
    masker = masker_for(loaded.secret_values)
    out: list[PlannedCall] = []
    for index, step, name, scope in _expanded(loaded):
        for call, when, names, via in _calls(loaded, step.body, "always", scope):
            out.append(_planned(client, masker, loaded, index, name, call, when, names, via))
    if loaded.on_failure:
        for call, when, scope, via in _calls(loaded, loaded.on_failure, "on failure", dict(loaded.params)):
            out.append(_planned(client, masker, loaded, 0, "on failure", call, when, scope, via))
    return out


def planned_outputs(loaded: LoadedFlow) -> list[tuple[str, str]]:
    """Each declared output and what it will be: its value when the params alone decide it
    (rendered as ``--outputs`` writes it), else a placeholder written like the expression."""
    from smflow.run.outputs import render_value

    masker = masker_for(loaded.secret_values)
    out: list[tuple[str, str]] = []
    for output in loaded.plan.flow.outputs:
        value = _value(loaded, output.value, now_known=False)
        known = not (isinstance(value, str) and value == f"<{_source(output.value)}>")
        out.append((output.name, masker.text(render_value(value) if known else value)))
    return out


def planned_steps(loaded: LoadedFlow) -> list[tuple[int, str]]:
    """(index, name) of each step a run would run, in order: a loop's steps once per item."""
    return [(index, name) for index, _, name, _ in _expanded(loaded)]


def _expanded(loaded: LoadedFlow) -> list[tuple[int, Any, str, dict[str, Any]]]:
    """(index, step, name, scope) of each step in run order; a loop whose list is known from
    the params once per item (a parallel one in item order), else once as written."""
    out: list[tuple[int, Any, str, dict[str, Any]]] = []
    steps = loaded.steps
    position = 0
    while position < len(steps):
        step = steps[position]
        loop = step.loop
        if loop is None:
            out.append((position + 1, step, step.name, dict(loaded.params)))
            position += 1
            continue
        end = position
        while end < len(steps) and steps[end].loop is loop:
            end += 1
        items = _value(loaded, loop.items)
        if isinstance(items, list):
            for item in items:
                scope = dict(loaded.params)
                scope[loop.var] = item
                for offset, inner in enumerate(steps[position:end]):
                    name = _value(loaded, loop.names[offset], scope)
                    out.append((position + offset + 1, inner, str(name) if not str(name).startswith("<") else inner.name,
                                scope))
        else:
            for offset, inner in enumerate(steps[position:end]):
                out.append((position + offset + 1, inner, inner.name, dict(loaded.params)))
        position = end
    return out


# (call, when, the names its arguments see, "proc NAME in FILE" when inside a proc)
_Found = tuple[ast.Call, str, dict[str, Any], str]


def _calls(loaded: LoadedFlow, body: tuple[ast.Stmt, ...], when: str, base: dict[str, Any]) -> list[_Found]:
    """Operation calls in statement order, each with when it happens; a proc call is expanded
    into the calls of its body, whose arguments see the proc's params (as far as known)."""
    found: list[_Found] = []
    procs = loaded.plan.procs

    def visit(node: object, mode: str, scope: dict[str, Any], via: str) -> None:
        if isinstance(node, ast.Call):
            for arg in node.args:
                visit(arg.value, mode, scope, via)
            proc = procs.get(node.name)
            if proc is None:
                found.append((node, mode, scope, via))
                return
            inner = _proc_scope(loaded, proc, node, scope)
            where = f"proc {proc.name} in {proc.span.source.name}"
            for s in proc.body:
                visit(s, mode, inner, where)
            if proc.result is not None:
                visit(proc.result, mode, inner, where)
            return
        if isinstance(node, ast.IfStmt):
            visit(node.condition, _weaker(mode, "conditional"), scope, via)
            for s in node.then + node.orelse:
                visit(s, _weaker(mode, "conditional"), scope, via)
            return
        if isinstance(node, ast.WaitStmt):
            visit(node.condition, _weaker(mode, "polled"), scope, via)
            return
        if isinstance(node, ast.UndoStmt):
            for s in node.body:
                visit(s, "on rollback" if mode != "on failure" else mode, scope, via)
            return
        if isinstance(node, ast.ForStmt):  # the loop variable is known when the run gets there
            visit(node.items, mode, scope, via)
            for s in node.body:
                visit(s, _weaker(mode, "per item"), scope, via)
            return
        for child in ast.children(node):
            visit(child, mode, scope, via)

    for stmt in body:
        visit(stmt, when, dict(base), "")
    return found


def _proc_scope(loaded: LoadedFlow, proc: ast.Proc, call: ast.Call, scope: dict[str, Any]) -> dict[str, Any]:
    """A proc's params as a call gives them: values known before the run, else placeholders."""
    given: dict[str, ast.Expr] = {}
    for i, arg in enumerate(call.args):
        if arg.name is not None:
            given[arg.name] = arg.value
        elif i < len(proc.params):
            given[proc.params[i].name] = arg.value
    inner: dict[str, Any] = {}
    for param in proc.params:
        expr = given.get(param.name, param.default)
        if expr is not None:
            inner[param.name] = _value(loaded, expr, scope)
    return inner


def _weaker(mode: str, new: str) -> str:
    return mode if mode != "always" else new


def _planned(client: Any, masker: Masker, loaded: LoadedFlow, index: int, step: str, call: ast.Call,
             when: str, scope: dict[str, Any], via: str) -> PlannedCall:
    spec = loaded.plan.operations.get(call.name)
    args: dict[str, Any] = {}
    for arg in call.args:
        if arg.name is not None:
            args[arg.name] = _value(loaded, arg.value, scope)
    method, path, body = _request(client, call.name, args, spec)
    for value in args.values():
        if isinstance(value, str) and value.startswith("<") and body:
            body = body.replace(value.replace("<", "&lt;").replace(">", "&gt;"), value)
    return PlannedCall(index, step, call.name, method, masker.text(path), masker.text(body) if body else None, when,
                       spec.effect if spec else "?", bool(spec and spec.asynchronous), call.span.line, via)


def _value(loaded: LoadedFlow, expr: ast.Expr, scope: dict[str, Any] | None = None, now_known: bool = True) -> Any:
    def no_calls(node: ast.Call, args: dict[str, Any]) -> Any:
        raise _Unknown()

    def now() -> datetime:
        if not now_known:  # an output's now() is the end of the run, not the time of the plan
            raise _Unknown()
        return datetime.now(UTC)

    scope = dict(loaded.params) if scope is None else dict(scope)
    try:
        return Evaluator(scope, no_calls, loaded.plan.base_dir, now, new_uuid=_no_uuid).evaluate(expr)
    except (_Unknown, FlowRuntimeError):
        return f"<{_source(expr)}>"


def _no_uuid() -> str:
    raise _Unknown()  # drawn when the run gets there: the plan shows the expression


def _source(expr: ast.Expr) -> str:
    span = expr.span
    if span.line != span.end_line:
        return " ".join(span.source.line(span.line)[span.col - 1:].split()) + " ..."
    return span.source.line(span.line)[span.col - 1: span.end_col - 1]


def _request(client: Any, op: str, args: dict[str, Any], spec: Any) -> tuple[str, str, str | None]:
    if spec is not None and spec.plane == "blob":  # the account's blob service (run.uploads), not ASM
        path = f"<blob endpoint of {args.get('storage_account')}>/{args.get('container')}/{args.get('name')}"
        return spec.method, path, f"(the bytes of {args.get('file')}, in blocks; skipped when the blob holds the same MD5)"
    try:
        request = client.build_request(op, args, redact=True)
    except ArgumentError:
        # A placeholder broke validation (e.g. a name pattern): show the path template filled in.
        if spec is None:
            return "?", op, None
        path = spec.path
        for name, value in args.items():
            path = path.replace("{" + name + "}", str(value))
        return spec.method, f"/<subscription-id>/{path}", "(built when the run knows every value)" if (
            spec.method != "GET" and spec.body_root) else None
    parts = urlsplit(request.url)
    path = unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query else "")
    body = request.body.decode("utf-8", "replace") if request.body else None
    return request.method, path, body
