"""``run_flow``: the one front door to running a flow, used by ``smflow run`` and the pytest plugin.

It loads and checks the flow, picks the target (embedded emulator, endpoint, live Azure, or a
cassette replay on a virtual clock), opens the run journal (or reopens it to resume), and hands
the plan to the executor inside a recording or replay when asked. It returns a ``RunResult``;
a flow that ran and failed is a result with ``status == "failed"``, not an exception. Errors
before the flow runs (bad flow, bad flags, unusable journal) are raised as ``SmflowError``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager as ContextManager
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from smflow import gcpause
from smflow.dsl import ast
from smflow.errors import ConfirmUnansweredError, FlowRuntimeError, JournalError, UsageError
from smflow.run import flowplan, resumeplan, runlock
from smflow.run.calls import CallRunner
from smflow.run.clock import Clock, RealClock, VirtualClock
from smflow.run.drawn import DrawnValues
from smflow.run.events import Event, LogMessage, RunFinished, RunStarted
from smflow.run.executor import Evaluate, Executor, Outcome
from smflow.run.journal import (
    Journal,
    JournalState,
    PendingJournal,
    emulator_state_path,
    journal_path,
    new_run_id,
)
from smflow.run.outputs import evaluate_outputs
from smflow.run.poll import PollSchedule
from smflow.run.secrets import LiveSecrets, Masker, masker_for
from smflow.run.target import Target, choose_target

__all__ = ["Outputs", "RunResult", "StepResult", "run_flow"]


@dataclass(frozen=True)
class StepResult:
    name: str
    status: str  # "succeeded" | "failed" | "skipped" (done before a resume) | "not run"
    elapsed: float
    error: str | None = None


class Outputs(dict[str, Any]):
    """The declared outputs of a run (``output NAME = EXPR``), in declaration order.

    A plain dict, except that asking for a name the flow bound in a step but did not declare as
    an output says where that value is now: until outputs existed, ``RunResult.outputs`` held
    the steps' bindings, which are ``RunResult.bindings``."""

    def __init__(self, values: Mapping[str, Any] | None = None, bindings: Mapping[str, Any] | None = None) -> None:
        super().__init__(values or {})
        self._bindings = frozenset(bindings or ())

    def __missing__(self, key: str) -> Any:
        if key in self._bindings:
            raise KeyError(f"{key!r} is not a declared output of the flow but a name its steps bound: read "
                           f"it from RunResult.bindings, or declare 'output {key} = ...' in the flow")
        raise KeyError(key)


