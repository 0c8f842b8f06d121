"""Whole flows through run_flow against the emulator, on a virtual clock shared with it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smflow.emulator.faults import ScriptedFault
from smflow.errors import JournalError, ReplayDriftError
from smflow.run.api import RunResult, run_flow
from smflow.run.clock import VirtualClock

FLOWS = Path(__file__).parent / "flows"


def _run(emu: Any, flow: str, journal_dir: Path, events: list[Any] | None = None, **kw: Any) -> RunResult:
    return run_flow(FLOWS / flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                    on_event=events.append if events is not None else None, **kw)


def _slots(emu: Any, service: str = "smflow-bg") -> dict[str, str | None]:
    svc = emu.server.state.subscription("00000000-0000-0000-0000-000000000000").services[service]
    return {slot: (dep.name if dep is not None else None) for slot, dep in svc.slots.items()}


def _journal(result: RunResult) -> list[dict[str, Any]]:
    assert result.journal is not None
    return [json.loads(line) for line in result.journal.read_text().splitlines()]


def test_blue_green_end_to_end(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=52.0)
    assert _run(emu, "seed.flow", journal_dir).ok
    events: list[Any] = []
    result = _run(emu, "blue_green.flow", journal_dir, events, assume_yes=True)
    assert result.ok, result.error
    assert [s.status for s in result.steps] == ["succeeded"] * 5
    assert _slots(emu).get("Production") == "v2" and _slots(emu).get("Staging") is None
    assert emu.ops("create_deployment") == 2 and emu.ops("swap_deployment") == 1 and emu.ops("delete_deployment") == 1
    kinds = [e.kind for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert kinds.count("step_started") == 5 and kinds.count("step_finished") == 5
    assert "waiting" in kinds and "request_sent" in kinds
    records = _journal(result)
    assert records[0]["t"] == "run" and records[-1] == {**records[-1], "t": "run_done", "status": "succeeded"}
    intents = [r for r in records if r["t"] == "call_intent"]
    sent = [r for r in records if r["t"] == "call_sent"]
    assert [r["op"] for r in intents] == ["create_deployment", "swap_deployment", "delete_deployment"]
    assert len(sent) == 3 and all(r["request_id"] for r in sent)
    assert result.bindings["old"]["name"] == "v1"
    assert result.requests > 10


def test_failure_runs_on_failure_and_rolls_back(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=10.0, scripted_faults=[ScriptedFault("delete_deployment", n, kind="op-fail")
                                                  for n in range(1, 9)])
    assert _run(emu, "seed.flow", journal_dir).ok
    events: list[Any] = []
    result = _run(emu, "blue_green.flow", journal_dir, events, assume_yes=True)
    assert result.status == "failed"
    assert result.failed_step == "delete the old deployment"
    assert "delete_deployment failed: InternalError" in (result.error or "")
    assert "(after 8 attempts)" in (result.error or "")
    assert result.rolled_back == ["swap"]
    assert _slots(emu) == {"Production": "v1", "Staging": "v2"}
    logs = [e.message for e in events if e.kind == "log"]
    assert logs and logs[0].startswith("release v2 failed in delete the old deployment: ")
    assert [s.status for s in result.steps] == ["succeeded"] * 4 + ["failed"]


def test_resume_after_failure_continues_from_the_failed_step(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=10.0, scripted_faults=[ScriptedFault("swap_deployment", 1, status=400, code="BadRequest")])
    assert _run(emu, "seed.flow", journal_dir).ok
    first = run_flow(FLOWS / "blue_green.flow", endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                     assume_yes=True)
    assert first.status == "failed" and first.failed_step == "swap"
    assert first.rolled_back == []  # the swap step never completed, so it registered nothing
    second = run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir, assume_yes=True)
    assert second.ok, second.error
    assert [s.status for s in second.steps] == ["skipped"] * 3 + ["succeeded"] * 2
    assert _slots(emu).get("Production") == "v2"
    assert emu.ops("create_deployment") == 2  # v1 (seed) and v2, once
    third = run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir)
    assert third.already_done and third.requests == 0


def test_changed_flow_refuses_resume_unless_forced(emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0, scripted_faults=[ScriptedFault("create_hosted_service", 1, status=400)])
    flow = tmp_path / "seed.flow"
    flow.write_text((FLOWS / "seed.flow").read_text())
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.status == "failed"
    flow.write_text(flow.read_text() + "\n# edited\n")
    with pytest.raises(JournalError, match="changed since run"):
        run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir)
    assert run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir, force=True).ok


def test_confirm_without_a_terminal_stops_at_the_gate_undoes_nothing_and_resumes_with_yes(
        emulator: Any, journal_dir: Path) -> None:
    """Nobody could answer the gate: it neither approved nor refused. The run stops there (exit 1),
    the on-failure handler (and its rollback) does not run, and --resume --yes goes on from it."""
    emu = emulator(latency=1.0)
    assert _run(emu, "seed.flow", journal_dir).ok
    result = _run(emu, "blue_green.flow", journal_dir)  # stdin is not a TTY under pytest
    assert result.status == "failed" and result.failed_step == "swap"
    assert "stdin is not a terminal: the run stopped at the gate and rolled nothing back; resume it with --yes" \
        in (result.error or "")
    assert result.rolled_back == []
    assert _slots(emu) == {"Production": "v1", "Staging": "v2"}  # the staging deployment is still there
    assert not any(r["t"] in ("rolling_back", "log") and r.get("step") == "on failure" for r in _journal(result))
    resumed = run_flow(None, resume=result.run_id, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                       assume_yes=True)
    assert resumed.ok, resumed.error
    assert _slots(emu).get("Production") == "v2"
    assert emu.ops("create_deployment") == 2  # v1 by the seed, v2 once: nothing deployed again


def test_confirm_declined_stops_the_run(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=1.0)
    assert _run(emu, "seed.flow", journal_dir).ok
    asked: list[str] = []
    result = _run(emu, "blue_green.flow", journal_dir, confirm=lambda q: asked.append(q) or False)
    assert asked == ["Swap v2 into production over v1?"]
    assert result.status == "failed" and "not confirmed" in (result.error or "")


def test_wait_timeout_says_what_how_long_and_last_state(emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "wait.flow"
    flow.write_text('flow w "x"\nstep "never" {\n  wait until exists get_hosted_service_properties('
                    'service_name: "nope") every 10s timeout 1m\n}\n')
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert result.status == "failed"
    assert "timed out after 60s waiting for exists get_hosted_service_properties(service_name: \"nope\")" in (
        result.error or "")
    assert "condition false" in (result.error or "")


def test_a_wait_takes_its_interval_and_timeout_from_duration_params(emulator: Any, journal_dir: Path,
                                                                    tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "wait.flow"
    flow.write_text('flow w "x"\nparam poll : duration = 10s\nparam patience : duration = 1m\nstep "never" {\n'
                    '  wait until exists get_hosted_service_properties(service_name: "nope") every poll timeout patience\n}\n')
    events: list[Any] = []
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir, vars={"patience": "45s"},
                      on_event=events.append)
    assert result.status == "failed"
    assert "timed out after 45s waiting for" in (result.error or "")
    polls = [e for e in events if type(e).__name__ == "Waiting"]
    assert 3 <= len(polls) <= 6, len(polls)  # every 10s for 45s


def test_secret_params_never_reach_journal_or_events(emulator: Any, journal_dir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "secret.flow"
    flow.write_text('flow s "x"\nsecret param label_text : string\nstep "make" {\n'
                    '  create_hosted_service(service_name: "svc-secret", label: label_text, location: "West US")\n'
                    '  got = get_hosted_service_properties(service_name: "svc-secret")\n'
                    '  log "label is ${got.hosted_service_properties.label}"\n}\n')
    monkeypatch.setenv("SMFLOW_VAR_LABEL_TEXT", "TopSecretLabel42")
    events: list[Any] = []
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir, on_event=events.append)
    assert result.ok, result.error
    assert "TopSecretLabel42" not in result.journal.read_text()  # type: ignore[union-attr]
    assert all("TopSecretLabel42" not in json.dumps(e.to_dict(), default=str) for e in events)
    assert "TopSecretLabel42" not in json.dumps(result.bindings)
    assert any(e.kind == "log" and e.message == "label is ***" for e in events)


def test_non_smflow_errors_propagate_unchanged(emulator: Any, journal_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from smflow.asm.client import ServiceManagementClient

    emu = emulator(latency=1.0)
    drift = ReplayDriftError("no recorded request matches")

    def boom(self: Any, op: str, args: Any, **kwargs: Any) -> Any:
        raise drift

    monkeypatch.setattr(ServiceManagementClient, "call", boom)
    with pytest.raises(ReplayDriftError) as info:
        _run(emu, "seed.flow", journal_dir)
    assert info.value is drift

    class ForeignError(Exception):
        pass

    def foreign(self: Any, op: str, args: Any, **kwargs: Any) -> Any:
        raise ForeignError("vcrpy says no")

    monkeypatch.setattr(ServiceManagementClient, "call", foreign)
    with pytest.raises(ForeignError):
        _run(emu, "seed.flow", journal_dir)


def test_virtual_clock_means_no_real_sleeping(emulator: Any, journal_dir: Path) -> None:
    clock = VirtualClock()
    emu = emulator(clock, latency=600.0)  # ten minutes per deployment, instantly
    result = _run(emu, "seed.flow", journal_dir)
    assert result.ok, result.error
    assert clock.monotonic() >= 600.0


def test_resume_after_a_rollback_runs_the_undone_steps_again(emulator: Any, journal_dir: Path) -> None:
    emu = emulator(latency=10.0, scripted_faults=[ScriptedFault("delete_deployment", n, kind="op-fail")
                                                  for n in range(1, 9)])
    assert _run(emu, "seed.flow", journal_dir).ok
    first = _run(emu, "blue_green.flow", journal_dir, assume_yes=True)
    assert first.status == "failed" and first.rolled_back == ["swap"]
    assert _slots(emu) == {"Production": "v1", "Staging": "v2"}
    second = run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir, assume_yes=True)
    assert second.ok, second.error
    assert [s.status for s in second.steps] == ["skipped"] * 3 + ["succeeded"] * 2
    assert _slots(emu).get("Production") == "v2" and _slots(emu).get("Staging") is None
    assert emu.ops("create_deployment") == 2  # nothing re-created: only the swap was undone and redone
    assert emu.ops("swap_deployment") == 3  # swap, its undo, swap again


@pytest.mark.parametrize("cut", ["undo done, killed before it was journaled", "killed before the undo sent anything"])
def test_a_run_killed_during_a_rollback_resumes_without_harm(emulator: Any, journal_dir: Path, cut: str) -> None:
    """The swap's undo swaps back. Killed mid-rollback, the swap step may or may not be undone:
    either way the resumed run must end with v2 live and v1 deleted, never delete the live one."""
    emu = emulator(latency=10.0, scripted_faults=[ScriptedFault("delete_deployment", n, kind="op-fail")
                                                  for n in range(1, 9)])
    assert _run(emu, "seed.flow", journal_dir).ok
    first = _run(emu, "blue_green.flow", journal_dir, assume_yes=True)
    assert first.status == "failed" and first.rolled_back == ["swap"]
    assert first.journal is not None
    lines = first.journal.read_text().splitlines(keepends=True)
    kinds = [json.loads(line)["t"] for line in lines]
    if cut.startswith("undo done"):
        keep = kinds.index("rolled_back")
    else:
        keep = kinds.index("rolling_back") + 1
        emu.client().swap_deployment("smflow-bg", "v1", "v2")  # as if the undo never reached the API
        emu.clock.sleep(60)
    first.journal.write_text("".join(lines[:keep]))  # what a kill -9 at that moment leaves
    expected_live = "v1" if cut.startswith("undo done") else "v2"
    assert _slots(emu).get("Production") == expected_live
    second = run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir, assume_yes=True)
    assert second.ok, second.error
    assert _slots(emu).get("Production") == "v2" and _slots(emu).get("Staging") is None
    assert emu.ops("create_deployment") == 2  # v1 (seed) and v2, never again


def test_a_run_on_the_embedded_emulator_resumes_against_the_same_emulator_state(journal_dir: Path,
                                                                                tmp_path: Path) -> None:
    flow = tmp_path / "gate.flow"
    flow.write_text(
        'flow gate "stop between a create and a read of it"\nparam go = "no"\n'
        'step "create" {\n    create_hosted_service(service_name: "svc-gate", label: "g", location: "West US")\n}\n'
        'step "gate" {\n    assert go == "yes", "stopped on purpose"\n}\n'
        'step "read" {\n    assert exists get_hosted_service_properties(service_name: "svc-gate"), "lost"\n}\n')
    first = run_flow(flow, journal_dir=journal_dir, emulator_latency=0.0)  # no endpoint: embedded
    assert first.status == "failed" and first.failed_step == "gate"
    state = journal_dir / f"{first.run_id}.emulator.sqlite"
    assert state.is_file()
    second = run_flow(None, resume=first.run_id, vars={"go": "yes"}, journal_dir=journal_dir, emulator_latency=0.0)
    assert second.ok, second.error  # the service made by the first process is still there
    assert [s.status for s in second.steps] == ["skipped", "succeeded", "succeeded"]
    assert not state.exists()  # a finished run is never resumed: its emulator state goes
    assert sorted(p.suffix for p in journal_dir.iterdir()) == [".jsonl"]


def test_after_a_rollback_resume_runs_every_later_step_again(emulator: Any, journal_dir: Path) -> None:
    """flows/blue_green.flow: the swap is refused, so 'deploy to staging' is undone (its
    deployment deleted). On resume that step deploys again, and the wait after it, done in the
    first run, must wait again for the new deployment instead of being skipped."""
    emu = emulator(latency=30.0)
    flow = Path(__file__).resolve().parents[2] / "flows" / "blue_green.flow"
    package = {"package_url": "https://acct.blob.core.windows.net/pkgs/app.cspkg"}
    first = run_flow(flow, vars=package, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                     confirm=lambda question: False)
    assert first.failed_step == "swap" and first.rolled_back == ["deploy to staging"]
    second = run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir, assume_yes=True)
    assert second.ok, second.error
    assert [s.status for s in second.steps] == ["skipped"] * 2 + ["succeeded"] * 5
    records = _journal(second)
    waits = [r for r in records if r["t"] == "step_done" and r["step"] == "wait until staging is ready"]
    assert len(waits) == 2  # once in each run
    assert _slots(emu, "smflow-demo").get("Production") == "v1"


def test_resume_works_from_another_directory(emulator: Any, journal_dir: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    emu = emulator(latency=1.0, scripted_faults=[ScriptedFault("create_hosted_service", 1, status=400)])
    monkeypatch.chdir(FLOWS)
    first = run_flow(Path("seed.flow"), endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.status == "failed"
    monkeypatch.chdir(tmp_path)
    assert run_flow(None, resume=first.run_id, clock=emu.clock, journal_dir=journal_dir).ok


def test_a_write_binds_its_result_so_its_operation_can_be_asked_about(
    emulator: Any, journal_dir: Path, tmp_path: Path
) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "status.flow"
    flow.write_text(
        'flow s "x"\nstep "create" {\n'
        '  r = create_storage_account(service_name: "smflowstor", description: "d", label: "l", location: "West US")\n'
        '  op = get_operation_status(request_id: r.request_id)\n'
        '  assert op.status == "Succeeded", "ended ${op.status}"\n'
        '  log "request ${r.request_id}"\n}\n'
    )
    events: list[Any] = []
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir, on_event=events.append)
    assert result.ok, result.error
    (sent,) = [e for e in events if e.kind == "request_sent" and e.operation == "create_storage_account"]
    assert sent.request_id and result.bindings["r"]["request_id"] == sent.request_id
    assert any(e.kind == "log" and e.message == f"request {sent.request_id}" for e in events)


def test_try_gives_null_on_404_and_a_wait_counts_it_as_not_yet(emulator: Any, journal_dir: Path,
                                                              tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "try.flow"
    flow.write_text('flow t "x"\nstep "read" {\n  x = try get_hosted_service_properties(service_name: "nope")\n'
                    '  assert x == null, "not null"\n}\nstep "wait" {\n'
                    '  wait until try get_hosted_service_properties(service_name: "nope").service_name == "nope"'
                    ' every 10s timeout 30s\n}\n')
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert result.status == "failed" and result.failed_step == "wait"
    assert "timed out after 30s" in (result.error or "") and "condition false" in (result.error or "")
    assert result.steps[0].status == "succeeded"


def test_try_does_not_hide_an_error_other_than_404(emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0, scripted_faults=[ScriptedFault("get_hosted_service_properties", 1, status=400,
                                                               code="BadRequest")])
    flow = tmp_path / "try.flow"
    flow.write_text('flow t "x"\nstep "read" {\n  x = try get_hosted_service_properties(service_name: "nope")\n'
                    '  log "${x}"\n}\n')
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert result.status == "failed" and "BadRequest" in (result.error or "")
