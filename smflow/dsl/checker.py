"""The static checker: every problem of a flow, at once, sorted by position, before any request.

Pure: it reads the AST, the operation catalogue and the ``--var`` strings, and returns
diagnostics; it does no I/O (``file()`` and ``env()`` are evaluated when the plan is built).
Names follow one simple rule that an operator can keep in their head: a param is visible
everywhere, a binding (``x = ...``) from the statement after it to the end of the flow (later
steps, undo blocks, ``on failure``), and a name is bound at most once. Bindings inside an
``undo`` block are local to it. ``failed_step`` and ``error`` are bound inside ``on failure``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from smflow.asm.catalogue import get_operation
from smflow.asm.types import ANY, DURATION, INT, STRING, AnyType, ListType, Type
from smflow.asm.validation import UNKNOWN
from smflow.dsl import ast
from smflow.dsl.arguments import ArgumentChecker
from smflow.dsl.diagnostics import WARNING_CODES, Diagnostic, Severity
from smflow.dsl.expressions import compatible, describe_type, did_you_mean
from smflow.dsl.library import Library, resolve
from smflow.dsl.params import convert_var, param_type
from smflow.errors import FlowError
from smflow.source import Span

__all__ = ["CheckReport", "LIMITS", "OUTPUT_RESERVED_PREFIX", "RESERVED_NAMES", "TRANSIENT_KINDS", "check", "diagnose", "raise_if_errors"]

RESERVED_NAMES = frozenset({"failed_step", "error"})
# Error kinds a retry policy may name; "transient" means all of them (see smflow.run.retry).
TRANSIENT_KINDS = frozenset({"transient", "throttled", "server_error", "connection", "busy"})
# (lowest, highest) seconds for each kind of duration.
LIMITS: dict[str, tuple[float, float]] = {
    "step timeout": (1.0, 7 * 86400.0),
    "wait interval": (0.1, 3600.0),
    "wait timeout": (1.0, 7 * 86400.0),
    "backoff": (0.01, 3600.0),
}
MAX_ATTEMPTS = 100
# Output names smflow writes itself next to the declared ones (``smflow.run.outputs``).
OUTPUT_RESERVED_PREFIX = "smflow_"


@dataclass
class _Binding:
    name: str
    span: Span
    type: Type
    kind: str  # "param", "binding", "local", "reserved"
    used: bool = False
    static: object = UNKNOWN


@dataclass
class CheckReport:
    """The outcome of a check: errors, warnings, and what the plan needs from the check."""

    errors: list[Diagnostic]
    warnings: list[Diagnostic]
    param_types: dict[str, Type] = field(default_factory=dict)
    var_values: dict[str, object] = field(default_factory=dict)
    operations: dict[str, object] = field(default_factory=dict)
    library: Library = field(default_factory=Library)


class _FlowChecker(ArgumentChecker):
    def __init__(self, flow: ast.Flow, library: Library | None = None) -> None:
        super().__init__(self._report)
        self.flow = flow
        self.library = library if library is not None else Library(procs={p.name: p for p in flow.procs})
        self.procs = self.library.procs
        self.proc_results: dict[str, Type] = {}  # result type of each proc checked so far
        self.proc_stack: list[str] = []  # the procs being checked, outermost first
        self.flow_names: set[str] = set()  # the flow's params and bindings (a proc cannot see them)
        self.diagnostics: list[Diagnostic] = []
        self.scope: dict[str, _Binding] = {}
        self.bindings: list[_Binding] = []
        self.later: dict[str, Span] = {}
        self.in_undo = False
        self.undo_names: list[str] = []  # bound inside the undo block being checked
        self.in_failure = False
        self.loop_names: list[str] | None = None  # bound inside the loop being checked (local to it)
        self.loop_locals: dict[str, Span] = {}  # names bound inside a loop that has ended
        self.in_for = False  # inside a 'for' statement (in a step)
        self.in_parallel = False  # inside the steps of a 'parallel for'

    def _report(self, code: str, message: str, span: Span) -> None:
        severity: Severity = "warning" if code in WARNING_CODES else "error"
        self.diagnostics.append(Diagnostic(severity, code, message, span))

    # names --------------------------------------------------------------------------------
    def type_of_name(self, node: ast.Name) -> Type:
        b = self.scope.get(node.name)
        if b is not None:
            b.used = True
            return b.type
        if node.name in self.later:
            where = self.later[node.name]
            if self.in_undo:
                self._report("UndoUsesLaterName", f"undo uses '{node.name}', which is bound later (line {where.line}); "
                             "an undo block may use only names bound before it", node.span)
            else:
                self._report("UndefinedName", f"'{node.name}' is used before it is bound (line {where.line})", node.span)
        elif node.name in self.loop_locals:
            self._report("UndefinedName", f"'{node.name}' is bound inside a loop (line "
                         f"{self.loop_locals[node.name].line}) and is local to each iteration", node.span)
        elif node.name in RESERVED_NAMES:
            self._report("UndefinedName", f"'{node.name}' is only bound inside 'on failure'", node.span)
        elif self.proc_stack and node.name in self.flow_names:
            self._report("UndefinedName", f"'{node.name}' is not visible in proc '{self.proc_stack[-1]}': a proc "
                         "sees only its own params and bindings (pass it as an argument)", node.span)
        else:
            hint = did_you_mean(node.name, list(self.scope))
            self._report("UndefinedName", f"undefined name '{node.name}'{hint}", node.span)
        return ANY

    def static_of_name(self, name: str) -> object:
        b = self.scope.get(name)
        return b.static if b is not None else UNKNOWN

    def bind(self, name: str, span: Span, t: Type, kind: str, static: object = UNKNOWN) -> None:
        old = self.scope.get(name)
        if old is not None:
            what = {"param": "a param", "reserved": "a name bound by 'on failure'"}.get(old.kind, "a name")
            self._report("ShadowedName", f"'{name}' is already {what} (line {old.span.line}); pick another name", span)
            return
        if name in RESERVED_NAMES and kind != "reserved":
            self._report("ShadowedName", f"'{name}' is reserved: 'on failure' binds it", span)
            return
        b = _Binding(name, span, t, kind, static=static)
        self.scope[name] = b
        if self.in_undo:
            self.undo_names.append(name)
        elif self.loop_names is not None and kind != "local":
            self.loop_names.append(name)
        if kind in ("param", "binding"):
            self.bindings.append(b)

    def bind_local(self, name: str, span: Span, t: Type) -> None:
        self.bind(name, span, t, "local")

    def unbind_local(self, name: str) -> None:
        b = self.scope.get(name)
        if b is not None and b.kind == "local" and b.span is not None:
            del self.scope[name]

    # durations ----------------------------------------------------------------------------
    def duration(self, d: ast.DurationRef | None, what: str) -> None:
        if d is None:
            return
        seconds = self.seconds(d)
        if isinstance(d, ast.Name):
            b = self.scope.get(d.name)
            if b is None or b.kind != "param" or b.type != DURATION:
                self.type_of_name(d)  # an unknown name is reported as such
                if b is not None:
                    self._report("TypeMismatch", f"a {what} must be a duration or a 'param {d.name} : duration', "
                                 f"not {_article(describe_type(b.type)) if b.kind == 'param' else 'a name bound while running'}",
                                 d.span)
                return
            b.used = True
        if seconds is None:
            return  # a param given only when the run starts: checked then (smflow.dsl.plan)
        low, high = LIMITS[what]
        if not low <= seconds <= high:
            shown = d.text if isinstance(d, ast.Duration) else f"{d.name} ({_fmt(seconds)})"
            self._report("DurationOutOfRange", f"{what} {shown} is out of range ({_fmt(low)} to {_fmt(high)})", d.span)

    def seconds(self, d: ast.DurationRef | None) -> float | None:
        """The value of a duration literal, or of a duration param when known before the run."""
        if d is None:
            return None
        if isinstance(d, ast.Duration):
            return d.seconds
        value = self.static_of_name(d.name)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    # declarations -------------------------------------------------------------------------
    def params(self, var_strings: Mapping[str, str], require: bool) -> tuple[dict[str, Type], dict[str, object]]:
        types: dict[str, Type] = {}
        values: dict[str, object] = {}
        declared = {p.name for p in self.flow.params}
        for name in var_strings:
            if name not in declared:
                hint = did_you_mean(name, sorted(declared))
                self._report("InvalidVar", f"--var {name}=... names no param of this flow{hint}", self.flow.span)
        for p in self.flow.params:
            t, problem = param_type(p.type)
            if problem:
                self._report("UnknownType", problem, p.type.span if p.type else p.name_span)
            if p.default is not None:
                for node in ast.walk(p.default):
                    if isinstance(node, ast.Call):
                        self._report("NotSupported", "a param default cannot call an operation; bind it in a step",
                                     node.name_span)
                dt = self.type_of(p.default)
                if p.type is None:
                    t = dt if dt != ANY else STRING
                elif not compatible(dt, t):
                    self._report("TypeMismatch", f"default of '{p.name}' must be {describe_type(t)}, got {describe_type(dt)}",
                                 p.default.span)
            static: object = UNKNOWN
            if p.name in var_strings:
                try:
                    static = convert_var(p.name, var_strings[p.name], t, p.secret)
                    values[p.name] = static
                except ValueError as exc:
                    self._report("InvalidVar", str(exc), p.name_span)
            elif p.default is not None:
                static = self.static(p.default)
            elif require:
                self._report("MissingParam", f"param '{p.name}' ({describe_type(t)}) has no value: "
                             f"pass --var {p.name}=VALUE", p.name_span)
            types[p.name] = t
            self.bind(p.name, p.name_span, t, "param", UNKNOWN if p.secret else static)
        return types, values

    def retry(self, r: ast.RetryClause | None) -> None:
        if r is None:
            return
        if r.attempts is not None and not 1 <= r.attempts.value <= MAX_ATTEMPTS:
            self._report("InvalidValue", f"attempts must be 1 to {MAX_ATTEMPTS}, got {r.attempts.value}", r.attempts.span)
        self.duration(r.backoff_min, "backoff")
        self.duration(r.backoff_max, "backoff")
        low, high = self.seconds(r.backoff_min), self.seconds(r.backoff_max)
        if r.backoff_min and r.backoff_max and low is not None and high is not None and low > high:
            self._report("DurationOutOfRange", f"backoff {ast.duration_text(r.backoff_min)}.."
                         f"{ast.duration_text(r.backoff_max)} runs backwards (write MIN..MAX)", r.backoff_min.span)
        for kind in r.on or ():
            if kind.name not in TRANSIENT_KINDS:
                hint = did_you_mean(kind.name, sorted(TRANSIENT_KINDS))
                self._report("InvalidValue", f"unknown error kind '{kind.name}'{hint}; "
                             f"one of {', '.join(sorted(TRANSIENT_KINDS))}", kind.span)

    def steps(self) -> None:
        seen: dict[str, ast.Step] = {}
        for item in self.flow.steps:
            if isinstance(item, ast.StepLoop):
                self.step_loop(item, seen)
            else:
                self.step(item, seen)

    def step(self, step: ast.Step, seen: dict[str, ast.Step]) -> None:
        if step.name in seen:
            first = seen[step.name]
            self._report("DuplicateStep", f"step \"{step.name}\" is already defined (line {first.span.line})",
                         step.name_span)
        else:
            seen[step.name] = step
        if not step.body:
            self._report("EmptyStep", f"step \"{step.name}\" has no statements", step.name_span)
        self.duration(step.timeout, "step timeout")
        self.retry(step.retry)
        self.block(step.body)

    # loops ------------------------------------------------------------------------------------
    def loop_items(self, items: ast.Expr) -> Type:
        """The type of a loop's items: the element type of its list (ANY when unknown)."""
        t = self.type_of(items)
        if isinstance(t, ListType):
            return t.item
        if not isinstance(t, AnyType):
            self._report("TypeMismatch", f"'for' needs a list to loop over, got {describe_type(t)}", items.span)
        return ANY

    def in_loop(self, var: str, var_span: Span, item: Type) -> list[str]:
        """Bind the loop variable and start collecting the names bound in the body; returns the
        list of the enclosing loop (restored by ``end_loop``)."""
        self.bind_local(var, var_span, item)
        outer, self.loop_names = self.loop_names, []
        return outer if outer is not None else []

    def end_loop(self, var: str, outer: list[str], outermost: bool) -> None:
        """Drop the loop variable and every name bound in the body: each is local to its iteration."""
        assert self.loop_names is not None
        for name in self.loop_names:
            b = self.scope.pop(name, None)
            if b is not None:
                self.loop_locals.setdefault(name, b.span)
        self.loop_names = None if outermost else outer + self.loop_names
        self.unbind_local(var)

    def step_loop(self, loop: ast.StepLoop, seen: dict[str, ast.Step]) -> None:
        item = self.loop_items(loop.items)
        if loop.parallel:
            if loop.limit is None:
                self._report("MissingLimit", "'parallel for' needs a bound: write 'max N' after the list",
                             loop.items.span)
            elif isinstance(loop.limit, ast.Int):
                if loop.limit.value < 1:
                    self._report("InvalidValue", f"max must be at least 1, got {loop.limit.value}", loop.limit.span)
            else:
                b = self.scope.get(loop.limit.name)
                if b is None or b.kind != "param" or b.type != INT:
                    self.type_of_name(loop.limit)
                    if b is not None:
                        self._report("TypeMismatch", "max must be an int literal or an int param", loop.limit.span)
                else:
                    b.used = True
                    if isinstance(b.static, int) and not isinstance(b.static, bool) and b.static < 1:
                        self._report("InvalidValue", f"max must be at least 1, got {loop.limit.name} = {b.static}",
                                     loop.limit.span)
        elif loop.limit is not None:
            self._report("NotSupported", "'max' bounds a 'parallel for'; a plain 'for' runs one item at a time",
                         loop.limit.span)
        if not loop.body:
            self._report("EmptyStep", "the loop has no steps", loop.var_span)
        outer = self.in_loop(loop.var, loop.var_span, item)
        self.in_parallel = loop.parallel
        try:
            for step, name in zip(loop.body, loop.names, strict=True):
                if not any(isinstance(n, ast.Name) and n.name == loop.var
                           for part in name.parts if not isinstance(part, str) for n in ast.walk(part)):
                    self._report("LoopStepName", f"the name of a step in a loop must use '${{{loop.var}}}', so that "
                                 "each iteration is a step of its own", step.name_span)
                self.step(step, seen)
        finally:
            self.in_parallel = False
            self.end_loop(loop.var, outer, outermost=True)

    def for_stmt(self, s: ast.ForStmt) -> None:
        item = self.loop_items(s.items)
        outermost = self.loop_names is None
        outer = self.in_loop(s.var, s.var_span, item)
        was, self.in_for = self.in_for, True
        try:
            self.block(s.body)
        finally:
            self.in_for = was
            self.end_loop(s.var, outer, outermost)

    # statements ---------------------------------------------------------------------------
    def block(self, body: tuple[ast.Stmt, ...]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.Stmt) -> None:
        if isinstance(s, ast.CallStmt):
            if s.call.name in self.procs:
                self.proc_call(s.call)
            else:
                self.call(s.call)
        elif isinstance(s, ast.AssignStmt):
            t = self.type_of(s.value)
            self.bind(s.name, s.name_span, t, "local" if self.in_undo else "binding")
        elif isinstance(s, ast.WaitStmt):
            self.condition(s.condition, "the condition of 'wait until'")
            self.duration(s.every, "wait interval")
            self.duration(s.timeout, "wait timeout")
            if s.timeout is None or s.every is None:
                missing = "timeout" if s.timeout is None else "every"
                self._report("WaitWithoutTimeout", f"wait has no '{missing}'; the default applies "
                             "(write 'every 15s timeout 20m')", s.span)
            elif (every := self.seconds(s.every)) is not None and (timeout := self.seconds(s.timeout)) is not None \
                    and every > timeout and every <= LIMITS["wait interval"][1]:
                self._report("DurationOutOfRange", f"wait interval {ast.duration_text(s.every)} is longer than its "
                             f"timeout {ast.duration_text(s.timeout)}", s.every.span)
        elif isinstance(s, ast.IfStmt):
            self.condition(s.condition, "the condition of 'if'")
            self.block(s.then)
            self.block(s.orelse)
        elif isinstance(s, ast.AssertStmt):
            self.condition(s.condition, "the condition of 'assert'")
            if s.message is not None:
                self.type_of(s.message)
        elif isinstance(s, (ast.ConfirmStmt, ast.LogStmt)):
            self.type_of(s.message)
            if isinstance(s, ast.ConfirmStmt) and self.in_parallel:
                self._report("NotSupported", "confirm inside a 'parallel for' would ask several questions at once: "
                             "put the gate in a step before the loop", s.span)
        elif isinstance(s, ast.UndoStmt):
            self.undo(s)
        elif isinstance(s, ast.ForStmt):
            self.for_stmt(s)
        elif isinstance(s, ast.RollbackStmt):
            if not self.in_failure or self.in_undo:
                self._report("RollbackOutsideFailure", "rollback runs the undo blocks and belongs in 'on failure'", s.span)

    def undo(self, s: ast.UndoStmt) -> None:
        if self.in_for:
            self._report("NotSupported", "undo inside a 'for' statement is not supported: put the loop around "
                         "the steps (for x in LIST { step \"... ${x}\" { ... undo { ... } } })", s.span)
            return
        if self.in_undo or self.in_failure:
            where = "another undo block" if self.in_undo else "'on failure'"
            self._report("NotSupported", f"undo belongs directly in a step, not in {where}", s.span)
            return
        # The names the block binds are dropped when it ends; the scope itself is not copied,
        # which made checking quadratic in the number of undo blocks.
        self.in_undo = True
        try:
            self.block(s.body)
        finally:
            self.in_undo = False
            for name in self.undo_names:
                self.scope.pop(name, None)
            self.undo_names.clear()

    # outputs ------------------------------------------------------------------------------
    def outputs(self) -> None:
        """``output NAME = EXPR``: typed in the scope the steps end with (see ``smflow.run.outputs``)."""
        if not self.flow.outputs:
            return
        from smflow.dsl.secrecy import secret_names

        secrets = secret_names(self.flow)
        seen: dict[str, ast.Output] = {}
        for out in self.flow.outputs:
            key = out.name.lower()
            if key in seen:
                first = seen[key]
                same = "" if first.name == out.name else f" as '{first.name}' (output names ignore case)"
                self._report("DuplicateOutput", f"output '{out.name}' is already declared{same} (line "
                             f"{first.span.line})", out.name_span)
            else:
                seen[key] = out
            if key.startswith(OUTPUT_RESERVED_PREFIX):
                self._report("InvalidOutputName", f"output names starting with '{OUTPUT_RESERVED_PREFIX}' are "
                             "reserved for the lines smflow writes itself (smflow_run_id, smflow_status)",
                             out.name_span)
            for node in ast.walk(out.value):
                if isinstance(node, ast.Call):
                    self._report("NotSupported", "an output cannot call an operation (it is evaluated after the "
                                 "last step); bind the result in a step and output that", node.name_span)
            self.type_of(out.value)
            for operand in secrets.operands(out.value):
                self._report("SecretOutput", f"output '{out.name}' would carry a secret in clear: {operand.why}",
                             operand.node.span)

    def on_failure(self) -> None:
        f = self.flow.on_failure
        if f is None:
            return
        self.in_failure = True
        for name in sorted(RESERVED_NAMES):
            self.scope.pop(name, None)
            self.bind(name, f.span, STRING, "reserved")
        self.block(f.body)

    # procedures ----------------------------------------------------------------------------
    # A proc is checked once, the first time it is called (or at the end, if never called), in
    # a scope of its own params: it cannot see the caller's names, and its own stay inside it.

    def proc_call(self, call: ast.Call) -> Type:
        """Check a call of a proc (arguments by position, then by name) and give its result type."""
        proc = self.procs[call.name]
        if (self.in_undo or self.in_failure) and ast.descendants(proc.body, ast.UndoStmt):
            where = "an undo block" if self.in_undo else "'on failure'"
            self._report("NotSupported", f"proc '{proc.name}' registers an undo block, so it cannot be called "
                         f"from {where}", call.name_span)
        result = self.proc_result(proc, call)
        by_name = {p.name: p for p in proc.params}
        given: set[str] = set()
        named = False
        for i, arg in enumerate(call.args):
            if arg.name is None:
                if named:
                    self._report("UnknownArgument", "a positional argument cannot follow a named one: "
                                 "write 'name: value'", arg.span)
                    self.type_of(arg.value)
                    continue
                if i >= len(proc.params):
                    self._report("UnknownArgument", f"proc {proc.name} takes {len(proc.params)} argument(s)", arg.span)
                    self.type_of(arg.value)
                    continue
                param = proc.params[i]
            else:
                named = True
                found = by_name.get(arg.name)
                if found is None:
                    self._report("UnknownArgument", f"unknown argument '{arg.name}' for proc {proc.name}"
                                 f"{did_you_mean(arg.name, list(by_name))}", arg.name_span)
                    self.type_of(arg.value)
                    continue
                param = found
            if param.name in given:
                self._report("DuplicateArgument", f"argument '{param.name}' is given twice", arg.name_span)
                self.type_of(arg.value)
                continue
            given.add(param.name)
            self.value(arg.value, param_type(param.type)[0], param.name)
        for param in proc.params:
            if param.name not in given and param.default is None:
                t = param_type(param.type)[0]
                self._report("MissingArgument", f"missing required argument '{param.name}' ({describe_type(t)}) "
                             f"for proc {proc.name}", call.name_span)
        return result

    def proc_result(self, proc: ast.Proc, call: ast.Call | None = None) -> Type:
        if proc.name in self.proc_results:
            return self.proc_results[proc.name]
        if proc.name in self.proc_stack:
            chain = self.proc_stack[self.proc_stack.index(proc.name):] + [proc.name]
            assert call is not None
            self._report("ProcRecursion", f"proc '{proc.name}' calls itself ({' -> '.join(chain)}); "
                         "recursion is not supported", call.name_span)
            return ANY
        saved = (self.scope, self.later, self.bindings, self.in_undo, self.undo_names, self.in_failure)
        self.scope, self.bindings, self.undo_names = {}, [], []
        self.later = _binding_sites(proc.body)
        self.in_undo = self.in_failure = False
        self.proc_stack.append(proc.name)
        try:
            result = self._check_proc(proc)
        finally:
            self.proc_stack.pop()
            self.scope, self.later, self.bindings, self.in_undo, self.undo_names, self.in_failure = saved
        self.proc_results[proc.name] = result
        return result

    def _check_proc(self, proc: ast.Proc) -> Type:
        if get_operation(proc.name) is not None or proc.name in ast.BUILTINS:
            what = "an ASM operation" if get_operation(proc.name) is not None else "a builtin"
            self._report("ShadowedName", f"proc '{proc.name}' has the name of {what}; pick another name",
                         proc.name_span)
        types: list[Type] = []
        for p in proc.params:  # defaults first, in a scope with no names: a default is a value
            t, problem = param_type(p.type)
            if problem:
                self._report("UnknownType", problem, p.type.span)
            types.append(t)
            if p.default is not None:
                for node in ast.walk(p.default):
                    if isinstance(node, ast.Call):
                        self._report("NotSupported", "a proc param default cannot call an operation or a proc",
                                     node.name_span)
                dt = self.type_of(p.default)
                if not compatible(dt, t):
                    self._report("TypeMismatch", f"default of '{p.name}' must be {describe_type(t)}, "
                                 f"got {describe_type(dt)}", p.default.span)
        for p, t in zip(proc.params, types, strict=True):
            self.bind(p.name, p.name_span, t, "param")
        self.block(proc.body)
        result = self.type_of(proc.result) if proc.result is not None else ANY
        for b in self.bindings:
            if not b.used and not b.name.startswith("_"):
                if b.kind == "binding":
                    self._report("UnusedBinding", f"'{b.name}' is bound but never used (start it with '_' if that "
                                 "is on purpose)", b.span)
                else:
                    self._report("UnusedParam", f"param '{b.name}' of proc '{proc.name}' is never used", b.span)
        return result

    def run(self, var_strings: Mapping[str, str], require: bool) -> CheckReport:
        self.diagnostics.extend(self.library.diagnostics)
        self.later = _binding_sites(tuple(s for step in self.flow.steps if isinstance(step, ast.Step) for s in step.body))
        self.flow_names = {p.name for p in self.flow.params} | set(self.later)
        types, values = self.params(var_strings, require)
        self.retry(self.flow.retry)
        self.steps()
        self.outputs()
        self.on_failure()
        for proc in self.procs.values():  # those never called are checked too
            self.proc_result(proc)
        for b in self.bindings:
            if not b.used and not b.name.startswith("_"):
                if b.kind == "binding":
                    self._report("UnusedBinding", f"'{b.name}' is bound but never used (start it with '_' if that "
                                 "is on purpose)", b.span)
                else:
                    self._report("UnusedParam", f"param '{b.name}' is never used", b.span)
        ordered = sorted(self.diagnostics, key=Diagnostic.sort_key)
        return CheckReport(
            errors=[d for d in ordered if d.severity == "error"],
            warnings=[d for d in ordered if d.severity == "warning"],
            param_types=types,
            var_values=values,
            operations=dict(self.operations),
            library=self.library,
        )