@dataclass(frozen=True)
class RunResult:
    run_id: str
    status: str  # "succeeded" | "failed"
    steps: list[StepResult]
    outputs: Outputs  # the declared outputs (``output NAME = EXPR``); empty unless the run succeeded
    requests: int  # HTTP requests sent (polls included)
    error: str | None = None
    failed_step: str | None = None
    rolled_back: list[str] = field(default_factory=list)
    journal: Path | None = None
    already_done: bool = False  # a resume of a run that had already succeeded: nothing was sent
    bindings: dict[str, Any] = field(default_factory=dict)  # what the steps bound, secrets masked

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def run_flow(
    path: str | Path | None,
    *,
    vars: Mapping[str, Any] | None = None,
    endpoint: str | None = None,
    subscription_id: str | None = None,
    cert_file: str | Path | None = None,
    key_file: str | Path | None = None,
    record: str | Path | None = None,
    replay: str | Path | None = None,
    assume_yes: bool = False,
    on_event: Callable[[Event], None] | None = None,
    journal_dir: str | Path = Path(".smflow/runs"),
    resume: str | None = None,
    clock: Clock | None = None,
    emulator_latency: float | None = None,
    force: bool = False,
    confirm: Callable[[str], bool] | None = None,
    emulator_state: str | Path | None = None,
    lock_timeout: float = 0.0,
    lock_dir: str | Path | None = None,
    on_lock_wait: Callable[[str], None] | None = None,
    setup: str | Path | None = None,
) -> RunResult:
    """Run the flow at ``path`` (or resume run ``resume``, whose journal names the flow).
    ``emulator_state`` seeds the embedded emulator with a copy of a state file saved by
    ``smflow emulator --state`` (the file itself is never modified). A run against an endpoint
    or Azure first locks what it touches (``runlock``), waiting up to ``lock_timeout`` seconds
    (0: not at all) for another run to let go, and telling ``on_lock_wait`` that it waits.
    ``setup`` is a flow run first against the same embedded emulator (``smflow.run.setup``)."""
    journal_dir = Path(journal_dir)
    if record and replay:
        raise UsageError("--record and --replay cannot be used together")
    if emulator_state is not None and resume:
        raise UsageError("--emulator-state seeds a new run: a resumed run starts from the emulator state it saved")
    if emulator_state is not None and replay:
        raise UsageError("--emulator-state seeds the embedded emulator, and a replay sends nothing to any emulator")
    if setup is not None and (resume or replay):
        raise UsageError("--setup prepares a new run on the embedded emulator: "
                         + ("a resumed run starts from the emulator state it saved" if resume else "a replay sends nothing"))
    if replay and resume:
        raise UsageError("--replay cannot resume a run: a replay is already instant and repeatable")
    given_vars = dict(vars or {})
    state: JournalState | None = None
    journal: Journal | None = None
    if resume:
        journal, state = Journal.reopen(journal_dir, resume)
        header = state.header
        if not header.get("flow_path") and not header.get("flow"):
            journal.close()
            raise JournalError(f"{journal.path}: the journal does not name its flow; the run cannot be resumed")
        recorded = Path(str(header.get("flow_path") or header["flow"]))  # absolute since format 1
        if path is not None and Path(path).resolve() != recorded.resolve():
            journal.close()
            raise UsageError(f"run {resume} ran {header.get('flow', recorded)}, not {path}: drop the flow argument "
                             "to resume it")
        path = recorded if recorded.exists() else Path(str(header.get("flow") or recorded))
        given_vars = {**dict(header.get("vars", {})), **given_vars}
        withheld = [str(name) for name in header.get("withheld_vars", ()) if name not in given_vars]
        if withheld:
            journal.close()
            raise UsageError(
                f"run {resume} was started with {_names(withheld)} holding a secret value, so "
                f"{'it was' if len(withheld) == 1 else 'they were'} not journaled: pass "
                + " ".join(f"--var {name}=..." for name in withheld) + " again to resume")
        if not endpoint and not subscription_id and header.get("target") == "endpoint":
            endpoint = str(header.get("endpoint"))
    if path is None:
        raise UsageError("which flow? give a .flow file, or --resume RUN_ID")
    options = _Options(endpoint, subscription_id, cert_file, key_file, record, replay, assume_yes, on_event,
                       journal_dir, clock, emulator_latency, force, confirm,
                       Path(emulator_state) if emulator_state is not None else None, lock_timeout,
                       Path(lock_dir) if lock_dir is not None else None, on_lock_wait,
                       Path(setup) if setup is not None else None)
    try:
        return _run(Path(path), given_vars, journal, state, options)
    finally:
        if journal is not None:
            journal.close()


@dataclass(frozen=True)
class _Options:
    """``run_flow``'s keyword arguments, as the helpers below need them."""

    endpoint: str | None
    subscription_id: str | None
    cert_file: str | Path | None
    key_file: str | Path | None
    record: str | Path | None
    replay: str | Path | None
    assume_yes: bool
    on_event: Callable[[Event], None] | None
    journal_dir: Path
    clock: Clock | None
    emulator_latency: float | None
    force: bool
    confirm: Callable[[str], bool] | None
    emulator_seed: Path | None
    lock_timeout: float
    lock_dir: Path | None
    on_lock_wait: Callable[[str], None] | None
    setup: Path | None


