"""Declared outputs through ``run_flow`` on the embedded emulator: their values and types, the
run result's ``outputs`` and ``bindings``, a failed run (no outputs), a secret only the run knows
(refused, never shown), and a resumed run (the same outputs as a straight run)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from smflow.run.api import RunResult, run_flow
from smflow.run.events import Event, RunFinished
from smflow.run.outputs import render_lines, render_value
from smflow.run.progress import make_progress

FLOW = """flow outs "outputs"
param service = "svc-outputs"
param fail_at_check = false
step "create" {
    create_hosted_service(service_name: service, label: "Outputs", location: "West US")
    h = get_hosted_service_properties(service_name: service)
    stamp = format_time(now(), "%H:%M:%S.%f")
    if h.hosted_service_properties.status == "NoSuchStatus" {
        never = "bound"
    }
}
step "check" {
    assert not fail_at_check, "failing on purpose"
}
output site = "https://${service}.cloudapp.net/"
output label = h.hosted_service_properties.label
output location_and_label = [h.hosted_service_properties.location, h.hosted_service_properties.label]
output record = {name: service, count: 2, ok: true, nothing: null}
output grace = 5m
output stamp = stamp
output lines = "first\\nsecond"
on failure {
    log "failed: ${error}"
}
"""


def _run(tmp_path: Path, text: str = FLOW, events: list[Event] | None = None, **kw: Any) -> RunResult:
    flow = tmp_path / "outs.flow"
    flow.write_text(text, encoding="utf-8")
    return run_flow(flow, journal_dir=tmp_path / "runs", emulator_latency=0.0,
                    on_event=events.append if events is not None else None, **kw)


def _finished(events: list[Event]) -> RunFinished:
    last = events[-1]
    assert isinstance(last, RunFinished)
    return last


def _run_done(result: RunResult) -> dict[str, Any]:
    assert result.journal is not None
    records = [json.loads(line) for line in result.journal.read_text(encoding="utf-8").splitlines()]
    done: dict[str, Any] = records[-1]
    assert done["t"] == "run_done"
    return done


def test_a_succeeded_run_returns_its_declared_outputs_in_order(tmp_path: Path) -> None:
    events: list[Event] = []
    result = _run(tmp_path, events=events)
    assert result.ok, result.error
    assert list(result.outputs) == ["site", "label", "location_and_label", "record", "grace", "stamp", "lines"]
    assert result.outputs["site"] == "https://svc-outputs.cloudapp.net/"
    assert result.outputs["label"] == "Outputs"
    assert result.outputs["location_and_label"] == ["West US", "Outputs"]
    assert result.outputs["record"] == {"name": "svc-outputs", "count": 2, "ok": True, "nothing": None}
    assert result.outputs["grace"] == 300  # a duration is its seconds
    assert result.outputs["lines"] == "first\nsecond"
    # What the steps bound moved to ``bindings``; asking ``outputs`` for one says so.
    assert result.bindings["stamp"] == result.outputs["stamp"]
    assert "h" in result.bindings and "h" not in result.outputs
    with pytest.raises(KeyError, match="RunResult.bindings"):
        result.outputs["h"]
    with pytest.raises(KeyError, match="nowhere"):
        result.outputs["nowhere"]
    # The same values in the run_finished event and in the journal's last record.
    assert _finished(events).outputs == dict(result.outputs)
    assert _run_done(result)["outputs"] == dict(result.outputs)


def test_values_render_as_text_or_json_and_multiline_values_use_a_fresh_delimiter() -> None:
    assert render_value("plain text") == "plain text"
    assert render_value(True) == "true" and render_value(None) == "null" and render_value(300.0) == "300"
    assert render_value(["a", 1]) == '["a", 1]' and render_value({"é": 1.5}) == '{"é": 1.5}'
    text = render_lines({"one": "x=y", "many": "a\nb\n", "flag": False})
    lines = text.splitlines()
    assert lines[0] == "one=x=y" and lines[-1] == "flag=false"
    # GitHub joins the lines between the markers with "\n": the trailing newline is the empty line.
    head, body, end = lines[1], lines[2:5], lines[5]
    delimiter = head.removeprefix("many<<")
    assert head.startswith("many<<smflow_EOF_") and end == delimiter and body == ["a", "b", ""]
    assert render_lines({"cr": "a\rb"}).startswith("cr<<")  # GitHub's reader ends a line at a lone CR too
    # Not a constant: a value holding the delimiter of one rendering cannot end the block early.
    assert render_lines({"many": "a\nb"}).splitlines()[0] != head
    assert delimiter not in "a\nb\n"


def test_a_failed_run_has_no_outputs_and_says_so(tmp_path: Path) -> None:
    events: list[Event] = []
    result = _run(tmp_path, events=events, vars={"fail_at_check": "true"})
    assert not result.ok and result.failed_step == "check"
    assert dict(result.outputs) == {}
    assert "stamp" in result.bindings  # the first step's bindings are still there for a test to read
    assert _finished(events).outputs is None
    assert _run_done(result)["outputs"] is None


def test_an_output_bound_only_in_a_branch_not_taken_fails_the_run_naming_it(tmp_path: Path) -> None:
    events: list[Event] = []
    text = FLOW.replace('output grace = 5m', 'output grace = never')
    result = _run(tmp_path, text, events=events)
    assert result.status == "failed" and result.failed_step is None
    assert result.error is not None and "output 'grace'" in result.error and "'never' has no value" in result.error
    assert [s.status for s in result.steps] == ["succeeded", "succeeded"]
    assert dict(result.outputs) == {} and _finished(events).outputs is None
    # Every step succeeded: 'on failure' is for a failed step, so it did not run.
    assert not any(getattr(e, "message", "").startswith("failed:") for e in events)
    shown = io.StringIO()
    render = make_progress(shown, json_lines=False, live=False)
    for event in events:
        render(event)
    assert shown.getvalue().splitlines()[-3:-1] == [
        "rolled back: nothing",
        f"every step succeeded; to give the outputs once the flow is fixed: smflow run --resume {result.run_id} --force",
    ]
    # ... which is what that does: the steps are skipped, the fixed output is evaluated.
    (tmp_path / "outs.flow").write_text(FLOW, encoding="utf-8")
    fixed = run_flow(None, resume=result.run_id, journal_dir=tmp_path / "runs", force=True, emulator_latency=0.0)
    assert fixed.ok and fixed.outputs["grace"] == 300 and fixed.requests == 0


def test_an_output_holding_a_secret_the_run_learnt_is_refused_and_never_shown(tmp_path: Path) -> None:
    # A hosted service's url holds the subscription id: a secret the run knows, not the checker.
    events: list[Event] = []
    text = FLOW.replace('output grace = 5m', 'output service_url = h.url')
    result = _run(tmp_path, text, events=events)
    assert result.status == "failed" and result.error is not None
    assert "output 'service_url' holds a secret value" in result.error
    assert "***" in result.bindings["h"]["url"]  # the subscription id in it is masked
    assert "hostedservices" not in result.error  # the value itself is never quoted
    assert dict(result.outputs) == {} and _finished(events).outputs is None
    assert result.journal is not None and _run_done(result)["outputs"] is None


def test_a_public_var_holding_a_secret_params_value_cannot_leave_through_an_output(tmp_path: Path) -> None:
    text = ('flow leak "x"\nsecret param token : string\nparam label : string\n'
            'step "s" { assert length(token) > 4, "short" }\noutput label = label\n')
    result = _run(tmp_path, text, vars={"token": "hunter2-secret", "label": "v1-hunter2-secret"})
    assert result.status == "failed" and result.error is not None
    assert "output 'label' holds a secret value" in result.error
    assert "hunter2" not in result.error and dict(result.outputs) == {}


def test_a_resumed_run_returns_the_outputs_of_the_run_it_continues(tmp_path: Path) -> None:
    failed = _run(tmp_path, vars={"fail_at_check": "true"})
    assert failed.failed_step == "check"
    stamp = failed.bindings["stamp"]
    resumed = run_flow(None, resume=failed.run_id, journal_dir=tmp_path / "runs", vars={"fail_at_check": "false"},
                       emulator_latency=0.0)
    assert resumed.ok, resumed.error
    # ``stamp`` was bound by the first step before the crash: the resumed run outputs that value,
    # not a new now() (the first step is skipped and its bindings are restored from the journal).
    assert resumed.outputs["stamp"] == stamp
    (tmp_path / "straight").mkdir()
    straight = _run(tmp_path / "straight")
    assert {k: v for k, v in resumed.outputs.items() if k != "stamp"} == \
        {k: v for k, v in straight.outputs.items() if k != "stamp"}
    # Resuming the finished run again sends nothing and still returns its outputs.
    again = run_flow(None, resume=failed.run_id, journal_dir=tmp_path / "runs")
    assert again.already_done and dict(again.outputs) == dict(resumed.outputs)
