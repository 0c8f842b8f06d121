"""Retry policies as tenacity values: which faults are transient, how long to back off.

The flow's ``retry`` clause (a ``RetryPolicy`` from the plan) becomes a tenacity ``Retrying``
once a first attempt has failed in a way worth retrying (tenacity is imported only then: a run
whose calls all succeed at once never pays for it):
a predicate that retries only transient faults, an exponential backoff with jitter that
honours ``Retry-After``, the run clock's ``sleep`` (so tests and replays never really sleep),
and a ``before_sleep`` hook that reports each retry. This module is the only place that knows
tenacity: ``RetryError`` never escapes it. When the attempts run out, the last real error is
raised with ``err.attempts`` set, so the message the user sees can say how often it was tried.

Anything that is not an ``SmflowError`` is never retried and propagates unchanged (a replay
drift must surface as itself).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from smflow.errors import ApiError, ConflictError, OperationFailedError, SmflowError, TransportError
from smflow.run.clock import Clock

if TYPE_CHECKING:
    import tenacity

__all__ = [
    "DEFAULT_POLICY",
    "RETRY_AFTER_CAP",
    "BackoffWait",
    "PastDeadline",
    "Policy",
    "RetryNotice",
    "RetryPolicyLike",
    "ALL_KINDS",
    "attempts_of",
    "call_with_retry",
    "fault_kinds",
    "transient_for",
    "is_ambiguous",
    "is_transient",
]

T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504, 429})
# 409s that mean "busy, try again later" rather than "no".
BUSY_PHRASES = ("exclusive access", "operation in progress", "in progress", "currently performing an operation")
RETRY_AFTER_CAP = 300.0  # a server asking for more than 5 minutes is waited on for 5 minutes


class RetryPolicyLike(Protocol):
    """What the plan's per-step ``RetryPolicy`` provides (durations in seconds)."""

    @property
    def attempts(self) -> int: ...
    @property
    def backoff_min(self) -> float: ...
    @property
    def backoff_max(self) -> float: ...
    @property
    def jitter(self) -> bool: ...


# The kinds of transient fault a flow's ``retry ... on KIND`` can name.
ALL_KINDS = frozenset({"connection", "server_error", "throttled", "busy"})


@dataclass(frozen=True)
class Policy:
    """The executor's default when a flow says nothing: 6 attempts, 2s..60s with jitter."""

    attempts: int = 6
    backoff_min: float = 2.0
    backoff_max: float = 60.0
    jitter: bool = True
    transient: frozenset[str] = ALL_KINDS


DEFAULT_POLICY = Policy()


def fault_kinds(err: BaseException) -> frozenset[str]:
    """Which transient kinds an error is: connection, server_error (5xx, or an async operation
    that ended Failed with a 5xx), throttled (429, 503), busy (a 409 saying an operation is in
    progress). Empty for permanent errors."""
    if isinstance(err, TransportError):
        return frozenset({"connection"})
    if isinstance(err, OperationFailedError):
        # An asynchronous operation the server failed itself (HttpStatusCode 5xx).
        return frozenset({"server_error"}) if (err.http_status or 0) >= 500 else frozenset()
    if isinstance(err, ConflictError):
        text = (err.message or "").lower()
        return frozenset({"busy"}) if any(phrase in text for phrase in BUSY_PHRASES) else frozenset()
    if isinstance(err, ApiError) and err.status in TRANSIENT_STATUSES:
        if err.status == 429:
            return frozenset({"throttled"})
        if err.status == 503:
            return frozenset({"throttled", "server_error"})
        return frozenset({"server_error"})
    return frozenset()


def is_transient(err: BaseException) -> bool:
    """True for faults worth retrying: connection trouble, 5xx, throttling, a busy 409."""
    return bool(fault_kinds(err))


def transient_for(policy: object) -> Callable[[BaseException], bool]:
    """The predicate for a policy whose ``transient`` names the kinds it retries."""
    kinds = getattr(policy, "transient", ALL_KINDS)
    if not isinstance(kinds, (set, frozenset)):
        kinds = ALL_KINDS if kinds else frozenset()
    chosen = frozenset(kinds)
    return lambda err: bool(fault_kinds(err) & chosen)


def is_ambiguous(err: BaseException) -> bool:
    """True when the failed request may nevertheless have been applied by the server.

    A dropped connection or a timeout may come after the server acted; a 5xx may too. A 429 or a
    busy 409 says the request was refused, so it was not applied.
    """
    if isinstance(err, TransportError):
        return True
    if isinstance(err, ApiError) and not isinstance(err, ConflictError):
        return err.status is not None and 500 <= err.status <= 599
    return False