def _replay_defaults(path: Path, cassette: Path, drawn: DrawnValues) -> dict[str, str]:
    """The public vars the cassette was recorded with, for the params this flow still declares:
    a replay repeats the recorded run without ``--var`` (given vars win; secrets are never in a
    cassette, so they still have to be given). ``drawn`` is given the recorded now()/uuid() values."""
    from smflow.recording.cassette import recorded_drawn, recorded_meta, recorded_vars

    meta = recorded_meta(cassette)
    _replay_drawn(drawn, recorded_drawn(meta))
    recorded = recorded_vars(cassette, meta)
    if not recorded:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}  # flowplan.load reports it
    declared = {p.name for p in flowplan.parse(text, str(path)).params}
    return {name: value for name, value in recorded.items() if name in declared}


def _run(path: Path, given_vars: dict[str, Any], journal: Journal | None, state: JournalState | None,
         o: _Options) -> RunResult:
    now = RealClock().now()  # names the run and its journal: wall time even in a replay
    # A new run's journal file is made while the flow loads; removed if the run never starts.
    pending = PendingJournal(o.journal_dir, new_run_id(path, now), fresh_id=lambda: new_run_id(path, now)) \
        if journal is None else None
    try:
        return _run_loaded(path, given_vars, journal, pending, now, state, o)
    finally:
        if pending is not None:
            pending.discard()


def _replay_drawn(drawn: DrawnValues, recorded: dict[str, dict[str, str]] | None) -> None:
    drawn.replay = True
    drawn.recorded = recorded or {}
    drawn.replay_recorded = recorded is not None


