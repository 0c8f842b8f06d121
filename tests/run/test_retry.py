"""Retry policies: which errors are retried, the backoff schedule, Retry-After, attempt counts."""

from __future__ import annotations

import random

import pytest
import tenacity

from smflow.errors import ApiError, ConflictError, NotFoundError, ReplayDriftError, TransportError, UsageError
from smflow.run.clock import VirtualClock
from smflow.run.retry import (
    BackoffWait,
    Policy,
    RetryNotice,
    attempts_of,
    call_with_retry,
    is_ambiguous,
    is_transient,
)

BUSY = "Windows Azure is currently performing an operation on this deployment that requires exclusive access."


@pytest.mark.parametrize(
    ("err", "transient", "ambiguous"),
    [
        (TransportError("connection reset"), True, True),
        (TransportError("read timed out", timeout=True), True, True),
        (ApiError("boom", status=500, code="InternalError"), True, True),
        (ApiError("busy", status=503, code="ServerBusy", retry_after=3), True, True),
        (ApiError("slow down", status=429, code="TooManyRequests"), True, False),
        (ConflictError(BUSY, status=409, code="ConflictError"), True, False),
        (ConflictError("The specified DNS name is already taken.", status=409, code="ConflictError"), False, False),
        (NotFoundError("The hosted service does not exist.", status=404, code="ResourceNotFound"), False, False),
        (ApiError("bad", status=400, code="BadRequest"), False, False),
        (ApiError("no", status=403, code="AuthenticationFailed"), False, False),
    ],
)
def test_classification(err: Exception, transient: bool, ambiguous: bool) -> None:
    assert is_transient(err) is transient
    assert is_ambiguous(err) is ambiguous


def _state(attempt: int, exc: BaseException | None = None) -> tenacity.RetryCallState:
    state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    if exc is not None:
        state.set_exception((type(exc), exc, None))
    return state


def test_backoff_doubles_up_to_max_without_jitter() -> None:
    wait = BackoffWait(2.0, 10.0, jitter=False)
    assert [wait(_state(n, ApiError("x", status=500))) for n in range(1, 6)] == [2.0, 4.0, 8.0, 10.0, 10.0]


def test_jitter_stays_within_half_to_full_delay() -> None:
    wait = BackoffWait(2.0, 60.0, jitter=True, rng=random.Random(7))
    for n in range(1, 8):
        full = min(60.0, 2.0 * 2 ** (n - 1))
        value = wait(_state(n, ApiError("x", status=500)))
        assert full / 2 <= value <= full


def test_retry_after_is_honoured_and_capped() -> None:
    wait = BackoffWait(1.0, 4.0, jitter=False)
    assert wait(_state(1, ApiError("busy", status=503, retry_after=30))) == 30.0
    assert wait(_state(1, ApiError("busy", status=503, retry_after=10_000))) == 300.0
    assert wait(_state(3, ApiError("busy", status=503, retry_after=1))) == 4.0


def test_scale_shrinks_every_wait() -> None:
    wait = BackoffWait(2.0, 60.0, jitter=False, scale=0.01)
    assert wait(_state(1, ApiError("busy", status=503, retry_after=5))) == pytest.approx(0.05)


def test_transient_errors_are_retried_on_the_clock_then_succeed() -> None:
    clock = VirtualClock()
    errors = [TransportError("dropped"), ApiError("busy", status=503, retry_after=7)]
    notices: list[RetryNotice] = []

    def flaky() -> str:
        if errors:
            raise errors.pop(0)
        return "ok"

    policy = Policy(attempts=5, backoff_min=1.0, backoff_max=8.0, jitter=False)
    assert call_with_retry(flaky, policy=policy, clock=clock, on_retry=notices.append) == "ok"
    assert clock.slept == [1.0, 7.0]
    assert [(n.attempt, n.attempts, n.delay) for n in notices] == [(1, 5, 1.0), (2, 5, 7.0)]


def test_exhausted_attempts_raise_the_last_real_error_with_the_count() -> None:
    clock = VirtualClock()
    calls = 0

    def always_busy() -> None:
        nonlocal calls
        calls += 1
        raise ApiError(f"busy {calls}", status=503)

    with pytest.raises(ApiError) as info:
        call_with_retry(always_busy, policy=Policy(attempts=3, backoff_min=1, backoff_max=1, jitter=False), clock=clock)
    assert not isinstance(info.value, tenacity.RetryError)
    assert info.value.message == "busy 3"
    assert attempts_of(info.value) == 3
    assert calls == 3


@pytest.mark.parametrize(
    "err",
    [
        ConflictError("The specified DNS name is already taken.", status=409),
        NotFoundError("gone", status=404),
        UsageError("bad flag"),
    ],
)
def test_permanent_errors_are_not_retried(err: Exception) -> None:
    clock = VirtualClock()
    calls = 0

    def fails() -> None:
        nonlocal calls
        calls += 1
        raise err

    with pytest.raises(type(err)):
        call_with_retry(fails, policy=Policy(), clock=clock)
    assert calls == 1
    assert clock.slept == []
    assert attempts_of(err) == 1


@pytest.mark.parametrize("err", [KeyError("x"), ReplayDriftError("drift")])
def test_foreign_and_drift_errors_propagate_unchanged(err: Exception) -> None:
    calls = 0

    def fails() -> None:
        nonlocal calls
        calls += 1
        raise err

    with pytest.raises(type(err)) as info:
        call_with_retry(fails, policy=Policy(), clock=VirtualClock())
    assert info.value is err
    assert calls == 1


def test_policy_kinds_limit_what_is_retried() -> None:
    calls = 0

    def throttled() -> None:
        nonlocal calls
        calls += 1
        raise ApiError("slow down", status=429)

    only_connection = Policy(attempts=4, backoff_min=0, backoff_max=0, transient=frozenset({"connection"}))
    with pytest.raises(ApiError):
        call_with_retry(throttled, policy=only_connection, clock=VirtualClock())
    assert calls == 1
    with pytest.raises(ApiError):
        call_with_retry(throttled, policy=Policy(attempts=4, backoff_min=0, backoff_max=0), clock=VirtualClock())
    assert calls == 5


def test_no_retry_starts_after_the_deadline() -> None:
    clock = VirtualClock()
    calls = 0

    def busy() -> None:
        nonlocal calls
        calls += 1
        raise ApiError("busy", status=503)

    policy = Policy(attempts=50, backoff_min=10, backoff_max=10, jitter=False)
    with pytest.raises(ApiError) as info:
        call_with_retry(busy, policy=policy, clock=clock, deadline=35.0)
    # At 0, 10, 20 and 30 s; the next sleep would end at 40 s, past the deadline, so it never starts.
    assert attempts_of(info.value) == calls == 4
    assert clock.slept == [10, 10, 10] and clock.monotonic() == 30
