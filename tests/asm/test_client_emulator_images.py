"""The client against the emulator over loopback HTTP: reserved IPs, VM and OS images, the subscription.

The journeys are part of ``test_client_emulator.JOURNEYS`` (every operation issued at least once);
they run here on their own too, on the module's emulator with its fake clock.
"""

from __future__ import annotations

import pytest

from smflow.asm import ServiceManagementClient
from smflow.asm import models as m
from smflow.errors import ApiError, ConflictError, NotFoundError
from tests.asm.test_client_emulator import CONFIG_B64, SUB, Clock, client, clock, finish

__all__ = ["JOURNEYS", "client", "clock"]

CSPKG = "http://acct.blob.core.windows.net/pkgs/web.cspkg"


def _running(client: ServiceManagementClient, clock: Clock, service: str, slot: str, name: str) -> None:
    finish(client, clock, client.create_deployment(service, slot, name, CSPKG, name, CONFIG_B64, start_deployment=True))


def test_reserved_ips_and_the_subscription(client: ServiceManagementClient, clock: Clock) -> None:
    before = client.get_subscription()
    assert before.subscription_id == SUB and before.subscription_status == "Active"
    finish(client, clock, client.create_hosted_service("ripsvc", "rip", location="West US"))
    _running(client, clock, "ripsvc", "production", "blue")
    _running(client, clock, "ripsvc", "staging", "green")
    now = client.get_subscription()
    assert now.current_hosted_services == before.current_hosted_services + 1  # type: ignore[operator]
    assert now.current_core_count == before.current_core_count + 4  # type: ignore[operator]  # 2 x 2 Small instances

    created = client.create_reserved_ip_address("ripweb", "web VIP", "West US")
    assert created.http_status == 202 and finish(client, clock, created).status == "Succeeded"
    ip = client.get_reserved_ip_address("ripweb")
    assert (ip.name, ip.label, ip.state, ip.location, ip.in_use, ip.service_name) == (
        "ripweb", "web VIP", "Created", "West US", False, "")
    assert ip.id.count("-") == 4 and ip.address.count(".") == 3
    assert "ripweb" in [i.name for i in client.list_reserved_ip_addresses()]
    finish(client, clock, client.create_hosted_service("ripeast", "e", location="East US"))
    _running(client, clock, "ripeast", "production", "east")
    with pytest.raises(ApiError, match="is in West US; the hosted service ripeast is in East US"):
        client.associate_reserved_ip_address("ripweb", "ripeast", "east")
    with pytest.raises(ApiError, match="production deployment"):
        client.associate_reserved_ip_address("ripweb", "ripsvc", "green")

    old_vip = client.get_deployment_by_name("ripsvc", "blue").virtual_ips[0].address
    associating = client.associate_reserved_ip_address("ripweb", "ripsvc", "blue")
    during = client.get_reserved_ip_address("ripweb")
    assert (during.in_use, during.service_name, during.deployment_name) == (True, "ripsvc", "blue")
    assert client.get_deployment_by_name("ripsvc", "blue").locked
    with pytest.raises(ConflictError):
        client.delete_reserved_ip_address("ripweb")  # in use
    assert finish(client, clock, associating).status == "Succeeded"
    [vip] = client.get_deployment_by_name("ripsvc", "blue").virtual_ips
    assert (vip.address, vip.is_reserved, vip.reserved_ip_name) == (ip.address, True, "ripweb") != old_vip

    # a VIP swap keeps the reserved address in production: it is green's now
    finish(client, clock, client.swap_deployment("ripsvc", "blue", "green"))
    green = client.get_deployment_by_slot("ripsvc", "production")
    assert (green.name, green.virtual_ips[0].address, green.virtual_ips[0].reserved_ip_name) == (
        "green", ip.address, "ripweb")
    assert client.get_deployment_by_slot("ripsvc", "staging").virtual_ips[0].reserved_ip_name is None
    assert client.get_reserved_ip_address("ripweb").deployment_name == "green"
    with pytest.raises(ApiError, match="not associated with the deployment blue"):
        client.disassociate_reserved_ip_address("ripweb", "ripsvc", "blue")
    finish(client, clock, client.disassociate_reserved_ip_address("ripweb", "ripsvc", "green"))
    freed = client.get_deployment_by_name("ripsvc", "green").virtual_ips[0]
    assert (freed.is_reserved, freed.reserved_ip_name) == (False, None) and freed.address != ip.address
    assert client.get_reserved_ip_address("ripweb").in_use is False
    assert client.get_subscription().current_storage_accounts == len(client.list_storage_accounts())
    finish(client, clock, client.delete_reserved_ip_address("ripweb"))
    with pytest.raises(NotFoundError, match="ripweb does not exist"):
        client.get_reserved_ip_address("ripweb")
    assert client.list_virtual_network_sites() == []

    log = client.list_subscription_operations()
    names = [o.operation_name for o in log.subscription_operations]
    assert names.count("AssociateReservedIpAddress") == 1 and log.continuation_token is None
    on_service = client.list_subscription_operations(object_id_filter=f"/{SUB}/services/hostedservices/ripsvc")
    assert {o.operation_object_id.split("/")[4] for o in on_service.subscription_operations} == {"ripsvc"}
    assert all(o.operation_status is not None and o.operation_status.status == "Succeeded"
               for o in client.list_subscription_operations(operation_result_filter="Succeeded").subscription_operations)
    assert client.list_subscription_operations(start_time="2999-01-01T00:00:00Z").subscription_operations == []
    extensions = {(e.publisher, e.name): e for e in client.list_resource_extensions()}
    chef = extensions[("Chef.Bootstrap.WindowsAzure", "ChefClient")]
    versions = client.list_resource_extension_versions("Chef.Bootstrap.WindowsAzure", "ChefClient")
    assert [v.version for v in versions][-1] == chef.version == "1207.12.3.0" and len(versions) == 8


