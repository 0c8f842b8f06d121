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
    assert len(retries) >= 20  # the faults really happened and were retried (one per run at least, on average)


def _succeeded(server: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for op in server.state.subscription(SUB).operations.values():
        if op.status == "Succeeded":
            counts[op.kind] = counts.get(op.kind, 0) + 1
    return counts


def runs_applying_writes_not_once(tmp_path: Path, flow: str, variables: dict[str, str],
                                  expected: dict[str, int], runs: int = 8) -> list[str]:
    """Run ``flows/<flow>.flow`` ``runs`` times against an emulator failing 30 % of requests (state
    reset before each, so its operations can be counted); each run that failed or whose succeeded
    operations of the ``expected`` kinds differ from ``expected`` is one line of the answer."""
    from smflow.emulator.server import EmulatorServer

    latency = 0.05
    server = EmulatorServer(latency=latency, fault_rate=0.3, seed=20261130)
    url = server.start()
    failures: list[str] = []
    try:
        for i in range(runs):
            server.state.reset()
            result = run_flow(ROOT / "flows" / f"{flow}.flow", vars=variables, endpoint=url,
                              emulator_latency=latency, journal_dir=tmp_path, assume_yes=True)
            counts = {k: v for k, v in _succeeded(server).items() if k in expected}
            if not result.ok or counts != expected:
                failures.append(f"run {i}: {result.status} {result.error} ops={counts}")
    finally:
        server.stop()
    return failures


@pytest.mark.slow
@pytest.mark.parametrize(("flow", "variables", "expected"), [
    ("rolling_upgrade", {}, {"upgrade_deployment": 1, "walk_upgrade_domain": 2}),
    ("restart_instance", {"escalate": "true"}, {"delete_role_instances": 1}),
    ("vm_stop_start", {"admin_password": "Emulator-Only-Passw0rd!"},
     {"create_virtual_machine_deployment": 1, "shutdown_role": 1, "start_role": 1}),
    ("vm_restart", {"admin_password": "Emulator-Only-Passw0rd!", "escalate": "true"},
     {"shutdown_roles": 1, "start_roles": 1}),
    ("certificate_rotation", {}, {"add_management_certificate": 2, "delete_management_certificate": 1,
                                  "delete_service_certificate": 1}),
    ("vm_data_disk", {"admin_password": "Emulator-Only-Passw0rd!"},
     {"add_disk": 1, "add_data_disk": 1, "update_data_disk": 1}),
    ("vm_scale_out", {"admin_password": "Emulator-Only-Passw0rd!"}, {"add_role": 1, "add_dns_server": 1}),
    ("vm_retire", {"admin_password": "Emulator-Only-Passw0rd!"},
     {"add_role": 1, "add_dns_server": 1, "delete_data_disk": 1, "capture_role": 1, "delete_disk": 1,
      "delete_dns_server": 1}),
    # A regeneration or a reboot leaves no state telling it from none: read back from the operation log.
    pytest.param("storage_key_rotation", {}, {"regenerate_storage_account_keys": 2},
                 id="storage_key_rotation-regenerations"),
    pytest.param("restart_instance", {"escalate": "true"},
                 {"reboot_role_instance": 1, "reimage_role_instance": 1, "rebuild_role_instance": 1},
                 id="restart_instance-reboots"),
])
def test_extended_writes_take_effect_once_at_a_thirty_percent_fault_rate(
    tmp_path: Path, flow: str, variables: dict[str, str], expected: dict[str, int]
) -> None:
    """Upgrade walks, role-instance, certificate, key, VM role, disk and DNS writes land once however
    their answers are lost."""
    assert runs_applying_writes_not_once(tmp_path, flow, variables, expected) == []
