"""Every flow runs against the in-process emulator (latency 0) and leaves the state it promises.

The runs go through ``run_flow`` over real HTTP on 127.0.0.1 to an ``EmulatorServer`` the test
owns, so the emulator's state can be inspected afterwards. Flows that fail on purpose (the
rollback drill) must fail in the expected step and roll back to the expected state. Secrets
(the VM password, the storage keys) must not appear in the journal or the events.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from smflow.emulator.server import EmulatorServer
from smflow.emulator.state import Subscription
from smflow.run.api import RunResult, run_flow

from .conftest import ADMIN_PASSWORD, EMULATOR_SUBSCRIPTION, EXPECTED_FAILURES, FLOW_VARS, FLOWS, REPO
from .end_states_images import END_STATES as IMAGES_NETWORK_END_STATES


@dataclass
class Emulator:
    server: EmulatorServer
    url: str
    storage_keys: list[str] = field(default_factory=list)  # every key the emulator handed out

    @property
    def sub(self) -> Subscription:
        return self.server.state.subscription(EMULATOR_SUBSCRIPTION)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    holder: list[Emulator] = []

    def log(line: str) -> None:
        # Called in the serving thread once a request is handled: note the keys a read returned.
        if "/keys" in line and holder:
            holder[0].storage_keys.extend(
                key for acct in holder[0].sub.storage.values() for key in (acct.primary_key, acct.secondary_key)
            )

    server = EmulatorServer(latency=0, log=log)
    emu = Emulator(server, server.start())
    holder.append(emu)
    try:
        yield emu
    finally:
        server.stop()


def _run(flow_name: str, emu: Emulator, tmp_path: Path) -> tuple[RunResult, str]:
    events: list[Any] = []
    result = run_flow(
        FLOWS / f"{flow_name}.flow", vars=FLOW_VARS.get(flow_name, {}), endpoint=emu.url, assume_yes=True,
        journal_dir=tmp_path / "runs", on_event=events.append,
    )
    journal = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "runs").rglob("*") if p.is_file())
    return result, journal + "\n".join(repr(e) for e in events) + repr(result)


def _deployment_names(sub: Subscription, service: str) -> dict[str, str]:
    return {slot.lower(): dep.name for slot, dep in sub.services[service].slots.items()}


def _blue_green(sub: Subscription) -> None:
    assert _deployment_names(sub, "smflow-demo") == {"production": "v1"}


def _first_deployment(sub: Subscription) -> None:
    svc = sub.services["smflow-first"]
    assert svc.description == "smflow-first: first release v1"
    assert _deployment_names(sub, "smflow-first") == {"production": "v1"}
    (dep,) = svc.slots.values()
    assert dep.status == "Running"
    assert {i.status for i in dep.instances} == {"ReadyRole"} and len(dep.instances) == 2


def _config_change(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-config"].slots.values()
    assert dep.status == "Running"
    original = (FLOWS / "ServiceConfiguration.cscfg").read_text(encoding="utf-8")
    assert dep.configuration == original.replace('<Instances count="2" />', '<Instances count="3" />')
    assert len(dep.instances) == 3 and {i.status for i in dep.instances} == {"ReadyRole"}


def _storage_lifecycle(sub: Subscription) -> None:
    assert "smflowstore1" not in sub.storage


def _affinity_group(sub: Subscription) -> None:
    assert "smflow-group" not in sub.affinity_groups
    assert "smflow-grouped" not in sub.services and "smflowgrouped1" not in sub.storage


def _os_image(sub: Subscription) -> None:
    assert "smflow-ubuntu-base" not in sub.images


def _linux_vm(sub: Subscription) -> None:
    assert "smflow-vm" not in sub.services


def _rollback_drill(sub: Subscription) -> None:
    assert _deployment_names(sub, "smflow-drill") == {"production": "v1"}  # v2 swapped out and deleted


V1_PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"
V2_PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v2.cspkg"


def _rolling_upgrade(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-rolling"].slots.values()
    assert (dep.name, dep.label, dep.upgrade) == ("v1", "v2", None)
    assert [(i.upgrade_domain, i.package_url, i.status) for i in dep.instances] == [
        (0, V2_PACKAGE, "ReadyRole"), (1, V2_PACKAGE, "ReadyRole")]


def _restart_instance(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-restart"].slots.values()  # a good instance: rebooted, nothing more
    assert [(i.instance_name, i.status) for i in dep.instances] == [("WebRole1_IN_0", "ReadyRole"),
                                                                    ("WebRole1_IN_1", "ReadyRole")]
    assert [op.kind for op in sub.operations.values() if "role_instance" in op.kind] == ["reboot_role_instance"]


def _certificate_rotation(sub: Subscription) -> None:
    certs = sub.services["smflow-certs"].certificates
    assert list(certs) == ["sha1-24F5876482E36C7180C1DB455716A09FA322A1FC"]
    assert list(sub.management_certificates) == ["24F5876482E36C7180C1DB455716A09FA322A1FC"]


def _storage_key_rotation(sub: Subscription) -> None:
    acct = sub.storage["smflowkeys1"]
    assert acct.extended_properties["KeysRotated"] == "2026-11" and acct.account_type == "Standard_LRS"
    kinds = [op.kind for op in sub.operations.values() if op.kind == "regenerate_storage_account_keys"]
    assert len(kinds) == 2


def _vm_stop_start(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-vmpower"].slots.values()  # stopped deallocated, then started: running again
    assert [(i.instance_name, i.status, i.power_state) for i in dep.instances] == [("web1", "ReadyRole", "Started")]
    kinds = [(op.kind, op.params.get("post_shutdown_action")) for op in sub.operations.values() if "_role" in op.kind]
    assert kinds == [("shutdown_role", "StoppedDeallocated"), ("start_role", "")]


def _vm_restart(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-vmrestart"].slots.values()  # a good VM: restarted, nothing more
    assert [(i.instance_name, i.status, i.power_state) for i in dep.instances] == [("web1", "ReadyRole", "Started")]
    assert [op.kind for op in sub.operations.values() if "_role" in op.kind] == ["restart_role"]


def _vm_data_disk(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-vmdisk"].slots.values()  # the restored disk attached at LUN 0, grown
    (role,) = dep.roles
    [(disk, where)] = [(d, w) for d, w in sub.all_disks() if d.name == "smflow-vmdisk-data"]
    assert where == ("smflow-vmdisk", "smflow-vmdisk", "db1") and "smflow-vmdisk-data" not in sub.disks
    assert [(d.lun, d.disk_name, d.size_gb, d.host_caching) for d in role.data_disks] == [
        (0, "smflow-vmdisk-data", 64, "ReadOnly")]
    assert disk.label == "data of db1 (LUN 0)" and disk.media_link.endswith("/restore/db1-data.vhd")


def _vm_scale_out(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-vmscale"].slots.values()  # two VMs behind one endpoint set, DNS set
    assert [(r.name, r.role_size) for r in dep.roles] == [("web1", "Small"), ("web2", "Small")]
    assert all([e.load_balanced_endpoint_set_name for e in r.endpoints] == ["web"] for r in dep.roles)
    assert [(i.instance_name, i.status) for i in dep.instances] == [("web1", "ReadyRole"), ("web2", "ReadyRole")]
    assert dep.dns_servers == {"corp-dns": "10.0.0.4"}


def _vm_retire(sub: Subscription) -> None:
    (dep,) = sub.services["smflow-vmretire"].slots.values()  # app2 captured and gone, app1 kept
    assert [r.name for r in dep.roles] == ["app1"] and dep.dns_servers == {}
    image = sub.images["smflow-app2-golden"]
    assert (image.category, image.os_state, image.label) == ("User", "Generalized", "golden image of app2")
    assert not any("app2" in name for name in sub.disks)  # the detached disk deleted, the OS disk captured
def _build_and_release(sub: Subscription) -> None:
    assert _deployment_names(sub, "smflow-demo") == {"production": "v2"}
    (dep,) = sub.services["smflow-demo"].slots.values()
    assert dep.package_url.endswith("/blob/smflowbuilds/releases/app-v2.cspkg")  # the uploaded package


END_STATES: dict[str, Callable[[Subscription], None]] = {
    "build_and_release": _build_and_release,
    "blue_green": _blue_green,
    "first_deployment": _first_deployment,
    "config_change": _config_change,
    "storage_lifecycle": _storage_lifecycle,
    "affinity_group": _affinity_group,
    "os_image": _os_image,
    "linux_vm": _linux_vm,
    "rollback_drill": _rollback_drill,
    "rolling_upgrade": _rolling_upgrade,
    "restart_instance": _restart_instance,
    "certificate_rotation": _certificate_rotation,
    "storage_key_rotation": _storage_key_rotation,
    "vm_stop_start": _vm_stop_start,
    "vm_restart": _vm_restart,
    "vm_data_disk": _vm_data_disk,
    "vm_scale_out": _vm_scale_out,
    "vm_retire": _vm_retire,
    **IMAGES_NETWORK_END_STATES,
}


def test_flow_runs_against_the_emulator(flow_name: str, emulator: Emulator, tmp_path: Path) -> None:
    assert flow_name in END_STATES, f"flows/{flow_name}.flow is new: add the state it must leave to END_STATES"
    result, _ = _run(flow_name, emulator, tmp_path)
    if flow_name in EXPECTED_FAILURES:
        failed_step, rolled_back = EXPECTED_FAILURES[flow_name]
        assert result.status == "failed" and result.failed_step == failed_step, result.error
        assert result.rolled_back == rolled_back
    else:
        assert result.status == "succeeded", f"{result.failed_step}: {result.error}"
    END_STATES[flow_name](emulator.sub)


def test_a_second_run_of_a_self_preparing_flow_also_succeeds(emulator: Emulator, tmp_path: Path) -> None:
    """config_change deploys v1 only when the slot is empty: run twice, it changes the same deployment."""
    for n in (1, 2):
        result, _ = _run("config_change", emulator, tmp_path / str(n))
        assert result.ok, result.error
    _config_change(emulator.sub)


def test_vm_password_never_reaches_journal_or_events(emulator: Emulator, tmp_path: Path) -> None:
    result, written = _run("linux_vm", emulator, tmp_path)
    assert result.ok, result.error
    assert "admin_password" in written  # the journal names the secret param...
    assert ADMIN_PASSWORD not in written  # ...but never holds its value


@pytest.mark.parametrize("flow", ["storage_lifecycle", "storage_key_rotation"])
def test_storage_keys_never_reach_journal_or_events(flow: str, emulator: Emulator, tmp_path: Path) -> None:
    result, written = _run(flow, emulator, tmp_path)
    assert result.ok, result.error
    assert emulator.storage_keys, "the flow did not read the keys"
    leaked = [k for k in emulator.storage_keys if k in written]
    assert not leaked, "a storage key was journaled or emitted"


def test_rollback_drill_exits_1_from_the_cli(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "smflow", "run", str(FLOWS / "rollback_drill.flow"), "--yes",
         "--emulator-latency", "0", "--journal-dir", str(tmp_path / "runs")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "drill: failing on purpose with v2 in production" in output
    assert "after the rollback, production runs v1" in output
    assert "Traceback" not in output


def test_rolling_upgrade_rolls_back_when_a_domain_is_unhealthy(emulator: Emulator, tmp_path: Path) -> None:
    """Domain 0 fails its health check: domain 1 is never walked, and domain 0 goes back to v1."""
    walked: list[int] = []
    result = run_flow(
        FLOWS / "rolling_upgrade.flow", vars={"healthy_instances": "3"}, endpoint=emulator.url, assume_yes=True,
        journal_dir=tmp_path / "runs",
        on_event=lambda e: walked.append(1) if getattr(e, "operation", "") == "walk_upgrade_domain" else None,
    )
    assert result.status == "failed" and result.failed_step == "upgrade domain 0", result.error
    assert result.rolled_back == ["start the upgrade"]
    assert len(walked) == 1  # domain 1 was never walked
    (dep,) = emulator.sub.services["smflow-rolling"].slots.values()
    assert (dep.label, dep.upgrade) == ("v1", None)
    assert {i.package_url for i in dep.instances} == {V1_PACKAGE}
    assert {i.status for i in dep.instances} == {"ReadyRole"}