def _run_loaded(path: Path, given_vars: dict[str, Any], journal: Journal | None, pending: PendingJournal | None,
                now: datetime, state: JournalState | None, o: _Options) -> RunResult:
    fresh_clock = o.clock or RealClock()  # param defaults' now(), until the run's clock is known
    drawn = DrawnValues.from_journal(fresh_clock.now, state.drawn) if state else DrawnValues(fresh_clock.now)
    if o.replay is not None and state is None:
        given_vars = {**_replay_defaults(path, Path(o.replay), drawn), **given_vars}
    loaded = flowplan.load(path, given_vars, drawn=drawn)
    text_hash = loaded.fingerprint()
    masker = masker_for(loaded.secret_values)
    secret_names = set(loaded.plan.secrets)
    public_vars = {k: v for k, v in loaded.given_vars.items() if k not in secret_names}
    # The cassette's header, when recording: a var holding a secret is left out (given again on replay).
    meta = {"flow": str(path), "vars": {k: v for k, v in public_vars.items() if masker.text(v) == v},
            "drawn": drawn.drawn}  # filled while the run draws; written when the recording ends
    notices: list[str] = []
    if state is not None:
        assert journal is not None
        diff = resumeplan.compare(state, [step.name for step in loaded.steps])
        if (state.header.get("flow_sha256") != text_hash or diff.changed) and not o.force:
            raise JournalError(
                f"{path}{' (or a file it uses)' if loaded.plan.used_files else ''} changed since run "
                f"{journal.run_id} started (its sha256 differs{diff.describe()}); "
                "resuming would mix two versions of the procedure. Pass --force to resume anyway."
            )
        notices = diff.notices()
        if state.run_status == "succeeded":
            return RunResult(journal.run_id, "succeeded", [], Outputs(state.outputs or {}), 0, journal=journal.path,
                             already_done=True)
    with ExitStack() as stack:
        runners: list[CallRunner] = []  # the replay's drift messages name the call in flight
        run_id = pending.run_id if pending is not None else _resumed(journal).run_id
        # An embedded emulator keeps its state beside the journal while the run may be resumed.
        emulator_state = emulator_state_path(o.journal_dir, run_id)
        succeeded: list[bool] = []

        def forget_emulator_state() -> None:  # registered first, so it runs after the emulator stops
            # A new run that never opened its journal (its setup or seed failed) cannot be resumed.
            if (succeeded and target.kind == "embedded") or journal is None:
                _remove_sqlite(emulator_state)

        stack.callback(forget_emulator_state)
        target, run_clock = _target(stack, o, masker, meta, locate=lambda: runners[0].site if runners else None,
                                    emulator_state=emulator_state, given_vars=given_vars,
                                    state_secrets={v: n for n, v in loaded.secret_values.items()})
        if target.kind != "replay":  # a replay's subscription is the cassette's placeholder, not a secret
            masker.add(target.subscription_id, "the subscription id")
        if target.kind in ("endpoint", "live"):  # before anything is sent, or a new journal written
            stack.enter_context(_lock(target, loaded, runlock.Holder(run_id, os.getpid(), str(path),
                                                                     now.isoformat(timespec="seconds")), o))
        if journal is None:
            assert pending is not None
            # Public vars are journaled exactly as given, so a resumed run gets the same values;
            # one holding a secret (--var service=app-$PW) is withheld and must be given again.
            withheld = sorted(k for k, v in public_vars.items() if masker.text(v) != v)
            header = {
                "flow": str(path),
                "flow_path": str(path.resolve()),  # so --resume works from any directory
                "flow_sha256": text_hash,
                "vars": {k: v for k, v in public_vars.items() if k not in withheld},
                "withheld_vars": withheld,
                "secret_params": sorted(secret_names),
                "steps": [step.name for step in loaded.steps],  # a resume tells new steps from unreached ones
                "target": target.kind,
                "endpoint": target.endpoint if target.kind in ("endpoint", "embedded") else None,
                "started": now.isoformat(),
            }
            journal = stack.enter_context(pending.open(header, mask=masker.strings))
        else:
            journal.mask = masker.strings
            journal.append("run_resumed", at=now.isoformat(), target=target.kind)
        journal.syncs = target.kind not in ("replay", "embedded")  # nothing real to lose otherwise
        drawn.clock_now = run_clock.now
        drawn.attach(journal)
        run_id = journal.run_id
        emit = _emitter(run_id, run_clock, masker, o.on_event)
        client = _client(target)
        calls = CallRunner(client, clock=run_clock, journal=journal, masker=masker, emit=emit,
                           time_scale=target.time_scale, poll=target.poll,
                           resume_calls=dict(state.calls) if state else None,
                           blobs=_blob_calls(o, meta, loaded.plan.base_dir))
        runners.append(calls)
        evaluate = loaded.evaluator(drawn.now, lambda text: masker.text(text) != text, drawn.uuid)
        executor = Executor(
            loaded.steps, on_failure=loaded.on_failure, scope=dict(loaded.params),
            evaluate=evaluate,
            calls=calls, clock=run_clock, journal=journal, emit=emit,
            confirm=o.confirm or _confirmer(o.assume_yes),
            secret_values=_journaled_secrets(loaded, target),
            poll=target.poll, time_scale=target.time_scale, resume=state, drawn=drawn, procs=loaded.plan.procs,
            # A cassette is one sequence of requests: recorded and replayed, a parallel for runs
            # one iteration at a time, in item order.
            threads=target.kind != "replay" and not o.record,
        )
        emit(RunStarted, flow=str(path), target=target.description, steps=len(loaded.steps),
             journal=str(journal_path(o.journal_dir, run_id)), resumed=state is not None)
        for notice in notices:  # a forced resume of a changed flow says what it skips and runs
            journal.append("log", step="", message=notice)
            emit(LogMessage, step="", message=notice)
        start = run_clock.monotonic()
        gcpause.resume()  # start-up is over: the run itself is collected as usual
        outcome = executor.run()
        drawn.scope_of = lambda: "(outputs)"  # outputs' now()/uuid() are recorded apart from any step's
        drawn.resumable_of = lambda: True
        declared = _declared_outputs(loaded, outcome, evaluate, masker)
        if outcome.status == "succeeded":
            succeeded.append(True)
        elapsed = run_clock.monotonic() - start
        journal.append("run_done", status=outcome.status, error=masker.text(outcome.error or "") or None,
                       failed_step=outcome.failed_step, rolled_back=outcome.rolled_back, outputs=declared)
        emit(RunFinished, status=outcome.status, elapsed=elapsed, requests=calls.requests,
             failed_step=outcome.failed_step, error=outcome.error, rolled_back=outcome.rolled_back,
             outputs=declared)
        return _result(run_id, outcome, calls.requests, masker, loaded.params, journal.path, declared or {})
    raise AssertionError("unreachable")  # pragma: no cover - ExitStack does not swallow


