"""Progress rendering: one line per step, plain wait lines throttled, JSON lines, live TTY line."""

from __future__ import annotations

import io
import json

from smflow.run.events import (
    Retrying,
    RunFinished,
    RunStarted,
    StepFailed,
    StepFinished,
    StepStarted,
    Waiting,
)
from smflow.run.progress import make_progress

T = {"run_id": "20261126-041200-bg-ab12", "time": "2026-11-26T04:12:00+00:00"}


def _events() -> list[object]:
    return [
        RunStarted(flow="flows/bg.flow", target="embedded emulator at http://127.0.0.1:1", steps=2,
                   journal=".smflow/runs/x.jsonl", **T),
        StepStarted(index=1, total=2, step="deploy", **T),
        Waiting(step="deploy", what="create_deployment", elapsed=1.0, last_state="InProgress", next_poll=2.0,
                timeout=1800, **T),
        Waiting(step="deploy", what="create_deployment", elapsed=3.0, last_state="InProgress", next_poll=4.0,
                timeout=1800, **T),
        Waiting(step="deploy", what="create_deployment", elapsed=40.0, last_state="InProgress", next_poll=4.0,
                timeout=1800, **T),
        Retrying(step="deploy", operation="create_deployment", attempt=1, attempts=6, delay=2.0,
                 error="HTTP 503 ServerBusy", **T),
        StepFinished(index=1, total=2, step="deploy", elapsed=12.34, **T),
        StepStarted(index=2, total=2, step="swap", **T),
        StepFailed(index=2, total=2, step="swap", elapsed=0.5, error="HTTP 409 no", **T),
        RunFinished(status="failed", elapsed=13.0, requests=9, failed_step="swap", error="HTTP 409 no",
                    rolled_back=["deploy"], **T),
    ]


def test_plain_text() -> None:
    out = io.StringIO()
    render = make_progress(out, json_lines=False, live=False)
    for e in _events():
        render(e)  # type: ignore[arg-type]
    lines = out.getvalue().splitlines()
    assert lines[0] == "target: embedded emulator at http://127.0.0.1:1"
    assert "[1/2] deploy … ok 12.3s" in lines
    assert sum("waiting" in line for line in lines) == 2  # 1s and 40s; 3s is throttled
    assert any(line.startswith("    retrying create_deployment in 2.0s") for line in lines)
    assert "[2/2] swap … FAILED 0.5s: HTTP 409 no" in lines
    assert "rolled back: 'deploy'" in lines
    assert lines[-2] == "to continue from the failed step: smflow run --resume 20261126-041200-bg-ab12"
    assert lines[-1].startswith("(the embedded emulator's state is kept beside the journal")
    assert "\r" not in out.getvalue()


def test_live_line_is_rewritten_in_place() -> None:
    out = io.StringIO()
    render = make_progress(out, json_lines=False, live=True)
    for e in _events()[:4]:
        render(e)  # type: ignore[arg-type]
    text = out.getvalue()
    assert "\r\x1b[K[1/2] deploy … waiting 3.0s for create_deployment: InProgress; next poll in 4.0s" in text


def test_json_lines() -> None:
    out = io.StringIO()
    render = make_progress(out, json_lines=True)
    for e in _events():
        render(e)  # type: ignore[arg-type]
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event"] for r in records][:2] == ["run_started", "step_started"]
    assert all(r["run_id"] == T["run_id"] and r["time"] for r in records)
    assert records[-1]["rolled_back"] == ["deploy"]
