"""One call at a time against the emulator: retries, read-back after ambiguity, journal, re-attach."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from smflow.emulator.faults import ScriptedFault
from smflow.errors import ConflictError, OperationFailedError
from smflow.run.calls import CallRunner, StepContext
from smflow.run.clock import VirtualClock
from smflow.run.journal import CallRecord, Journal, read_journal
from smflow.run.poll import PollSchedule
from smflow.run.retry import Policy
from smflow.run.secrets import Masker

POLICY = Policy(attempts=5, backoff_min=1.0, backoff_max=8.0, jitter=False)
CONFIG = base64.b64encode(b"<ServiceConfiguration/>").decode()


def _runner(emu: Any, journal_dir: Path, resume: dict[str, CallRecord] | None = None) -> tuple[CallRunner, list[Any]]:
    events: list[Any] = []
    journal = Journal.create(journal_dir, f"20261126-000000-t-{len(list(journal_dir.glob('*'))) if journal_dir.exists() else 0:04x}", {"flow": "t.flow"})
    runner = CallRunner(emu.client(), clock=emu.clock, journal=journal, masker=Masker(),
                        emit=lambda cls, **f: events.append(cls(run_id="r", time="t", **f)),
                        poll=PollSchedule(1.0, 2.0, 8.0), resume_calls=resume)
    return runner, events


def _ctx(index: int = 1) -> StepContext:
    return StepContext(index, "step", POLICY, None)


def _service(runner: CallRunner, name: str = "svc") -> None:
    runner.call(_ctx(1), "create_hosted_service", {"service_name": name, "label": name, "location": "West US"})


def _deploy(runner: CallRunner, ctx: StepContext, slot: str = "staging", name: str = "v2") -> None:
    runner.call(ctx, "create_deployment", {"service_name": "svc", "deployment_slot": slot, "name": name,
                                           "package_url": "http://acct.blob.core.windows.net/p.cspkg",
                                           "label": name, "configuration": CONFIG, "start_deployment": True})


def test_async_create_is_polled_and_journaled(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=52.0)
    runner, events = _runner(emu, journal_dir)
    _service(runner)
    _deploy(runner, _ctx(2))
    assert emu.ops("create_deployment", "Succeeded") == 1
    dep = runner.call(_ctx(2), "get_deployment_by_slot", {"service_name": "svc", "deployment_slot": "staging"})
    assert dep.name == "v2"
    state = read_journal(runner.journal.path)
    call = state.calls["create_deployment#1@step"]
    assert call.request_id and call.done
    assert any(e.kind == "waiting" for e in events)
    assert emu.clock.monotonic() >= 52.0


@pytest.mark.parametrize("kind", ["drop-after", "drop-before"])
def test_dropped_create_is_read_back_not_repeated(emulator: Any, journal_dir: Path, kind: str) -> None:
    emu = emulator(latency=10.0, scripted_faults=[ScriptedFault("create_hosted_service", 1, kind=kind),
                                                  ScriptedFault("create_deployment", 1, kind=kind)])
    runner, events = _runner(emu, journal_dir)
    _service(runner)
    _deploy(runner, _ctx(2))
    assert emu.ops("create_hosted_service") == 1
    assert emu.ops("create_deployment") == 1
    assert sum(e.kind == "retrying" for e in events) == 2
    dep = runner.call(_ctx(3), "get_deployment_by_slot", {"service_name": "svc", "deployment_slot": "staging"})
    assert dep.status == "Running"  # read-back waited for the create to settle


def test_swap_and_delete_after_drop_after(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=5.0, scripted_faults=[ScriptedFault("swap_deployment", 1, kind="drop-after"),
                                                 ScriptedFault("delete_deployment", 1, kind="drop-after")])
    runner, _ = _runner(emu, journal_dir)
    _service(runner)
    _deploy(runner, _ctx(2), "production", "v1")
    _deploy(runner, _ctx(3), "staging", "v2")
    runner.call(_ctx(4), "swap_deployment", {"service_name": "svc", "production": "v1", "source_deployment": "v2"})
    assert emu.ops("swap_deployment") == 1
    runner.call(_ctx(5), "delete_deployment", {"service_name": "svc", "deployment_name": "v1"})
    assert emu.ops("delete_deployment") == 1
    prod = runner.call(_ctx(6), "get_deployment_by_slot", {"service_name": "svc", "deployment_slot": "production"})
    assert prod.name == "v2"


def test_transient_errors_are_retried_with_backoff(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=1.0, scripted_faults=[ScriptedFault("create_hosted_service", 1, status=503),
                                                 ScriptedFault("create_hosted_service", 2, status=500),
                                                 ScriptedFault("create_hosted_service", 3, status=429)])
    runner, events = _runner(emu, journal_dir)
    _service(runner)
    assert emu.ops("create_hosted_service") == 1
    retries = [e for e in events if e.kind == "retrying"]
    assert [r.attempt for r in retries] == [1, 2, 3]
    assert retries[0].delay == 1.0  # max(backoff 1s, Retry-After 1s)


def test_busy_conflict_is_retried(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=1.0, scripted_faults=[ScriptedFault("create_deployment", 1, status=409)])
    runner, _ = _runner(emu, journal_dir)
    _service(runner)
    _deploy(runner, _ctx(2))
    assert emu.ops("create_deployment") == 1


def test_permanent_conflict_is_not_retried(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=1.0)
    runner, events = _runner(emu, journal_dir)
    _service(runner)
    with pytest.raises(ConflictError):
        _service(runner)
    assert not any(e.kind == "retrying" for e in events)


def test_operation_failed_by_the_server_is_retried_after_read_back(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=5.0, scripted_faults=[ScriptedFault("create_deployment", 1, kind="op-fail")])
    runner, events = _runner(emu, journal_dir)
    _service(runner)
    _deploy(runner, _ctx(2))
    assert emu.ops("create_deployment", "Failed") == 1 and emu.ops("create_deployment", "Succeeded") == 1
    assert [e.error for e in events if e.kind == "retrying"][0].startswith("step 'step': create_deployment failed")


def test_failed_operation_names_the_step_and_the_attempts(emulator: Any, journal_dir: Path) -> None:
    faults = [ScriptedFault("create_deployment", n, kind="op-fail") for n in range(1, 6)]
    emu = emulator(latency=5.0, scripted_faults=faults)
    runner, _ = _runner(emu, journal_dir)
    _service(runner)
    with pytest.raises(OperationFailedError, match="step 'step': create_deployment failed: InternalError") as info:
        _deploy(runner, StepContext(2, "step", POLICY, None))
    assert info.value.attempts == 5  # type: ignore[attr-defined]


def test_permanent_operation_failure_is_not_retried(emulator: Any, journal_dir: Path) -> None:
    from smflow.errors import ApiError

    emu = emulator(latency=1.0, scripted_faults=[ScriptedFault("create_deployment", 1, status=400, code="BadRequest")])
    runner, events = _runner(emu, journal_dir)
    _service(runner)
    with pytest.raises(ApiError, match="BadRequest"):
        _deploy(runner, _ctx(2))
    assert not [e for e in events if e.kind == "retrying"]


def test_resume_reattaches_by_request_id(emulator: Any, journal_dir: Path) -> None:
    clock = VirtualClock()
    emu = emulator(clock, latency=30.0)
    runner, _ = _runner(emu, journal_dir)
    _service(runner)
    # The first process sent the create and died before the operation finished.
    client = emu.client()
    result = client.call("create_deployment", {"service_name": "svc", "deployment_slot": "staging", "name": "v2",
                                               "package_url": "http://a/p.cspkg", "label": "v2",
                                               "configuration": CONFIG})
    resume = {"create_deployment#1@step": CallRecord("create_deployment#1@step", "create_deployment", result.request_id)}
    runner2, _ = _runner(emu, journal_dir, resume)
    _deploy(runner2, _ctx(2))
    assert emu.ops("create_deployment") == 1
    assert emu.ops("create_deployment", "Succeeded") == 1


def test_resume_of_an_intent_reads_back_first(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=1.0)
    runner, _ = _runner(emu, journal_dir)
    _service(runner)
    resume = {"create_hosted_service#1@step": CallRecord("create_hosted_service#1@step", "create_hosted_service")}
    runner2, _ = _runner(emu, journal_dir, resume)
    _service(runner2)  # the service exists: not sent again, no 409
    assert emu.ops("create_hosted_service") == 1
    # An intent whose effect is absent is issued.
    resume = {"create_hosted_service#1@step": CallRecord("create_hosted_service#1@step", "create_hosted_service")}
    runner3, _ = _runner(emu, journal_dir, resume)
    _service(runner3, "svc2")
    assert emu.ops("create_hosted_service") == 2


def test_done_calls_are_skipped_on_resume(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=1.0)
    resume = {"create_hosted_service#1@step": CallRecord("create_hosted_service#1@step", "create_hosted_service", None, True)}
    runner, _ = _runner(emu, journal_dir, resume)
    _service(runner)
    assert emu.ops("create_hosted_service") == 0
    assert runner.requests == 0


def test_a_write_leaves_only_after_its_intent_is_synced(emulator: Any, journal_dir: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync runs beside the building of the request, but the request waits for it."""
    import os
    import threading

    emu = emulator()
    runner, _ = _runner(emu, journal_dir)
    order: list[str] = []
    real_sync = os.fdatasync
    release = threading.Event()

    def slow_sync(fd: int) -> None:
        release.wait(5)  # held until the request has been built (see before_send below)
        real_sync(fd)
        order.append("synced")

    app_handle = emu.server.app.handle

    def handle(req: Any) -> Any:
        order.append(f"received {req.method}")
        return app_handle(req)

    monkeypatch.setattr(emu.server.app, "handle", handle)
    real_wait = runner.journal.wait_durable

    def wait_durable() -> None:
        order.append("built")
        release.set()
        real_wait()

    monkeypatch.setattr(runner.journal, "wait_durable", wait_durable)
    monkeypatch.setattr(os, "fdatasync", slow_sync)
    _service(runner)
    assert order[:3] == ["built", "synced", "received POST"]


def test_a_failed_sync_means_the_write_is_never_sent(emulator: Any, journal_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    from smflow.errors import JournalError

    emu = emulator()
    runner, _ = _runner(emu, journal_dir)

    def broken_sync(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fdatasync", broken_sync)
    with pytest.raises(JournalError, match="Input/output error"):
        _service(runner)
    monkeypatch.undo()
    assert "svc" not in emu.server.state.subscription("00000000-0000-0000-0000-000000000000").services
