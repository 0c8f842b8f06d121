"""The client against the local emulator on loopback: the guide's whole journey, over real HTTP.

Both sides read the same catalogue but were written separately (client XML here, emulator XML
there), so this is where the two meet: every operation of the client is issued at least once.
The emulator's clock is a fake that the test moves, so asynchronous operations finish exactly
when the test says and nothing sleeps.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from smflow.asm import ServiceManagementClient
from smflow.asm import models as m
from smflow.asm.catalogue import CATALOGUE
from smflow.emulator.server import EmulatorServer
from smflow.errors import ApiError, ConflictError, NotFoundError

SUB = "11111111-2222-3333-4444-555555555555"
CONFIG = ('<ServiceConfiguration serviceName="web" osFamily="4" '
          'xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">'
          '<Role name="WebRole1"><Instances count="2" /></Role></ServiceConfiguration>')
CONFIG_B64 = base64.b64encode(CONFIG.encode()).decode()


class Clock:
    def __init__(self) -> None:
        self.t = 5000.0

    def __call__(self) -> float:
        return self.t


class Recorder(ServiceManagementClient):
    """Notes which operations were called, to prove every one of them was exercised."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.called: set[str] = set()

    def call(self, operation: str, arguments: object, **kwargs: object) -> object:  # type: ignore[override]
        self.called.add(operation)
        return super().call(operation, arguments, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def client(clock: Clock) -> Iterator[ServiceManagementClient]:
    with EmulatorServer(latency=1.0, clock=clock) as server:
        yield Recorder(SUB, endpoint=server.url, timeout=30)


def finish(client: ServiceManagementClient, clock: Clock, result: m.AsynchronousOperationResult) -> m.Operation:
    """Poll until the operation ends, moving the emulator's clock instead of sleeping (bounded)."""
    assert result.request_id
    for _ in range(100):
        op = client.get_operation_status(result.request_id)
        if op.status != "InProgress":
            return op
        clock.t += 30
    raise AssertionError("operation never finished")


def test_hosted_service_and_deployments(client: ServiceManagementClient, clock: Clock) -> None:
    assert any(loc.name for loc in client.list_locations())
    created = client.create_hosted_service("blue1", "Blue & <Green>", "a & b < c", location="West US",
                                           extended_properties={"team": "ops"})
    assert finish(client, clock, created).status == "Succeeded"
    with pytest.raises(ConflictError):
        client.create_hosted_service("blue1", "again", location="West US")
    svc = client.get_hosted_service_properties("blue1")
    assert (svc.service_name, svc.hosted_service_properties.label) == ("blue1", "Blue & <Green>")
    assert svc.hosted_service_properties.description == "a & b < c"
    assert svc.hosted_service_properties.extended_properties["team"] == "ops"
    assert "blue1" in [s.service_name for s in client.list_hosted_services()]
    client.update_hosted_service("blue1", description="updated")
    assert client.get_hosted_service_properties("blue1").hosted_service_properties.description == "updated"

    for slot, name in (("production", "v1"), ("staging", "v2")):
        op = finish(client, clock, client.create_deployment(
            "blue1", slot, name, "http://acct.blob.core.windows.net/c/p.cspkg", name, CONFIG_B64,
            start_deployment=True))
        assert op.status == "Succeeded", op
    staging = client.get_deployment_by_slot("blue1", "Staging")
    assert (staging.name, staging.deployment_slot, staging.label) == ("v2", "Staging", "v2")
    assert 'serviceName="web"' in staging.configuration
    assert staging.role_instance_list and all(isinstance(i.instance_upgrade_domain, int)
                                              for i in staging.role_instance_list)

    assert finish(client, clock, client.swap_deployment("blue1", "v1", "v2")).status == "Succeeded"
    assert client.get_deployment_by_slot("blue1", "production").name == "v2"
    assert client.get_deployment_by_name("blue1", "v1").deployment_slot == "Staging"
    assert finish(client, clock, client.update_deployment_status("blue1", "v1", "Suspended")).status == "Succeeded"
    assert client.get_deployment_by_name("blue1", "v1").status == "Suspended"
    assert finish(client, clock, client.change_deployment_configuration("blue1", "v2", CONFIG_B64, mode="Manual")).status \
        == "Succeeded"
    embedded = client.get_hosted_service_properties("blue1", embed_detail=True)
    assert sorted(d.name for d in embedded.deployments) == ["v1", "v2"]
    for name in ("v1", "v2"):
        assert finish(client, clock, client.delete_deployment("blue1", name)).status == "Succeeded"
    finish(client, clock, client.delete_hosted_service("blue1"))
    with pytest.raises(NotFoundError) as info:
        client.get_hosted_service_properties("blue1")
    assert info.value.code == "ResourceNotFound" and info.value.request_id


def test_storage_affinity_groups_images(client: ServiceManagementClient, clock: Clock) -> None:
    finish(client, clock, client.create_affinity_group("ag1", "AG one", "West US", "group & co"))
    group = client.get_affinity_group_properties("ag1")
    assert (group.name, group.label, group.description, group.location) == ("ag1", "AG one", "group & co", "West US")
    assert "ag1" in [g.name for g in client.list_affinity_groups()]
    op = finish(client, clock, client.create_storage_account("stor1", "d", "Stor One", affinity_group="ag1"))
    assert op.status == "Succeeded"
    acct = client.get_storage_account_properties("stor1")
    assert acct.storage_service_properties.label == "Stor One"
    assert acct.storage_service_properties.affinity_group == "ag1"
    keys = client.get_storage_account_keys("stor1").storage_service_keys
    assert keys is not None and keys.primary and keys.primary not in repr(keys)
    assert "stor1" in [a.service_name for a in client.list_storage_accounts()]
    finish(client, clock, client.delete_storage_account("stor1"))
    finish(client, clock, client.delete_affinity_group("ag1"))
    with pytest.raises(NotFoundError):
        client.get_affinity_group_properties("ag1")

    added = client.add_os_image("my image", "http://acct.blob.core.windows.net/vhds/x.vhd", "img1", "Linux")
    assert added.body is not None and (added.body.name, added.body.label, added.body.os) == ("img1", "my image", "Linux")
    assert client.get_os_image("img1").category == "User"
    assert "img1" in [i.name for i in client.list_os_images()]
    finish(client, clock, client.delete_os_image("img1"))
    with pytest.raises(NotFoundError):
        client.get_os_image("img1")
    assert client.list_operating_systems() and client.list_operating_system_families()


def test_virtual_machine(client: ServiceManagementClient, clock: Clock) -> None:
    finish(client, clock, client.create_hosted_service("vmsvc", "vm service", location="West US"))
    image = next(i.name for i in client.list_os_images() if i.os == "Linux")
    result = client.create_virtual_machine_deployment(
        "vmsvc", "vmdep", "production", "vm label", "vm1",
        {"type": "linux", "host_name": "vm1", "user_name": "azureuser", "user_password": "P@ssw0rd&<"},
        {"media_link": "http://acct.blob.core.windows.net/vhds/vm1.vhd", "source_image_name": image},
        network_config={"input_endpoints": [{"name": "ssh", "protocol": "tcp", "port": 22, "local_port": 22}]},
        role_size="Small")
    assert finish(client, clock, result).status == "Succeeded"
    dep = client.get_deployment_by_name("vmsvc", "vmdep")
    assert dep.label == "vm label" and dep.role_list[0].role_size == "Small"
    role = client.get_role("vmsvc", "vmdep", "vm1")
    assert role.role_name == "vm1" and role.os_virtual_hard_disk is not None
    assert role.os_virtual_hard_disk.source_image_name == image

    def power() -> list[tuple[str, str | None]]:
        return [(i.instance_status, i.power_state) for i in client.get_deployment_by_name("vmsvc", "vmdep").role_instance_list]

    stop = client.shutdown_role("vmsvc", "vmdep", "vm1")
    during = client.get_deployment_by_name("vmsvc", "vmdep")
    assert during.locked and during.status == "Running" and power() == [("StoppingVM", "Started")]
    with pytest.raises(ConflictError):
        client.start_role("vmsvc", "vmdep", "vm1")  # one operation at a time on a deployment
    finish(client, clock, stop)
    assert power() == [("StoppedVM", "Stopped")] and not client.get_deployment_by_name("vmsvc", "vmdep").locked
    with pytest.raises(ConflictError, match="start it"):
        client.restart_role("vmsvc", "vmdep", "vm1")
    finish(client, clock, client.start_role("vmsvc", "vmdep", "vm1"))
    assert power() == [("ReadyRole", "Started")]
    finish(client, clock, client.restart_role("vmsvc", "vmdep", "vm1"))
    finish(client, clock, client.shutdown_roles("vmsvc", "vmdep", ["vm1"], "StoppedDeallocated"))
    assert power() == [("StoppedDeallocated", "Stopped")]
    finish(client, clock, client.start_roles("vmsvc", "vmdep", ["vm1"]))
    assert power() == [("ReadyRole", "Started")]
    with pytest.raises(NotFoundError, match="Role vm9 was not found in the currently deployed service"):
        client.shutdown_role("vmsvc", "vmdep", "vm9")


def test_in_place_upgrade_and_role_instances(client: ServiceManagementClient, clock: Clock) -> None:
    finish(client, clock, client.create_hosted_service("upsvc", "up", location="West US"))
    finish(client, clock, client.create_deployment("upsvc", "production", "d", "http://p/v1.cspkg", "v1", CONFIG_B64,
                                                   start_deployment=True))  # fmt: skip
    assert client.get_deployment_by_name("upsvc", "d").upgrade_domain_count == 2
    finish(client, clock, client.upgrade_deployment("upsvc", "d", "Manual", "http://p/v2.cspkg", CONFIG_B64, "v2",
                                                    False))  # fmt: skip
    dep = client.get_deployment_by_name("upsvc", "d")
    assert dep.label == "v2" and dep.rollback_allowed
    assert dep.upgrade_status == m.UpgradeStatus("Manual", "Before", 0)
    with pytest.raises(ConflictError, match="under way"):
        client.upgrade_deployment("upsvc", "d", "Auto", "http://p/v3.cspkg", CONFIG_B64, "v3", True)
    walk = client.walk_upgrade_domain("upsvc", "d", 0)
    during = client.get_deployment_by_name("upsvc", "d")
    assert during.upgrade_status == m.UpgradeStatus("Manual", "During", 0) and during.locked
    states = {i.instance_upgrade_domain: i.instance_status for i in during.role_instance_list}
    assert states[1] == "ReadyRole" and states[0] != "ReadyRole"
    finish(client, clock, walk)
    assert client.get_deployment_by_name("upsvc", "d").upgrade_status == m.UpgradeStatus("Manual", "Before", 1)
    finish(client, clock, client.rollback_update_or_upgrade("upsvc", "d", "Auto", False))
    back = client.get_deployment_by_name("upsvc", "d")
    assert (back.label, back.upgrade_status, back.rollback_allowed) == ("v1", None, False)

    for op in (client.reboot_role_instance, client.reimage_role_instance, client.rebuild_role_instance):
        started = op("upsvc", "d", "WebRole1_IN_1")
        busy = client.get_deployment_by_name("upsvc", "d")
        assert busy.locked and busy.role_instance_list[1].instance_status != "ReadyRole"
        assert finish(client, clock, started).status == "Succeeded"
    with pytest.raises(NotFoundError, match="WebRole1_IN_7"):
        client.reboot_role_instance("upsvc", "d", "WebRole1_IN_7")
    finish(client, clock, client.delete_role_instances("upsvc", "d", ["WebRole1_IN_1"]))
    assert [i.instance_name for i in client.get_deployment_by_name("upsvc", "d").role_instance_list] == ["WebRole1_IN_0"]


def test_name_checks_certificates_and_account_updates(client: ServiceManagementClient, clock: Clock) -> None:
    from tests.certs import make_certificate

    assert client.check_hosted_service_name_availability("certsvc") == m.AvailabilityResponse(True, None)
    finish(client, clock, client.create_hosted_service("certsvc", "certs", location="West US"))
    taken = client.check_hosted_service_name_availability("certsvc")
    assert taken == m.AvailabilityResponse(False, "A hosted service with the specified name already exists.")

    first, second = make_certificate("first.smflow.test"), make_certificate("second.smflow.test")
    added = client.add_service_certificate("certsvc", first.pfx, "pfx", first.password)
    with pytest.raises(NotFoundError, match="The certificate was not found."):  # not there until it completes
        client.get_service_certificate("certsvc", "sha1", first.thumbprint)
    finish(client, clock, added)
    finish(client, clock, client.add_service_certificate("certsvc", second.cer, "cer"))
    finish(client, clock, client.add_service_certificate("certsvc", first.pfx, "pfx", first.password))  # again: no-op
    assert client.get_service_certificate("certsvc", "sha1", first.thumbprint) == m.Certificate(data=first.cer)
    listed = client.list_service_certificates("certsvc")
    assert sorted(c.thumbprint for c in listed) == sorted([first.thumbprint, second.thumbprint])
    assert all(c.thumbprint_algorithm == "sha1" and c.certificate_url.endswith(f"/sha1-{c.thumbprint}") for c in listed)
    with pytest.raises(ApiError, match="password"):
        client.add_service_certificate("certsvc", first.pfx, "pfx", "wrong")
    finish(client, clock, client.delete_service_certificate("certsvc", "sha1", first.thumbprint))
    assert [c.thumbprint for c in client.list_service_certificates("certsvc")] == [second.thumbprint]

    client.add_management_certificate(first.public_key, first.thumbprint, first.cer)
    with pytest.raises(ApiError, match="not the certificate's"):
        client.add_management_certificate(second.public_key, first.thumbprint, second.cer)
    got = client.get_management_certificate(first.thumbprint)
    assert (got.subscription_certificate_thumbprint, got.subscription_certificate_data) == (first.thumbprint, first.cer)
    assert got.created and first.thumbprint in [c.subscription_certificate_thumbprint
                                                for c in client.list_management_certificates()]
    client.delete_management_certificate(first.thumbprint)
    with pytest.raises(NotFoundError):
        client.get_management_certificate(first.thumbprint)

    assert client.check_storage_account_name_availability("updstor").result
    finish(client, clock, client.create_storage_account("updstor", "d", "l", location="West US",
                                                        extended_properties={"a": "1"}))  # fmt: skip
    assert not client.check_storage_account_name_availability("updstor").result
    before = client.get_storage_account_keys("updstor").storage_service_keys
    assert before is not None
    client.update_storage_account("updstor", description="new", label="new label", extended_properties={"b": "2"},
                                  account_type="Standard_LRS")  # fmt: skip
    acct = client.get_storage_account_properties("updstor")
    props = acct.storage_service_properties
    assert (props.description, props.label, props.account_type) == ("new", "new label", "Standard_LRS")
    assert {"a": "1", "b": "2"}.items() <= acct.extended_properties.items()
    result = client.regenerate_storage_account_keys("updstor", "Secondary")
    assert result.body is None  # the new keys are read with get_storage_account_keys (secret)
    after = client.get_storage_account_keys("updstor").storage_service_keys
    assert after is not None and (after.primary, after.secondary != before.secondary) == (before.primary, True)

    sizes = {s.name: s for s in client.list_role_sizes()}
    assert sizes["Small"] == m.RoleSize("Small", "Small (1 cores, 1792 MB)", 1, 1792, True, True, 2, 229376, 71680)
    assert not sizes["Basic_A1"].supported_by_web_worker_roles and sizes["Basic_A1"].supported_by_virtual_machines

    client.create_affinity_group("updgroup", "label", "West US")
    client.update_affinity_group("updgroup", "new label", "new description")
    group = client.get_affinity_group_properties("updgroup")
    assert (group.label, group.description) == ("new label", "new description")


def test_vm_roles_disks_and_dns_servers(client: ServiceManagementClient, clock: Clock) -> None:
    """get_role returns what was sent; disks live on their VM or in the repository, never both."""
    finish(client, clock, client.create_hosted_service("rolesvc", "roles", location="West US"))
    image = next(i for i in client.list_os_images() if i.os == "Linux")
    linux = {"type": "linux", "host_name": "web1", "user_name": "azureuser", "user_password": "P@ssw0rd&<"}
    web = {"input_endpoints": [{"name": "http", "protocol": "tcp", "port": 80, "local_port": 8080,
                                "load_balanced_endpoint_set_name": "web"}]}
    finish(client, clock, client.create_virtual_machine_deployment(
        "rolesvc", "roledep", "production", "roles", "web1", linux,
        {"media_link": "http://acct.blob.core.windows.net/vhds/web1.vhd", "source_image_name": image.name,
         "disk_label": "web1 os"}, network_config=web, role_size="Small"))
    added = client.add_role("rolesvc", "roledep", "web2", dict(linux, host_name="web2"),
                            {"media_link": "http://acct.blob.core.windows.net/vhds/web2.vhd",
                             "source_image_name": image.name, "disk_label": "web2 os"},
                            network_config=web, availability_set_name="webset", role_size="Medium",
                            data_virtual_hard_disks=[{"lun": 0, "logical_disk_size_in_gb": 50, "disk_label": "logs"}])
    during = client.get_deployment_by_name("rolesvc", "roledep")
    assert during.locked and [i.instance_status for i in during.role_instance_list] == ["ReadyRole", "RoleStateUnknown"]
    with pytest.raises(ConflictError):
        client.add_role("rolesvc", "roledep", "web3", linux, {"source_image_name": image.name})
    assert finish(client, clock, added).status == "Succeeded"
    role = client.get_role("rolesvc", "roledep", "web2")
    assert (role.role_size, role.availability_set_name) == ("Medium", "webset")
    [endpoint] = role.configuration_sets[0].input_endpoints
    assert (endpoint.name, endpoint.port, endpoint.local_port, endpoint.load_balanced_endpoint_set_name) == (
        "http", 80, 8080, "web")
    assert role.os_virtual_hard_disk is not None and role.os_virtual_hard_disk.disk_label == "web2 os"
    [data] = role.data_virtual_hard_disks
    assert (data.lun, data.logical_disk_size_in_gb, data.disk_label) == (0, 50, "logs")
    assert data.disk_name and data.disk_name.startswith("rolesvc-web2-")

    finish(client, clock, client.update_role("rolesvc", "roledep", "web2", role_size="Large"))
    assert client.get_role("rolesvc", "roledep", "web2").role_size == "Large"
    assert client.get_role("rolesvc", "roledep", "web2").configuration_sets[0].input_endpoints  # not sent: kept

    # data disks: attach a new one, read it, grow and relabel it, detach it (it stays a free disk)
    finish(client, clock, client.add_data_disk("rolesvc", "roledep", "web1", 1, host_caching="ReadOnly",
                                               disk_label="data", logical_disk_size_in_gb=20))
    disk = client.get_data_disk("rolesvc", "roledep", "web1", 1)
    assert (disk.lun, disk.host_caching, disk.logical_disk_size_in_gb, disk.disk_label) == (1, "ReadOnly", 20, "data")
    with pytest.raises(ConflictError, match="LUN 1"):
        client.add_data_disk("rolesvc", "roledep", "web1", 1, logical_disk_size_in_gb=5)
    finish(client, clock, client.update_data_disk("rolesvc", "roledep", "web1", 1, updated_lun=2,
                                                  logical_disk_size_in_gb=40, disk_label="bigger"))
    with pytest.raises(NotFoundError, match="LUN 1"):
        client.get_data_disk("rolesvc", "roledep", "web1", 1)
    moved = client.get_data_disk("rolesvc", "roledep", "web1", 2)
    assert (moved.logical_disk_size_in_gb, moved.disk_label, moved.disk_name) == (40, "bigger", disk.disk_name)
    attached = {d.name: d for d in client.list_disks()}
    assert attached[disk.disk_name or ""].attached_to == m.AttachedTo("rolesvc", "roledep", "web1")
    os_disk = client.get_role("rolesvc", "roledep", "web1").os_virtual_hard_disk
    assert os_disk is not None and attached[os_disk.disk_name or ""].attached_to is not None
    assert attached[os_disk.disk_name or ""].has_operating_system is True
    finish(client, clock, client.delete_data_disk("rolesvc", "roledep", "web1", 2))
    free = client.get_disk(disk.disk_name or "")
    assert free.attached_to is None and free.label == "bigger" and free.logical_disk_size_in_gb == 40

    # the repository: register, relabel, attach by name, refuse to delete while attached, delete
    client.add_disk(False, "spare", "http://acct.blob.core.windows.net/vhds/spare.vhd", "spare", "Linux")
    with pytest.raises(ConflictError):
        client.add_disk(False, "spare", "http://acct.blob.core.windows.net/vhds/other.vhd", "spare", "Linux")
    client.update_disk("spare", label="spare disk")
    assert client.get_disk("spare").label == "spare disk"
    finish(client, clock, client.add_data_disk("rolesvc", "roledep", "web2", 3, disk_name="spare"))
    assert client.get_disk("spare").attached_to == m.AttachedTo("rolesvc", "roledep", "web2")
    with pytest.raises(ConflictError, match="in use by virtual machine web2"):
        client.delete_disk("spare")
    finish(client, clock, client.delete_data_disk("rolesvc", "roledep", "web2", 3, delete_vhd=True))
    with pytest.raises(NotFoundError):
        client.get_disk("spare")
    client.delete_disk(disk.disk_name or "", delete_vhd=True)
    assert disk.disk_name not in {d.name for d in client.list_disks()}

    # DNS servers
    finish(client, clock, client.add_dns_server("rolesvc", "roledep", "dns1", "10.0.0.4"))
    with pytest.raises(ConflictError):
        client.add_dns_server("rolesvc", "roledep", "dns1", "10.0.0.5")
    finish(client, clock, client.update_dns_server("rolesvc", "roledep", "dns1", "10.0.0.6"))
    assert client.get_deployment_by_name("rolesvc", "roledep").dns_servers == [m.DnsServer("dns1", "10.0.0.6")]
    finish(client, clock, client.delete_dns_server("rolesvc", "roledep", "dns1"))
    assert client.get_deployment_by_name("rolesvc", "roledep").dns_servers == []
    with pytest.raises(NotFoundError):
        client.delete_dns_server("rolesvc", "roledep", "dns1")

    # capture: refused while running; once stopped, an OS image, and the VM is gone (Delete)
    with pytest.raises(ApiError, match="shut down"):
        client.capture_role("rolesvc", "roledep", "web2", "Delete", "web-image", "web image")
    finish(client, clock, client.shutdown_role("rolesvc", "roledep", "web2"))
    finish(client, clock, client.capture_role("rolesvc", "roledep", "web2", "Delete", "web-image", "web image"))
    captured = client.get_os_image("web-image")
    assert (captured.category, captured.label, captured.os_state, captured.os) == (
        "User", "web image", "Generalized", "Linux")
    assert "web-image" in {i.name for i in client.list_os_images()}
    with pytest.raises(NotFoundError, match="Role web2 was not found"):
        client.get_role("rolesvc", "roledep", "web2")
    kept = client.get_disk(data.disk_name or "")  # its data disk outlives it, free; its OS disk became the image
    assert kept.attached_to is None and kept.label == "logs"
    assert all(not d.name.startswith("rolesvc-web2-0-") for d in client.list_disks())

    # delete a VM: its disks stay registered (free) unless complete; the last VM cannot go this way
    finish(client, clock, client.add_role("rolesvc", "roledep", "web4", linux, {"source_image_name": image.name}))
    os4 = client.get_role("rolesvc", "roledep", "web4").os_virtual_hard_disk
    assert os4 is not None and os4.disk_name
    finish(client, clock, client.delete_role("rolesvc", "roledep", "web4"))
    assert client.get_disk(os4.disk_name).attached_to is None
    with pytest.raises(ApiError, match="only role"):
        client.delete_role("rolesvc", "roledep", "web1", complete=True)


JOURNEYS = (test_hosted_service_and_deployments, test_storage_affinity_groups_images, test_virtual_machine,
            test_in_place_upgrade_and_role_instances, test_name_checks_certificates_and_account_updates,
            test_vm_roles_disks_and_dns_servers)


def test_every_operation_was_exercised() -> None:
    """The journeys above, together, call every operation of the catalogue. They run again here
    on a fresh emulator, so this holds whatever ran before (or alone, or in another order)."""
    fresh = Clock()
    with EmulatorServer(latency=1.0, clock=fresh) as server:
        recorder = Recorder(SUB, endpoint=server.url, timeout=30)
        from tests.asm.test_client_emulator_images import JOURNEYS as IMAGES_NETWORK_SUBSCRIPTION

        for journey in JOURNEYS + IMAGES_NETWORK_SUBSCRIPTION:
            journey(recorder, fresh)
    assert set(CATALOGUE) - recorder.called == set()
