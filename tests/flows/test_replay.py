"""What the library's cassettes must show beyond "it replays".

``tests/recording/test_cassettes.py`` (the recording harness's test) replays every cassette of
``cassettes/`` with its flow and the recorded status. Here: the rollback drill's cassette replays
the same failure and the same rollback order, and the VM cassette holds no password, so any value
replays. Both go through the pytest plugin's ``smflow_replay``, so they are re-recorded with::

    python -m pytest tests/recording/test_cassettes.py tests/flows/test_replay.py --smflow-record
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .conftest import ADMIN_PASSWORD, CASSETTES, EXPECTED_FAILURES, FLOW_VARS


def test_rollback_drill_replays_its_failure_and_rollback(smflow_replay: Callable[..., Any]) -> None:
    result = smflow_replay("flows/rollback_drill.flow", vars=FLOW_VARS.get("rollback_drill", {}))
    failed_step, rolled_back = EXPECTED_FAILURES["rollback_drill"]
    assert result.status == "failed" and result.failed_step == failed_step, result.error
    assert result.rolled_back == rolled_back


def test_vm_cassette_holds_no_password_and_replays_with_any(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "linux_vm.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    assert "<UserPassword>" in text  # the element is there, its value scrubbed
    result = smflow_replay("flows/linux_vm.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error


def test_rolling_upgrade_cassette_walks_domain_0_then_1(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "rolling_upgrade.yaml").read_text(encoding="utf-8")
    upgrade, walk0, walk1 = (text.index(s) for s in ("comp=upgrade", "<UpgradeDomain>0<", "<UpgradeDomain>1<"))
    assert upgrade < walk0 < walk1
    assert "<Mode>Manual</Mode>" in text
    result = smflow_replay("flows/rolling_upgrade.flow")
    assert result.ok, result.error


def test_vm_stop_start_cassette_stops_deallocated_then_starts(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "vm_stop_start.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    stop = text.index("<PostShutdownAction>StoppedDeallocated</PostShutdownAction>")
    stopped = text.index("<InstanceStatus>StoppedDeallocated</InstanceStatus>")
    start = text.index("<StartRoleOperation ")
    assert stop < stopped < start
    assert text.count("/roleinstances/web1/Operations") == 2
    result = smflow_replay("flows/vm_stop_start.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error


def _writes(name: str) -> list[str]:
    """The cassette's writes in order, as 'METHOD path' (the subscription and host left out)."""
    text = (CASSETTES / f"{name}.yaml").read_text(encoding="utf-8")
    out = []
    for method, uri in zip(re.findall(r'"method": "(\w+)"', text), re.findall(r'"uri": "([^"]+)"', text), strict=True):
        if method != "GET":
            out.append(f"{method} {uri.split('/SUBSCRIPTION-ID/', 1)[1]}")
    return out


def test_vm_data_disk_cassette_registers_then_attaches_then_grows(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "vm_data_disk.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    disks = [w for w in _writes("vm_data_disk") if "disks" in w or "DataDisks" in w]
    assert disks == [
        "POST services/disks",
        "POST services/hostedservices/smflow-vmdisk/deployments/smflow-vmdisk/roles/db1/DataDisks",
        "PUT services/hostedservices/smflow-vmdisk/deployments/smflow-vmdisk/roles/db1/DataDisks/0",
        "PUT services/disks/smflow-vmdisk-data",
    ]
    assert "<DiskName>smflow-vmdisk-data</DiskName>" in text and "<LogicalDiskSizeInGB>64</LogicalDiskSizeInGB>" in text
    result = smflow_replay("flows/vm_data_disk.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error


def test_vm_scale_out_cassette_adds_the_vm_then_sets_dns(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "vm_scale_out.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    writes = _writes("vm_scale_out")
    dep = "services/hostedservices/smflow-vmscale/deployments/smflow-vmscale"
    assert writes.index(f"POST {dep}/roles") < writes.index(f"POST {dep}/dnsservers")
    assert "<LoadBalancedEndpointSetName>web</LoadBalancedEndpointSetName>" in text
    result = smflow_replay("flows/vm_scale_out.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error


def test_vm_retire_cassette_detaches_before_capture_and_keeps_the_blob(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "vm_retire.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    writes = _writes("vm_retire")
    dep = "services/hostedservices/smflow-vmretire/deployments/smflow-vmretire"
    detach = writes.index(f"DELETE {dep}/roles/app2/DataDisks/0")
    capture = [i for i, w in enumerate(writes) if w == f"POST {dep}/roleinstances/app2/Operations"]
    delete_disk = next(i for i, w in enumerate(writes) if w.startswith("DELETE services/disks/"))
    assert detach < capture[0] < capture[1] < delete_disk < writes.index(f"DELETE {dep}/dnsservers/app2-dns")
    assert not writes[delete_disk].endswith("comp=media")  # drop_data is false: the blob stays
    assert "<PostCaptureAction>Delete</PostCaptureAction>" in text
    result = smflow_replay("flows/vm_retire.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error