def _lock(target: Target, loaded: flowplan.LoadedFlow, holder: runlock.Holder, o: _Options) -> ContextManager[None]:
    """The lock on what the flow touches on this target (see ``runlock``)."""
    calls = [call for step in loaded.plan.steps if step.loop is None for call in step.calls]
    if loaded.on_failure:
        calls += ast.descendants(loaded.on_failure, ast.Call)
    resources = runlock.flow_resources(calls, loaded.params, loaded.plan.base_dir)
    # A loop over a list known from the params names its resources item by item.
    for step in (s for s in loaded.plan.steps if s.loop is not None):
        resources = runlock.loop_resources(resources, step.loop, step.calls, loaded.params, loaded.plan.base_dir)
    where = "Azure" if target.kind == "live" else f"endpoint {target.endpoint}"
    return runlock.hold(o.lock_dir or runlock.default_lock_dir(), runlock.target_key(target.endpoint, target.subscription_id),
                        resources, holder, timeout=o.lock_timeout, on_wait=o.on_lock_wait, describe_target=where)


def _journaled_secrets(loaded: flowplan.LoadedFlow, target: Target) -> dict[str, str]:
    """Secret value -> the name a journal refers to it by (``codec``): secret params by name,
    ``env_secret("X")`` as ``env:X``, the subscription id as ``@subscription`` (it reaches
    bindings through URLs, and a resumed run knows it again from its target)."""
    out = {value: name for name, value in loaded.secret_values.items()}
    if target.kind != "replay" and target.subscription_id:
        out.setdefault(target.subscription_id, "@subscription")
    return out