def test_images(client: ServiceManagementClient, clock: Clock) -> None:
    link = "http://acct.blob.core.windows.net/vhds/base.vhd"
    client.add_os_image("base label", link, "imgbase", "Linux")
    updated = client.update_os_image("imgbase", "relabelled", link, "imgbase", "Linux")
    assert updated.http_status == 200 and isinstance(updated.body, m.OSImage) and updated.body.label == "relabelled"
    with pytest.raises(ApiError, match="MediaLink of an OS image cannot be changed"):
        client.update_os_image("imgbase", "x", link + "2", "imgbase", "Linux")
    changed = client.update_os_image_from_image_reference(
        "imgbase", {"label": "golden", "description": "our base", "show_in_gui": False, "eula": ""})
    assert changed.body is not None and (changed.body.label, changed.body.description) == ("golden", "our base")
    assert client.get_os_image("imgbase").label == "golden"
    client.replicate_vm_image("imgbase", ["West US", "West Europe"], "base", "14", "1.0.0")
    details = client.get_os_image_details("imgbase")
    assert [(r.location, r.progress) for r in details.replication_progress] == [("West US", 0), ("West Europe", 0)]
    clock.t += 120
    assert {r.progress for r in client.get_os_image_details("imgbase").replication_progress} == {100}
    finish(client, clock, client.share_vm_image("imgbase", "Public"))
    client.unreplicate_vm_image("imgbase")
    assert client.get_os_image_details("imgbase").replication_progress == []

    vm_image = {"name": "golden-vm", "label": "golden vm", "description": "web tier",
                "os_disk_configuration": {"os_state": "Generalized", "os": "Linux", "media_link": link},
                "data_disk_configurations": [{"lun": 0, "media_link": "http://acct.blob.core.windows.net/vhds/d0.vhd",
                                              "logical_disk_size_in_gb": 100}],
                "language": "English", "show_in_gui": True}
    finish(client, clock, client.create_vm_image(vm_image))
    with pytest.raises(ConflictError, match="already exists"):
        client.create_vm_image(vm_image)
    mine = {i.name: i for i in client.list_vm_images(category="User")}["golden-vm"]
    assert mine.os_disk_configuration is not None and mine.os_disk_configuration.os_state == "Generalized"
    [disk] = mine.data_disk_configurations
    assert (disk.lun, disk.logical_disk_size_in_gb, disk.host_caching) == (0, 100, "None")
    assert [i.publisher_name for i in client.list_vm_images(publisher="Cloudera")] == ["Cloudera"]
    assert "golden-vm" not in [i.name for i in client.list_vm_images(location="East Asia")]
    client.update_vm_image("golden-vm", {"label": "golden vm 2", "os_disk_configuration": {"host_caching": "ReadOnly"},
                                         "data_disk_configurations": [{"name": disk.name, "host_caching": "ReadWrite"}]})
    again = {i.name: i for i in client.list_vm_images()}["golden-vm"]
    assert again.label == "golden vm 2" and again.os_disk_configuration.host_caching == "ReadOnly"  # type: ignore[union-attr]
    assert again.data_disk_configurations[0].host_caching == "ReadWrite"
    finish(client, clock, client.delete_vm_image("golden-vm", delete_vhd=True))
    assert "golden-vm" not in [i.name for i in client.list_vm_images()]

    finish(client, clock, client.create_hosted_service("capsvc", "cap", location="West US"))
    finish(client, clock, client.create_virtual_machine_deployment(
        "capsvc", "capsvc", "production", "cap", "cap1",
        {"type": "linux", "host_name": "cap1", "user_name": "azureuser", "user_password": "P@ssw0rd!x"},
        {"media_link": "http://acct.blob.core.windows.net/vhds/cap1.vhd", "source_image_name": "imgbase"}))
    options = {"os_state": "Generalized", "vm_image_name": "cap-image", "vm_image_label": "cap image"}
    with pytest.raises(ConflictError, match="must be shut down"):
        client.capture_vm_image("capsvc", "capsvc", "cap1", options)
    finish(client, clock, client.capture_vm_image("capsvc", "capsvc", "cap1", dict(options, os_state="Specialized")))
    captured = {i.name: i for i in client.list_vm_images()}["cap-image"]
    assert (captured.service_name, captured.role_name, captured.location) == ("capsvc", "cap1", "West US")


JOURNEYS = (test_reserved_ips_and_the_subscription, test_images)
