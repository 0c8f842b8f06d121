"""``smflow plan`` masks a secret inside a base64 label; ``env_secret()`` values are masked like
secret params, and its name must be a literal so the masker knows the value before the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from smflow.dsl.plan import check_flow, load_flow
from smflow.errors import CheckFailedError

from .oracle import hits

PW = "s3cretValue-Jq"
TOKEN = "tok-8Hw2Rz5Yp"

FLOW = """\
flow planned "a secret inside a label"
secret param pw : string
step "make" {
    create_hosted_service(service_name: "svc1", label: "lbl ${pw}", location: "West US",
                          description: "token ${env_secret("SMFLOW_TEST_TOKEN")}")
    log "made with ${lower(env_secret("SMFLOW_TEST_TOKEN"))}"
}
"""


def _smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "SMFLOW_VAR_PW": PW, "SMFLOW_TEST_TOKEN": TOKEN, "SMFLOW_CACHE_DIR": ""}
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, env=env, capture_output=True, timeout=120)


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_plan_masks_a_secret_inside_a_base64_label(tmp_path: Path, json_flag: list[str]) -> None:
    (tmp_path / "planned.flow").write_text(FLOW)
    proc = _smflow("plan", "planned.flow", *json_flag, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"<Label>bGJsIH" in proc.stdout  # base64("lbl "): the label is there, its secret part is not
    assert hits({"pw": PW, "token": TOKEN}, [("stdout", proc.stdout), ("stderr", proc.stderr)]) == []


def test_env_secret_values_are_masked_in_a_run(tmp_path: Path) -> None:
    (tmp_path / "planned.flow").write_text(FLOW)
    proc = _smflow("run", "planned.flow", "--json", "--emulator-latency", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b'"message": "made with ***"' in proc.stdout
    written = [(str(p), p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()]
    assert hits({"pw": PW, "token": TOKEN}, [("stdout", proc.stdout), ("stderr", proc.stderr), *written]) == []


def test_env_secret_needs_literal_arguments() -> None:
    flow = load_flow('flow f "x"\nparam name = "TOKEN"\nstep "s" {\n  log "${env_secret(name)}"\n}\n')
    with pytest.raises(CheckFailedError, match=r"InvalidValue.*env_secret\(\) needs its name as a plain string"):
        check_flow(flow)
    ok = load_flow('flow f "x"\nstep "s" {\n  log "${env_secret("TOKEN", "fallback-value")}"\n}\n')
    check_flow(ok)


def test_plan_refuses_a_secret_too_short_to_mask(tmp_path: Path) -> None:
    (tmp_path / "planned.flow").write_text(FLOW)
    env = {**os.environ, "SMFLOW_VAR_PW": "Q7z", "SMFLOW_TEST_TOKEN": TOKEN, "SMFLOW_CACHE_DIR": ""}
    proc = subprocess.run([sys.executable, "-m", "smflow", "plan", "planned.flow"], cwd=tmp_path, env=env,
                          capture_output=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.decode().strip().splitlines() == [
        "the value of secret param 'pw' is shorter than 4 characters, too short to be masked reliably in output, "
        "journals and cassettes; use a longer secret"]
    assert b"Q7z" not in proc.stdout + proc.stderr
