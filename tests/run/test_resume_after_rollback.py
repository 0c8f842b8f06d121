"""A run that failed and rolled back, then resumed: every write the undo blocks removed is made
again, also when its result was bound (``r = create_…``) or it was made inside a procedure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from smflow.run.api import run_flow

SUB = "00000000-0000-0000-0000-000000000000"

LIBRARY = """\
flow lib "helpers"

proc make(name: string) {
    create_hosted_service(service_name: name, label: "l", location: "West US")
    undo { delete_hosted_service(service_name: name) }
    return name
}
"""

FLOW = """\
flow again "made again after a rollback"
use "lib.flow"
param go = "no"
step "bound" {
    r = create_hosted_service(service_name: "svc-bound", label: "l", location: "West US")
    undo { delete_hosted_service(service_name: "svc-bound") }
}
step "in a proc" {
    n = make("svc-proc")
    make("svc-proc-stmt")
}
step "gate" {
    assert go == "yes", "stopped on purpose"
}
on failure {
    rollback
}
"""

MADE = {"svc-bound", "svc-proc", "svc-proc-stmt"}


def _services(emu: Any) -> set[str]:
    return set(emu.server.state.subscription(SUB).services)


def test_a_resumed_run_makes_again_what_its_rollback_undid(emulator: Any, journal_dir: Path, tmp_path: Path) -> None:
    emu = emulator(latency=1.0)
    (tmp_path / "lib.flow").write_text(LIBRARY)
    flow = tmp_path / "again.flow"
    flow.write_text(FLOW)
    first = run_flow(flow, endpoint=emu.url, clock=emu.clock, journal_dir=journal_dir)
    assert first.failed_step == "gate"
    assert set(first.rolled_back) == {"bound", "in a proc"} and _services(emu) == set()
    again = run_flow(None, resume=first.run_id, vars={"go": "yes"}, endpoint=emu.url, clock=emu.clock,
                     journal_dir=journal_dir)
    assert again.ok, again.error
    assert _services(emu) == MADE


def test_a_flow_with_use_lines_started_by_a_relative_path_resumes(tmp_path: Path) -> None:
    """The journal fingerprints the used files; a resume (which names the flow by its absolute
    path) must find the same fingerprint, not refuse the flow as changed."""
    (tmp_path / "lib.flow").write_text(LIBRARY)
    (tmp_path / "again.flow").write_text(FLOW)
    env = {**os.environ, "SMFLOW_CACHE_DIR": ""}
    env.pop("GITHUB_OUTPUT", None)
    first = subprocess.run([sys.executable, "-m", "smflow", "run", "again.flow", "--yes", "--json"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120, env=env)
    assert first.returncode == 1, first.stderr
    run_id = json.loads(first.stdout.splitlines()[0])["run_id"]
    again = subprocess.run([sys.executable, "-m", "smflow", "run", "--resume", run_id, "--var", "go=yes", "--yes"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "changed since" not in again.stderr
