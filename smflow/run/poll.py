"""Waiting with a deadline: asynchronous operations and ``wait until`` conditions.

Both are the same loop: fetch a state, stop when it is final, otherwise sleep (on the run
clock) with a growing interval. Every wait has a deadline; on expiry the ``WaitTimeoutError``
says what was awaited, for how long and the last state seen (the SDK's 30-second give-up is
what this replaces, wire.md section 7). A transient fault while polling (a dropped connection,
a 503) is not the end of the wait: it is reported as the last state and polled again, up to
``max_errors`` in a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from smflow.errors import OperationFailedError, SmflowError, WaitTimeoutError
from smflow.run.clock import Clock
from smflow.run.retry import is_transient

__all__ = [
    "DEFAULT_OPERATION_TIMEOUT",
    "PollSchedule",
    "WaitTick",
    "describe_operation",
    "poll_until",
    "wait_for_operation",
]

T = TypeVar("T")

DEFAULT_OPERATION_TIMEOUT = 30 * 60.0  # real deployments take minutes (wire.md section 1.5)


@dataclass(frozen=True)
class PollSchedule:
    """Poll intervals: ``initial``, then multiplied by ``factor`` up to ``maximum`` (seconds)."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 15.0

    def scaled(self, scale: float) -> PollSchedule:
        return replace(self, initial=self.initial * scale, maximum=self.maximum * scale)

    def fixed(self, every: float) -> PollSchedule:
        """A schedule that polls at a constant interval (``wait until ... every 15s``)."""
        return PollSchedule(initial=every, factor=1.0, maximum=every)


@dataclass(frozen=True)
class WaitTick:
    """Handed to ``on_tick`` before each sleep: what a live progress line shows."""

    what: str
    elapsed: float
    last_state: str
    next_poll: float
    timeout: float


def poll_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    clock: Clock,
    timeout: float,
    what: str,
    schedule: PollSchedule = PollSchedule(),
    describe: Callable[[T], str] = str,
    on_tick: Callable[[WaitTick], None] | None = None,
    transient: Callable[[BaseException], bool] = is_transient,
    max_errors: int = 6,
    step: str | None = None,
) -> T:
    """Fetch until ``done(value)``; raise ``WaitTimeoutError`` once ``timeout`` seconds pass."""
    start = clock.monotonic()
    interval = max(schedule.initial, 0.0)
    errors = 0
    last = "(no answer yet)"
    while True:
        try:
            value = fetch()
        except SmflowError as err:
            if not transient(err):
                raise
            errors += 1
            if errors >= max_errors:
                raise
            last = f"error: {err}"
        else:
            errors = 0
            if done(value):
                return value
            last = describe(value)
        elapsed = clock.monotonic() - start
        remaining = timeout - elapsed
        if remaining <= 0:
            raise WaitTimeoutError(waiting_for=what, waited=elapsed, last_state=last, step=step)
        delay = min(interval, remaining)
        if on_tick is not None:
            on_tick(WaitTick(what, elapsed, last, delay, timeout))
        clock.sleep(delay)
        interval = min(max(interval * schedule.factor, schedule.initial), max(schedule.maximum, schedule.initial))


def describe_operation(op: Any) -> str:
    status = getattr(op, "status", None) or "unknown"
    code = getattr(op, "http_status_code", None)
    return f"{status} (HTTP {code})" if code else str(status)


def wait_for_operation(
    get_status: Callable[[str], Any],
    request_id: str,
    *,
    operation: str,
    clock: Clock,
    timeout: float = DEFAULT_OPERATION_TIMEOUT,
    schedule: PollSchedule = PollSchedule(),
    on_tick: Callable[[WaitTick], None] | None = None,
    step: str | None = None,
    max_errors: int = 6,
) -> Any:
    """Poll ``get_status(request_id)`` until Succeeded; Failed becomes ``OperationFailedError``."""
    final = poll_until(
        lambda: get_status(request_id),
        lambda op: getattr(op, "status", None) in ("Succeeded", "Failed"),
        clock=clock,
        timeout=timeout,
        what=f"{operation} (operation {request_id}) to finish",
        schedule=schedule,
        describe=describe_operation,
        on_tick=on_tick,
        step=step,
        max_errors=max_errors,
    )
    if getattr(final, "status", None) == "Failed":
        error = getattr(final, "error", None)
        code = getattr(final, "http_status_code", None)
        raise OperationFailedError(
            operation=operation,
            request_id=request_id,
            code=getattr(error, "code", None),
            message=getattr(error, "message", None),
            http_status=int(code) if isinstance(code, (int, str)) and str(code).isdigit() else None,
            step=step,
        )
    return final
