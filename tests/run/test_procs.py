"""Procedures from a used file, run for real against the emulator: calls inside the calling step
(journal keys), positional and named arguments with defaults, results bound by the caller, undo
blocks registered on the step (and again after a resume), and the used file in the fingerprint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smflow.errors import JournalError
from smflow.run.api import RunResult, run_flow

EMULATOR_SUB = "00000000-0000-0000-0000-000000000000"

LIBRARY = """\
flow services "procedures shared by the test flows"

proc ensure_service(service: string, location: string = "West US") {
    if not exists get_hosted_service_properties(service_name: service) {
        create_hosted_service(service_name: service, label: service, location: location)
        undo { delete_hosted_service(service_name: service) }
    }
    p = get_hosted_service_properties(service_name: service)
    return p.hosted_service_properties.location
}
"""

FLOW = """\
flow procs
use "lib/services.flow"
param gate = false
step "services" {
    first = ensure_service("smflow-proc-a")
    ensure_service(service: "smflow-proc-b", location: "East US")
    log "first in ${first}"
}
step "gate" {
    confirm "go on?"
}
step "fail" {
    assert gate, "stopped on purpose"
}
on failure {
    rollback
}
"""


def _write(tmp_path: Path, flow: str = FLOW, library: str = LIBRARY) -> Path:
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / "lib" / "services.flow").write_text(library)
    path = tmp_path / "procs.flow"
    path.write_text(flow)
    return path


def _journal(result: RunResult) -> list[dict[str, Any]]:
    assert result.journal is not None
    return [json.loads(line) for line in result.journal.read_text().splitlines()]


def _services(emu: Any) -> set[str]:
    return set(emu.server.state.subscription(EMULATOR_SUB).services)


def test_a_proc_of_a_used_file_runs_inside_the_calling_step(emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = _write(tmp_path, FLOW.replace("param gate = false", "param gate = true"))
    result = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir, assume_yes=True)
    assert result.ok, result.error
    assert _services(emu) == {"smflow-proc-a", "smflow-proc-b"}
    assert emu.ops("create_hosted_service") == 2
    records = _journal(result)
    # Each call of the proc has its own keys, under the calling step and named by the call site:
    # unique, and the same on every run.
    assert [r["key"] for r in records if r["t"] == "call_intent"] == [
        "create_hosted_service#1@services/ensure_service@5:13",
        "create_hosted_service#1@services/ensure_service@6:5",
    ]
    intents = [r["args"] for r in records if r["t"] == "call_intent"]
    assert intents[1]["location"] == "East US" and intents[0]["location"] == "West US"  # the default
    assert result.bindings["first"] == "West US"  # the proc's result, bound by the caller
    done = next(r for r in records if r["t"] == "step_done" and r["step"] == "services")
    assert [(u["proc"], u["undo"], u["scope"]["service"]) for u in done["proc_undos"]] == [
        ("ensure_service", 0, "smflow-proc-a"), ("ensure_service", 0, "smflow-proc-b")]


def test_undo_blocks_of_a_proc_roll_back_with_its_names_even_after_a_resume(
        emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    """The first run stops at the gate (no terminal) with the services step done; the resumed run
    skips that step, so its proc undo blocks come back from the journal, each with its proc's
    own ``service``, and the rollback deletes both services, newest first."""
    emu = emulator(latency=1.0)
    flow = _write(tmp_path)
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.status == "failed" and first.failed_step == "gate" and first.rolled_back == []
    assert _services(emu) == {"smflow-proc-a", "smflow-proc-b"}
    resumed = run_flow(None, resume=first.run_id, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                       assume_yes=True)
    assert resumed.status == "failed" and resumed.failed_step == "fail"
    assert [s.status for s in resumed.steps] == ["skipped", "succeeded", "failed"]
    assert resumed.rolled_back == ["services", "services"]
    assert _services(emu) == set()
    deletes = [r["args"]["service_name"] for r in _journal(resumed) if r["t"] == "call_intent"
               and r["op"] == "delete_hosted_service"]
    assert deletes == ["smflow-proc-b", "smflow-proc-a"]


def test_an_edited_library_is_noticed_on_resume(emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = _write(tmp_path)
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.status == "failed" and first.failed_step == "gate"
    (tmp_path / "lib" / "services.flow").write_text(LIBRARY + "\n# edited\n")
    with pytest.raises(JournalError, match=r"procs.flow \(or a file it uses\) changed since run"):
        run_flow(None, resume=first.run_id, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    forced = run_flow(None, resume=first.run_id, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                      assume_yes=True, force=True)
    assert forced.failed_step == "fail" and emu.ops("create_hosted_service") == 2


def test_a_flow_whose_used_file_is_missing_is_refused_before_anything_is_sent(
        emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    from smflow.errors import CheckFailedError

    emu = emulator(latency=1.0)
    flow = _write(tmp_path)
    (tmp_path / "lib" / "services.flow").unlink()
    with pytest.raises(CheckFailedError) as err:
        run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert "procs.flow:2:5" in str(err.value) and "there is no file" in str(err.value)
    assert emu.ops("create_hosted_service") == 0


def test_the_shipped_restart_instance_flow_replays_its_procs_from_its_cassette(journal_dir: Path) -> None:
    """flows/restart_instance.flow takes ensure_running and instance_ready from
    flows/lib/cloud_service.flow; its cassette (recorded with them) replays offline."""
    root = Path(__file__).resolve().parents[2]
    flow = root / "flows" / "restart_instance.flow"
    assert 'use "lib/cloud_service.flow"' in flow.read_text()
    result = run_flow(flow, vars={"escalate": "true"}, replay=root / "cassettes" / "restart_instance.yaml",
                      journal_dir=journal_dir)
    assert result.ok, result.error
    keys = [r["key"] for r in _journal(result) if r["t"] == "call_intent"]
    assert keys[:2] == ["create_hosted_service#1@make sure a deployment runs/ensure_running@34:11",
                        "create_deployment#1@make sure a deployment runs/ensure_running@34:11"]
    assert "delete_role_instances#1@remove it if nothing helped" in keys


def test_a_step_re_run_after_a_stop_replays_a_proc_result_and_still_makes_the_next_calls_writes(
        emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    """The step stops at its gate after `first = ensure_service(...)`; resumed, `first` is replayed
    from the journal (the proc does not run again), and the next call of the same proc must
    still create its own service: its writes are keyed by their call site, not by a count."""
    emu = emulator(latency=1.0)
    flow = _write(tmp_path, 'flow gated\nuse "lib/services.flow"\nstep "s" {\n'
                            '    first = ensure_service("smflow-proc-x")\n    confirm "go on?"\n'
                            '    ensure_service("smflow-proc-y")\n    log "${first}"\n}\n')
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.status == "failed" and _services(emu) == {"smflow-proc-x"}
    resumed = run_flow(None, resume=first.run_id, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                       assume_yes=True)
    assert resumed.ok, resumed.error
    assert _services(emu) == {"smflow-proc-x", "smflow-proc-y"}
    assert emu.ops("create_hosted_service") == 2
