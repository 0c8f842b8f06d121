"""Microsoft's own client (azure-servicemanagement-legacy) against the emulator over TLS: reserved IPs,
VM and OS images, the subscription and its operation log, resource extensions.

The fixtures (a TLS emulator requiring a client certificate, the SDK's session) are those of
test_sdk.py; every write is followed by the SDK's own ``wait_for_operation_status``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.test_sdk import CONFIG, _vm, _wait, certs, sms, tls_server

sm = pytest.importorskip("azure.servicemanagement", reason="azure-servicemanagement-legacy (test extra) is not installed")
from azure.common import AzureConflictHttpError, AzureHttpError, AzureMissingResourceHttpError  # noqa: E402

__all__ = ["certs", "sms", "tls_server"]


def test_reserved_ips_subscription_and_extensions_through_the_sdk(sms: Any) -> None:
    s: Any = sms
    before = s.get_subscription()
    assert (before.subscription_status, before.max_core_count) == ("Active", 20)
    assert _wait(s, s.create_reserved_ip_address("sdkip", "sdk address", "West US").request_id).status == "Succeeded"
    ip = s.get_reserved_ip_address("sdkip")
    assert (ip.name, ip.label, ip.state, ip.location, ip.in_use) == ("sdkip", "sdk address", "Created", "West US",
                                                                     False)
    assert "sdkip" in [i.name for i in s.list_reserved_ip_addresses().reserved_ips]

    s.create_hosted_service("sdkvip", "vip", location="West US")
    _wait(s, s.create_deployment("sdkvip", "production", "d", "http://a/v1.cspkg", "v1", CONFIG,
                                 start_deployment=True).request_id)  # fmt: skip
    after = s.get_subscription()
    assert after.current_hosted_services == before.current_hosted_services + 1
    assert after.current_core_count == before.current_core_count + 2  # two Small instances
    assert _wait(s, s.associate_reserved_ip_address("sdkip", "sdkvip", "d").request_id).status == "Succeeded"
    used = s.get_reserved_ip_address("sdkip")
    assert (used.in_use, used.service_name, used.deployment_name) == (True, "sdkvip", "d")
    assert s.get_deployment_by_name("sdkvip", "d").virtual_ips[0].address == ip.address
    with pytest.raises(AzureConflictHttpError, match="in use"):
        s.delete_reserved_ip_address("sdkip")
    _wait(s, s.disassociate_reserved_ip_address("sdkip", "sdkvip", "d").request_id)
    assert s.get_deployment_by_name("sdkvip", "d").virtual_ips[0].address != ip.address
    _wait(s, s.delete_reserved_ip_address("sdkip").request_id)
    with pytest.raises(AzureMissingResourceHttpError, match="sdkip does not exist"):
        s.get_reserved_ip_address("sdkip")
    assert list(s.list_virtual_network_sites()) == []

    log = s.list_subscription_operations("2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z")
    names = [o.operation_name for o in log.subscription_operations]
    assert {"CreateReservedIpAddress", "AssociateReservedIpAddress", "DeleteReservedIpAddress"} <= set(names)
    assert all(o.operation_status.status in ("Succeeded", "Failed", "InProgress") for o in log.subscription_operations)
    chef = [e.version for e in s.list_resource_extension_versions("Chef.Bootstrap.WindowsAzure", "ChefClient")]
    latest = {(e.publisher, e.name): e.version for e in s.list_resource_extensions()}
    assert chef[-1] == latest[("Chef.Bootstrap.WindowsAzure", "ChefClient")] == "1207.12.3.0"


def test_os_and_vm_images_through_the_sdk(sms: Any) -> None:
    s: Any = sms
    link = "http://acct.blob.core.windows.net/vhds/sdk.vhd"
    s.add_os_image("sdk label", link, "sdkimg", "Linux")
    assert _wait(s, s.update_os_image("sdkimg", "new label", link, "sdkimg", "Linux").request_id).status == "Succeeded"
    image = s.get_os_image("sdkimg")
    image.label, image.description, image.image_family = "newer", "described", "sdk family"
    _wait(s, s.update_os_image_from_image_reference("sdkimg", image).request_id)
    got = s.get_os_image("sdkimg")
    assert (got.label, got.description, got.image_family) == ("newer", "described", "sdk family")
    _wait(s, s.replicate_vm_image("sdkimg", ["West US", "East US"], "offer", "sku", "1.0.0").request_id)
    details = s.get_os_image_details("sdkimg")
    assert [r.location for r in details.replication_progress] == ["West US", "East US"]
    _wait(s, s.share_vm_image("sdkimg", "Public").request_id)
    _wait(s, s.unreplicate_vm_image("sdkimg").request_id)
    assert list(s.get_os_image_details("sdkimg").replication_progress) == []

    vm_image = sm.VMImage("sdkvmimg", "sdk vm image", "made by the SDK")
    vm_image.os_disk_configuration.os_state, vm_image.os_disk_configuration.os = "Generalized", "Linux"
    vm_image.os_disk_configuration.media_link = link
    assert _wait(s, s.create_vm_image(vm_image).request_id).status == "Succeeded"
    mine = {i.name: i for i in s.list_vm_images(category="User").vm_images}["sdkvmimg"]
    assert (mine.label, mine.os_disk_configuration.os_state, mine.category) == ("sdk vm image", "Generalized", "User")
    assert [i.publisher_name for i in s.list_vm_images(publisher="Cloudera").vm_images] == ["Cloudera"]
    vm_image.label = "relabelled"
    vm_image.os_disk_configuration.host_caching = "ReadOnly"
    _wait(s, s.update_vm_image("sdkvmimg", vm_image).request_id)
    again = {i.name: i for i in s.list_vm_images().vm_images}["sdkvmimg"]
    assert (again.label, again.os_disk_configuration.host_caching) == ("relabelled", "ReadOnly")
    _wait(s, s.delete_vm_image("sdkvmimg", delete_vhd=True).request_id)
    assert "sdkvmimg" not in [i.name for i in s.list_vm_images().vm_images]

    _vm(s, "sdkcap", "cap1")
    capture = sm.CaptureRoleAsVMImage("Specialized", "sdkcap-image", "captured", "from the SDK", "English")
    assert _wait(s, s.capture_vm_image("sdkcap", "sdkcap", "cap1", capture).request_id).status == "Succeeded"
    captured = {i.name: i for i in s.list_vm_images().vm_images}["sdkcap-image"]
    assert (captured.service_name, captured.role_name, captured.language) == ("sdkcap", "cap1", "English")
    with pytest.raises(AzureHttpError, match="must be shut down"):
        s.capture_vm_image("sdkcap", "sdkcap", "cap1", sm.CaptureRoleAsVMImage("Generalized", "g", "g"))
