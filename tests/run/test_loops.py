"""Loops and bounded fan-out (issue 12) against the emulator: faults, failures, rollback, kill -9.

The flow releases one package to three services, two at a time. Done when: 20 of 20 seeds at a
30% fault rate end with every service running the package, each created once; a failure in one
iteration starts no new iteration and rolls back the others, the one that ended last first; a
``kill -9`` at 20 points of the fan-out followed by ``--resume`` ends right, nothing created twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from smflow.run.api import run_flow

SUB = "00000000-0000-0000-0000-000000000000"
SERVICES = ["fan-a", "fan-b", "fan-c"]

FLOW = """flow fan_out "one package to several services, two at a time"

param services : list[string]
param package_url = "https://acct.blob.core.windows.net/pkgs/app.cspkg"
param version = "v1"
param width : int = 2
param broken = ""

retry attempts 10 backoff 10ms..50ms on transient

parallel for service in services max width {
    step "create ${service}" {
        create_hosted_service(service_name: service, label: service, location: "West US")
        undo { delete_hosted_service(service_name: service) }
    }

    step "deploy ${service}" {
        create_deployment(service_name: service, deployment_slot: "production", name: version,
                          package_url: package_url, label: version,
                          configuration: base64("<ServiceConfiguration/>"), start_deployment: true)
        undo { delete_deployment(service_name: service, deployment_name: version) }
        wait until get_deployment_by_slot(service_name: service, deployment_slot: "production").status == "Running"
            every 100ms timeout 1m
        assert service != broken, "${service} is broken on purpose"
    }
}

on failure {
    rollback
}
"""


def _state(server: Any, services: list[str]) -> tuple[dict[str, str | None], dict[str, int]]:
    """Each service's production deployment, and how many create_deployment operations each got."""
    sub = server.state.subscription(SUB)
    slots: dict[str, str | None] = {}
    for name in services:
        svc = sub.services.get(name)
        dep = svc.slots.get("Production") if svc is not None else None
        slots[name] = dep.name if dep is not None else None
    creates = {name: sum(1 for op in sub.operations.values() if op.kind == "create_deployment" and op.service == name)
               for name in services}
    return slots, creates


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    path = tmp_path / "fan_out.flow"
    path.write_text(FLOW)
    return path


@pytest.mark.slow
def test_fan_out_ends_right_for_twenty_seeds_at_a_thirty_percent_fault_rate(tmp_path: Path, flow: Path) -> None:
    from smflow.emulator.server import EmulatorServer

    latency = 0.02
    failures: list[str] = []
    retries = 0
    for seed in range(20):
        services = [f"{name}-{seed}" for name in SERVICES]
        events: list[Any] = []
        with EmulatorServer(latency=latency, fault_rate=0.3, seed=seed) as server:
            result = run_flow(flow, vars={"services": ",".join(services)}, endpoint=server.url,
                              emulator_latency=latency, journal_dir=tmp_path / str(seed), on_event=events.append)
            slots, creates = _state(server, services)
        retries += sum(1 for e in events if e.kind == "retrying")
        if not result.ok or slots != dict.fromkeys(services, "v1") or creates != dict.fromkeys(services, 1):
            failures.append(f"seed {seed}: {result.status} {result.error} slots={slots} creates={creates}")
    assert failures == [], "\n".join(failures)
    assert retries > 20  # the faults really happened and were retried


def test_a_failed_iteration_stops_the_fan_out_and_rolls_back_the_others_newest_first(tmp_path: Path,
                                                                                    flow: Path) -> None:
    from smflow.emulator.server import EmulatorServer

    events: list[Any] = []
    with EmulatorServer(latency=0.02) as server:
        result = run_flow(flow, vars={"services": ",".join(SERVICES), "broken": "fan-b"}, endpoint=server.url,
                          emulator_latency=0.02, journal_dir=tmp_path, on_event=events.append)
        sub = server.state.subscription(SUB)
        left = sorted(sub.services)
        ops = {(op.kind, op.service) for op in sub.operations.values()}
    assert not result.ok
    assert result.failed_step == "deploy fan-b"
    started = [e.step for e in events if e.kind == "step_started"]
    # fan-a and fan-b start at once; fan-c only if fan-a ended before fan-b failed.
    assert {"create fan-a", "create fan-b", "deploy fan-a", "deploy fan-b"} <= set(started)
    ran = [name for name in SERVICES if f"create {name}" in started]
    # Every iteration that ran is undone, each one's steps newest first, whole iterations at a time.
    expected_pairs = {(f"deploy {name}", f"create {name}") for name in ran}
    pairs = {(result.rolled_back[i], result.rolled_back[i + 1]) for i in range(0, len(result.rolled_back), 2)}
    assert len(result.rolled_back) == 2 * len(ran) and pairs == expected_pairs, result.rolled_back
    assert left == []  # nothing left behind
    if "fan-c" not in ran:  # an iteration that never started sent nothing
        assert ("create_deployment", "fan-c") not in ops
    text = [e.step for e in events if e.kind in ("step_finished", "step_failed")]
    assert len(text) == len(set(text))  # one line per step of each iteration


