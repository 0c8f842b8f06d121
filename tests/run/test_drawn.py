"""``now()`` and ``uuid()`` are recorded: a resumed step and a replay get the values the run drew.

Runs go through ``run_flow`` against the embedded emulator (real HTTP on loopback), journals
and cassettes on disk. The flow puts both into a param default, a binding, an operation's
arguments (a deployment's name and label) and a log line, and checks them in a wait condition.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smflow.errors import ReplayDriftError
from smflow.run.api import RunResult, run_flow
from smflow.run.drawn import DrawnValues

FLOW = """\
flow drawn "names from now() and uuid()"
param service = "smflow-drawn"
param release = "r" + format_time(now(), "%Y%m%d-%H%M%S-%f")
param go = "no"
step "deploy" {
    create_hosted_service(service_name: service, label: service, location: "West US")
    tag = uuid()
    create_deployment(service_name: service, deployment_slot: "staging", name: release,
                      package_url: "https://acct.blob.core.windows.net/p/app.cspkg", label: "${tag}/${uuid()}",
                      configuration: base64(file("ServiceConfiguration.cscfg")), start_deployment: true)
    wait until now() > now() - 1s and get_deployment_by_slot(service_name: service,
        deployment_slot: "staging").status == "Running" every 5s timeout 10m
    d = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
    log "deployed ${d.name} labelled ${d.label} at ${format_time(now(), "%H:%M:%S.%f")} (${uuid()})"
    assert go == "yes", "stopped on purpose"
}
on failure {
    log "failed at ${format_time(now(), "%H:%M:%S.%f")} (${uuid()})"
}
"""
CONFIG = (Path(__file__).resolve().parents[2] / "flows" / "ServiceConfiguration.cscfg").read_text(encoding="utf-8")


@pytest.fixture
def flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ServiceConfiguration.cscfg").write_text(CONFIG, encoding="utf-8")
    path = tmp_path / "drawn.flow"
    path.write_text(FLOW, encoding="utf-8")
    return path


def _records(result: RunResult) -> list[dict[str, Any]]:
    assert result.journal is not None
    return [json.loads(line) for line in result.journal.read_text(encoding="utf-8").splitlines()]


def _logs(result: RunResult) -> list[str]:
    return [str(r["message"]) for r in _records(result) if r["t"] == "log" and r["step"] == "deploy"]


def test_a_resumed_step_gets_back_the_values_it_drew(flow: Path, tmp_path: Path) -> None:
    first = run_flow(flow, journal_dir=tmp_path / "runs")
    assert first.failed_step == "deploy" and first.error is not None and "stopped on purpose" in first.error
    [logged] = _logs(first)
    assert re.fullmatch(r"deployed r\d{8}-\d{6}-\d{6} labelled [0-9a-f-]{36}/[0-9a-f-]{36} at [\d:.]+ \([0-9a-f-]{36}\)",
                        logged), logged
    drawn = {(r["step"], r["key"]): r for r in _records(first) if r["t"] == "drawn"}
    assert set(drawn) >= {("(params)", "now#1"), ("deploy", "uuid#1"), ("deploy", "uuid#2"), ("deploy", "now#1"),
                          ("deploy", "uuid#3"), ("deploy", "wait now#1"), ("deploy", "wait now#2")}
    assert drawn[("deploy", "uuid#1")]["bind"] == "tag#1" and drawn[("deploy", "uuid#2")]["bind"] is None

    written = len(_records(first))
    second = run_flow(None, resume=first.run_id, vars={"go": "yes"}, journal_dir=tmp_path / "runs")
    assert second.ok, second.error
    # The step ran again: the param default, the skipped binding's draw, the call's arguments
    # and the log line all have the first run's values (the deployment was not made twice).
    assert _logs(second) == [logged, logged]  # one journal: the first run's line, then the resumed run's
    assert second.bindings["tag"] == first.bindings["tag"]
    assert second.bindings["d"]["name"] == first.bindings["d"]["name"]
    # The wait's own now() values are drawn afresh on resume (a wait asks what time it is now).
    resumed = [r for r in _records(second)[written:] if r["t"] == "drawn"]
    assert resumed and all(r["key"].startswith("wait now#") for r in resumed)


def test_the_on_failure_block_draws_afresh_on_resume_like_it_evaluates(flow: Path, tmp_path: Path) -> None:
    first = run_flow(flow, journal_dir=tmp_path / "runs")
    second = run_flow(None, resume=first.run_id, journal_dir=tmp_path / "runs")
    assert second.failed_step == "deploy"
    failed = [str(r["message"]) for r in _records(second) if r["t"] == "log" and r["step"] == "on failure"]
    assert len(failed) == 2 and failed[0] != failed[1], failed  # the step's values repeat; the handler's do not
    assert len(set(_logs(second))) == 1


def test_a_replay_repeats_the_recorded_values_and_sends_the_same_requests(flow: Path, tmp_path: Path) -> None:
    cassette = tmp_path / "drawn.yaml"
    recorded = run_flow(flow, vars={"go": "yes"}, journal_dir=tmp_path / "runs", record=cassette)
    assert recorded.ok, recorded.error
    meta = json.loads(cassette.read_text(encoding="utf-8"))["smflow"]["meta"]
    assert set(meta["drawn"]) == {"(params)", "deploy"}
    assert meta["drawn"]["deploy"]["uuid#1"] == recorded.bindings["tag"]

    replayed = run_flow(flow, journal_dir=tmp_path / "runs", replay=cassette)
    assert replayed.ok, replayed.error
    assert _logs(replayed) == _logs(recorded)
    assert replayed.bindings["tag"] == recorded.bindings["tag"]


def test_a_replay_that_asks_for_more_values_than_were_recorded_drifts(flow: Path, tmp_path: Path) -> None:
    cassette = tmp_path / "drawn.yaml"
    assert run_flow(flow, vars={"go": "yes"}, journal_dir=tmp_path / "runs", record=cassette).ok
    flow.write_text(FLOW.replace('    assert go == "yes"', '    log "one more ${uuid()}"\n    assert go == "yes"'))
    with pytest.raises(ReplayDriftError) as caught:
        run_flow(flow, journal_dir=tmp_path / "runs", replay=cassette)
    assert str(caught.value).splitlines() == [
        f"{flow}:15:21: error[ReplayDrift]: replay drift: 'deploy' asks for uuid() value #4, but the recording drew 3 "
        "there (the flow changed since it was recorded? re-record it)",
        '   15 |     log "one more ${uuid()}"',
        "      |                     ^^^^^^",
    ]


def test_a_cassette_recorded_before_values_were_recorded_says_so(flow: Path, tmp_path: Path) -> None:
    cassette = tmp_path / "drawn.yaml"
    assert run_flow(flow, vars={"go": "yes"}, journal_dir=tmp_path / "runs", record=cassette).ok
    data = json.loads(cassette.read_text(encoding="utf-8"))
    del data["smflow"]["meta"]["drawn"]
    cassette.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReplayDriftError, match=r":3:35: error\[ReplayDrift\]: replay drift: the param defaults calls now\(\), but "
                       r"the cassette was recorded by an smflow that did not record now\(\) and uuid\(\) values; re-record it\n"):
        run_flow(flow, journal_dir=tmp_path / "runs", replay=cassette)


def test_a_replayed_wait_that_polls_more_than_it_did_live_reads_the_virtual_clock() -> None:
    times = iter([datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC)])
    drawn = DrawnValues(lambda: next(times), recorded={"s": {"wait now#1": "2026-04-01T00:00:00+00:00"}},
                        replay=True)
    drawn.scope_of = lambda: "s"
    with drawn.waiting():
        assert [drawn.now().day for _ in range(3)] == [1, 1, 2]  # recorded, then the clock's
    with pytest.raises(ReplayDriftError, match=r"^replay drift: 's' asks for now\(\) value #1"):
        drawn.now()
    with drawn.waiting(), pytest.raises(ReplayDriftError, match=r"uuid\(\) value #1, but the recording drew 0"):
        drawn.uuid()
