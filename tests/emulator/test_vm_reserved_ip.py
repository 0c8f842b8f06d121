"""A VM deployment created with ``reserved_ip_name`` takes the reserved address as its VIP, as the
service does, under the rules of ``associate_reserved_ip_address``: the address exists, is in the
service's location, is not in use, and only a production deployment gets one. A refused create
leaves nothing behind. Driven by Microsoft's SDK over TLS, then by a flow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from smflow.emulator.server import EmulatorServer
from smflow.run.api import run_flow
from tests.emulator.test_sdk import UBUNTU, _wait, certs, sms, tls_server

sm = pytest.importorskip("azure.servicemanagement", reason="azure-servicemanagement-legacy (test extra) is not installed")
from azure.common import AzureConflictHttpError, AzureHttpError, AzureMissingResourceHttpError  # noqa: E402

__all__ = ["certs", "sms", "tls_server"]


def _create_vm(s: Any, service: str, slot: str = "production", reserved_ip_name: str | None = None) -> Any:
    linux = sm.LinuxConfigurationSet("vm1", "azureuser", "P@ssw0rd!", False)
    disk = sm.OSVirtualHardDisk(UBUNTU, f"http://acct.blob.core.windows.net/vhds/{service}.vhd")
    return s.create_virtual_machine_deployment(service, service, slot, service, "vm1", linux, disk, role_size="Small",
                                               reserved_ip_name=reserved_ip_name)


def test_a_vm_deployment_takes_its_reserved_ip_as_vip_through_the_sdk(sms: Any) -> None:
    s: Any = sms
    _wait(s, s.create_reserved_ip_address("vmip", "vm address", "West US").request_id)
    _wait(s, s.create_reserved_ip_address("eastip", None, "East US").request_id)
    address = s.get_reserved_ip_address("vmip").address
    s.create_hosted_service("vmvip", "vm", location="West US")
    assert _wait(s, _create_vm(s, "vmvip", reserved_ip_name="vmip").request_id).status == "Succeeded"
    [vip] = s.get_deployment_by_name("vmvip", "vmvip").virtual_ips
    assert vip.address == address
    used = s.get_reserved_ip_address("vmip")
    assert (used.in_use, used.service_name, used.deployment_name) == (True, "vmvip", "vmvip")
    with pytest.raises(AzureConflictHttpError, match="in use"):
        s.delete_reserved_ip_address("vmip")

    s.create_hosted_service("vmother", "vm", location="West US")
    with pytest.raises(AzureConflictHttpError, match="vmip is already in use by the deployment vmvip"):
        _create_vm(s, "vmother", reserved_ip_name="vmip")
    with pytest.raises(AzureHttpError, match="eastip is in East US") as where:
        _create_vm(s, "vmother", reserved_ip_name="eastip")
    assert where.value.status_code == 400
    with pytest.raises(AzureHttpError, match="only be the VIP of a production deployment"):
        _create_vm(s, "vmother", slot="staging", reserved_ip_name="vmip")
    with pytest.raises(AzureMissingResourceHttpError, match="nope does not exist"):
        _create_vm(s, "vmother", reserved_ip_name="nope")
    with pytest.raises(AzureMissingResourceHttpError):  # nothing was made by a refused create
        s.get_deployment_by_slot("vmother", "production")
    assert [d.name for d in s.list_disks()] == [s.get_role("vmvip", "vmvip", "vm1").os_virtual_hard_disk.disk_name]

    _wait(s, s.delete_deployment("vmvip", "vmvip").request_id)
    assert s.get_reserved_ip_address("vmip").in_use is False
    assert _wait(s, _create_vm(s, "vmother", reserved_ip_name="vmip").request_id).status == "Succeeded"
    assert s.get_deployment_by_name("vmother", "vmother").virtual_ips[0].address == address


FLOW = """flow vm_reserved_ip "A VM behind a reserved address"

param service = "smflow-vmip"
param address = "smflow-vmip-web"
secret param admin_password : string

step "reserve the address" {
    create_reserved_ip_address(name: address, location: "West US")
    reserved = get_reserved_ip_address(name: address)
}

step "create the VM behind it" timeout 1h {
    create_hosted_service(service_name: service, label: service, location: "West US")
    create_virtual_machine_deployment(
        service_name: service,
        deployment_name: service,
        deployment_slot: "production",
        label: service,
        role_name: "web1",
        role_size: "Small",
        system_config: {type: "linux", host_name: "web1", user_name: "azureuser", user_password: admin_password},
        os_virtual_hard_disk: {
            source_image_name: "UBUNTU",
            media_link: "https://myaccount.blob.core.windows.net/vhds/smflow-vmip-web1.vhd",
        },
        reserved_ip_name: address,
    )
    vip = get_deployment_by_name(service_name: service, deployment_name: service).virtual_ips[0]
    assert vip.address == reserved.address and vip.reserved_ip_name == address,
        "the VIP is ${vip.address}, not the reserved ${reserved.address}"
    used = get_reserved_ip_address(name: address)
    assert used.in_use and used.deployment_name == service, "${address} is not the VM's VIP"
}
"""


def test_a_flow_creates_a_vm_behind_a_reserved_ip(tmp_path: Path) -> None:
    flow = tmp_path / "vm_reserved_ip.flow"
    flow.write_text(FLOW.replace("UBUNTU", UBUNTU), encoding="utf-8")
    with EmulatorServer(latency=0) as server:
        result = run_flow(flow, vars={"admin_password": "Emulator-Only-Passw0rd!"}, endpoint=server.url,
                          assume_yes=True, journal_dir=tmp_path / "runs")
        sub = server.state.subscription("00000000-0000-0000-0000-000000000000")
        dep = sub.deployment_by_name("smflow-vmip", "smflow-vmip")
        assert (dep.reserved_ip, dep.vip) == ("smflow-vmip-web", sub.reserved_ip("smflow-vmip-web").address)
    assert result.status == "succeeded", result
