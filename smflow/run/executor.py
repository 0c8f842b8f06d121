"""Walking a checked plan: steps in order, statements in order, failure handling and rollback.

The executor interprets statements (assignments, calls, waits, ifs, asserts, confirms, logs,
undo registration, rollback) and leaves expressions to the language's evaluator, which calls
back here for every operation it meets (``exists op(...)``, ``wait until`` conditions). Calls go
through ``CallRunner`` (retry, read-back, journal, polling). It emits events and never prints.

Only ``SmflowError`` counts as a step failure (and triggers ``on failure``). Anything else (a
vcrpy miss during a replay, a bug) and any ``ReplayError`` propagate unchanged: no retry, no
handler, since running a rollback against a cassette that has drifted would only drift more.

Resume: steps the journal shows done are skipped and their bindings restored; undo blocks they
registered are registered again; a step that was rolled back counts as not done. Journal
records are matched to steps by the step's name, never its position (``resumeplan``): a step
new in the flow runs where it stands, and the steps done around it stay done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from smflow.dsl import ast
from smflow.errors import (
    ConfirmUnansweredError,
    FlowFailedError,
    FlowRuntimeError,
    JournalError,
    ReplayError,
    SmflowError,
)
from smflow.run import codec, resumeplan
from smflow.run.calls import CallRunner, StepContext
from smflow.run.clock import Clock
from smflow.run.events import LogMessage, RolledBack, StepFailed, StepFinished, StepSkipped, StepStarted, Waiting
from smflow.run.journal import Journal, JournalState
from smflow.run.poll import PollSchedule, WaitTick, poll_until
from smflow.run.retry import DEFAULT_POLICY, RetryPolicyLike
from smflow.run.wording import describe_error, source_text, where

__all__ = ["Evaluate", "ExecStep", "Executor", "Outcome", "StepOutcome"]

DEFAULT_WAIT_EVERY = 15.0
DEFAULT_WAIT_TIMEOUT = 30 * 60.0

Scope = dict[str, Any]
CallBack = Callable[[str, dict[str, Any], ast.Call | None], Any]


class Evaluate(Protocol):
    """Evaluate one expression in ``scope``; operations found in it are made through ``call``."""

    def __call__(self, expr: ast.Expr, scope: Scope, call: CallBack) -> Any: ...


@dataclass(frozen=True)
class ExecStep:
    """One step as the executor needs it (built from the plan's steps)."""

    name: str
    body: tuple[ast.Stmt, ...]
    policy: RetryPolicyLike = DEFAULT_POLICY
    timeout: float | None = None
    span: Any = None


@dataclass
class StepOutcome:
    name: str
    status: str  # "succeeded" | "failed" | "skipped" | "not run"
    elapsed: float = 0.0
    error: str | None = None


@dataclass
class Outcome:
    status: str  # "succeeded" | "failed"
    steps: list[StepOutcome]
    scope: Scope
    error: str | None = None
    failed_step: str | None = None
    rolled_back: list[str] = field(default_factory=list)


@dataclass
class _Undo:
    step_index: int
    step: str
    body: tuple[ast.Stmt, ...]
    undo_id: int
    scope: Scope | None = None  # an undo block of a proc: the proc's names when it was reached


@dataclass
class _ProcFrame:
    """A proc being run inside a step (for its undo blocks)."""

    proc: ast.Proc
    scope: Scope


class Executor:
    def __init__(
        self,
        steps: list[ExecStep],
        *,
        on_failure: tuple[ast.Stmt, ...] | None,
        scope: Scope,
        evaluate: Evaluate,
        calls: CallRunner,
        clock: Clock,
        journal: Journal,
        emit: Callable[..., None],
        confirm: Callable[[str], bool],
        secret_values: dict[str, str],
        poll: PollSchedule | None = None,
        time_scale: float = 1.0,
        resume: JournalState | None = None,
        default_policy: RetryPolicyLike = DEFAULT_POLICY,
        procs: Mapping[str, ast.Proc] | None = None,
    ) -> None:
        self.steps = steps
        self.procs = dict(procs or {})
        self.on_failure = on_failure
        self.scope = scope
        self.evaluate = evaluate
        self.calls = calls
        self.clock = clock
        self.journal = journal
        self.emit = emit
        self.confirm = confirm
        self.secret_values = secret_values  # value -> param name (for the journal codec)
        self.poll = poll or PollSchedule()
        self.time_scale = time_scale
        self.resume = resume
        self.default_policy = default_policy
        self.undos: list[_Undo] = []
        self._ctx = StepContext(0, "", default_policy, None)
        self._bound: dict[str, str] = {}  # name -> key of its last "bind" record in this step
        self._undo_ids: list[int] = []
        self._assign_counts: dict[str, int] = {}
        self._step: ExecStep | None = None  # the step running (None in 'on failure' and undo blocks)
        self._frames: list[_ProcFrame] = []  # procs running, innermost last
        self._proc_undos: list[dict[str, Any]] = []  # undo blocks of procs registered by this step

    def current_call_site(self) -> str:
        """Where the call in flight was written, e.g. ``flows/bg.flow:23:5 step 'deploy' create_deployment``."""
        return self.calls.site

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> Outcome:
        total = len(self.steps)
        outcomes = [StepOutcome(s.name, "not run") for s in self.steps]
        failure: tuple[int, SmflowError] | None = None
        secrets_by_name = {name: value for value, name in self.secret_values.items()}
        # Once a resumed run re-runs a step, every later step runs again too, even one the journal
        # shows done: after a rollback undid an earlier step, a later "wait until ready" or check
        # must see the redone state. Its journaled writes are still not sent again (their call
        # records say done) and its bindings are replayed, so re-running it repeats only reads.
        # A step new in the flow (never started by the run) is new work, not a redo: it runs and
        # the done steps after it stay skipped.
        rerunning = False
        seen = resumeplan.known_steps(self.resume) if self.resume else set()
        for index, step in enumerate(self.steps, start=1):
            done = self.resume.steps_done.get(step.name) if self.resume and not rerunning else None
            rerunning = rerunning or (self.resume is not None and done is None and step.name in seen)
            if done is not None:
                recorded = self.resume.binds.get(step.name, {}) if self.resume else {}
                for name, key in dict(done.get("bound", {})).items():
                    if key not in recorded:
                        raise JournalError(f"the journal of step '{step.name}' lacks the value of '{name}'; "
                                           "cannot resume")
                    self.scope[name] = codec.decode(recorded[key], secrets_by_name)
                self._reregister_undos(index, step, done, secrets_by_name)
                outcomes[index - 1] = StepOutcome(step.name, "skipped")
                self.emit(StepSkipped, index=index, total=total, step=step.name)
                continue
            start = self.clock.monotonic()
            self.emit(StepStarted, index=index, total=total, step=step.name)
            self.journal.append("step_started", index=index, step=step.name)
            self._ctx = StepContext(index, step.name, step.policy,
                                    start + step.timeout if step.timeout is not None else None,
                                    timeout=step.timeout)
            self._bound, self._undo_ids, self._assign_counts, self._proc_undos = {}, [], {}, []
            self._step = step
            try:
                self._block(step.body, index, step)
            except ReplayError:
                raise  # the cassette does not match the flow: nothing else may run (no handler)
            except SmflowError as err:
                elapsed = self.clock.monotonic() - start
                message = describe_error(err)
                self.journal.append("step_failed", index=index, step=step.name, error=message)
                self.emit(StepFailed, index=index, total=total, step=step.name, elapsed=elapsed, error=message)
                outcomes[index - 1] = StepOutcome(step.name, "failed", elapsed, message)
                failure = (index, err)
                break
            elapsed = self.clock.monotonic() - start
            extra: dict[str, Any] = {"proc_undos": self._proc_undos} if self._proc_undos else {}
            self.journal.append("step_done", index=index, step=step.name, elapsed=round(elapsed, 3),
                                bound=self._bound, undos=self._undo_ids, **extra)
            self.emit(StepFinished, index=index, total=total, step=step.name, elapsed=elapsed)
            outcomes[index - 1] = StepOutcome(step.name, "succeeded", elapsed)
        if failure is None:
            return Outcome("succeeded", outcomes, self.scope)
        failed_index, failed_err = failure
        failed = self.steps[failed_index - 1].name
        rolled: list[str] = []
        message = describe_error(failed_err)
        self._step = None
        if isinstance(failed_err, ConfirmUnansweredError):  # nobody approved, nobody refused: stop, undo nothing
            return Outcome("failed", outcomes, self.scope, message, failed, rolled)
        if self.on_failure:
            scope = dict(self.scope, failed_step=failed, error=message)
            self._ctx = StepContext(0, "on failure", self.default_policy, None, key_prefix="on_failure",
                                    resumable=False)
            try:
                self._block(self.on_failure, 0, None, scope=scope, rolled=rolled)
            except ReplayError:
                raise
            except SmflowError as handler_err:
                message += f" (and the on-failure handler failed: {describe_error(handler_err)})"
        return Outcome("failed", outcomes, self.scope, message, failed, rolled)

    # -- statements -----------------------------------------------------------------------------

    def _block(self, stmts: tuple[ast.Stmt, ...], index: int, step: ExecStep | None, *,
               scope: Scope | None = None, rolled: list[str] | None = None) -> None:
        scope = self.scope if scope is None else scope
        for stmt in stmts:
            self._stmt(stmt, index, step, scope, rolled)

    def _stmt(self, stmt: ast.Stmt, index: int, step: ExecStep | None, scope: Scope,
              rolled: list[str] | None) -> None:
        if isinstance(stmt, ast.CallStmt):
            self._eval(stmt.call, scope)
        elif isinstance(stmt, ast.AssignStmt):
            scope[stmt.name] = self._assign(stmt, index, scope)
        elif isinstance(stmt, ast.WaitStmt):
            self._wait(stmt, scope)
        elif isinstance(stmt, ast.IfStmt):
            branch = stmt.then if self._eval(stmt.condition, scope) else stmt.orelse
            self._block(branch, index, step, scope=scope, rolled=rolled)
        elif isinstance(stmt, ast.AssertStmt):
            if not self._eval(stmt.condition, scope):
                text = self._eval(stmt.message, scope) if stmt.message else "assertion failed"
                raise FlowFailedError(f"{where(stmt)}: {text}", step=self._ctx.name)
        elif isinstance(stmt, ast.ConfirmStmt):
            question = str(self._eval(stmt.message, scope))
            if not self.confirm(question):
                raise FlowFailedError(f"{where(stmt)}: not confirmed: {question}", step=self._ctx.name)
        elif isinstance(stmt, ast.LogStmt):
            message = str(self._eval(stmt.message, scope))
            self.journal.append("log", step=self._ctx.name, message=self.calls.masker.text(message))
            self.emit(LogMessage, step=self._ctx.name, message=message)
        elif isinstance(stmt, ast.UndoStmt):
            if self._frames and scope is self._frames[-1].scope:
                self._register_proc_undo(index, stmt, self._frames[-1])
            elif step is not None:
                undo_id = next((i for i, u in enumerate(self._undo_stmts(step)) if u is stmt), -1)
                self._undo_ids.append(undo_id)
                self._register_undo(index, step, undo_id)
        elif isinstance(stmt, ast.RollbackStmt):
            self._rollback(rolled if rolled is not None else [])

    def _assign(self, stmt: ast.AssignStmt, index: int, scope: Scope) -> Any:
        """Evaluate an assignment, or, in a step re-run after a crash, take the value it had then.

        Replaying the recorded value keeps a resumed step consistent with the calls it already
        made: ``old = get_deployment_by_slot(..."production")`` read before a swap must not be
        re-read after it (it would name the new deployment, and the next step would delete it).
        """
        if scope is not self.scope:
            return self._eval(stmt.value, scope)
        self._assign_counts[stmt.name] = n = self._assign_counts.get(stmt.name, 0) + 1
        key = f"{stmt.name}#{n}"
        # An undo block evaluates afresh: it acts on the state as it is when it runs.
        recorded = self.resume.binds.get(self._ctx.name, {}) if self.resume and self._ctx.resumable else {}
        if key in recorded:
            value = codec.decode(recorded[key], {name: text for text, name in self.secret_values.items()})
        else:
            value = self._eval(stmt.value, scope)
            self.journal.append("bind", step=self._ctx.name, index=index, key=key,
                                value=codec.encode(value, self.secret_values))
        self._bound[stmt.name] = key
        return value

    def _undo_stmts(self, step: ExecStep) -> tuple[ast.UndoStmt, ...]:
        """The undo blocks of a step in source order (their position is their id in the journal)."""
        return ast.descendants(step.body, ast.UndoStmt)

    def _register_undo(self, index: int, step: ExecStep, undo_id: int) -> None:
        undos = self._undo_stmts(step)
        if 0 <= undo_id < len(undos):
            self.undos.append(_Undo(index, step.name, undos[undo_id].body, undo_id))

    # -- procedures -----------------------------------------------------------------------------
    # A proc runs inside the calling step: its calls are the step's calls (retry policy, deadline,
    # journal), keyed "<op>#<n>@<step>/<proc>@<line>:<col>" after the call site (with "#<k>" from
    # its second run in the step, e.g. in a wait), so keys stay unique and the same from run to
    # run. Its scope is its params only.

    def _run_proc(self, proc: ast.Proc, args: dict[str, Any], node: ast.Call | None) -> Any:
        scope: Scope = {}
        for i, param in enumerate(proc.params):
            if param.name in args:
                scope[param.name] = args[param.name]
            elif str(i) in args:  # positional (see Evaluator._ev_call)
                scope[param.name] = args[str(i)]
            elif param.default is not None:
                scope[param.name] = self._eval(param.default, {})
            else:  # the checker refuses such a call
                raise FlowRuntimeError(f"proc {proc.name} needs '{param.name}'", (node or proc).span)
        parent = self._ctx
        # Named by the call site, not by a count of the step's proc calls: in a step re-run after
        # a crash, `x = p(...)` done before is replayed from the journal without running p, and
        # a count would then give the next call of p the key of this one (and skip its writes).
        site = f"{node.name_span.line}:{node.name_span.col}" if node is not None else "?"
        counter = f"proc {proc.name}@{site}"  # not an operation name: operations have no space
        k = parent.counters[counter] = parent.counters.get(counter, 0) + 1
        frame_key = f"{proc.name}@{site}" + (f"#{k}" if k > 1 else "")
        self._ctx = StepContext(parent.index, parent.name, parent.policy, parent.deadline,
                                key_prefix=f"{parent.key_prefix}/{frame_key}", resumable=parent.resumable,
                                timeout=parent.timeout)
        frame = _ProcFrame(proc, scope)
        self._frames.append(frame)
        try:
            self._block(proc.body, parent.index, self._step, scope=scope)
            return self._eval(proc.result, scope) if proc.result is not None else None
        finally:
            self._frames.pop()
            self._ctx = parent

    def _register_proc_undo(self, index: int, stmt: ast.UndoStmt, frame: _ProcFrame) -> None:
        step = self._step
        if step is None:  # the checker refuses a proc with an undo block outside a step
            return
        undo_id = next((i for i, u in enumerate(ast.descendants(frame.proc.body, ast.UndoStmt)) if u is stmt), -1)
        snapshot = dict(frame.scope)
        self._proc_undos.append({"proc": frame.proc.name, "undo": undo_id, "at": len(self._undo_ids),
                                 "scope": codec.encode(snapshot, self.secret_values)})
        self.undos.append(_Undo(index, step.name, stmt.body, undo_id, snapshot))

    def _reregister_undos(self, index: int, step: ExecStep, done: dict[str, Any], secrets: dict[str, str]) -> None:
        """The undo blocks a step done before the crash registered, in the order it registered them."""
        from_procs = done.get("proc_undos", [])
        if not isinstance(from_procs, list):
            raise JournalError(f"the journal of step '{step.name}' has malformed proc undo blocks; cannot resume")
        pending = sorted(from_procs, key=lambda u: u.get("at", 0) if isinstance(u, dict) else 0)
        for position, undo_id in enumerate([*done.get("undos", []), None]):
            while pending and isinstance(pending[0], dict) and pending[0].get("at") == position:
                self._reregister_proc_undo(index, step, pending.pop(0), secrets)
            if undo_id is not None:
                self._register_undo(index, step, int(undo_id))
        if pending:
            raise JournalError(f"the journal of step '{step.name}' has malformed proc undo blocks; cannot resume")

    def _reregister_proc_undo(self, index: int, step: ExecStep, entry: dict[str, Any], secrets: dict[str, str]) -> None:
        proc = self.procs.get(str(entry.get("proc")))
        undo_id = entry.get("undo")
        if proc is None or type(undo_id) is not int:
            raise JournalError(f"the journal of step '{step.name}' names proc '{entry.get('proc')}' and its undo "
                               "block, which the flow no longer has; cannot resume")
        undos = ast.descendants(proc.body, ast.UndoStmt)
        if 0 <= undo_id < len(undos):
            scope = codec.decode(entry.get("scope", {}), secrets)
            if not isinstance(scope, dict):
                raise JournalError(f"the journal of step '{step.name}' has a malformed proc undo block; cannot resume")
            self.undos.append(_Undo(index, step.name, undos[undo_id].body, undo_id, scope))

    def _rollback(self, rolled: list[str]) -> None:
        """Run registered undo blocks, newest first; one failing does not stop the others."""
        while self.undos:
            undo = self.undos.pop()
            self.journal.append("rolling_back", index=undo.step_index, step=undo.step)
            self._ctx = StepContext(undo.step_index, f"undo of '{undo.step}'", self.default_policy, None,
                                    key_prefix=f"undo of {undo.step}", resumable=False)
            try:
                self._block(undo.body, undo.step_index, None, scope=undo.scope)
            except ReplayError:
                raise
            except SmflowError as err:
                self.journal.append("rolled_back", index=undo.step_index, step=undo.step, ok=False,
                                    error=describe_error(err))
                self.emit(RolledBack, step=undo.step, ok=False, error=describe_error(err))
                continue
            self.journal.append("rolled_back", index=undo.step_index, step=undo.step, ok=True)
            self.emit(RolledBack, step=undo.step, ok=True)
            rolled.append(undo.step)

    def _wait(self, stmt: ast.WaitStmt, scope: Scope) -> None:
        every = ast.duration_seconds(stmt.every, scope) if stmt.every is not None else DEFAULT_WAIT_EVERY
        timeout = ast.duration_seconds(stmt.timeout, scope) if stmt.timeout is not None else DEFAULT_WAIT_TIMEOUT
        if self._ctx.deadline is not None:
            timeout = min(timeout, max(self._ctx.deadline - self.clock.monotonic(), 0.0))
        what = source_text(stmt.condition)
        ctx = self._ctx

        def tick(t: WaitTick) -> None:
            self.emit(Waiting, step=ctx.name, what=t.what, elapsed=t.elapsed, last_state=t.last_state,
                      next_poll=t.next_poll, timeout=t.timeout)

        poll_until(
            lambda: bool(self._eval(stmt.condition, scope)),
            lambda ok: ok,
            clock=self.clock,
            timeout=timeout,
            what=what,
            schedule=self.poll.fixed(every * self.time_scale),
            describe=lambda ok: "not yet (condition false)",
            on_tick=tick,
            step=ctx.name,
        )

    def _eval(self, expr: ast.Expr, scope: Scope) -> Any:
        return self.evaluate(expr, scope, self._call)

    def _call(self, op: str, args: dict[str, Any], node: ast.Call | None) -> Any:
        proc = self.procs.get(op)
        if proc is not None:
            return self._run_proc(proc, args, node)
        return self.calls.call(self._ctx, op, args, where(node) if node is not None else "")