def test_no_iteration_starts_after_one_failed(tmp_path: Path, flow: Path) -> None:
    """One at a time (max 1): fan-a ends, fan-b fails, and fan-c never starts."""
    from smflow.emulator.server import EmulatorServer

    events: list[Any] = []
    with EmulatorServer(latency=0.02) as server:
        result = run_flow(flow, vars={"services": ",".join(SERVICES), "broken": "fan-b", "width": "1"},
                          endpoint=server.url, emulator_latency=0.02, journal_dir=tmp_path, on_event=events.append)
        left = sorted(server.state.subscription(SUB).services)
    assert [e.step for e in events if e.kind == "step_started"] == ["create fan-a", "deploy fan-a", "create fan-b",
                                                                    "deploy fan-b"]
    assert result.rolled_back == ["deploy fan-b", "create fan-b", "deploy fan-a", "create fan-a"]
    assert [(s.name, s.status) for s in result.steps][-2:] == [("create fan-c", "not run"), ("deploy fan-c", "not run")]
    assert left == []


SEQUENTIAL = """flow sequential "a loop around steps, one item at a time"

param names : list[string]

for name in names {
    step "greet ${name}" {
        log "hello ${name}"
    }
}
"""


def test_a_plain_loop_runs_its_steps_item_by_item_and_an_empty_list_runs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sequential.flow"
    path.write_text(SEQUENTIAL)
    events: list[Any] = []
    result = run_flow(path, vars={"names": "a,b"}, journal_dir=tmp_path, on_event=events.append)
    assert result.ok, result.error
    assert [e.step for e in events if e.kind == "step_finished"] == ["greet a", "greet b"]
    assert [e.message for e in events if e.kind == "log"] == ["hello a", "hello b"]
    empty = run_flow(path, vars={"names": ""}, journal_dir=tmp_path)
    assert empty.ok and empty.steps == []


def test_a_list_that_would_give_two_steps_one_name_is_refused_before_its_loop_runs(tmp_path: Path) -> None:
    """Two steps of one name would share their journal records: a resume would take one for the other."""
    path = tmp_path / "sequential.flow"
    path.write_text(SEQUENTIAL + 'for again in ["z"] {\n    step "greet ${again}" {\n        log "again"\n    }\n}\n')
    for names, clash in (("a,b,a", "greet a"), ("y,z", "greet z")):
        events: list[Any] = []
        result = run_flow(path, vars={"names": names}, journal_dir=tmp_path, on_event=events.append)
        assert not result.ok
        assert f"two steps would be named '{clash}'" in (result.error or "")
        if clash == "greet a":  # refused before any iteration ran
            assert [e for e in events if e.kind == "log"] == []


def test_a_step_name_that_ignores_the_loop_variable_is_refused_before_anything_runs(tmp_path: Path) -> None:
    from smflow.errors import CheckFailedError

    path = tmp_path / "bad.flow"
    path.write_text(FLOW.replace('step "deploy ${service}"', 'step "deploy"'))
    with pytest.raises(CheckFailedError) as err:
        run_flow(path, vars={"services": "a"}, journal_dir=tmp_path)
    assert "LoopStepName" in str(err.value) or "must use '${service}'" in str(err.value)


STATEMENT_LOOP = """flow inner "a loop inside a step"

param services : list[string]

step "create all" {
    for s in services {
        create_hosted_service(service_name: s, label: s, location: "West US")
    }
}

step "check" {
    for s in services {
        assert exists get_hosted_service_properties(service_name: s)
    }
}
"""


def test_calls_in_a_loop_inside_a_step_are_journaled_per_iteration(tmp_path: Path) -> None:
    path = tmp_path / "inner.flow"
    path.write_text(STATEMENT_LOOP)
    result = run_flow(path, vars={"services": "in-a,in-b"}, journal_dir=tmp_path)
    assert result.ok, result.error
    records = [json.loads(line) for line in result.journal.read_text().splitlines()] if result.journal else []
    keys = [r["key"] for r in records if r["t"] == "call_intent"]
    assert keys == ["create_hosted_service#1[1]@create all", "create_hosted_service#1[2]@create all"]
    binds = [r for r in records if r["t"] == "bind"]
    assert [(b["step"], b["key"], b["value"]) for b in binds] == [("create all", "for s#1", ["in-a", "in-b"]),
                                                                  ("check", "for s#1", ["in-a", "in-b"])]


