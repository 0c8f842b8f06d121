"""--resume matches journal records to steps by identity (the step's name), not by position:
a step inserted into the flow runs, a removed or renamed done step is refused unless --force."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smflow.errors import JournalError
from smflow.run.api import RunResult, run_flow

SUB = "00000000-0000-0000-0000-000000000000"


def _flow(*steps: str) -> str:
    return 'flow edited "x"\nparam go = "no"\n' + "".join(steps)


def _svc(name: str, bind: str | None = None) -> str:
    read = f'    {bind} = get_hosted_service_properties(service_name: "{name}")\n' if bind else ""
    return (f'step "{name}" {{\n    create_hosted_service(service_name: "{name}", label: "l", location: "West US")\n'
            f'{read}    undo {{ delete_hosted_service(service_name: "{name}") }}\n}}\n')


GATE = 'step "gate" {\n    assert go == "yes", "stopped on purpose"\n}\n'
USE = 'step "use" {\n    assert a.service_name == "svc-a", "a is ${a.service_name}"\n}\n'


def _services(emu: Any) -> set[str]:
    return set(emu.server.state.subscription(SUB).services)


def _first_run(emu: Any, flow: Path, journal_dir: Path) -> RunResult:
    flow.write_text(_flow(_svc("svc-a", "a"), _svc("svc-b", "b"), GATE, USE))
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.failed_step == "gate" and _services(emu) == {"svc-a", "svc-b"}
    return first


def _resume(emu: Any, first: RunResult, journal_dir: Path, events: list[Any] | None = None,
            **kw: Any) -> RunResult:
    return run_flow(None, resume=first.run_id, vars={"go": "yes"}, endpoint=emu.url, clock=emu.clock,
                    journal_dir=journal_dir, on_event=events.append if events is not None else None, **kw)


def test_a_step_inserted_between_done_steps_runs_and_the_done_ones_stay_done(
        emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "edited.flow"
    first = _first_run(emu, flow, journal_dir)
    flow.write_text(_flow(_svc("svc-a", "a"), _svc("svc-new", "n"), _svc("svc-b", "b"), GATE, USE))
    with pytest.raises(JournalError, match="step 'svc-new' is new.*--force"):
        _resume(emu, first, journal_dir)
    events: list[Any] = []
    second = _resume(emu, first, journal_dir, events, force=True)
    assert second.ok, second.error
    assert [(s.name, s.status) for s in second.steps] == [
        ("svc-a", "skipped"), ("svc-new", "succeeded"), ("svc-b", "skipped"), ("gate", "succeeded"),
        ("use", "succeeded")]
    assert _services(emu) == {"svc-a", "svc-new", "svc-b"}  # svc-b not created twice (that would be a 409)
    assert second.bindings["a"]["service_name"] == "svc-a" and second.bindings["n"]["service_name"] == "svc-new"
    logs = [e.message for e in events if e.kind == "log"]
    assert logs == ["resume: step 'svc-new' is new in the flow: it runs"]


def test_an_inserted_step_is_undone_by_a_later_rollback_with_the_done_ones(
        emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "edited.flow"
    first = _first_run(emu, flow, journal_dir)
    rollback = 'on failure {\n    rollback\n}\n'
    flow.write_text(_flow(_svc("svc-a", "a"), _svc("svc-new"), _svc("svc-b", "b"), GATE,
                          'step "fail" {\n    assert false, "again"\n}\n', rollback))
    second = _resume(emu, first, journal_dir, force=True)
    assert second.status == "failed" and second.rolled_back == ["svc-b", "svc-new", "svc-a"]
    assert _services(emu) == set()


@pytest.mark.parametrize(("edit", "refusal", "notice"), [
    ("removed", r"step 'svc-b', done in this run, is no longer in the flow \(removed or renamed\)",
     "resume: step 'svc-b' was done but is no longer in the flow: skipped, its effect stays "
     "(its undo block can no longer run on rollback)"),
    ("renamed", r"step 'svc-c' is new \(it would run\); step 'svc-b', done in this run, is no longer in the flow",
     "resume: step 'svc-c' is new in the flow: it runs"),
])
def test_a_done_step_removed_or_renamed_is_refused_unless_forced(
        emulator: Any, journal_dir: Path, tmp_path: Path, edit: str, refusal: str, notice: str) -> None:
    emu = emulator(latency=1.0)
    flow = tmp_path / "edited.flow"
    first = _first_run(emu, flow, journal_dir)
    kept = _svc("svc-c", "b") if edit == "renamed" else ""
    flow.write_text(_flow(_svc("svc-a", "a"), kept, GATE, USE))
    with pytest.raises(JournalError, match=refusal):
        _resume(emu, first, journal_dir)
    events: list[Any] = []
    second = _resume(emu, first, journal_dir, events, force=True)
    assert second.ok, second.error
    assert notice in [e.message for e in events if e.kind == "log"]
    assert ("svc-c" in _services(emu)) == (edit == "renamed")
    assert "svc-b" in _services(emu)  # its effect stays


def test_the_cli_refuses_a_changed_flow_in_one_line_naming_the_step(tmp_path: Path) -> None:
    flow = tmp_path / "edited.flow"
    flow.write_text(_flow(_svc("svc-a", "a"), _svc("svc-b", "b"), GATE))
    runs = tmp_path / ".smflow" / "runs"

    def smflow(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "smflow", "run", *args, "--emulator-latency", "0"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)

    assert smflow(str(flow)).returncode == 1
    (run_id,) = [p.stem for p in runs.glob("*.jsonl")]
    flow.write_text(_flow(_svc("svc-b", "b"), GATE))
    refused = smflow("--resume", run_id, "--var", "go=yes")
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "step 'svc-a', done in this run, is no longer in the flow" in refused.stderr
    forced = smflow("--resume", run_id, "--var", "go=yes", "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "log: resume: step 'svc-a' was done but is no longer in the flow" in forced.stdout
    assert "[1/2] svc-b … already done (skipped)" in forced.stdout


def test_an_undo_block_reads_the_state_afresh_in_a_resumed_run(emulator: Any, journal_dir: Path,
                                                               tmp_path: Path) -> None:
    """Bindings are replayed for steps (a re-run step must see what it saw), never for undo
    blocks: a second rollback acts on the state as it is then."""
    emu = emulator(latency=1.0)
    flow = tmp_path / "undo.flow"
    flow.write_text(_flow(
        'step "a" {\n    create_hosted_service(service_name: "svc-u", label: "one", location: "West US")\n'
        '    undo {\n        cur = get_hosted_service_properties(service_name: "svc-u")\n'
        '        log "undo sees ${cur.hosted_service_properties.label}"\n    }\n}\n',
        GATE, 'on failure {\n    rollback\n}\n'))
    events: list[Any] = []
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir, on_event=events.append)
    assert first.status == "failed" and first.rolled_back == ["a"]
    emu.client().update_hosted_service("svc-u", label="two")
    again = run_flow(None, resume=first.run_id, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir,
                     on_event=events.append)
    assert again.status == "failed" and again.rolled_back == ["a"]
    assert [e.message for e in events if e.kind == "log"] == ["undo sees one", "undo sees two"]


def test_a_write_after_a_replayed_binding_of_the_same_operation_is_still_sent(emulator: Any, journal_dir: Path,
                                                                              tmp_path: Path) -> None:
    """A step re-run on resume takes ``r = create_…(…)`` from the journal without calling it; the
    step's next create of the same operation must not take the first one's key (and its done
    record) for its own, or it is silently never sent."""
    emu = emulator(latency=1.0)
    flow = tmp_path / "counts.flow"
    flow.write_text('flow counts "x"\nparam go = "no"\nstep "both" {\n'
                    '    r = create_hosted_service(service_name: "svc-one", label: "l", location: "West US")\n'
                    '    assert go == "yes", "stopped on purpose"\n'
                    '    create_hosted_service(service_name: "svc-two", label: "l", location: "West US")\n}\n')
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.failed_step == "both" and _services(emu) == {"svc-one"}
    again = _resume(emu, first, journal_dir)
    assert again.ok, again.error
    assert _services(emu) == {"svc-one", "svc-two"}