def attempts_of(err: BaseException) -> int:
    """How many attempts an error came out of (1 when it was never retried)."""
    value = getattr(err, "attempts", 1)
    return value if isinstance(value, int) else 1


class BackoffWait:
    """Exponential backoff (min, 2*min, 4*min ... max) with equal jitter, at least Retry-After:
    a tenacity ``wait`` (any callable of the retry state; not a ``wait_base``, so that defining it
    does not import tenacity).

    ``scale`` shrinks every wait, Retry-After included, for emulator targets whose whole
    timeline is compressed (an emulator answering in 50 ms has no reason to be waited on for 2 s).
    """

    def __init__(self, minimum: float, maximum: float, jitter: bool, *, scale: float = 1.0,
                 rng: random.Random | None = None) -> None:
        self.minimum = max(minimum, 0.0)
        self.maximum = max(maximum, self.minimum)
        self.jitter = jitter
        self.scale = scale
        self.rng = rng or random.Random()

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        n = max(retry_state.attempt_number, 1)
        delay = min(self.maximum, self.minimum * (2 ** (n - 1)))
        if self.jitter and delay > 0:
            delay = delay / 2 + self.rng.uniform(0, delay / 2)
        outcome = retry_state.outcome
        err = outcome.exception() if outcome is not None and outcome.failed else None
        retry_after = getattr(err, "retry_after", None)
        if isinstance(retry_after, (int, float)) and retry_after > 0:
            delay = max(delay, min(float(retry_after), RETRY_AFTER_CAP))
        return float(delay * self.scale)


class PastDeadline:
    """Stop once the run clock reaches ``deadline``, or when the coming sleep would end at or past
    it: a ``Retry-After`` of a day inside a 20 s step ends the step now, not after a sleep that
    outlives it (tenacity's own delay stop reads real time, and looks only backwards). A tenacity
    ``stop`` (any callable of the retry state), checked after ``stop_after_attempt``."""

    def __init__(self, clock: Clock, deadline: float | None) -> None:
        self.clock = clock
        self.deadline = deadline

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        if self.deadline is None:
            return False
        upcoming = retry_state.upcoming_sleep or 0.0
        return bool(self.clock.monotonic() + upcoming >= self.deadline)


@dataclass(frozen=True)
class RetryNotice:
    """Handed to ``on_retry`` just before sleeping between two attempts."""

    attempt: int
    attempts: int
    delay: float
    error: SmflowError


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicyLike,
    clock: Clock,
    on_retry: Callable[[RetryNotice], None] | None = None,
    transient: Callable[[BaseException], bool] | None = None,
    scale: float = 1.0,
    rng: random.Random | None = None,
    deadline: float | None = None,
) -> T:
    """Call ``fn`` until it succeeds, fails permanently, or the policy's attempts run out (or
    the step's ``deadline``, on ``clock.monotonic()``, passes: no retry starts after it)."""
    attempts = max(int(policy.attempts), 1)
    transient = transient or transient_for(policy)

    def should_retry(err: BaseException) -> bool:
        return isinstance(err, SmflowError) and transient is not None and transient(err)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        if on_retry is None or state.outcome is None:
            return
        err = state.outcome.exception()
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        if isinstance(err, SmflowError):
            on_retry(RetryNotice(state.attempt_number, attempts, float(delay), err))

    def exhausted(state: tenacity.RetryCallState) -> T:
        assert state.outcome is not None
        err = state.outcome.exception()
        assert err is not None
        err.attempts = state.attempt_number  # type: ignore[attr-defined]
        raise err

    # Most calls succeed at once: the first attempt is made here, and tenacity (whose set-up
    # costs more than a request to a local emulator) only takes over when it failed in a way
    # worth retrying. It then sees that same failure as its own first attempt, so stops, waits,
    # before_sleep notices and the exhausted error are exactly what they would have been.
    try:
        return fn()
    except BaseException as err:  # handed on to tenacity, or re-raised as is
        if not should_retry(err):
            raise
        first: BaseException | None = err

    import tenacity

    def attempt() -> T:
        nonlocal first
        if first is not None:
            err, first = first, None
            raise err
        return fn()

    out_of_attempts = tenacity.stop_after_attempt(attempts)
    past_deadline = PastDeadline(clock, deadline)
    retrying = tenacity.Retrying(
        stop=lambda state: out_of_attempts(state) or past_deadline(state),
        wait=BackoffWait(policy.backoff_min, policy.backoff_max, policy.jitter, scale=scale, rng=rng),
        retry=tenacity.retry_if_exception(should_retry),
        sleep=clock.sleep,
        before_sleep=before_sleep,
        retry_error_callback=exhausted,
        reraise=True,
    )
    result: T = retrying(attempt)
    return result
