"""The retry module's tables and numbers, pinned to hand-written values: which statuses are
which kind, what each policy kind retries, the default policy the README documents, how the
backoff grows, and where Retry-After and the deadline cut it."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import tenacity

from smflow.dsl.plan import DEFAULT_RETRY, check_flow, load_flow
from smflow.errors import (
    ApiError,
    ConflictError,
    NotFoundError,
    OperationFailedError,
    TransportError,
)
from smflow.run.clock import VirtualClock
from smflow.run.retry import (
    ALL_KINDS,
    DEFAULT_POLICY,
    RETRY_AFTER_CAP,
    BackoffWait,
    PastDeadline,
    Policy,
    RetryNotice,
    attempts_of,
    call_with_retry,
    fault_kinds,
    is_ambiguous,
    transient_for,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def _failed(status: int | None) -> OperationFailedError:
    return OperationFailedError(operation="create_deployment", request_id="r", code="InternalError", message="x",
                                http_status=status)


@pytest.mark.parametrize(
    ("err", "kinds"),
    [
        (TransportError("reset"), {"connection"}),
        (TransportError("slow", timeout=True), {"connection"}),
        (ApiError("x", status=500), {"server_error"}),
        (ApiError("bad gateway", status=502), {"server_error"}),
        (ApiError("busy", status=503), {"throttled", "server_error"}),
        (ApiError("gateway timeout", status=504), {"server_error"}),
        (ApiError("slow down", status=429), {"throttled"}),
        (ApiError("not implemented", status=501), set()),
        (ApiError("version", status=505), set()),
        (ApiError("bad", status=400), set()),
        (ApiError("no", status=403), set()),
        (ApiError("no status"), set()),
        (NotFoundError("gone", status=404), set()),
        (ConflictError("Windows Azure is currently performing an operation on x that requires exclusive access.",
                       status=409), {"busy"}),
        (ConflictError("There is an operation in progress on the deployment.", status=409), {"busy"}),
        (ConflictError("Another update is In Progress.", status=409), {"busy"}),
        (ConflictError("The server is currently performing an operation on it.", status=409), {"busy"}),
        (ConflictError("The specified DNS name is already taken.", status=409), set()),
        (ConflictError("", status=409), set()),
        (_failed(500), {"server_error"}),
        (_failed(503), {"server_error"}),
        (_failed(499), set()),
        (_failed(400), set()),
        (_failed(None), set()),
    ],
)
def test_fault_kinds(err: Exception, kinds: set[str]) -> None:
    assert fault_kinds(err) == kinds


@pytest.mark.parametrize(
    ("err", "ambiguous"),
    [
        (ApiError("x", status=500), True), (ApiError("x", status=502), True), (ApiError("x", status=599), True),
        (ApiError("x", status=600), False), (ApiError("x", status=499), False), (ApiError("x", status=429), False),
        (ApiError("x"), False), (ConflictError("x", status=500), False), (TransportError("x"), True),
        (_failed(500), False), (KeyError("x"), False),
    ],
)
def test_is_ambiguous(err: Exception, ambiguous: bool) -> None:
    assert is_ambiguous(err) is ambiguous


@pytest.mark.parametrize(
    ("kinds", "retried"),
    [
        ({"throttled"}, {429, 503}),
        ({"server_error"}, {500, 502, 503, 504}),
        ({"connection"}, {"connection"}),
        ({"busy"}, {"busy"}),
        (set(), set()),
    ],
)
def test_each_policy_kind_retries_exactly_its_faults(kinds: set[str], retried: set[object]) -> None:
    faults: dict[object, Exception] = {
        429: ApiError("x", status=429), 500: ApiError("x", status=500), 502: ApiError("x", status=502),
        503: ApiError("x", status=503), 504: ApiError("x", status=504), 400: ApiError("x", status=400),
        "connection": TransportError("x"),
        "busy": ConflictError("an operation in progress", status=409),
    }
    predicate = transient_for(Policy(transient=frozenset(kinds)))
    assert {name for name, err in faults.items() if predicate(err)} == retried


def test_a_policy_whose_kinds_are_not_a_set_retries_all_or_nothing() -> None:
    class Loose:
        def __init__(self, transient: object) -> None:
            self.transient = transient

    assert transient_for(Loose(True))(ApiError("x", status=429)) is True
    assert transient_for(Loose(None))(ApiError("x", status=503)) is False
    assert transient_for(object())(TransportError("x")) is True  # no kinds at all: every transient kind


def test_the_default_policy_is_the_documented_one() -> None:
    # README: "retry attempts 6 backoff 2s..1m jitter on transient" is the default for every step.
    assert "`retry attempts 6 backoff 2s..1m jitter on transient` | the default for every step" in README.read_text()
    expected = (6, 2.0, 60.0, True, {"connection", "server_error", "throttled", "busy"})
    for policy in (DEFAULT_POLICY, Policy(), DEFAULT_RETRY):
        assert (policy.attempts, policy.backoff_min, policy.backoff_max, policy.jitter, set(policy.transient)) == expected
    assert ALL_KINDS == {"connection", "server_error", "throttled", "busy"}


def test_a_flow_without_a_retry_clause_gets_the_default(tmp_path: Path) -> None:
    flow = tmp_path / "f.flow"
    flow.write_text('flow f "no retry clause"\n\nstep "s" {\n    list_locations()\n}\n'
                    'step "t" retry attempts 2 {\n    list_locations()\n}\n')
    plan = check_flow(load_flow(flow))
    first, second = (s.retry for s in plan.steps)
    assert (first.attempts, first.backoff_min, first.backoff_max, first.jitter) == (6, 2.0, 60.0, True)
    assert (second.attempts, second.backoff_min, second.backoff_max, second.jitter) == (2, 2.0, 60.0, True)


def _state(attempt: int, exc: BaseException | None = None) -> tenacity.RetryCallState:
    state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
    state.attempt_number = attempt
    if exc is not None:
        state.set_exception((type(exc), exc, None))
    return state


def test_backoff_numbers() -> None:
    err = ApiError("x", status=500)
    assert [BackoffWait(3.0, 20.0, jitter=False)(_state(n, err)) for n in (1, 2, 3, 4, 5)] == [3.0, 6.0, 12.0, 20.0, 20.0]
    assert BackoffWait(3.0, 20.0, jitter=False)(_state(0, err)) == 3.0  # attempt 0 counts as the first
    assert BackoffWait(-1.0, 5.0, jitter=False)(_state(3, err)) == 0.0  # a negative minimum is 0
    assert BackoffWait(10.0, 5.0, jitter=False)(_state(1, err)) == 10.0  # max below min: min wins
    assert BackoffWait(0.0, 0.0, jitter=True)(_state(4, err)) == 0.0
    assert BackoffWait(2.0, 8.0, jitter=False, scale=0.5)(_state(2, err)) == 2.0


def test_jitter_is_half_fixed_half_random() -> None:
    class Edge(random.Random):
        def __init__(self, pick: str) -> None:
            super().__init__(0)
            self.pick = pick

        def uniform(self, a: float, b: float) -> float:
            return a if self.pick == "low" else b

    err = ApiError("x", status=500)
    assert BackoffWait(4.0, 60.0, jitter=True, rng=Edge("low"))(_state(2, err)) == 4.0  # 8 / 2 + 0
    assert BackoffWait(4.0, 60.0, jitter=True, rng=Edge("high"))(_state(2, err)) == 8.0  # 8 / 2 + 8 / 2
    assert BackoffWait(0.5, 60.0, jitter=True, rng=Edge("low"))(_state(1, err)) == 0.25  # below a second too


def test_retry_after_numbers() -> None:
    assert RETRY_AFTER_CAP == 300.0
    wait = BackoffWait(2.0, 60.0, jitter=False)
    assert wait(_state(1, ApiError("x", status=503, retry_after=299.5))) == 299.5
    assert wait(_state(1, ApiError("x", status=503, retry_after=300.5))) == 300.0
    assert wait(_state(1, ApiError("x", status=503, retry_after=0))) == 2.0  # 0: no opinion
    assert BackoffWait(0.25, 60.0, jitter=False)(_state(1, ApiError("x", status=503, retry_after=0.75))) == 0.75
    assert wait(_state(1, ApiError("x", status=503, retry_after=-5))) == 2.0
    assert wait(_state(6, ApiError("x", status=503, retry_after=10))) == 60.0  # the backoff is longer
    assert BackoffWait(2.0, 60.0, jitter=False, scale=0.1)(_state(1, ApiError("x", status=429, retry_after=50))) == 5.0


def test_past_deadline_looks_at_the_coming_sleep() -> None:
    clock = VirtualClock()
    clock.advance(10)
    state = _state(1, ApiError("x", status=503))
    assert PastDeadline(clock, None)(state) is False
    state.upcoming_sleep = 4.9
    assert PastDeadline(clock, 15.0)(state) is False
    state.upcoming_sleep = 5.0
    assert PastDeadline(clock, 15.0)(state) is True  # the sleep would end right at the deadline
    state.upcoming_sleep = 0.0
    assert PastDeadline(clock, 10.0)(state) is True
    assert PastDeadline(clock, 10.5)(state) is False  # no sleep coming: only the clock counts


def test_retry_notices_and_attempt_counts() -> None:
    clock = VirtualClock()
    notices: list[RetryNotice] = []
    errors = [ApiError("a", status=502), ApiError("b", status=504), TransportError("c")]

    def flaky() -> str:
        if errors:
            raise errors.pop(0)
        return "done"

    policy = Policy(attempts=4, backoff_min=1.0, backoff_max=3.0, jitter=False)
    assert call_with_retry(flaky, policy=policy, clock=clock, on_retry=notices.append) == "done"
    assert [(n.attempt, n.attempts, n.delay, str(n.error)) for n in notices] == [
        (1, 4, 1.0, "HTTP 502 a"), (2, 4, 2.0, "HTTP 504 b"), (3, 4, 3.0, "c")]
    assert clock.slept == [1.0, 2.0, 3.0]


def test_attempts_run_out_at_exactly_the_policy_count() -> None:
    for attempts, expected in ((1, 1), (2, 2), (0, 1)):
        calls = 0

        def bad_gateway() -> None:
            nonlocal calls
            calls += 1
            raise ApiError("bad gateway", status=502)

        with pytest.raises(ApiError) as info:
            call_with_retry(bad_gateway, policy=Policy(attempts=attempts, backoff_min=0, backoff_max=0),
                            clock=VirtualClock())
        assert calls == expected and attempts_of(info.value) == expected


def test_attempts_of_an_error_never_retried_or_with_a_strange_count() -> None:
    err = ApiError("x", status=400)
    assert attempts_of(err) == 1
    err.attempts = "3"  # type: ignore[attr-defined]
    assert attempts_of(err) == 1
    err.attempts = 4  # type: ignore[attr-defined]
    assert attempts_of(err) == 4


def test_an_explicit_predicate_overrides_the_policy_kinds() -> None:
    calls = 0

    def not_found() -> None:
        nonlocal calls
        calls += 1
        raise NotFoundError("not yet", status=404)

    with pytest.raises(NotFoundError):
        call_with_retry(not_found, policy=Policy(attempts=3, backoff_min=0, backoff_max=0), clock=VirtualClock(),
                        transient=lambda err: isinstance(err, NotFoundError))
    assert calls == 3


def test_a_permanent_error_after_a_transient_one_ends_the_retries() -> None:
    clock = VirtualClock()
    answers: list[Exception] = [ApiError("busy", status=503), NotFoundError("gone", status=404),
                                ApiError("busy", status=503)]
    calls = 0

    def flaky() -> None:
        nonlocal calls
        calls += 1
        raise answers.pop(0)

    with pytest.raises(NotFoundError):
        call_with_retry(flaky, policy=Policy(attempts=5, backoff_min=1, backoff_max=1, jitter=False), clock=clock)
    assert calls == 2 and clock.slept == [1]


def test_each_busy_phrase_on_its_own_is_busy() -> None:
    for message in ("The deployment requires exclusive access.", "Another operation in progress.",
                    "An update is in progress.", "The server is currently performing an operation."):
        assert fault_kinds(ConflictError(message, status=409)) == {"busy"}, message


def test_policies_and_notices_are_frozen() -> None:
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.attempts = 1  # type: ignore[misc]
    notice = RetryNotice(1, 2, 0.5, ApiError("x", status=503))
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.delay = 0  # type: ignore[misc]


def test_the_scale_and_the_random_source_reach_the_backoff() -> None:
    class Low(random.Random):
        def uniform(self, a: float, b: float) -> float:
            return a

    clock = VirtualClock()
    errors = [ApiError("x", status=500), ApiError("x", status=500)]

    def flaky() -> str:
        if errors:
            raise errors.pop(0)
        return "ok"

    policy = Policy(attempts=3, backoff_min=4.0, backoff_max=60.0, jitter=True)
    assert call_with_retry(flaky, policy=policy, clock=clock, scale=0.5, rng=Low(0)) == "ok"
    assert clock.slept == [1.0, 2.0]  # (4 / 2 + 0) * 0.5, then (8 / 2 + 0) * 0.5
