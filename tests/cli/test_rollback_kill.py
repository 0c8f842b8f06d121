"""kill -9 at several points of an ``on failure`` rollback, then ``--resume``: the final state is
right and nothing is created, swapped or deleted more than the journal says it must be.

The flow deploys v2 to staging, swaps it live, then fails at a gate; ``on failure`` rolls back
(swap back, then delete v2). A kill anywhere in that leaves steps half undone; the resumed run
(gate open) must end with v2 live and v1 in staging, whatever the kill interrupted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "run" / "flows" / "seed.flow"
SUB = "00000000-0000-0000-0000-000000000000"
LATENCY = "0.25"

FLOW = """flow release "v2 live, or rolled back"
param service = "svc"
param go = "no"
retry attempts 4 backoff 1s..4s on transient
step "deploy v2" {
    create_deployment(service_name: service, deployment_slot: "staging", name: "v2",
                      package_url: "https://acct.blob.core.windows.net/p/app.cspkg", label: "v2",
                      configuration: base64("<ServiceConfiguration/>"), start_deployment: true)
    undo { delete_deployment(service_name: service, deployment_name: "v2") }
}
step "swap" {
    old = get_deployment_by_slot(service_name: service, deployment_slot: "production")
    swap_deployment(service_name: service, production: old.name, source_deployment: "v2")
    undo { swap_deployment(service_name: service, production: "v2", source_deployment: old.name) }
}
step "gate" {
    assert go == "yes", "stopped on purpose"
}
on failure {
    rollback
}
"""

# Where the first run is killed: each record is awaited in the journal, then SIGKILL.
UNDO_SWAP = "swap_deployment#1@undo of swap"
UNDO_DEPLOY = "delete_deployment#1@undo of deploy v2"
KILL_POINTS: list[dict[str, Any]] = [
    {"t": "rolling_back", "step": "swap"},  # the swap back may or may not be sent
    {"t": "call_sent", "key": UNDO_SWAP},  # the swap back is in flight
    {"t": "rolled_back", "step": "swap"},  # swapped back; v2 still in staging
    {"t": "call_intent", "key": UNDO_DEPLOY},  # about to delete v2
    {"t": "call_sent", "key": UNDO_DEPLOY},  # v2 being deleted
    {"t": "rolled_back", "step": "deploy v2"},  # all undone, run_done not yet written
]


def _env() -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}, "PYTHONUNBUFFERED": "1"}


def _kill_at(cmd: list[str], cwd: Path, want: dict[str, Any]) -> bool:
    """Run ``cmd``; SIGKILL it the moment its journal holds a record matching ``want``."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env())
    watchdog = threading.Timer(90, proc.kill)
    watchdog.start()
    try:
        while proc.poll() is None:
            for path in (cwd / ".smflow" / "runs").glob("*.jsonl"):
                for line in path.read_text().splitlines():
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue
                    if all(record.get(k) == v for k, v in want.items()):
                        proc.kill()
                        proc.wait(timeout=30)
                        return True
            time.sleep(0.002)
        return False
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_kill_nine_during_a_rollback_then_resume(tmp_path: Path) -> None:
    from smflow.emulator.server import EmulatorServer
    from smflow.run.api import run_flow

    server = EmulatorServer(latency=float(LATENCY))
    url = server.start()
    sub = server.state.subscription(SUB)
    flow = tmp_path / "release.flow"
    flow.write_text(FLOW)
    problems: list[str] = []
    killed = 0
    try:
        for n, want in enumerate(KILL_POINTS):
            service = f"rb-kill-{n}"
            work = tmp_path / service
            work.mkdir()
            assert run_flow(SEED, vars={"service": service}, endpoint=url, emulator_latency=float(LATENCY),
                            journal_dir=work / "seed").ok
            cmd = [sys.executable, "-m", "smflow", "run", str(flow), "--var", f"service={service}",
                   "--endpoint", url, "--emulator-latency", LATENCY]
            killed += _kill_at(cmd, work, want)
            (run_id,) = [p.stem for p in (work / ".smflow" / "runs").glob("*.jsonl")]
            resumed = subprocess.run([sys.executable, "-m", "smflow", "run", "--resume", run_id, "--var", "go=yes",
                                      "--endpoint", url, "--emulator-latency", LATENCY], cwd=work,
                                     capture_output=True, text=True, timeout=120, env=_env())
            svc = sub.services[service]
            slots = {slot: dep.name for slot, dep in svc.slots.items() if dep is not None}
            ops = [op for op in sub.operations.values() if op.service == service]
            count = {k: sum(1 for op in ops if op.kind == k and op.status == "Succeeded")
                     for k in ("create_deployment", "swap_deployment", "delete_deployment")}
            failed = [f"{op.kind}: {op.status}" for op in ops if op.status != "Succeeded"]
            # v1 by the seed, v2 once, and again only if the undo deleted it; each swap moves v2.
            ok = (resumed.returncode == 0 and slots == {"Production": "v2", "Staging": "v1"} and not failed
                  and count["delete_deployment"] <= 1
                  and count["create_deployment"] == 2 + count["delete_deployment"]
                  and count["swap_deployment"] in (1, 3))
            if not ok:
                problems.append(f"killed at {want}: exit {resumed.returncode} slots={slots} ops={count} "
                                f"failed={failed}\n{resumed.stdout}{resumed.stderr}")
    finally:
        server.stop()
    assert problems == [], "\n".join(problems)
    assert killed >= len(KILL_POINTS) - 1, killed
