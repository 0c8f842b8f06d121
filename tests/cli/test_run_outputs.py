"""``smflow run --outputs FILE``, ``$GITHUB_OUTPUT``, ``--json`` and the "Outputs:" block.

Real CLI in a subprocess, real files, the embedded emulator. The file is replaced atomically and
only when it is ours (or with ``--force``); ``$GITHUB_OUTPUT`` is appended to, as GitHub
expects; a failed run writes its id and status and no output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FLOW_TEXT = """flow ci "outputs for CI"
param service = "svc-ci"
param fail = false
step "make" {
    create_hosted_service(service_name: service, label: service, location: "West US")
    h = get_hosted_service_properties(service_name: service)
    assert not fail, "failing on purpose"
}
output site = "https://${service}.cloudapp.net/"
output location = h.hosted_service_properties.location
output count = 2
output notes = "line one\\nline two"
"""


def smflow(*args: str, cwd: Path, github_output: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_") and k != "GITHUB_OUTPUT"}
    if github_output is not None:
        env["GITHUB_OUTPUT"] = str(github_output)
    return subprocess.run([sys.executable, "-m", "smflow", *args, "--emulator-latency", "0"], cwd=cwd,
                          capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    path = tmp_path / "ci.flow"
    path.write_text(FLOW_TEXT, encoding="utf-8")
    return path


def parse_outputs(text: str) -> dict[str, str]:
    """Read ``name=value`` / ``name<<DELIMITER`` lines the way GitHub's runner does."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"no closing {delimiter} for {name}")
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_outputs_file_holds_run_id_status_and_declared_outputs(tmp_path: Path, flow: Path) -> None:
    proc = smflow("run", "ci.flow", "--outputs", "out/ci.env", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "out" / "ci.env").read_text(encoding="utf-8")
    assert text.startswith("smflow_run_id=")
    values = parse_outputs(text)
    assert values["smflow_status"] == "succeeded"
    assert values["site"] == "https://svc-ci.cloudapp.net/" and values["location"] == "West US"
    assert values["count"] == "2" and values["notes"] == "line one\nline two"
    assert list(values) == ["smflow_run_id", "smflow_status", "site", "location", "count", "notes"]
    run_id = values["smflow_run_id"]
    assert f"run {run_id} succeeded" in proc.stdout
    # The human output ends with the outputs, a multi-line value indented under its first line.
    tail = proc.stdout.rstrip("\n").split("\n")[-7:]
    assert tail[0].startswith(f"run {run_id} succeeded") and tail[1:] == [
        "Outputs:",
        "    site     = https://svc-ci.cloudapp.net/",
        "    location = West US",
        "    count    = 2",
        "    notes    = line one",
        "               line two",
    ]


def test_a_file_that_is_not_ours_is_refused_before_the_run_unless_forced(tmp_path: Path, flow: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("DATABASE_URL=postgres://keep-me\n", encoding="utf-8")
    proc = smflow("run", "ci.flow", "--outputs", "notes.txt", cwd=tmp_path)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "--outputs notes.txt" in proc.stderr and "--force" in proc.stderr
    assert notes.read_text(encoding="utf-8") == "DATABASE_URL=postgres://keep-me\n"
    assert not (tmp_path / ".smflow").exists()  # refused before the run began
    forced = smflow("run", "ci.flow", "--outputs", "notes.txt", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert parse_outputs(notes.read_text(encoding="utf-8"))["count"] == "2"
    # Now it is ours: the next run replaces it without --force.
    again = smflow("run", "ci.flow", "--outputs", "notes.txt", "--var", "service=svc-two", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert parse_outputs(notes.read_text(encoding="utf-8"))["site"] == "https://svc-two.cloudapp.net/"


def test_a_failed_run_replaces_the_file_with_its_status_and_no_output(tmp_path: Path, flow: Path) -> None:
    first = smflow("run", "ci.flow", "--outputs", "ci.env", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    failed = smflow("run", "ci.flow", "--outputs", "ci.env", "--var", "fail=true", "--var", "service=svc-f",
                    "--json", cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    values = parse_outputs((tmp_path / "ci.env").read_text(encoding="utf-8"))
    assert values["smflow_status"] == "failed" and set(values) == {"smflow_run_id", "smflow_status"}
    finished = json.loads(failed.stdout.splitlines()[-1])
    assert finished["event"] == "run_finished" and finished["status"] == "failed"
    assert finished["outputs"] is None and finished["run_id"] == values["smflow_run_id"]


def test_json_run_finished_carries_the_outputs_and_keeps_its_fields(tmp_path: Path, flow: Path) -> None:
    proc = smflow("run", "ci.flow", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    finished = json.loads(proc.stdout.splitlines()[-1])
    assert {"event", "run_id", "time", "status", "elapsed", "requests", "failed_step", "error",
            "rolled_back"} <= set(finished)
    assert finished["outputs"] == {"site": "https://svc-ci.cloudapp.net/", "location": "West US", "count": 2,
                                   "notes": "line one\nline two"}


def test_github_output_is_appended_to_never_replaced(tmp_path: Path, flow: Path) -> None:
    github = tmp_path / "github_output"
    github.write_text("earlier=kept", encoding="utf-8")  # another step left its last line open
    proc = smflow("run", "ci.flow", cwd=tmp_path, github_output=github)
    assert proc.returncode == 0, proc.stderr
    values = parse_outputs(github.read_text(encoding="utf-8"))
    assert values["earlier"] == "kept" and values["site"] == "https://svc-ci.cloudapp.net/"
    assert values["notes"] == "line one\nline two" and values["smflow_status"] == "succeeded"


def test_resuming_a_finished_run_writes_its_outputs_again(tmp_path: Path, flow: Path) -> None:
    first = smflow("run", "ci.flow", "--outputs", "ci.env", "--var", "fail=true", cwd=tmp_path)
    assert first.returncode == 1
    run_id = parse_outputs((tmp_path / "ci.env").read_text(encoding="utf-8"))["smflow_run_id"]
    resumed = smflow("run", "--resume", run_id, "--var", "fail=false", "--outputs", "ci.env", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    after = parse_outputs((tmp_path / "ci.env").read_text(encoding="utf-8"))
    assert after["smflow_run_id"] == run_id and after["smflow_status"] == "succeeded" and after["count"] == "2"
    done = smflow("run", "--resume", run_id, "--outputs", "again.env", cwd=tmp_path)
    assert done.returncode == 0 and "already succeeded" in done.stdout
    assert parse_outputs((tmp_path / "again.env").read_text(encoding="utf-8")) == after


def test_a_run_stopped_by_an_error_leaves_no_earlier_outputs_behind(tmp_path: Path, flow: Path) -> None:
    github = tmp_path / "github_output"
    first = smflow("run", "ci.flow", "--outputs", "ci.env", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    broken = smflow("run", "ci.flow", "--outputs", "ci.env", "--var", "servce=typo", cwd=tmp_path,
                    github_output=github)
    assert broken.returncode == 2 and "servce" in broken.stderr
    expected = {"smflow_run_id": "", "smflow_status": "failed"}
    assert parse_outputs((tmp_path / "ci.env").read_text(encoding="utf-8")) == expected
    assert parse_outputs(github.read_text(encoding="utf-8")) == expected