def test_a_resumed_loop_iterates_the_items_it_started_with(tmp_path: Path) -> None:
    """The journal keeps the evaluated list: changing the source after a crash changes nothing."""
    from smflow.emulator.server import EmulatorServer

    path = tmp_path / "fan_out.flow"
    path.write_text(FLOW)
    with EmulatorServer(latency=0.02) as server:
        first = run_flow(path, vars={"services": "re-a,re-b", "broken": "re-b"}, endpoint=server.url,
                         emulator_latency=0.02, journal_dir=tmp_path)
        assert not first.ok
        path.write_text(FLOW.replace("on failure {\n    rollback\n}\n", ""))  # keep what was done this time
        resumed = run_flow(None, resume=first.run_id, vars={"services": "re-x", "broken": ""}, endpoint=server.url,
                           emulator_latency=0.02, journal_dir=tmp_path, force=True)
        slots, _ = _state(server, ["re-a", "re-b", "re-x"])
    assert resumed.ok, resumed.error
    assert slots == {"re-a": "v1", "re-b": "v1", "re-x": None}


# -- kill -9 in the middle of the fan-out, then --resume ------------------------------------------


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}, "PYTHONUNBUFFERED": "1"}


def _kill_after(cmd: list[str], cwd: Path, lines: int) -> bool:
    """Run ``cmd``; SIGKILL it once its journal holds ``lines`` whole lines (False: it ended first)."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    try:
        while proc.poll() is None:
            for path in (cwd / ".smflow" / "runs").glob("*.jsonl"):
                if path.read_bytes().count(b"\n") >= lines:
                    proc.kill()
                    proc.wait(timeout=30)
                    return True
            time.sleep(0.001)
        return False
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_kill_nine_at_twenty_points_of_a_fan_out_then_resume(tmp_path: Path, flow: Path) -> None:
    from smflow.emulator.server import EmulatorServer

    latency = "0.02"
    log: list[str] = []
    server = EmulatorServer(latency=float(latency), log=log.append)
    url = server.start()
    # A whole run writes 30 journal lines (header, loop, 6 steps' records, run_done): kill after the
    # k-th, for 20 values of k from the loop record to the last step_done.
    points = sorted({round(2 + i * 26 / 19) for i in range(20)})
    assert len(points) == 20

    def kill_and_resume(k: int) -> tuple[bool, str | None]:
        services = [f"{name}-k{k}" for name in SERVICES]
        work = tmp_path / f"k{k}"
        work.mkdir()
        given = ["--var", f"services={','.join(services)}", "--endpoint", url, "--emulator-latency", latency]
        killed = _kill_after([sys.executable, "-m", "smflow", "run", str(flow), *given], work, k)
        (run_id,) = [p.stem for p in (work / ".smflow" / "runs").glob("*.jsonl")]
        resumed = subprocess.run([sys.executable, "-m", "smflow", "run", "--resume", run_id, *given],
                                 cwd=work, capture_output=True, text=True, timeout=120, env=_env())
        slots, creates = _state(server, services)
        if resumed.returncode != 0 or slots != dict.fromkeys(services, "v1") or creates != dict.fromkeys(services, 1):
            return killed, (f"killed after line {k}: exit {resumed.returncode} slots={slots} creates={creates}\n"
                            f"{resumed.stdout}{resumed.stderr}")
        return killed, None

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:  # independent services: four at a time
            outcomes = list(pool.map(kill_and_resume, points))
        sub = server.state.subscription(SUB)
        created = sum(1 for op in sub.operations.values() if op.kind == "create_hosted_service")
    finally:
        server.stop()
    problems = [problem for _, problem in outcomes if problem]
    assert problems == [], "\n".join(problems)
    assert created == 3 * len(points)
    # No create was sent twice: a second create of a service or deployment would have been refused 409.
    assert [line for line in log if " 409 " in line] == []
    assert sum(killed for killed, _ in outcomes) >= len(points) - 2


def test_a_recorded_fan_out_replays_in_item_order(tmp_path: Path, flow: Path) -> None:
    """A cassette is one sequence of requests: recorded and replayed, the iterations of a parallel
    for run one at a time (run at once, they would reach the cassette in another order each time)."""
    cassette = tmp_path / "fan_out.yaml"
    services = {"services": "rec-a,rec-b,rec-c"}
    recorded = run_flow(flow, vars=services, record=cassette, journal_dir=tmp_path)
    assert recorded.ok, recorded.error
    for _ in range(3):
        events: list[Any] = []
        replayed = run_flow(flow, vars=services, replay=cassette, journal_dir=tmp_path, on_event=events.append)
        assert replayed.ok, replayed.error
        assert [e.step for e in events if e.kind == "step_started"] == [
            "create rec-a", "deploy rec-a", "create rec-b", "deploy rec-b", "create rec-c", "deploy rec-c"]
