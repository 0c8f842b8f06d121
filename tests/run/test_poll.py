"""Polling with deadlines against an abstract status function on a virtual clock."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from smflow.errors import ApiError, NotFoundError, OperationFailedError, WaitTimeoutError
from smflow.run.clock import VirtualClock
from smflow.run.poll import PollSchedule, WaitTick, poll_until, wait_for_operation


@dataclass
class Err:
    code: str
    message: str


@dataclass
class Op:
    status: str
    http_status_code: int | None = None
    error: Err | None = None


def test_operation_polled_with_doubling_interval_until_succeeded() -> None:
    clock = VirtualClock()
    answers = [Op("InProgress")] * 5 + [Op("Succeeded", 200)]
    seen: list[str] = []

    def status(request_id: str) -> Op:
        seen.append(request_id)
        return answers.pop(0)

    ticks: list[WaitTick] = []
    op = wait_for_operation(status, "abc", operation="create_deployment", clock=clock,
                            schedule=PollSchedule(1.0, 2.0, 4.0), on_tick=ticks.append)
    assert op.status == "Succeeded"
    assert seen == ["abc"] * 6
    assert clock.slept == [1.0, 2.0, 4.0, 4.0, 4.0]
    assert ticks[0].last_state == "InProgress" and ticks[0].next_poll == 1.0


def test_failed_operation_names_step_op_code_and_message() -> None:
    clock = VirtualClock()
    failed = Op("Failed", 409, Err("ConflictError", "The deployment name is in use."))
    with pytest.raises(OperationFailedError) as info:
        wait_for_operation(lambda _rid: failed, "r1", operation="create_deployment", clock=clock,
                           step="deploy to staging")
    text = str(info.value)
    assert "deploy to staging" in text and "create_deployment" in text
    assert "ConflictError" in text and "The deployment name is in use." in text
    assert info.value.http_status == 409


def test_deadline_expiry_says_what_how_long_and_last_state() -> None:
    clock = VirtualClock()
    with pytest.raises(WaitTimeoutError) as info:
        wait_for_operation(lambda _rid: Op("InProgress"), "r2", operation="swap_deployment", clock=clock,
                           timeout=60.0, schedule=PollSchedule(1.0, 2.0, 15.0))
    err = info.value
    assert err.waited == pytest.approx(60.0)
    assert "swap_deployment" in str(err) and "InProgress" in str(err) and "60s" in str(err)
    assert sum(clock.slept) == pytest.approx(60.0)  # the last sleep is clipped to the deadline


def test_transient_errors_while_polling_are_tolerated() -> None:
    clock = VirtualClock()
    answers: list[object] = [ApiError("busy", status=503), Op("InProgress"), ApiError("busy", status=500),
                             Op("Succeeded", 200)]

    def status(_rid: str) -> Op:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        assert isinstance(answer, Op)
        return answer

    assert wait_for_operation(status, "r3", operation="op", clock=clock).status == "Succeeded"


def test_too_many_errors_in_a_row_end_the_wait() -> None:
    clock = VirtualClock()

    def status(_rid: str) -> Op:
        raise ApiError("busy", status=503)

    with pytest.raises(ApiError):
        wait_for_operation(status, "r4", operation="op", clock=clock, max_errors=3)
    assert len(clock.slept) == 2


def test_permanent_error_while_polling_is_raised_at_once() -> None:
    clock = VirtualClock()

    def status(_rid: str) -> Op:
        raise NotFoundError("no such operation", status=404)

    with pytest.raises(NotFoundError):
        wait_for_operation(status, "r5", operation="op", clock=clock)
    assert clock.slept == []


def test_condition_wait_with_fixed_interval() -> None:
    clock = VirtualClock()
    values = iter([1, 2, 3, 4])
    result = poll_until(lambda: next(values), lambda v: v >= 3, clock=clock, timeout=100, what="v >= 3",
                        schedule=PollSchedule().fixed(15.0))
    assert result == 3
    assert clock.slept == [15.0, 15.0]
