"""The runbook library end to end; run on demand: ``python bench/flows_bench.py [SEEDS]``.

Prints one JSON object per result line, per flow of ``flows/``:
- ``flow_emulator_run``: seconds for one run against an in-process emulator (latency 0), with its requests
- ``flow_replay``: seconds for one offline replay of ``cassettes/<flow>.yaml`` (no socket, virtual clock)
- ``flow_faults_ok``: share of runs (over SEEDS seeds, default 5) that end as expected against an
  emulator failing 30% of requests (5xx, 429, dropped connections): the retry policies at work

A flow "ends as expected" when it succeeds, or, for the rollback drill, fails in its smoke test.
The speed numbers are for comparing flows with each other in the same run, not absolute targets.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from smflow.emulator.server import EmulatorServer
from smflow.run.api import RunResult, run_flow
from smflow.run.clock import VirtualClock

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_URL = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"  # as the cassettes
VARS: dict[str, dict[str, str]] = {
    "blue_green": {"package_url": PACKAGE_URL},
    "first_deployment": {"package_url": PACKAGE_URL},
    "linux_vm": {"admin_password": "Emulator-Only-Passw0rd!"},
}
FAILS_ON_PURPOSE = {"rollback_drill": "smoke test"}


def emit(bench: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": bench, "value": round(value, 4), "unit": unit, **extra}), flush=True)


def as_expected(flow: str, result: RunResult) -> bool:
    if flow in FAILS_ON_PURPOSE:
        return result.status == "failed" and result.failed_step == FAILS_ON_PURPOSE[flow]
    return result.ok


def run_once(flow: str, journals: Path, **server_args: object) -> tuple[RunResult, float]:
    with EmulatorServer(latency=0, **server_args) as server:  # type: ignore[arg-type]
        start = time.perf_counter()
        result = run_flow(ROOT / "flows" / f"{flow}.flow", vars=VARS.get(flow, {}), endpoint=server.url,
                          assume_yes=True, journal_dir=journals, clock=VirtualClock())
        return result, time.perf_counter() - start


def main(seeds: int) -> None:
    flows = sorted(p.stem for p in (ROOT / "flows").glob("*.flow"))
    with tempfile.TemporaryDirectory() as tmp:
        journals = Path(tmp)
        for flow in flows:
            result, elapsed = run_once(flow, journals)
            emit("flow_emulator_run", elapsed, "s", flow=flow, requests=result.requests, ok=as_expected(flow, result))
            cassette = ROOT / "cassettes" / f"{flow}.yaml"
            if cassette.exists():
                start = time.perf_counter()
                replayed = run_flow(ROOT / "flows" / f"{flow}.flow", vars=VARS.get(flow, {}), replay=cassette,
                                    assume_yes=True, journal_dir=journals)
                emit("flow_replay", time.perf_counter() - start, "s", flow=flow, requests=replayed.requests,
                     ok=as_expected(flow, replayed))
            good, sent, errors = 0, 0, []
            for seed in range(seeds):
                result, _ = run_once(flow, journals, fault_rate=0.3, seed=seed)
                good += as_expected(flow, result)
                sent += result.requests
                if not as_expected(flow, result):
                    errors.append(f"seed {seed}: {result.failed_step}: {(result.error or '').splitlines()[0]}")
            emit("flow_faults_ok", good / seeds, "ratio", flow=flow, seeds=seeds, fault_rate=0.3,
                 mean_requests=round(sent / seeds, 1), failures=errors)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
