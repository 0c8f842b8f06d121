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

Loops around steps (``for x in LIST { step "... ${x}" { ... } }``) run each step once per item,
under its expanded name, in a scope of the iteration's own (the loop variable and the bindings
made in the iteration; the checker keeps them from being read after the loop). The evaluated
list is journaled when the loop is first reached and taken from the journal on resume, so a
resumed run iterates the same items even if their source changed. A ``parallel for`` runs up to
``max`` iterations at once on threads (the client and transport are blocking); each step's run
state lives in a ``_Frame`` of its own, the journal serialises whole lines, and events are
emitted one at a time. When an iteration fails, no iteration not yet started starts; those in
flight finish or fail; then ``on failure`` runs. Undo blocks are queued for ``rollback`` by
iteration, as each iteration ends, so rollback undoes the iterations newest-first by completion.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator, Mapping
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
from smflow.run.drawn import PARAMS, DrawnValues
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
    loop: ast.StepLoop | None = None  # the loop around the step: ``name`` is then its template


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
    scope: Scope  # where it runs: the flow's scope, or its iteration's


@dataclass
class _Frame:
    """The run state of one step (of one iteration, in a loop): its call context, the scope it
    reads and binds in, and what its ``step_done`` record will say. One per running step, so
    that the iterations of a ``parallel for`` never share one."""

    ctx: StepContext
    scope: Scope
    journal_binds: bool = True  # assignments are journaled and replayed on resume (not in on failure)
    bound: dict[str, str] = field(default_factory=dict)  # name -> key of its last "bind" record
    undo_ids: list[int] = field(default_factory=list)
    assign_counts: dict[str, int] = field(default_factory=dict)
    undos: list[_Undo] | None = None  # an iteration's undo queue (None: the executor's)
    in_for: int = 0  # depth of 'for' statements: their bindings are local, not rebound on resume
    step: ExecStep | None = None  # the step it runs (None: on failure, an undo block, a loop's list)
    proc: _ProcFrame | None = None  # set while a proc's body runs in this frame's step
    proc_undos: list[dict[str, Any]] = field(default_factory=list)  # undo blocks of procs, for step_done


@dataclass
class _ProcFrame:
    """A proc being run inside a step: its scope (its params), and the step frame it runs in
    (its undo blocks register there)."""

    proc: ast.Proc
    scope: Scope
    step_frame: _Frame


