"""Two ``smflow run`` on one machine, against one standalone emulator, never interleave on a
hosted service: the second is refused at once naming the first, or waits with --lock-timeout;
a run killed with -9 leaves no stale lock; runs on different services go side by side."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Holds the staging slot of one service for the whole run: a second run interleaved with it
# would get 409 (the slot is taken) or delete the first one's deployment. It holds until the
# test opens the gate (creates the storage account "gateopen"), so no timing is assumed.
HOLD = """flow hold "one release at a time"
param service = "svc-lock"
param name = "a"
param gate = "gateopen"
step "ensure the service" {
    if not exists get_hosted_service_properties(service_name: service) {
        create_hosted_service(service_name: service, label: service, location: "West US")
    }
}
step "deploy" {
    create_deployment(service_name: service, deployment_slot: "staging", name: name,
                      package_url: "https://acct.blob.core.windows.net/p/app.cspkg", label: name,
                      configuration: base64("<ServiceConfiguration/>"), start_deployment: true)
}
step "hold" {
    wait until exists get_storage_account_properties(service_name: gate) every 1s timeout 2m
}
step "retire" {
    delete_deployment(service_name: service, deployment_name: name)
}
"""

# The service name comes from a result: not known before the run, so the whole target is locked.
DYNAMIC = """flow dynamic "names a service only at run time"
step "pick" {
    services = list_hosted_services()
}
step "touch" {
    if length(services) > 0 {
        props = get_hosted_service_properties(service_name: services[0].service_name)
    }
}
"""

# Only reads svc-lock, but a read between another run's read and its swap is what the lock
# keeps out too.
READ = """flow read "reads svc-lock"
step "read" {
    props = get_hosted_service_properties(service_name: "svc-lock")
}
"""


def _env(lock_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    return {**env, "PYTHONUNBUFFERED": "1", "SMFLOW_LOCK_DIR": str(lock_dir)}


@pytest.fixture
def endpoint(tmp_path: Path) -> Iterator[str]:
    """A real `smflow emulator` process: create_deployment takes 3 s."""
    server = subprocess.Popen([sys.executable, "-m", "smflow", "emulator", "--latency", "3"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env=_env(tmp_path / "locks"))
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_run_outlives_its_test() -> Iterator[None]:
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def _start(tmp_path: Path, url: str, flow: str, *args: str, cwd: str = "a") -> subprocess.Popen[str]:
    work = tmp_path / cwd
    work.mkdir(exist_ok=True)
    (work / "f.flow").write_text(flow)
    proc = subprocess.Popen([sys.executable, "-m", "smflow", "run", "f.flow", "--endpoint", url, "--json",
                             "--emulator-latency", "3", *args], cwd=work, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env(tmp_path / "locks"))
    _STARTED.append(proc)
    return proc


def _until(proc: subprocess.Popen[str], event: str, **fields: Any) -> list[dict[str, Any]]:
    """Read ``proc``'s JSON events until one of kind ``event`` (with ``fields``) arrives."""
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(json.loads(line))
        if seen[-1]["event"] == event and all(seen[-1].get(k) == v for k, v in fields.items()):
            return seen
    raise AssertionError(f"{event} never came: {seen} {proc.stderr.read() if proc.stderr else ''}")


def _open_gate(url: str, gate: str = "gateopen", subscription: str = "00000000-0000-0000-0000-000000000000") -> None:
    from smflow.asm.client import ServiceManagementClient

    client = ServiceManagementClient(subscription, endpoint=url, timeout=30.0)
    client.call("create_storage_account", {"service_name": gate, "description": "d", "label": "l",
                                           "location": "West US"})


def _finish(proc: subprocess.Popen[str]) -> tuple[int, list[dict[str, Any]], str]:
    out, err = proc.communicate(timeout=120)
    if proc in _STARTED:
        _STARTED.remove(proc)
    return proc.returncode, [json.loads(line) for line in out.splitlines()], err


def test_a_second_run_on_the_same_service_is_refused_at_once_naming_the_first(tmp_path: Path, endpoint: str) -> None:
    first = _start(tmp_path, endpoint, HOLD)
    started = _until(first, "step_started", step="hold")[0]
    second = _start(tmp_path, endpoint, HOLD, "--var", "name=b", cwd="b")
    code, events, err = _finish(second)
    assert code == 2 and events == [], err
    (line,) = err.splitlines()
    assert f"is locked by run {started['run_id']} (pid {first.pid}, flow f.flow, started " in line
    assert "which holds hosted service 'svc-lock'" in line and "--lock-timeout" in line
    assert not (tmp_path / "b" / ".smflow" / "runs").exists() or not list((tmp_path / "b" / ".smflow" / "runs").iterdir())
    _open_gate(endpoint)
    code, events, err = _finish(first)
    assert code == 0, err


