"""Microsoft's own client (azure-servicemanagement-legacy) against the emulator, over TLS with a client cert.

Every call of the guide runs and parses; ``wait_for_operation_status`` polls a real asynchronous
deployment; 404 and 409 come back as the SDK's own exceptions. The certificates are made with
trustme: a server certificate for 127.0.0.1, and a management (client) certificate from a separate
CA that the emulator trusts — so the SDK's certificate path is exercised for real.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from smflow.emulator.faults import ScriptedFault
from smflow.emulator.server import EmulatorServer, TlsConfig

sm = pytest.importorskip("azure.servicemanagement", reason="azure-servicemanagement-legacy (test extra) is not installed")
trustme = pytest.importorskip("trustme", reason="trustme (test extra) is not installed")
from azure.common import AzureConflictHttpError, AzureHttpError, AzureMissingResourceHttpError  # noqa: E402

UBUNTU = "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS-amd64-server-20140927-en-us-30GB"
CONFIG = base64.b64encode(
    b'<ServiceConfiguration serviceName="guide" osFamily="4"><Role name="WebRole1"><Instances count="2"/></Role>'
    b"</ServiceConfiguration>"
).decode()


@dataclass
class Certs:
    server: Path
    ca: Path
    client_ca: Path
    client: Path
    stranger: Path


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    d = tmp_path_factory.mktemp("certs")
    ca, client_ca = trustme.CA(), trustme.CA()
    c = Certs(d / "server.pem", d / "ca.pem", d / "client_ca.pem", d / "client.pem", d / "stranger.pem")
    ca.issue_cert("127.0.0.1", "localhost").private_key_and_cert_chain_pem.write_to_path(str(c.server))
    ca.cert_pem.write_to_path(str(c.ca))
    client_ca.cert_pem.write_to_path(str(c.client_ca))
    client_ca.issue_cert("management@smflow.test").private_key_and_cert_chain_pem.write_to_path(str(c.client))
    trustme.CA().issue_cert("stranger").private_key_and_cert_chain_pem.write_to_path(str(c.stranger))
    return c


def _session(certs: Certs, cert: Path | None) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override .verify
    s.verify = str(certs.ca)
    if cert is not None:
        s.cert = str(cert)
    return s


@pytest.fixture
def tls_server(certs: Certs) -> Iterator[EmulatorServer]:
    tls = TlsConfig(certs.server, certs.server, certs.client_ca)
    faults = [ScriptedFault("update_deployment_status", nth=2, kind="op-fail")]
    with EmulatorServer(latency=0.05, tls=tls, scripted_faults=faults) as srv:
        yield srv


@pytest.fixture
def sms(tls_server: EmulatorServer, certs: Certs) -> Any:
    host = tls_server.url.split("://", 1)[1]
    return sm.ServiceManagementService("00000000-0000-0000-0000-000000000000", request_session=_session(certs, certs.client), host=host)


def _wait(sms: Any, request_id: str) -> Any:
    return sms.wait_for_operation_status(
        request_id, timeout=20, sleep_interval=0.05, progress_callback=None, success_callback=None
    )


def test_the_guide_end_to_end(sms: Any, tls_server: EmulatorServer) -> None:
    s: Any = sms
    assert "Japan West" in [loc.name for loc in s.list_locations()]
    s.create_hosted_service("guide", "guide label", "a description", "West US")
    props = s.get_hosted_service_properties("guide", embed_detail=True)
    assert props.hosted_service_properties.label == "guide label"
    assert props.hosted_service_properties.description == "a description"
    assert "guide" in [h.service_name for h in s.list_hosted_services()]

    blue = s.create_deployment("guide", "production", "blue", "http://a.blob.core.windows.net/c/p.cspkg", "blue", CONFIG)
    first = s.get_operation_status(blue.request_id)
    assert first.status == "InProgress" and first.http_status_code == ""
    assert _wait(s, blue.request_id).status == "Succeeded"
    green = s.create_deployment("guide", "staging", "green", "http://a.blob.core.windows.net/c/p.cspkg", "green",
                                CONFIG, start_deployment=True)  # fmt: skip
    assert _wait(s, green.request_id).http_status_code == "200"
    dep = s.get_deployment_by_slot("guide", "staging")
    assert (dep.name, dep.status, dep.label) == ("green", "Running", "green")
    assert dep.configuration == base64.b64decode(CONFIG).decode()
    assert [i.instance_status for i in dep.role_instance_list] == ["ReadyRole", "ReadyRole"]
    assert s.get_deployment_by_name("guide", "blue").status == "Suspended"

    _wait(s, s.swap_deployment("guide", "blue", "green").request_id)
    assert s.get_deployment_by_slot("guide", "production").name == "green"
    _wait(s, s.change_deployment_configuration("guide", "green", CONFIG).request_id)
    _wait(s, s.update_deployment_status("guide", "blue", "Running").request_id)
    _wait(s, s.delete_deployment("guide", "blue").request_id)
    with pytest.raises(AzureMissingResourceHttpError):
        s.get_deployment_by_slot("guide", "staging")

    op = s.create_storage_account("guidestor", "desc", "stor label", location="West US")
    _wait(s, op.request_id)
    acct = s.get_storage_account_properties("guidestor")
    assert acct.storage_service_properties.label == "stor label"
    assert acct.storage_service_properties.endpoints[0] == f"{tls_server.url}/blob/guidestor/"  # the emulator serves it
    assert "guidestor" in [a.service_name for a in s.list_storage_accounts()]
    assert len(base64.b64decode(s.get_storage_account_keys("guidestor").storage_service_keys.primary)) == 64

    assert s.create_affinity_group("guideag", "ag label", "Japan West", "d") is None
    assert s.get_affinity_group_properties("guideag").label == "ag label"
    assert "guideag" in [g.name for g in s.list_affinity_groups()]
    families = s.list_operating_system_families()
    assert [f.name for f in families] == ["1", "2", "3", "4"] and families[1].label == "Windows Server 2008 R2"
    assert all(o.version.startswith("WA-GUEST-OS-") for o in s.list_operating_systems())

    s.add_os_image("my image", "http://a.blob.core.windows.net/vhds/x.vhd", "guideimg", "Linux")
    assert s.get_os_image("guideimg").label == "my image"
    assert UBUNTU in [i.name for i in s.list_os_images()]
    s.delete_os_image("guideimg")

    s.create_hosted_service("guidevm", "vm", location="West US")
    linux = sm.LinuxConfigurationSet("host1", "azureuser", "P@ssw0rd!", False)
    disk = sm.OSVirtualHardDisk(UBUNTU, "http://acct.blob.core.windows.net/vhds/vm1.vhd")
    vm = s.create_virtual_machine_deployment("guidevm", "vmdep", "production", "vm label", "vm1", linux, disk,
                                             role_size="Small")  # fmt: skip
    _wait(s, vm.request_id)
    vmdep = s.get_deployment_by_name("guidevm", "vmdep")
    assert (vmdep.label, vmdep.role_instance_list[0].instance_status) == ("vm label", "ReadyRole")
    assert s.get_role("guidevm", "vmdep", "vm1").os_virtual_hard_disk.source_image_name == UBUNTU

    s.delete_affinity_group("guideag")
    s.delete_storage_account("guidestor")
    _wait(s, s.delete_deployment("guide", "green").request_id)
    s.delete_hosted_service("guide")
    with pytest.raises(AzureMissingResourceHttpError):
        s.get_hosted_service_properties("guide")


def test_sdk_exceptions_for_404_409_and_a_failed_operation(sms: Any) -> None:
    s: Any = sms
    with pytest.raises(AzureMissingResourceHttpError) as missing:
        s.get_hosted_service_properties("nope")
    assert missing.value.status_code == 404 and "The hosted service does not exist." in str(missing.value)
    s.create_hosted_service("dupe", "l", location="West US")
    with pytest.raises(AzureConflictHttpError) as conflict:
        s.create_hosted_service("dupe", "l", location="West US")
    assert "The specified DNS name is already taken." in str(conflict.value)
    op = s.create_deployment("dupe", "staging", "d", "http://p", "d", CONFIG)
    with pytest.raises(AzureConflictHttpError, match="requires exclusive access"):
        s.update_deployment_status("dupe", "d", "Running")
    _wait(s, op.request_id)
    failing = s.update_deployment_status("dupe", "d", "Running")  # the 2nd: op-fail
    with pytest.raises(AzureHttpError, match="did not succeed") as failed:
        _wait(s, failing.request_id)
    result = failed.value.result
    assert (result.status, result.http_status_code, result.error.code) == ("Failed", "500", "InternalError")
    assert s.get_deployment_by_name("dupe", "d").status == "Suspended"  # undone


def test_no_client_certificate_is_403_authentication_failed(tls_server: EmulatorServer, certs: Certs) -> None:
    r = _session(certs, None).get(tls_server.url + "/sub/locations", headers={"x-ms-version": "2014-10-01"}, timeout=10)
    assert r.status_code == 403
    assert "<Code>AuthenticationFailed</Code><Message>The server failed to authenticate the request. Verify that " \
           "the certificate is valid and is associated with this subscription.</Message>" in r.text  # fmt: skip


def test_a_certificate_from_another_ca_fails_the_handshake(tls_server: EmulatorServer, certs: Certs) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        _session(certs, certs.stranger).get(tls_server.url + "/sub/locations", headers={"x-ms-version": "2014-10-01"}, timeout=10)


def test_in_place_upgrade_and_role_instances_through_the_sdk(sms: Any, tls_server: EmulatorServer) -> None:
    s: Any = sms
    s.create_hosted_service("upg", "upg", location="West US")
    _wait(s, s.create_deployment("upg", "production", "d", "http://a/v1.cspkg", "v1", CONFIG,
                                 start_deployment=True).request_id)  # fmt: skip
    _wait(s, s.upgrade_deployment("upg", "d", "Manual", "http://a/v2.cspkg", CONFIG, "v2", False).request_id)
    dep = s.get_deployment_by_name("upg", "d")
    assert (dep.label, dep.rollback_allowed, dep.upgrade_domain_count) == ("v2", True, "2")  # the SDK keeps strings
    status = dep.upgrade_status
    assert (status.upgrade_type, status.current_upgrade_domain_state, status.current_upgrade_domain) == ("Manual", "Before", "0")
    with pytest.raises(AzureConflictHttpError, match="under way"):
        s.upgrade_deployment("upg", "d", "Auto", "http://a/v3.cspkg", CONFIG, "v3", True)
    instances = tls_server.state.subscription("00000000-0000-0000-0000-000000000000").services["upg"].slots["Production"].instances
    _wait(s, s.walk_upgrade_domain("upg", "d", 0).request_id)
    assert [(i.upgrade_domain, i.package_url) for i in instances] == [(0, "http://a/v2.cspkg"), (1, "http://a/v1.cspkg")]
    assert s.get_deployment_by_name("upg", "d").upgrade_status.current_upgrade_domain == "1"
    _wait(s, s.rollback_update_or_upgrade("upg", "d", "Auto", False).request_id)
    back = s.get_deployment_by_name("upg", "d")
    assert (back.label, back.rollback_allowed, back.upgrade_status) == ("v1", False, None)
    assert {i.package_url for i in instances} == {"http://a/v1.cspkg"}

    for call in (s.reboot_role_instance, s.reimage_role_instance, s.rebuild_role_instance):
        assert _wait(s, call("upg", "d", "WebRole1_IN_0").request_id).status == "Succeeded"
    with pytest.raises(AzureMissingResourceHttpError):
        s.reboot_role_instance("upg", "d", "WebRole1_IN_9")
    _wait(s, s.delete_role_instances("upg", "d", ["WebRole1_IN_1"]).request_id)
    assert [i.instance_name for i in s.get_deployment_by_name("upg", "d").role_instance_list] == ["WebRole1_IN_0"]


def test_name_checks_certificates_and_account_updates_through_the_sdk(sms: Any) -> None:
    from tests.certs import make_certificate

    s: Any = sms
    assert s.check_hosted_service_name_availability("sdkcert").result is True
    s.create_hosted_service("sdkcert", "certs", location="West US")
    assert s.check_hosted_service_name_availability("sdkcert").result is False
    cert = make_certificate("sdk.smflow.test")
    _wait(s, s.add_service_certificate("sdkcert", cert.pfx, "pfx", cert.password).request_id)
    assert s.get_service_certificate("sdkcert", "sha1", cert.thumbprint).data == cert.cer
    [listed] = s.list_service_certificates("sdkcert").certificates
    assert (listed.thumbprint, listed.thumbprint_algorithm) == (cert.thumbprint, "sha1")
    _wait(s, s.delete_service_certificate("sdkcert", "sha1", cert.thumbprint).request_id)
    with pytest.raises(AzureMissingResourceHttpError, match="The certificate was not found."):
        s.get_service_certificate("sdkcert", "sha1", cert.thumbprint)

    assert s.add_management_certificate(cert.public_key, cert.thumbprint, cert.cer) is None
    got = s.get_management_certificate(cert.thumbprint)
    assert (got.subscription_certificate_thumbprint, got.subscription_certificate_data) == (cert.thumbprint, cert.cer)
    assert cert.thumbprint in [c.subscription_certificate_thumbprint
                               for c in s.list_management_certificates().subscription_certificates]
    assert s.delete_management_certificate(cert.thumbprint) is None

    assert s.check_storage_account_name_availability("sdkupd").result is True
    _wait(s, s.create_storage_account("sdkupd", "d", "l", location="West US").request_id)
    assert s.check_storage_account_name_availability("sdkupd").result is False
    old = s.get_storage_account_keys("sdkupd").storage_service_keys
    assert s.update_storage_account("sdkupd", description="new", label="new label", account_type="Standard_LRS") is None
    props = s.get_storage_account_properties("sdkupd").storage_service_properties
    assert (props.description, props.label, props.account_type) == ("new", "new label", "Standard_LRS")
    new = s.regenerate_storage_account_keys("sdkupd", "Primary").storage_service_keys
    assert new.primary != old.primary and new.secondary == old.secondary
    small = next(r for r in s.list_role_sizes().role_sizes if r.name == "Small")
    assert (small.cores, small.memory_in_mb, small.supported_by_virtual_machines) == (1, 1792, True)
    s.create_affinity_group("sdkgrp", "label", "West US")
    assert s.update_affinity_group("sdkgrp", "new label", "new description") is None
    assert s.get_affinity_group_properties("sdkgrp").label == "new label"


def _vm(s: Any, service: str, role: str) -> None:
    s.create_hosted_service(service, service, location="West US")
    linux = sm.LinuxConfigurationSet(role, "azureuser", "P@ssw0rd!", False)
    disk = sm.OSVirtualHardDisk(UBUNTU, f"http://acct.blob.core.windows.net/vhds/{role}.vhd")
    _wait(s, s.create_virtual_machine_deployment(service, service, "production", service, role, linux, disk,
                                                 role_size="Small").request_id)  # fmt: skip


def _power(s: Any, service: str) -> list[tuple[str, str]]:
    return [(i.instance_status, i.power_state) for i in s.get_deployment_by_name(service, service).role_instance_list]


def test_vm_shutdown_start_restart_through_the_sdk(sms: Any) -> None:
    s: Any = sms
    _vm(s, "power", "vm1")
    assert _power(s, "power") == [("ReadyRole", "Started")]
    assert _wait(s, s.shutdown_role("power", "power", "vm1").request_id).status == "Succeeded"
    assert _power(s, "power") == [("StoppedVM", "Stopped")]
    assert s.get_deployment_by_name("power", "power").status == "Running"  # [REC]: the deployment stays Running
    with pytest.raises(AzureConflictHttpError, match="start it"):
        s.restart_role("power", "power", "vm1")
    _wait(s, s.start_role("power", "power", "vm1").request_id)
    assert _power(s, "power") == [("ReadyRole", "Started")]
    _wait(s, s.restart_role("power", "power", "vm1").request_id)
    assert _power(s, "power") == [("ReadyRole", "Started")]
    _wait(s, s.shutdown_role("power", "power", "vm1", "StoppedDeallocated").request_id)
    assert _power(s, "power") == [("StoppedDeallocated", "Stopped")]
    _wait(s, s.start_roles("power", "power", ["vm1"]).request_id)
    assert _power(s, "power") == [("ReadyRole", "Started")]
    _wait(s, s.shutdown_roles("power", "power", ["vm1"]).request_id)
    assert _power(s, "power") == [("StoppedVM", "Stopped")]
    with pytest.raises(AzureMissingResourceHttpError, match="Role vm9 was not found"):
        s.start_role("power", "power", "vm9")


def test_vm_roles_disks_and_dns_servers_through_the_sdk(sms: Any) -> None:
    """add/update/delete/capture_role, disks, data disks and DNS servers, each waited for with the
    SDK's own wait_for_operation_status, and read back through the SDK's models."""
    s: Any = sms
    _vm(s, "roles", "vm1")
    linux = sm.LinuxConfigurationSet("vm2", "azureuser", "P@ssw0rd!", False)
    network = sm.ConfigurationSet()
    network.input_endpoints.input_endpoints.append(sm.ConfigurationSetInputEndpoint("web", "tcp", "80", "8080"))
    disk = sm.OSVirtualHardDisk(UBUNTU, "http://acct.blob.core.windows.net/vhds/vm2.vhd", disk_label="vm2 os")
    _wait(s, s.add_role("roles", "roles", "vm2", linux, disk, network_config=network, role_size="Medium").request_id)
    role = s.get_role("roles", "roles", "vm2")
    assert (role.role_size, role.os_virtual_hard_disk.disk_label) == ("Medium", "vm2 os")
    [endpoint] = role.configuration_sets.configuration_sets[0].input_endpoints.input_endpoints
    assert (endpoint.name, endpoint.port, endpoint.local_port) == ("web", "80", "8080")
    _wait(s, s.update_role("roles", "roles", "vm2", role_size="Large").request_id)
    assert s.get_role("roles", "roles", "vm2").role_size == "Large"

    _wait(s, s.add_data_disk("roles", "roles", "vm2", 0, disk_label="data", logical_disk_size_in_gb=20).request_id)
    data = s.get_data_disk("roles", "roles", "vm2", 0)
    assert (data.lun, data.logical_disk_size_in_gb, data.disk_label) == (0, 20, "data")
    _wait(s, s.update_data_disk("roles", "roles", "vm2", 0, updated_lun=1, logical_disk_size_in_gb=30).request_id)
    assert s.get_data_disk("roles", "roles", "vm2", 1).logical_disk_size_in_gb == 30
    listed = {d.name: d for d in s.list_disks()}
    assert listed[data.disk_name].attached_to.role_name == "vm2"
    assert listed[role.os_virtual_hard_disk.disk_name].attached_to.deployment_name == "roles"
    _wait(s, s.delete_data_disk("roles", "roles", "vm2", 1).request_id)
    assert s.get_disk(data.disk_name).attached_to is None or s.get_disk(data.disk_name).attached_to.role_name == ""
    assert s.update_disk(data.disk_name, label="kept") is None and s.get_disk(data.disk_name).label == "kept"
    assert s.delete_disk(data.disk_name, delete_vhd=True) is None
    with pytest.raises(AzureMissingResourceHttpError):
        s.get_disk(data.disk_name)
    assert s.add_disk(False, "spare", "http://acct.blob.core.windows.net/vhds/spare.vhd", "spare", "Linux") is None
    assert s.get_disk("spare").os == "Linux"

    _wait(s, s.add_dns_server("roles", "roles", "dns1", "10.0.0.4").request_id)
    _wait(s, s.update_dns_server("roles", "roles", "dns1", "10.0.0.5").request_id)
    _wait(s, s.delete_dns_server("roles", "roles", "dns1").request_id)
    with pytest.raises(AzureMissingResourceHttpError):
        s.delete_dns_server("roles", "roles", "dns1")

    _wait(s, s.shutdown_role("roles", "roles", "vm2").request_id)
    _wait(s, s.capture_role("roles", "roles", "vm2", "Delete", "vm2-image", "vm2 image").request_id)
    image = s.get_os_image("vm2-image")
    assert (image.category, image.label, image.os) == ("User", "vm2 image", "Linux")
    with pytest.raises(AzureMissingResourceHttpError, match="Role vm2 was not found"):
        s.get_role("roles", "roles", "vm2")
    _wait(s, s.add_role("roles", "roles", "vm3", sm.LinuxConfigurationSet("vm3", "u", "P@ssw0rd!", False),
                        sm.OSVirtualHardDisk(UBUNTU, "http://acct.blob.core.windows.net/vhds/vm3.vhd")).request_id)
    _wait(s, s.delete_role("roles", "roles", "vm3", complete=True).request_id)
    assert [r.role_name for r in s.get_deployment_by_name("roles", "roles").role_list] == ["vm1"]
