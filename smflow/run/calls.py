"""Making one operation call safely: retries, read-back, journal, and awaiting async operations.

Reads are simply retried on transient faults. Writes (create, update, delete, swap) follow the
rules that keep a flaky network or a ``kill -9`` from doing anything twice:

1. The intent is journaled (with a call key ``<op>#<n>@<step>``) before the request is sent.
2. After an ambiguous failure (dropped connection, timeout, 5xx) the state is read back before
   any retry (``readback.py``): if the effect is already in place the call is done. A 409/404
   after an ambiguous attempt is read back too (our first attempt may be what it conflicts with).
   A write whose effect no read shows (a key regeneration, a reboot) is looked up in the
   subscription's operation log instead (``oplog.py``): one started after its intent was
   journaled is ours, and is waited for rather than sent again.
3. A 202's request id is journaled at once, then the operation is polled to the end. An
   operation that ends Failed with a 5xx (the server's own fault, e.g. InternalError) counts as
   a transient failure of the call: read back, then retried within the step's policy. Any other
   Failed ending is final (``OperationFailedError``).
4. On resume, a call the journal shows done is skipped, one with a request id is re-attached
   and polled (never re-issued), and one with only an intent is read back before re-issuing.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from smflow.asm.catalogue import OperationSpec, get_operation
from smflow.asm.models import AsynchronousOperationResult
from smflow.errors import (
    ArgumentError,
    ConflictError,
    NotFoundError,
    OperationFailedError,
    SmflowError,
    TransportError,
    WaitTimeoutError,
)
from smflow.run import oplog, readback
from smflow.run.clock import Clock
from smflow.run.events import RequestSent, Retrying, Waiting
from smflow.run.journal import CallRecord, Journal
from smflow.run.poll import DEFAULT_OPERATION_TIMEOUT, PollSchedule, WaitTick, poll_until, wait_for_operation
from smflow.run.retry import (
    RetryNotice,
    RetryPolicyLike,
    attempts_of,
    call_with_retry,
    fault_kinds,
    is_ambiguous,
    transient_for,
)
from smflow.run.secrets import Masker
from smflow.run.wording import describe_error

if TYPE_CHECKING:
    from smflow.run.uploads import BlobCalls

__all__ = ["CallRunner", "ClientLike", "StepContext"]

Emit = Callable[..., None]  # emit(EventClass, **fields)
_SLACK = 0.05  # a request cut this close to the step's deadline was cut by it


class ClientLike(Protocol):
    def call(self, op_name: str, args: dict[str, Any], *, before_send: Callable[[], None] | None = None,
             timeout: float | None = None) -> Any: ...


@dataclass
class StepContext:
    """What a call needs to know about the step it runs in."""

    index: int
    name: str
    policy: RetryPolicyLike
    deadline: float | None  # on the run clock; None: only the per-operation default applies
    key_prefix: str = ""  # call keys are "<op>#<n>@<prefix>"; a step's prefix is its name (its identity)
    resumable: bool = True  # consult the journal of the run being resumed (not for undo/on failure)
    counters: dict[str, int] = field(default_factory=dict)
    timeout: float | None = None  # the step's ``timeout`` as written (for messages; ``deadline`` rules)
    iteration: str = ""  # inside ``for`` statements: ``[i]`` per loop, part of every call key

    def __post_init__(self) -> None:
        if not self.key_prefix:
            self.key_prefix = self.name


class _AlreadyDone:
    """A write found, by read-back, to have taken effect already."""


_ALREADY = _AlreadyDone()


class CallRunner:
    def __init__(
        self,
        client: ClientLike,
        *,
        clock: Clock,
        journal: Journal,
        masker: Masker,
        emit: Emit,
        time_scale: float = 1.0,
        poll: PollSchedule | None = None,
        resume_calls: dict[str, CallRecord] | None = None,
        rng: random.Random | None = None,
        blobs: BlobCalls | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.journal = journal
        self.masker = masker
        self.emit = emit
        self.time_scale = time_scale
        self.poll = poll or PollSchedule()
        self.resume_calls = dict(resume_calls or {})
        self.rng = rng or random.Random()
        self.requests = 0
        self.blobs = blobs  # the data-plane calls (upload_blob): run.uploads
        self._count_lock = threading.Lock()
        # "<file>:<line>:<col> step '<name>' <op>" of the call being made, per thread (the
        # iterations of a parallel for call at once); ``site`` reads the calling thread's.
        self._sites = threading.local()
        self._last_site = ""
        # When a write the operation log reads back was last answered, per object: no earlier
        # entry of the log can be a later call's (oplog.started_since's ``floor``).
        self._answered: dict[tuple[str, str], datetime] = {}

    @property
    def site(self) -> str:
        site: str = getattr(self._sites, "site", self._last_site)
        return site

    @site.setter
    def site(self, value: str) -> None:
        self._sites.site = self._last_site = value

    # -- entry point ----------------------------------------------------------------------------

    def call(self, ctx: StepContext, op: str, args: dict[str, Any], where: str = "") -> Any:
        spec = get_operation(op)
        if spec is None:
            raise ArgumentError(op, None, "unknown operation")
        self._sites.site = self._last_site = f"{where} step '{ctx.name}' {op}".strip()
        self.masker.learn_arguments(spec, args)
        if spec.plane == "blob":
            if self.blobs is None:
                raise ArgumentError(op, None, "this run cannot reach a blob service")
            return self.blobs.call(self, ctx, spec, args)
        if spec.effect == "read":
            result = self.read(ctx, op, args)
            self.masker.learn_result(result)
            return result
        return self._write(ctx, spec, args)

    def read(self, ctx: StepContext, op: str, args: dict[str, Any]) -> Any:
        return self._retry(ctx, op, lambda n: self._send(ctx, op, args, n))

    # -- writes ---------------------------------------------------------------------------------

    def _write(self, ctx: StepContext, spec: OperationSpec, args: dict[str, Any]) -> AsynchronousOperationResult:
        """Send a write once (in effect), and return its result, so a flow can bind it and pass
        ``r.request_id`` to ``get_operation_status``. When the write was found already applied
        (resume, read-back) its request id may be unknown: the result then has ``request_id``
        None, which is what a flow sees rather than a made-up id."""
        op = spec.name
        counter = op + ctx.iteration
        n = ctx.counters[counter] = ctx.counters.get(counter, 0) + 1
        key = f"{op}#{n}{ctx.iteration}@{ctx.key_prefix}"
        prior = self.resume_calls.pop(key, None) if ctx.resumable else None
        suspect = False  # an earlier process may have sent this call already
        intent: datetime | None = None  # when the intent was journaled (the operation log's read-back)
        if prior is not None:
            if prior.done:
                return AsynchronousOperationResult(request_id=prior.request_id)
            if prior.request_id:
                try:
                    self._await(ctx, op, prior.request_id)
                except OperationFailedError as err:
                    if not fault_kinds(err):
                        raise
                    # The server gave up on it (5xx): decide by read-back, as after any ambiguity.
                else:
                    self.journal.append("call_done", key=key, op=op, reattached=True, request_id=prior.request_id)
                    return AsynchronousOperationResult(request_id=prior.request_id)
            intent = prior.intent_at  # the earlier process's: its call started after it (None: unknown)
            if self._in_place(ctx, op, args, intent):
                self._settle(ctx, spec, args)
                self.journal.append("call_done", key=key, op=op, read_back=True)
                return AsynchronousOperationResult(request_id=None)
            suspect = True
        journaled = self.clock.now()
        intent = intent or journaled
        self.journal.append("call_intent", key=key, op=op, args=self.masker.arguments(spec, args), durable=True,
                            at=journaled.isoformat())
        ambiguous = suspect

        def attempt(n_attempt: int) -> Any:
            nonlocal ambiguous
            if ambiguous and n_attempt > 1 and self._in_place(ctx, op, args, intent):
                return _ALREADY
            try:
                result = self._send(ctx, op, args, n_attempt)
            except SmflowError as err:
                if is_ambiguous(err):
                    ambiguous = True
                elif (
                    ambiguous
                    and isinstance(err, (ConflictError, NotFoundError))
                    and self._in_place(ctx, op, args, intent)
                ):
                    return _ALREADY
                raise
            request_id = getattr(result, "request_id", None)
            if spec.asynchronous and request_id:
                self.journal.append("call_sent", key=key, op=op, request_id=request_id)
                try:
                    self._await(ctx, op, request_id)
                except OperationFailedError as err:
                    # Failed with a 5xx: transient (retried per the policy), and what it left
                    # behind is read back before the next attempt.
                    ambiguous = ambiguous or bool(fault_kinds(err))
                    raise
            return result

        result = self._retry(ctx, op, attempt)
        if oplog.covers(op):
            self._answered[(op, oplog.objects(op, args)[0])] = self.clock.now()
        if result is _ALREADY:
            self._settle(ctx, spec, args)
            self.journal.append("call_done", key=key, op=op, read_back=True)
            return AsynchronousOperationResult(request_id=None)
        request_id = getattr(result, "request_id", None)
        self.journal.append("call_done", key=key, op=op, request_id=request_id)
        if isinstance(result, AsynchronousOperationResult):
            return result
        return AsynchronousOperationResult(request_id=request_id)

    def _in_place(self, ctx: StepContext, op: str, args: dict[str, Any], intent: datetime | None) -> bool:
        def read(read_op: str, read_args: dict[str, Any]) -> Any:
            return self.read(ctx, read_op, read_args)

        if oplog.covers(op):
            return intent is not None and self._logged(ctx, op, args, intent, read)
        return readback.effect_in_place(op, args, read) is True

    def _logged(self, ctx: StepContext, op: str, args: dict[str, Any], intent: datetime,
                read: readback.Reader) -> bool:
        """Whether the operation log shows this call's write, started since its intent, and
        (waited for when still running) not undone: a write that ended Failed is sent again, as
        one the service never took."""
        try:
            floor = self._answered.get((op, oplog.objects(op, args)[0]))
        except KeyError:
            return False
        found = oplog.started_since(op, args, intent, read, clock=self.clock, lag=oplog.LAG * self.time_scale,
                                    floor=floor)
        if found is None or found.status == "Failed":
            return False
        if found.status == "InProgress" and found.request_id:
            try:
                self._await(ctx, op, found.request_id)
            except OperationFailedError as err:
                if not fault_kinds(err):
                    raise
                return False  # the server gave up on it (5xx): it is undone, send it again
        return True

    def _settle(self, ctx: StepContext, spec: OperationSpec, args: dict[str, Any]) -> None:
        """After a read-back found an async write in place, wait until it stops transitioning
        (its request id is unknown, so the resource itself is polled)."""
        if not spec.asynchronous:
            return
        poll_until(
            lambda: readback.settled(spec.name, args, lambda o, a: self.read(ctx, o, a)),
            lambda answer: answer[0],
            clock=self.clock,
            timeout=self._remaining(ctx),
            what=f"{spec.name} (found already applied) to settle",
            schedule=self.poll,
            describe=lambda answer: answer[1],
            on_tick=self._on_tick(ctx),
            step=ctx.name,
        )

    def _await(self, ctx: StepContext, op: str, request_id: str) -> Any:
        return wait_for_operation(
            lambda rid: self._status(ctx, rid),
            request_id,
            operation=op,
            clock=self.clock,
            timeout=self._remaining(ctx),
            schedule=self.poll,
            on_tick=self._on_tick(ctx),
            step=ctx.name,
            max_errors=max(int(ctx.policy.attempts), 1) + 2,
        )

    # -- plumbing -------------------------------------------------------------------------------

    def _remaining(self, ctx: StepContext) -> float:
        if ctx.deadline is None:
            return DEFAULT_OPERATION_TIMEOUT
        return max(ctx.deadline - self.clock.monotonic(), 0.0)

    def _request_budget(self, ctx: StepContext) -> float | None:
        """The most one request may take: what is left of the step (None: the transport's own)."""
        return None if ctx.deadline is None else max(ctx.deadline - self.clock.monotonic(), 0.0)

    def _on_tick(self, ctx: StepContext) -> Callable[[WaitTick], None]:
        def tick(t: WaitTick) -> None:
            self.emit(Waiting, step=ctx.name, what=t.what, elapsed=t.elapsed, last_state=t.last_state,
                      next_poll=t.next_poll, timeout=t.timeout)

        return tick

    def _status(self, ctx: StepContext, request_id: str) -> Any:
        with self._count_lock:
            self.requests += 1
        return self.client.call("get_operation_status", {"request_id": request_id},
                                timeout=self._request_budget(ctx))

    def _send(self, ctx: StepContext, op: str, args: dict[str, Any], attempt: int) -> Any:
        with self._count_lock:
            self.requests += 1
        try:
            # Sent only once the journal's intent for it is on disk (see Journal.wait_durable).
            result = self.client.call(op, args, before_send=self.journal.wait_durable,
                                      timeout=self._request_budget(ctx))
        except TransportError as err:
            if err.operation:
                raise
            # Say which call could not get through (the transport does not know operations).
            raise TransportError(err.message, operation=op, timeout=err.timeout) from err
        self.emit(RequestSent, step=ctx.name, operation=op, attempt=attempt,
                  request_id=getattr(result, "request_id", None))
        return result

    # The data-plane calls (run.uploads) retry and budget their requests by the same rules.
    def with_retry(self, ctx: StepContext, op: str, fn: Callable[[int], Any]) -> Any:
        return self._retry(ctx, op, fn)

    def request_budget(self, ctx: StepContext) -> float | None:
        return self._request_budget(ctx)

    def _retry(self, ctx: StepContext, op: str, fn: Callable[[int], Any]) -> Any:
        counter = 0

        def once() -> Any:
            nonlocal counter
            counter += 1
            return fn(counter)

        def on_retry(notice: RetryNotice) -> None:
            self.emit(Retrying, step=ctx.name, operation=op, attempt=notice.attempt, attempts=notice.attempts,
                      delay=notice.delay, error=str(notice.error))

        try:
            return call_with_retry(once, policy=ctx.policy, clock=self.clock, on_retry=on_retry,
                                   scale=self.time_scale, rng=self.rng, deadline=ctx.deadline)
        except SmflowError as err:
            if self._cut_by_deadline(ctx, err):
                raise self._deadline_error(ctx, op, err) from err
            raise

    def _cut_by_deadline(self, ctx: StepContext, err: SmflowError) -> bool:
        """Whether the step's deadline, not the error itself, ended the call: a request cut at
        the deadline, or a transient fault whose retries stopped early because the next sleep
        would have outlived the step."""
        if ctx.deadline is None:
            return False
        if isinstance(err, TransportError) and err.timeout and self.clock.monotonic() >= ctx.deadline - _SLACK:
            return True
        return transient_for(ctx.policy)(err) and attempts_of(err) < max(int(ctx.policy.attempts), 1)

    def _deadline_error(self, ctx: StepContext, op: str, err: SmflowError) -> WaitTimeoutError:
        assert ctx.deadline is not None
        timeout = ctx.timeout
        start = ctx.deadline - timeout if timeout is not None else None
        waited = self.clock.monotonic() - start if start is not None else 0.0
        limit = f"the step's {timeout:g}s deadline" if timeout is not None else "the step's deadline"
        last = describe_error(err)
        retry_after = getattr(err, "retry_after", None)
        if isinstance(retry_after, (int, float)) and self.clock.monotonic() + retry_after >= ctx.deadline:
            after = f"{retry_after:.0f}" if float(retry_after).is_integer() else f"{retry_after:.3g}"
            last += f"; the server asked to retry after {after}s, past {limit}"
        return WaitTimeoutError(waiting_for=f"{op} to answer within {limit}", waited=waited, last_state=last,
                                step=ctx.name)