def _article(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _binding_sites(body: tuple[ast.Stmt, ...]) -> dict[str, Span]:
    """Where each name is first bound by a statement of ``body`` (undo blocks excluded)."""
    sites: dict[str, Span] = {}
    stack: list[ast.Stmt] = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, ast.AssignStmt):
            if s.name not in sites or s.name_span.sort_key() < sites[s.name].sort_key():
                sites[s.name] = s.name_span
        elif isinstance(s, ast.IfStmt):
            stack.extend(s.then)
            stack.extend(s.orelse)
    return sites


def _fmt(seconds: float) -> str:
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds * 1000)}ms"


def check(flow: ast.Flow, vars: Mapping[str, str] | None = None, *, require_params: bool = False,
          library: Library | None = None) -> CheckReport:
    """Check ``flow``; ``require_params`` reports ``MissingParam`` for required params without
    a ``--var`` (the executor always asks for it; ``smflow check`` only with ``--require-vars``).
    ``library`` is what its ``use`` lines name; by default they are followed here (the one read
    the checker makes, and only for a flow that has ``use`` lines)."""
    from smflow.dsl.parser import paused_gc

    checker = _FlowChecker(flow, library if library is not None else resolve(flow))
    try:
        with paused_gc():
            return checker.run(vars or {}, require_params)
    except RecursionError:
        d = Diagnostic("error", "NotSupported", "the flow is nested too deeply to check", flow.span)
        return CheckReport(errors=[d], warnings=[])


def raise_if_errors(report: CheckReport, strict: bool = False) -> None:
    """``CheckFailedError`` with every error (and, when ``strict``, every warning)."""
    from smflow.errors import CheckFailedError

    problems = report.errors + (report.warnings if strict else [])
    if problems:
        errors: list[FlowError] = [d.to_error() for d in problems]
        raise CheckFailedError(errors)


def diagnose(text: str, name: str, vars: Mapping[str, str] | None = None, *, require_params: bool = False) -> list[Diagnostic]:
    """Every diagnostic of one flow text, parse errors included, sorted (for ``smflow check``)."""
    from smflow.dsl.diagnostics import from_error
    from smflow.dsl.parser import parse_flow
    from smflow.errors import FlowSyntaxError

    try:
        flow = parse_flow(text, name)
    except FlowSyntaxError as err:
        return [from_error(err)]
    report = check(flow, vars, require_params=require_params)
    return sorted(report.errors + report.warnings, key=Diagnostic.sort_key)
