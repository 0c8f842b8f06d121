"""Done-when: blue_green 20 runs out of 20 against an emulator failing 30% of requests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smflow.run.api import run_flow

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "blue_green.flow"
SEED = Path(__file__).parent / "flows" / "seed.flow"
SUB = "00000000-0000-0000-0000-000000000000"
PACKAGE = "https://acct.blob.core.windows.net/pkgs/app.cspkg"


def _ops(server: Any, service: str, kind: str) -> int:
    sub = server.state.subscription(SUB)
    return sum(1 for op in sub.operations.values() if op.kind == kind and op.service == service)


@pytest.mark.slow
def test_blue_green_survives_a_thirty_percent_fault_rate(tmp_path: Path) -> None:
    from smflow.emulator.server import EmulatorServer

    latency = 0.05
    server = EmulatorServer(latency=latency, fault_rate=0.3, seed=20261126)
    url = server.start()
    failures: list[str] = []
    retries: list[Any] = []
    try:
        for i in range(20):
            service = f"bg-fault-{i}"
            server.faults.rate = 0.0  # the seed release is set-up, not the thing under test
            seeded = run_flow(SEED, vars={"service": service}, endpoint=url, emulator_latency=latency,
                              journal_dir=tmp_path)
            assert seeded.ok, seeded.error
            server.faults.rate = 0.3
            result = run_flow(FLOW, vars={"service": service, "package_url": PACKAGE, "version": "v2"},
                              endpoint=url, emulator_latency=latency, journal_dir=tmp_path, assume_yes=True,
                              on_event=lambda e: retries.append(e) if e.kind == "retrying" else None)
            svc = server.state.subscription(SUB).services[service]
            slots = {slot: dep.name for slot, dep in svc.slots.items() if dep is not None}
            counts = {k: _ops(server, service, k) for k in ("create_deployment", "swap_deployment", "delete_deployment")}
            expected = {"create_deployment": 2, "swap_deployment": 1, "delete_deployment": 1}
            if not result.ok or slots != {"Production": "v2"} or counts != expected:
                failures.append(f"run {i}: {result.status} {result.error} slots={slots} ops={counts}")
        # Synchronous creates carry no service name in the log: count them all (one per run).
        sub = server.state.subscription(SUB)
        assert sum(1 for op in sub.operations.values() if op.kind == "create_hosted_service") == 20
        assert sorted(sub.services) == sorted(f"bg-fault-{i}" for i in range(20))  # nothing orphaned
    finally:
        server.stop()
    assert failures == [], "\n".join(failures)
    assert len(retries) > 40  # the faults really happened and were retried
