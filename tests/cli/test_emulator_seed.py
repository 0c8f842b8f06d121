"""``smflow run --emulator-state FILE``: a flow that expects an existing service runs on the
embedded emulator, started from a copy of a state saved by ``smflow emulator --state``."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "run" / "flows" / "seed.flow"

# Expects what seed.flow leaves: smflow-bg with v1 live. Replaces it with v2 and deletes v1.
RELEASE = """flow release "needs a live production"
step "stage v2" {
    create_deployment(service_name: "smflow-bg", deployment_slot: "staging", name: "v2",
                      package_url: "https://acct.blob.core.windows.net/pkgs/app.cspkg", label: "v2",
                      configuration: base64("<ServiceConfiguration/>"), start_deployment: true)
}
step "swap" {
    old = get_deployment_by_slot(service_name: "smflow-bg", deployment_slot: "production")
    swap_deployment(service_name: "smflow-bg", production: old.name, source_deployment: "v2")
}
step "retire" {
    delete_deployment(service_name: "smflow-bg", deployment_name: old.name)
    live = get_deployment_by_slot(service_name: "smflow-bg", deployment_slot: "production")
    assert live.name == "v2", "production runs ${live.name}"
}
"""


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}, "PYTHONUNBUFFERED": "1"}


def smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=_env())


@pytest.fixture
def saved_state(tmp_path: Path) -> Path:
    """seed.flow run against a real `smflow emulator --state`, stopped: the state file it left."""
    state = tmp_path / "seeded.sqlite"
    work = tmp_path / "seeding"  # its journal stays out of the test's own .smflow
    work.mkdir()
    server = subprocess.Popen([sys.executable, "-m", "smflow", "emulator", "--state", str(state), "--latency", "0"],
                              cwd=work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env())
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        done = smflow("run", str(SEED), "--endpoint", url, "--emulator-latency", "0", cwd=work)
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()
    return state


def test_a_flow_that_needs_a_live_service_runs_from_a_saved_state(tmp_path: Path, saved_state: Path) -> None:
    flow = tmp_path / "release.flow"
    flow.write_text(RELEASE)
    bare = smflow("run", str(flow), "--emulator-latency", "0", cwd=tmp_path)
    assert bare.returncode == 1 and "ResourceNotFound" in bare.stdout + bare.stderr  # nothing to replace
    before = hashlib.sha256(saved_state.read_bytes()).hexdigest()
    for _ in range(2):  # the seed is copied, never changed: it serves run after run
        seeded = smflow("run", str(flow), "--emulator-state", str(saved_state), "--emulator-latency", "0", cwd=tmp_path)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        assert seeded.stdout.startswith("target: embedded emulator at http://127.0.0.1:")
    assert hashlib.sha256(saved_state.read_bytes()).hexdigest() == before
    runs = tmp_path / ".smflow" / "runs"
    assert len(list(runs.glob("*.sqlite"))) == 1  # the failed bare run's; succeeded runs keep none


def test_a_seeded_run_that_fails_resumes_from_its_own_state(tmp_path: Path, saved_state: Path) -> None:
    flow = tmp_path / "release.flow"
    gated = RELEASE.replace('step "retire" {', 'step "gate" {\n    assert go == "yes", "stop"\n}\nstep "retire" {')
    flow.write_text(gated.replace("\n", '\nparam go = "no"\n', 1))
    first = smflow("run", str(flow), "--emulator-state", str(saved_state), "--emulator-latency", "0", cwd=tmp_path)
    assert first.returncode == 1
    (run_id,) = [p.stem for p in (tmp_path / ".smflow" / "runs").glob("*.jsonl")]
    refused = smflow("run", "--resume", run_id, "--emulator-state", str(saved_state), cwd=tmp_path)
    assert refused.returncode == 2 and "a resumed run starts from the emulator state it saved" in refused.stderr
    resumed = smflow("run", "--resume", run_id, "--var", "go=yes", "--emulator-latency", "0", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr


@pytest.mark.parametrize(("extra", "content", "needle"), [
    ([], None, "no such file"),
    ([], b"not sqlite at all, just text" * 100, "not a state file saved by `smflow emulator --state`"),
    (["--endpoint", "http://127.0.0.1:9"], b"", "cannot be used with --endpoint"),
])
def test_a_bad_seed_is_a_usage_error_in_one_line(tmp_path: Path, extra: list[str], content: bytes | None,
                                                 needle: str) -> None:
    flow = tmp_path / "release.flow"
    flow.write_text(RELEASE)
    seed = tmp_path / "seed.sqlite"
    if content is not None:
        seed.write_bytes(content)
    done = smflow("run", str(flow), "--emulator-state", str(seed), *extra, cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1, done.stderr
    assert needle in done.stderr
    assert content is None or seed.read_bytes() == content
    assert not (tmp_path / ".smflow" / "runs").exists() or not list((tmp_path / ".smflow" / "runs").iterdir())


def test_setup_runs_a_flow_first_on_the_same_embedded_emulator(tmp_path: Path) -> None:
    flow = tmp_path / "release.flow"
    flow.write_text(RELEASE)
    done = smflow("run", str(flow), "--setup", str(SEED), "--emulator-latency", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("target: embedded emulator at http://127.0.0.1:")
    assert "[3/3] retire … ok" in done.stdout
    runs = tmp_path / ".smflow" / "runs"
    assert [p.suffix for p in runs.iterdir()] == [".jsonl"]  # the setup's journal went with it


def test_setup_gets_the_vars_it_declares_and_a_failed_setup_runs_nothing(tmp_path: Path) -> None:
    flow = tmp_path / "release.flow"
    flow.write_text(RELEASE.replace('"smflow-bg"', "service").replace("\n", '\nparam service = "x"\n', 1))
    done = smflow("run", str(flow), "--setup", str(SEED), "--var", "service=svc-var", "--emulator-latency", "0",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr  # both got service=svc-var
    broken = tmp_path / "broken.flow"
    broken.write_text('flow broken "x"\nstep "boom" {\n    assert false, "setup says no"\n}\n')
    failed = smflow("run", str(flow), "--setup", str(broken), "--emulator-latency", "0", cwd=tmp_path)
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert f"--setup {broken} failed at step 'boom'" in failed.stderr and "the flow was not run" in failed.stderr
    runs = sorted(p.name for p in (tmp_path / ".smflow" / "runs").iterdir())
    assert len(runs) == 1 and runs[0].endswith(".jsonl")  # only the first run's; nothing left by the failed one
    endpoint = smflow("run", str(flow), "--setup", str(SEED), "--endpoint", "http://127.0.0.1:9", cwd=tmp_path)
    assert endpoint.returncode == 2 and "--setup runs a flow first on the embedded emulator" in endpoint.stderr