def _names(names: list[str]) -> str:
    quoted = [f"--var {n}" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _resumed(journal: Journal | None) -> Journal:
    assert journal is not None, "a run has a pending journal or resumes one"
    return journal


def _remove_sqlite(path: Path) -> None:
    """A finished run's emulator state is never resumed: remove it (and SQLite's side files).
    One that cannot be removed is left behind: the run has succeeded all the same."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{path}.blobs", ignore_errors=True)  # the emulator's blob bytes (emulator.blobservice)


def _declared_outputs(loaded: flowplan.LoadedFlow, outcome: Outcome, evaluate: Evaluate,
                      masker: Masker) -> dict[str, Any] | None:
    """The flow's declared outputs once every step succeeded (``smflow.run.outputs``); None when
    the run failed. An output that cannot be evaluated, or holds a secret, fails the run there
    (no step failed, so nothing is rolled back and ``on failure`` does not run): no output of
    the run is written."""
    if outcome.status != "succeeded":
        return None

    def no_call(op: str, args: dict[str, Any], node: ast.Call | None) -> Any:  # the checker refuses calls
        assert node is not None, "the evaluator names the call it makes"
        raise FlowRuntimeError(f"an output cannot call an operation ({op})", node.span, "NotSupported")

    try:
        return evaluate_outputs(loaded.plan.flow.outputs, lambda expr: evaluate(expr, outcome.scope, no_call), masker)
    except FlowRuntimeError as err:
        outcome.status, outcome.error = "failed", str(err)
        return None


def _result(run_id: str, outcome: Outcome, requests: int, masker: Masker, params: Mapping[str, Any],
            journal: Path, declared: Mapping[str, Any]) -> RunResult:
    bindings = {k: masker.value(v) for k, v in outcome.scope.items() if k not in params}
    steps = [StepResult(s.name, s.status, s.elapsed, masker.text(s.error) if s.error else None) for s in outcome.steps]
    error = masker.text(outcome.error) if outcome.error else None
    return RunResult(run_id, outcome.status, steps, Outputs(declared, bindings), requests, error, outcome.failed_step,
                     list(outcome.rolled_back), journal, bindings=bindings)


def _target(stack: ExitStack, o: _Options, masker: Masker, meta: dict[str, Any],
            locate: Callable[[], str | None], emulator_state: Path,
            given_vars: Mapping[str, Any], state_secrets: Mapping[str, str]) -> tuple[Target, Clock]:
    """Where requests go and which clock the run uses; a replay runs on a virtual clock."""
    if o.replay:
        from smflow.recording.replay import replaying_transport

        info, transport = stack.enter_context(replaying_transport(Path(o.replay), locate=locate,
                                                                  secrets=LiveSecrets(masker)))
        _keep_replayed_uploads(meta, info.meta, str(o.replay))
        # A cassette of uploads alone recorded no management request, so no endpoint: none is used.
        target = Target("replay", info.endpoint or "http://127.0.0.1", info.subscription_id, f"replay of {o.replay} (nothing is sent)",
                        poll=PollSchedule(), transport=transport)
        return target, o.clock or VirtualClock()
    target = stack.enter_context(choose_target(
        endpoint=o.endpoint, subscription_id=o.subscription_id, cert_file=o.cert_file,
        key_file=o.key_file, emulator_latency=o.emulator_latency, emulator_state=emulator_state,
        emulator_seed=o.emulator_seed, state_secrets=state_secrets))
    if o.setup is not None:  # before recording: the cassette holds the flow's requests only
        from smflow.run.setup import run_setup

        if target.kind != "embedded":
            raise UsageError("--setup runs a flow first on the embedded emulator; it cannot be used with "
                             "--endpoint or a subscription")
        run_setup(o.setup, endpoint=target.endpoint, given_vars=given_vars, emulator_latency=o.emulator_latency,
                  assume_yes=o.assume_yes, lock_dir=o.lock_dir)
    if o.record:
        from smflow.recording.session import recording

        stack.enter_context(recording(Path(o.record), secrets=LiveSecrets(masker, {target.subscription_id}),
                                      subscription_id=target.subscription_id, meta=meta))
    return target, o.clock or RealClock()


# -- blob uploads (upload_blob: run.uploads, recording.uploads) ----------------------------------

_REPLAYED_UPLOADS = "_replayed_uploads"  # in a replay's (otherwise unused) meta: the recorded uploads


def _keep_replayed_uploads(meta: dict[str, Any], recorded_meta: Mapping[str, object], cassette: str) -> None:
    from smflow.recording.uploads import ReplayedUploads, recorded_uploads

    meta[_REPLAYED_UPLOADS] = ReplayedUploads(recorded_uploads(recorded_meta, cassette), cassette)


def _blob_calls(o: _Options, meta: dict[str, Any], base_dir: Path) -> Any:
    """How this run makes its uploads: replayed from the cassette, recorded into its header
    (``meta``, written when the recording ends), or simply sent."""
    from smflow.run.uploads import BlobCalls

    if o.replay:
        return BlobCalls(base_dir=base_dir, replay=meta.pop(_REPLAYED_UPLOADS))
    return BlobCalls(base_dir=base_dir, record_meta=meta if o.record else None)


def _client(target: Target) -> Any:
    from smflow.asm.client import ServiceManagementClient

    return ServiceManagementClient(target.subscription_id, cert_file=target.cert_file, key_file=target.key_file,
                                   endpoint=target.endpoint, transport=target.transport)


def _emitter(run_id: str, clock: Clock, masker: Masker, sink: Callable[[Event], None] | None) -> Callable[..., None]:
    def emit(cls: type[Event], **fields: Any) -> None:
        if sink is None:
            return
        masked = {k: masker.value(v) if isinstance(v, (str, list, dict)) else v for k, v in fields.items()}
        sink(cls(run_id=run_id, time=clock.now().isoformat(timespec="milliseconds"), **masked))

    return emit


def _confirmer(assume_yes: bool) -> Callable[[str], bool]:
    def ask(question: str) -> bool:
        if assume_yes:
            return True
        if not sys.stdin.isatty():
            raise ConfirmUnansweredError(
                f"confirm \"{question}\" needs an answer, but stdin is not a terminal: the run stopped at the "
                "gate and rolled nothing back; resume it with --yes to confirm"
            )
        if sys.stdout.isatty():
            print(file=sys.stdout, flush=True)  # leave the live progress line intact
        print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
        answer = sys.stdin.readline().strip().lower()
        return answer in ("y", "yes")

    return ask