def test_with_a_lock_timeout_the_second_run_waits_then_runs_after_the_first(tmp_path: Path, endpoint: str) -> None:
    first = _start(tmp_path, endpoint, HOLD)
    _until(first, "step_started", step="hold")
    second = _start(tmp_path, endpoint, HOLD, "--var", "name=b", "--lock-timeout", "2m", cwd="b")
    assert second.stderr is not None
    waiting = second.stderr.readline()  # said before it waits
    assert waiting.startswith("waiting up to 120s for hosted service 'svc-lock' on endpoint"), waiting
    _open_gate(endpoint)
    code_a, events_a, err_a = _finish(first)
    code_b, events_b, err_b = _finish(second)
    assert code_a == 0 and code_b == 0, err_a + err_b
    assert events_b[0]["event"] == "run_started"
    assert events_b[0]["time"] >= events_a[-1]["time"]  # not one request of b before a finished


def test_a_run_killed_with_minus_nine_leaves_no_stale_lock(tmp_path: Path, endpoint: str) -> None:
    first = _start(tmp_path, endpoint, HOLD)
    _until(first, "step_started", step="hold")
    code, _, err = _finish(_start(tmp_path, endpoint, READ, cwd="b"))
    assert code == 2 and "locked by" in err
    first.kill()  # SIGKILL: no handler runs, the kernel drops its flocks
    _finish(first)
    code, _, err = _finish(_start(tmp_path, endpoint, READ, cwd="b"))
    assert code == 0, err


def test_runs_on_different_services_go_side_by_side(tmp_path: Path, endpoint: str) -> None:
    first = _start(tmp_path, endpoint, HOLD)
    _until(first, "step_started", step="hold")
    _open_gate(endpoint, "gateother")
    code, _, err = _finish(_start(tmp_path, endpoint, HOLD, "--var", "service=svc-other", "--var", "gate=gateother",
                                  cwd="b"))
    assert code == 0, err  # done while the first still holds svc-lock
    assert first.poll() is None
    _open_gate(endpoint)
    assert _finish(first)[0] == 0


def test_a_service_named_at_run_time_locks_the_whole_target(tmp_path: Path, endpoint: str) -> None:
    first = _start(tmp_path, endpoint, HOLD)
    started = _until(first, "step_started", step="hold")[0]
    code, _, err = _finish(_start(tmp_path, endpoint, DYNAMIC, cwd="b"))
    assert code == 2 and f"locked by run {started['run_id']}" in err and "holds the whole target" not in err
    _open_gate(endpoint)
    assert _finish(first)[0] == 0
    first = _start(tmp_path, endpoint, DYNAMIC.replace('step "touch" {', 'step "touch" {\n    wait until false '
                                                      'every 1s timeout 30s\n'), cwd="c")
    started = _until(first, "step_started", step="touch")[0]
    code, _, err = _finish(_start(tmp_path, endpoint, HOLD, "--var", "service=svc-third", cwd="d"))
    assert code == 2 and f"locked by run {started['run_id']}" in err and "which holds the whole target" in err
    first.kill()
    _finish(first)


def test_the_subscription_id_is_in_no_lock_file(tmp_path: Path, endpoint: str) -> None:
    import base64

    subscription = "5a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
    first = _start(tmp_path, endpoint, HOLD, "--subscription", subscription)
    _until(first, "step_started", step="hold")
    files = list((tmp_path / "locks").rglob("*"))
    blobs = b"".join(p.name.encode() + (p.read_bytes() if p.is_file() else b"") for p in files)
    for form in (subscription, subscription.upper(), subscription.replace("-", "")):
        assert form.encode() not in blobs and base64.b64encode(form.encode()) not in blobs
    records = [json.loads(p.read_text()) for p in files if p.suffix == ".lock" and p.read_bytes()]
    assert {r["pid"] for r in records} == {first.pid}  # the holder's records, one per resource it holds
    assert {r["holds"] for r in records} == {"hosted service 'svc-lock'", "storage account 'gateopen'"}
    assert all(p.stat().st_mode & 0o077 == 0 for p in files if p.is_file())
    _open_gate(endpoint, subscription=subscription)
    code, _, err = _finish(first)
    assert code == 0, err