@dataclass
class _Failure:
    index: int
    step: str
    error: SmflowError


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
        drawn: DrawnValues | None = None,
        threads: bool = True,
        procs: Mapping[str, ast.Proc] | None = None,
    ) -> None:
        self.steps = steps
        self.procs = dict(procs or {})
        self.threads = threads  # False: a parallel for runs its iterations one at a time, in order
        self.on_failure = on_failure
        self.scope = scope
        self.evaluate = evaluate
        self.calls = calls
        self.clock = clock
        self.journal = journal
        self._emit_lock = threading.RLock()
        self._emit = emit
        self.confirm = confirm
        self.secret_values = secret_values  # value -> param name (for the journal codec)
        self.poll = poll or PollSchedule()
        self.time_scale = time_scale
        self.resume = resume
        self.default_policy = default_policy
        self.undos: list[_Undo] = []
        self._undo_lock = threading.Lock()
        self._rerunning = False
        self._loop_names: set[str] = set()  # the names earlier loops gave their steps
        self._seen = resumeplan.known_steps(resume) if resume else set()
        self._secrets_by_name = {name: value for value, name in secret_values.items()}
        if getattr(calls, "emit", None) is emit:
            calls.emit = self.emit  # the iterations of a parallel for emit one event at a time
        # now() and uuid(), recorded per step (the evaluator draws from the same object): the
        # step is the one whose expression this thread is evaluating (iterations run at once).
        self._evaluating = threading.local()
        self.drawn = drawn or DrawnValues(clock.now)
        self.drawn.scope_of = self._drawing_scope
        self.drawn.resumable_of = self._drawing_resumable

    def _drawing_scope(self) -> str:
        frame: _Frame | None = getattr(self._evaluating, "frame", None)
        return PARAMS if frame is None else frame.ctx.name

    def _drawing_resumable(self) -> bool:
        frame: _Frame | None = getattr(self._evaluating, "frame", None)
        return frame is None or frame.ctx.resumable

    def emit(self, event: Any, **fields: Any) -> None:
        with self._emit_lock:
            self._emit(event, **fields)

    def current_call_site(self) -> str:
        """Where the call in flight was written, e.g. ``flows/bg.flow:23:5 step 'deploy' create_deployment``."""
        return self.calls.site

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> Outcome:
        outcomes: list[StepOutcome] = []
        failure: _Failure | None = None
        position = 0
        while position < len(self.steps):
            step = self.steps[position]
            if step.loop is None:
                group = [step]
            else:
                end = position
                while end < len(self.steps) and self.steps[end].loop is step.loop:
                    end += 1
                group = self.steps[position:end]
            first = position + 1
            position += len(group)
            if step.loop is None:
                outcome, error = self._run_step(step, first, step.name, None, self.scope, None)
                outcomes.append(outcome)
                failure = _Failure(first, step.name, error) if error is not None else None
            else:
                failure = self._run_loop(step.loop, group, first, outcomes)
            if failure is not None:
                for rest in self.steps[position:]:
                    outcomes.append(StepOutcome(rest.name, "not run"))
                break
        if failure is None:
            return Outcome("succeeded", outcomes, self.scope)
        failed = failure.step
        rolled: list[str] = []
        message = describe_error(failure.error)
        if isinstance(failure.error, ConfirmUnansweredError):  # nobody approved, nobody refused: stop, undo nothing
            return Outcome("failed", outcomes, self.scope, message, failed, rolled)
        if self.on_failure:
            scope = dict(self.scope, failed_step=failed, error=message)
            frame = _Frame(StepContext(0, "on failure", self.default_policy, None, key_prefix="on_failure",
                                       resumable=False), scope, journal_binds=False)
            try:
                self._block(self.on_failure, 0, None, frame, rolled=rolled)
            except ReplayError:
                raise
            except SmflowError as handler_err:
                message += f" (and the on-failure handler failed: {describe_error(handler_err)})"
        return Outcome("failed", outcomes, self.scope, message, failed, rolled)

    def _run_step(self, step: ExecStep, index: int, name: str, template: str | None, scope: Scope,
                  undos: list[_Undo] | None) -> tuple[StepOutcome, SmflowError | None]:
        """Run (or, resuming, skip) one step under ``name`` in ``scope``; the error that failed it."""
        total = len(self.steps)
        extra: dict[str, Any] = {"template": template} if template is not None else {}
        # Once a resumed run re-runs a step, every later step runs again too, even one the journal
        # shows done: after a rollback undid an earlier step, a later "wait until ready" or check
        # must see the redone state. Its journaled writes are still not sent again (their call
        # records say done) and its bindings are replayed, so re-running it repeats only reads.
        # A step new in the flow (never started by the run) is new work, not a redo: it runs and
        # the done steps after it stay skipped.
        done = self.resume.steps_done.get(name) if self.resume and not self._rerunning else None
        if self.resume is not None and done is None and name in self._seen:
            self._rerunning = True
        if done is not None:
            recorded = self.resume.binds.get(name, {}) if self.resume else {}
            for bound, key in dict(done.get("bound", {})).items():
                if key not in recorded:
                    raise JournalError(f"the journal of step '{name}' lacks the value of '{bound}'; cannot resume")
                scope[bound] = codec.decode(recorded[key], self._secrets_by_name)
            self._reregister_undos(index, step, name, done, scope, undos)
            self.emit(StepSkipped, index=index, total=total, step=name)
            return StepOutcome(name, "skipped"), None
        start = self.clock.monotonic()
        self.emit(StepStarted, index=index, total=total, step=name)
        self.journal.append("step_started", index=index, step=name, **extra)
        frame = _Frame(StepContext(index, name, step.policy, start + step.timeout if step.timeout is not None else None,
                                   timeout=step.timeout), scope, undos=undos, step=step)
        try:
            self._block(step.body, index, step, frame)
        except ReplayError:
            raise  # the cassette does not match the flow: nothing else may run (no handler)
        except SmflowError as err:
            elapsed = self.clock.monotonic() - start
            message = describe_error(err)
            self.journal.append("step_failed", index=index, step=name, error=message)
            self.emit(StepFailed, index=index, total=total, step=name, elapsed=elapsed, error=message)
            return StepOutcome(name, "failed", elapsed, message), err
        elapsed = self.clock.monotonic() - start
        if frame.proc_undos:
            extra["proc_undos"] = frame.proc_undos
        self.journal.append("step_done", index=index, step=name, elapsed=round(elapsed, 3),
                            bound=frame.bound, undos=frame.undo_ids, **extra)
        self.emit(StepFinished, index=index, total=total, step=name, elapsed=elapsed)
        return StepOutcome(name, "succeeded", elapsed), None

    # -- loops around steps ---------------------------------------------------------------------

    def _run_loop(self, loop: ast.StepLoop, group: list[ExecStep], first: int,
                  outcomes: list[StepOutcome]) -> _Failure | None:
        """Run the steps of ``loop`` once per item: in order, or up to ``max`` at once."""
        label = f"for {loop.var} in {source_text(loop.items)}"
        try:
            items = self._loop_items(loop, group, label)
            self._distinct_names(loop, items)
        except ReplayError:
            raise
        except SmflowError as err:
            self.journal.append("step_failed", index=first, step=label, error=describe_error(err))
            self.emit(StepFailed, index=first, total=len(self.steps), step=label, elapsed=0.0, error=describe_error(err))
            outcomes.append(StepOutcome(label, "failed", 0.0, describe_error(err)))
            return _Failure(first, label, err)
        per_item: list[list[StepOutcome]] = [[] for _ in items]
        if not loop.parallel:
            failure: _Failure | None = None
            for i, item in enumerate(items):
                failure = self._iteration(loop, group, first, item, per_item[i], None)
                if failure is not None:
                    break
            outcomes.extend(o for done in per_item for o in done)
            return failure
        limit = loop.limit.value if isinstance(loop.limit, ast.Int) else int(self.scope[loop.limit.name]) \
            if loop.limit is not None else 1
        stop = threading.Event()
        failures: list[_Failure] = []
        crashes: list[BaseException] = []
        lock = threading.Lock()

        def iteration(i: int) -> None:
            if stop.is_set():
                return  # an iteration has failed: none not yet started starts
            undos: list[_Undo] = []
            try:
                failure = self._iteration(loop, group, first, items[i], per_item[i], undos)
            except BaseException as exc:  # noqa: BLE001 - a replay drift or a bug: re-raised on the main thread
                with lock:
                    crashes.append(exc)
                stop.set()
                return
            finally:
                with self._undo_lock:
                    self.undos.extend(undos)  # queued as the iteration ends: rollback is newest-first by end
            if failure is not None:
                with lock:
                    failures.append(failure)
                stop.set()

        if items:
            # Imported by a flow with a parallel for only (queue, concurrent.futures: start-up cost).
            from concurrent.futures import ThreadPoolExecutor

            workers = max(1, min(limit, len(items))) if self.threads else 1
            with ThreadPoolExecutor(max_workers=workers,
                                    thread_name_prefix=f"smflow-for-{loop.var}") as pool:
                # Each iteration runs in a copy of this thread's context: the target's context
                # variables (a replay's cassette, the transport's deadline) hold in the workers too.
                for future in [pool.submit(contextvars.copy_context().run, iteration, i) for i in range(len(items))]:
                    future.result()
        for i, done in enumerate(per_item):
            if done:
                outcomes.extend(done)
            elif stop.is_set():
                outcomes.extend(StepOutcome(self._expanded(loop, j, items[i]) or group[j].name, "not run")
                                for j in range(len(group)))
        if crashes:
            raise crashes[0]
        return failures[0] if failures else None

    def _loop_items(self, loop: ast.StepLoop, group: list[ExecStep], label: str) -> list[Any]:
        """The loop's list: as journaled when the run first reached the loop, else evaluated now."""
        key = f"for {loop.var}@{group[0].name}"
        if self.resume is not None and key in self.resume.loops:
            recorded = codec.decode(self.resume.loops[key], self._secrets_by_name)
            if isinstance(recorded, list):
                return recorded
        frame = _Frame(StepContext(0, label, self.default_policy, None, resumable=False), self.scope)
        value = self._eval(loop.items, frame.scope, frame)
        if not isinstance(value, list):
            raise FlowFailedError(f"{where(loop.items)}: 'for' needs a list, got {type(value).__name__}", step=label)
        self.journal.append("loop", key=key, items=codec.encode(value, self.secret_values))
        return value

    def _distinct_names(self, loop: ast.StepLoop, items: list[Any]) -> None:
        """Refuse a list that would give two steps one name (two equal items, or an item that
        names a step of the flow or of an earlier loop): they would share their journal records, so a resume would
        take one for the other. Names that need a binding of the iteration are checked as they
        run (the journal key is the name)."""
        others = {s.name for s in self.steps if s.loop is None} | self._loop_names
        seen: set[str] = set()
        for item in items:
            for position in range(len(loop.body)):
                name = self._expanded(loop, position, item)
                if name is None:
                    continue
                if name in seen or name in others:
                    raise FlowFailedError(f"{where(loop.items)}: two steps would be named '{name}': the items of a "
                                          "loop must give each of its steps a name of its own", step=name)
                seen.add(name)
        self._loop_names |= seen

    def _expanded(self, loop: ast.StepLoop, position: int, item: Any) -> str | None:
        """The name of the loop's ``position``-th step for ``item``; None when it needs more
        than the params and the item (a binding of the iteration)."""
        scope = dict(self.scope)
        scope[loop.var] = item
        try:
            return str(self.evaluate(loop.names[position], scope, self._no_call))
        except SmflowError:
            return None

    @staticmethod
    def _no_call(op: str, args: dict[str, Any], node: ast.Call | None) -> Any:
        raise FlowFailedError(f"{where(node) if node is not None else op}: a step name cannot call an operation")

    def _iteration(self, loop: ast.StepLoop, group: list[ExecStep], first: int, item: Any,
                   outcomes: list[StepOutcome], undos: list[_Undo] | None) -> _Failure | None:
        """One item's steps, in order, in a scope of its own; the failure that stopped them."""
        scope = dict(self.scope)
        scope[loop.var] = item
        for position, step in enumerate(group):
            index = first + position
            frame = _Frame(StepContext(index, step.name, step.policy, None, resumable=False), scope)
            try:
                name = str(self._eval(loop.names[position], scope, frame))
            except ReplayError:
                raise
            except SmflowError as err:
                outcomes.append(StepOutcome(step.name, "failed", 0.0, describe_error(err)))
                return _Failure(index, step.name, err)
            outcome, failed = self._run_step(step, index, name, step.name, scope, undos)
            outcomes.append(outcome)
            if failed is not None:
                return _Failure(index, name, failed)
        return None

    # -- statements -----------------------------------------------------------------------------

    def _block(self, stmts: tuple[ast.Stmt, ...], index: int, step: ExecStep | None, frame: _Frame, *,
               rolled: list[str] | None = None) -> None:
        for stmt in stmts:
            self._stmt(stmt, index, step, frame, rolled)

    def _stmt(self, stmt: ast.Stmt, index: int, step: ExecStep | None, frame: _Frame,
              rolled: list[str] | None) -> None:
        scope = frame.scope
        if isinstance(stmt, ast.CallStmt):
            self._eval(stmt.call, scope, frame)
        elif isinstance(stmt, ast.AssignStmt):
            scope[stmt.name] = self._assign(stmt, index, frame)
        elif isinstance(stmt, ast.WaitStmt):
            self._wait(stmt, frame)
        elif isinstance(stmt, ast.IfStmt):
            branch = stmt.then if self._eval(stmt.condition, scope, frame) else stmt.orelse
            self._block(branch, index, step, frame, rolled=rolled)
        elif isinstance(stmt, ast.AssertStmt):
            if not self._eval(stmt.condition, scope, frame):
                text = self._eval(stmt.message, scope, frame) if stmt.message else "assertion failed"
                raise FlowFailedError(f"{where(stmt)}: {text}", step=frame.ctx.name)
        elif isinstance(stmt, ast.ConfirmStmt):
            question = str(self._eval(stmt.message, scope, frame))
            if not self.confirm(question):
                raise FlowFailedError(f"{where(stmt)}: not confirmed: {question}", step=frame.ctx.name)
        elif isinstance(stmt, ast.LogStmt):
            message = str(self._eval(stmt.message, scope, frame))
            self.journal.append("log", step=frame.ctx.name, message=self.calls.masker.text(message))
            self.emit(LogMessage, step=frame.ctx.name, message=message)
        elif isinstance(stmt, ast.UndoStmt):
            if frame.proc is not None:
                self._register_proc_undo(index, stmt, frame.proc)
            elif step is not None:
                undo_id = next((i for i, u in enumerate(self._undo_stmts(step)) if u is stmt), -1)
                frame.undo_ids.append(undo_id)
                self._register_undo(index, step, frame.ctx.name, undo_id, scope, frame.undos)
        elif isinstance(stmt, ast.RollbackStmt):
            self._rollback(rolled if rolled is not None else [])
        elif isinstance(stmt, ast.ForStmt):
            self._for(stmt, index, step, frame, rolled)

    def _for(self, stmt: ast.ForStmt, index: int, step: ExecStep | None, frame: _Frame,
             rolled: list[str] | None) -> None:
        """``for x in LIST { ... }`` inside a step: the body once per item, in a scope of its own.
        The list is journaled like a binding (a re-run of the step iterates the same items), and
        each iteration's calls carry it in their journal keys (``create_deployment#1[2]@step``)."""
        items = self._value(f"for {stmt.var}", stmt.items, index, frame)
        if not isinstance(items, list):
            raise FlowFailedError(f"{where(stmt.items)}: 'for' needs a list, got {type(items).__name__}",
                                  step=frame.ctx.name)
        outer_scope, outer_iteration = frame.scope, frame.ctx.iteration
        frame.in_for += 1
        try:
            for i, item in enumerate(items, start=1):
                frame.scope = dict(outer_scope)
                frame.scope[stmt.var] = item
                frame.ctx.iteration = f"{outer_iteration}[{i}]"
                self._block(stmt.body, index, step, frame, rolled=rolled)
        finally:
            frame.scope, frame.ctx.iteration = outer_scope, outer_iteration
            frame.in_for -= 1

    def _assign(self, stmt: ast.AssignStmt, index: int, frame: _Frame) -> Any:
        """Evaluate an assignment, or, in a step re-run after a crash, take the value it had then.

        Replaying the recorded value keeps a resumed step consistent with the calls it already
        made: ``old = get_deployment_by_slot(..."production")`` read before a swap must not be
        re-read after it (it would name the new deployment, and the next step would delete it).
        """
        value = self._value(stmt.name, stmt.value, index, frame)
        if frame.journal_binds and not frame.in_for:
            frame.bound[stmt.name] = f"{stmt.name}#{frame.assign_counts[stmt.name]}"
        return value

    def _value(self, name: str, expr: ast.Expr, index: int, frame: _Frame) -> Any:
        """``expr``'s value, journaled under ``name#n`` (its n-th in the step) and replayed on resume."""
        if not frame.journal_binds:
            return self._eval(expr, frame.scope, frame)
        frame.assign_counts[name] = n = frame.assign_counts.get(name, 0) + 1
        key = f"{name}#{n}"
        ctx = frame.ctx
        # An undo block evaluates afresh: it acts on the state as it is when it runs.
        recorded = self.resume.binds.get(ctx.name, {}) if self.resume and ctx.resumable else {}
        if key in recorded:
            with self._drawing(frame):
                self.drawn.skip(key)
            # The writes its evaluation made are not made again, but they still count: without
            # this, the step's next write of the same operation would take the first one's key
            # (and its done record) and never be sent.
            assert self.resume is not None
            for counter, n in self.resume.bind_calls.get(ctx.name, {}).get(key, {}).items():
                ctx.counters[counter] = ctx.counters.get(counter, 0) + n
            return codec.decode(recorded[key], self._secrets_by_name)
        before = dict(ctx.counters)
        with self.drawn.binding(key):
            value = self._eval(expr, frame.scope, frame)
        made = {c: n - before.get(c, 0) for c, n in ctx.counters.items() if n != before.get(c, 0)}
        extra: dict[str, Any] = {"calls": made} if made else {}
        self.journal.append("bind", step=ctx.name, index=index, key=key,
                            value=codec.encode(value, self.secret_values), **extra)
        return value

    def _undo_stmts(self, step: ExecStep) -> tuple[ast.UndoStmt, ...]:
        """The undo blocks of a step in source order (their position is their id in the journal)."""
        return ast.descendants(step.body, ast.UndoStmt)

    def _register_undo(self, index: int, step: ExecStep, name: str, undo_id: int, scope: Scope,
                       undos: list[_Undo] | None) -> None:
        blocks = self._undo_stmts(step)
        if 0 <= undo_id < len(blocks):
            undo = _Undo(index, name, blocks[undo_id].body, undo_id, scope)
            if undos is not None:
                undos.append(undo)  # an iteration's: queued when the iteration ends
            else:
                with self._undo_lock:
                    self.undos.append(undo)

    # -- procedures -----------------------------------------------------------------------------
    # A proc runs inside the calling step: its calls are the step's calls (retry policy, deadline,
    # journal), keyed "<op>#<n>@<step>/<proc>@<line>:<col>" after the call site (with "#<k>" from
    # its second run in the step, e.g. in a wait), so keys stay unique and the same from run to
    # run. Its scope is its params only.

    def _run_proc(self, proc: ast.Proc, args: dict[str, Any], node: ast.Call | None, caller: _Frame) -> Any:
        scope: Scope = {}
        for i, param in enumerate(proc.params):
            if param.name in args:
                scope[param.name] = args[param.name]
            elif str(i) in args:  # positional (see Evaluator._ev_call)
                scope[param.name] = args[str(i)]
            elif param.default is not None:
                scope[param.name] = self._eval(param.default, {}, caller)
            else:  # the checker refuses such a call
                raise FlowRuntimeError(f"proc {proc.name} needs '{param.name}'", (node or proc).span)
        parent = caller.ctx
        # Named by the call site, not by a count of the step's proc calls: in a step re-run after
        # a crash, `x = p(...)` done before is replayed from the journal without running p, and
        # a count would then give the next call of p the key of this one (and skip its writes).
        site = f"{node.name_span.line}:{node.name_span.col}" if node is not None else "?"
        counter = f"proc {proc.name}@{site}"  # not an operation name: operations have no space
        k = parent.counters[counter] = parent.counters.get(counter, 0) + 1
        frame_key = f"{proc.name}@{site}" + (f"#{k}" if k > 1 else "")
        ctx = StepContext(parent.index, parent.name, parent.policy, parent.deadline,
                          key_prefix=f"{parent.key_prefix}/{frame_key}", resumable=parent.resumable,
                          timeout=parent.timeout)
        ctx.iteration = parent.iteration
        # The proc's own names are local to the call: not journaled as the step's bindings (its
        # writes are, under their call-site keys, so a re-run step sends none of them twice).
        step_frame = caller.proc.step_frame if caller.proc is not None else caller
        frame = _Frame(ctx, scope, journal_binds=False, undos=caller.undos, step=caller.step,
                       proc=_ProcFrame(proc, scope, step_frame))
        self._block(proc.body, parent.index, caller.step, frame)
        return self._eval(proc.result, scope, frame) if proc.result is not None else None

    def _register_proc_undo(self, index: int, stmt: ast.UndoStmt, running: _ProcFrame) -> None:
        at = running.step_frame
        step = at.step
        if step is None:  # the checker refuses a proc with an undo block outside a step
            return
        undo_id = next((i for i, u in enumerate(ast.descendants(running.proc.body, ast.UndoStmt)) if u is stmt), -1)
        snapshot = dict(running.scope)
        at.proc_undos.append({"proc": running.proc.name, "undo": undo_id, "at": len(at.undo_ids),
                              "scope": codec.encode(snapshot, self.secret_values)})
        self._queue_undo(_Undo(index, at.ctx.name, stmt.body, undo_id, snapshot), at.undos)

    def _queue_undo(self, undo: _Undo, undos: list[_Undo] | None) -> None:
        if undos is not None:
            undos.append(undo)  # an iteration's: queued when the iteration ends
        else:
            with self._undo_lock:
                self.undos.append(undo)

    def _reregister_undos(self, index: int, step: ExecStep, name: str, done: dict[str, Any], scope: Scope,
                          undos: list[_Undo] | None) -> None:
        """The undo blocks a step done before the crash registered, in the order it registered them."""
        from_procs = done.get("proc_undos", [])
        if not isinstance(from_procs, list):
            raise JournalError(f"the journal of step '{name}' has malformed proc undo blocks; cannot resume")
        pending = sorted(from_procs, key=lambda u: u.get("at", 0) if isinstance(u, dict) else 0)
        for position, undo_id in enumerate([*done.get("undos", []), None]):
            while pending and isinstance(pending[0], dict) and pending[0].get("at") == position:
                self._reregister_proc_undo(index, name, pending.pop(0), undos)
            if undo_id is not None:
                self._register_undo(index, step, name, int(undo_id), scope, undos)
        if pending:
            raise JournalError(f"the journal of step '{name}' has malformed proc undo blocks; cannot resume")

    def _reregister_proc_undo(self, index: int, name: str, entry: dict[str, Any], undos: list[_Undo] | None) -> None:
        proc = self.procs.get(str(entry.get("proc")))
        undo_id = entry.get("undo")
        if proc is None or type(undo_id) is not int:
            raise JournalError(f"the journal of step '{name}' names proc '{entry.get('proc')}' and its undo "
                               "block, which the flow no longer has; cannot resume")
        blocks = ast.descendants(proc.body, ast.UndoStmt)
        if 0 <= undo_id < len(blocks):
            scope = codec.decode(entry.get("scope", {}), self._secrets_by_name)
            if not isinstance(scope, dict):
                raise JournalError(f"the journal of step '{name}' has a malformed proc undo block; cannot resume")
            self._queue_undo(_Undo(index, name, blocks[undo_id].body, undo_id, scope), undos)

    def _rollback(self, rolled: list[str]) -> None:
        """Run registered undo blocks, newest first; one failing does not stop the others."""
        while self.undos:
            undo = self.undos.pop()
            self.journal.append("rolling_back", index=undo.step_index, step=undo.step)
            frame = _Frame(StepContext(undo.step_index, f"undo of '{undo.step}'", self.default_policy, None,
                                       key_prefix=f"undo of {undo.step}", resumable=False), undo.scope)
            try:
                self._block(undo.body, undo.step_index, None, frame)
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

    def _wait(self, stmt: ast.WaitStmt, frame: _Frame) -> None:
        scope = frame.scope
        every = ast.duration_seconds(stmt.every, scope) if stmt.every is not None else DEFAULT_WAIT_EVERY
        timeout = ast.duration_seconds(stmt.timeout, scope) if stmt.timeout is not None else DEFAULT_WAIT_TIMEOUT
        ctx = frame.ctx
        if ctx.deadline is not None:
            timeout = min(timeout, max(ctx.deadline - self.clock.monotonic(), 0.0))
        what = source_text(stmt.condition)

        def condition() -> bool:
            with self.drawn.waiting():
                return bool(self._eval(stmt.condition, scope, frame))

        def tick(t: WaitTick) -> None:
            self.emit(Waiting, step=ctx.name, what=t.what, elapsed=t.elapsed, last_state=t.last_state,
                      next_poll=t.next_poll, timeout=t.timeout)

        poll_until(
            condition,
            lambda ok: ok,
            clock=self.clock,
            timeout=timeout,
            what=what,
            schedule=self.poll.fixed(every * self.time_scale),
            describe=lambda ok: "not yet (condition false)",
            on_tick=tick,
            step=ctx.name,
        )

    def _eval(self, expr: ast.Expr, scope: Scope, frame: _Frame) -> Any:
        ctx = frame.ctx

        def call(op: str, args: dict[str, Any], node: ast.Call | None) -> Any:
            proc = self.procs.get(op)
            if proc is not None:
                return self._run_proc(proc, args, node, frame)
            return self.calls.call(ctx, op, args, where(node) if node is not None else "")

        with self._drawing(frame):
            return self.evaluate(expr, scope, call)

    @contextlib.contextmanager
    def _drawing(self, frame: _Frame) -> Iterator[None]:
        """``now()``/``uuid()`` met meanwhile on this thread are drawn for ``frame``'s step."""
        outer = getattr(self._evaluating, "frame", None)
        self._evaluating.frame = frame
        try:
            yield
        finally:
            self._evaluating.frame = outer
