"""Reserved IPs, VM images and the operation log: the rules with no HTTP, and a restart of a state file."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.emulator.deployments import RoleSpec
from smflow.emulator.resources import AsmFault
from smflow.emulator.server import EmulatorServer
from smflow.emulator.state import EmulatorState, Subscription
from smflow.emulator.subscription_info import PAGE, operations_log_xml
from smflow.emulator.vm_images import DiskConfig, VmImage

from .conftest import FakeClock

ROLES = [RoleSpec("WebRole1", 2)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sub(clock: FakeClock) -> Subscription:
    s = EmulatorState(latency=1.0, clock=clock).subscription("sub")
    s.create_hosted_service("r0", "svc", "svc", None, "West US", None, {})
    return s


def _running(sub: Subscription, clock: FakeClock, name: str, slot: str = "production") -> None:
    sub.create_deployment(f"d-{name}", "svc", slot, name, "http://p", name, "<cfg/>", ROLES, True, {})
    clock.advance(600)
    sub.settle()


def _fault(fn: object, *args: object) -> AsmFault:
    with pytest.raises(AsmFault) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def test_an_address_is_associated_when_its_operation_ends_and_locks_the_deployment_meanwhile(
    sub: Subscription, clock: FakeClock
) -> None:
    _running(sub, clock, "blue")
    sub.create_reserved_ip("c1", "web", "vip", "West US")
    assert sub.reserved_ip("web").state == "Creating"
    clock.advance(60)
    sub.settle()
    assert sub.reserved_ip("web").state == "Created"
    dep = sub.deployment_by_name("svc", "blue")
    own_vip = dep.vip
    sub.associate_reserved_ip("a1", "web", "svc", "blue")
    assert dep.busy_op == "a1" and dep.vip == own_vip and sub.association("web") is not None  # shown at once
    assert _fault(sub.update_deployment_status, "u1", "svc", "blue", "Suspended").status == 409  # locked
    assert _fault(sub.associate_reserved_ip, "a2", "web", "svc", "blue").status == 409  # twice: in use
    clock.advance(600)
    sub.settle()
    assert (dep.busy_op, dep.reserved_ip, dep.vip) == (None, "web", sub.reserved_ip("web").address)


def test_a_failed_association_changes_nothing(sub: Subscription, clock: FakeClock) -> None:
    _running(sub, clock, "blue")
    sub.create_reserved_ip("c1", "web", None, "West US")
    sub.owner.doomed["a1"] = (500, "InternalError", "boom")
    sub.associate_reserved_ip("a1", "web", "svc", "blue")
    clock.advance(600)
    sub.settle()
    dep = sub.deployment_by_name("svc", "blue")
    assert (dep.reserved_ip, dep.busy_op, sub.association("web")) == (None, None, None)


def test_the_rules_of_association(sub: Subscription, clock: FakeClock) -> None:
    _running(sub, clock, "blue")
    _running(sub, clock, "green", "staging")
    assert _fault(sub.create_reserved_ip, "c0", "nowhere", None, None).status == 400  # no location
    assert _fault(sub.create_reserved_ip, "c0", "nowhere", None, "Atlantis").status == 400
    sub.create_reserved_ip("c1", "east", None, "East US")
    sub.create_reserved_ip("c2", "west", None, "West US")
    assert _fault(sub.create_reserved_ip, "c3", "west", None, "West US").status == 409
    assert "East US" in _fault(sub.associate_reserved_ip, "a1", "east", "svc", "blue").message
    assert "production" in _fault(sub.associate_reserved_ip, "a2", "west", "svc", "green").message
    assert _fault(sub.associate_reserved_ip, "a3", "west", "svc", "nope").status == 404
    assert _fault(sub.associate_reserved_ip, "a4", "gone", "svc", "blue").status == 404
    assert _fault(sub.disassociate_reserved_ip, "x1", "west", "svc", "blue").status == 400  # not associated


def test_deleting_the_deployment_frees_its_address(sub: Subscription, clock: FakeClock) -> None:
    _running(sub, clock, "blue")
    sub.create_reserved_ip("c1", "web", None, "West US")
    sub.associate_reserved_ip("a1", "web", "svc", "blue")
    clock.advance(600)
    sub.settle()
    assert _fault(sub.delete_reserved_ip, "x1", "web").status == 409
    sub.delete_deployment("del", "svc", "blue")
    clock.advance(600)
    sub.settle()
    assert sub.association("web") is None
    sub.delete_reserved_ip("x2", "web")
    assert "web" not in sub.reserved_ips


def test_a_vip_swap_keeps_the_address_in_production_and_undoing_it_gives_it_back(
    sub: Subscription, clock: FakeClock
) -> None:
    _running(sub, clock, "blue")
    _running(sub, clock, "green", "staging")
    sub.create_reserved_ip("c1", "web", None, "West US")
    sub.associate_reserved_ip("a1", "web", "svc", "blue")
    clock.advance(600)
    sub.settle()
    address, green_vip = sub.reserved_ip("web").address, sub.deployment_by_name("svc", "green").vip
    sub.swap_deployment("s1", "svc", "blue", "green")
    green, blue = sub.deployment_by_name("svc", "green"), sub.deployment_by_name("svc", "blue")
    assert (green.slot, green.vip, green.reserved_ip) == ("Production", address, "web")
    assert (blue.slot, blue.vip, blue.reserved_ip) == ("Staging", green_vip, None)
    sub.owner.doomed["s2"] = (500, "InternalError", "boom")  # a failed swap is undone
    clock.advance(600)
    sub.settle()
    sub.swap_deployment("s2", "svc", "green", "blue")
    clock.advance(600)
    sub.settle()
    assert (green.slot, green.vip, green.reserved_ip) == ("Production", address, "web")


def _image(name: str) -> VmImage:
    return VmImage(name, name, DiskConfig("os", "ReadWrite", "http://a.blob.core.windows.net/v/os.vhd", 30,
                                          "Generalized", "Linux"))


def test_vm_images_are_listed_while_created_and_names_are_unique(sub: Subscription, clock: FakeClock) -> None:
    sub.create_vm_image("c1", _image("gold"))
    assert sub.vm_image("gold").state == "Creating"
    assert _fault(sub.create_vm_image, "c2", _image("gold")).status == 409
    sub.add_os_image("o1", "l", "http://a/b.vhd", "osimg", "Linux")
    assert _fault(sub.create_vm_image, "c3", _image("osimg")).status == 409  # one namespace with OS images
    busy = _fault(sub.delete_vm_image, "d1", "gold")
    assert busy.status == 409 and "in progress" in busy.message  # a busy 409: the executor waits and retries
    clock.advance(60)
    sub.settle()
    assert sub.vm_image("gold").state == "VMImageReadyForUse"
    sub.delete_vm_image("d2", "gold")
    assert _fault(sub.vm_image, "gold").status == 404


def test_the_operation_log_filters_and_pages(sub: Subscription, clock: FakeClock) -> None:
    from lxml import etree

    for i in range(PAGE + 5):
        sub.create_reserved_ip(f"{i:032x}", f"ip{i}", None, "West US")
    clock.advance(60)
    sub.settle()

    def names(query: dict[str, str]) -> tuple[list[str], str | None]:
        doc = etree.fromstring(operations_log_xml(sub, query))
        ns = {"a": "http://schemas.microsoft.com/windowsazure"}
        token = doc.findtext("a:ContinuationToken", namespaces=ns)
        return [e.text or "" for e in doc.iterfind(".//a:OperationObjectId", ns)], token

    first, token = names({})
    assert len(first) == PAGE and token is not None and first[0] == "/sub/services/hostedservices/svc"
    rest, last = names({"ContinuationToken": token})
    assert len(rest) == 6 and last is None and rest[-1] == f"/sub/services/networking/reservedips/ip{PAGE + 4}"
    only, _ = names({"ObjectIdFilter": "/sub/services/networking/reservedips/ip7"})
    assert only == ["/sub/services/networking/reservedips/ip7"]
    assert names({"OperationResultFilter": "Failed"})[0] == []
    assert names({"EndTime": "2000-01-01T00:00:00Z"})[0] == []
    assert _fault(operations_log_xml, sub, {"StartTime": "yesterday"}).status == 400
    assert _fault(operations_log_xml, sub, {"OperationResultFilter": "Maybe"}).status == 400


def test_reserved_ips_vm_images_and_replicas_survive_a_restart(tmp_path: Path) -> None:
    from smflow.asm.client import ServiceManagementClient

    db, sub = tmp_path / "state.sqlite", "00000000-0000-0000-0000-000000000000"
    config = "PFNlcnZpY2VDb25maWd1cmF0aW9uPjxSb2xlIG5hbWU9IlciPjxJbnN0YW5jZXMgY291bnQ9IjIiLz48L1JvbGU+PC9TZXJ2aWNlQ29uZmlndXJhdGlvbj4="
    image = {"name": "gold", "label": "gold", "os_disk_configuration": {
        "os_state": "Generalized", "os": "Linux", "media_link": "http://a.blob.core.windows.net/v/os.vhd"}}
    with EmulatorServer(latency=0, state_file=db) as srv:
        c = ServiceManagementClient(sub, endpoint=srv.url)
        c.create_hosted_service("persist", "p", location="West US")
        c.create_deployment("persist", "production", "d", "http://p/v1", "v1", config, start_deployment=True)
        c.create_reserved_ip_address("web", "l", "West US")
        c.get_deployment_by_name("persist", "d")
        c.associate_reserved_ip_address("web", "persist", "d")
        c.create_vm_image(image)
        c.add_os_image("l", "http://a/b.vhd", "osimg", "Linux")
        c.replicate_vm_image("osimg", ["West US"], "o", "s", "1.0.0")
        address = c.get_reserved_ip_address("web").address
    with EmulatorServer(latency=0, state_file=db) as srv:
        c = ServiceManagementClient(sub, endpoint=srv.url)
        [vip] = c.get_deployment_by_name("persist", "d").virtual_ips
        assert (vip.address, vip.reserved_ip_name) == (address, "web")
        assert [i.name for i in c.list_vm_images(category="User")] == ["gold"]
        assert [r.location for r in c.get_os_image_details("osimg").replication_progress] == ["West US"]


def test_regenerations_and_instance_reboots_are_logged_by_the_services_names_on_their_objects(
    sub: Subscription, clock: FakeClock,
) -> None:
    """The names of Microsoft.WindowsAzure.Management's SubscriptionOperationNames, the storage
    account and the role instance as objects (what smflow.run.oplog looks for), and a StartTime
    that leaves out what started before it."""
    from datetime import UTC, datetime, timedelta

    from lxml import etree

    ns = {"a": "http://schemas.microsoft.com/windowsazure"}
    _running(sub, clock, "d1")
    sub.create_storage_account("a" * 32, "acct", "l", None, "West US", None, "Standard_LRS", {})
    clock.advance(600)
    sub.settle()
    sub.regenerate_storage_keys("b" * 32, "acct", "Secondary")
    clock.advance(5)
    mark = clock.t - 2  # between the first regeneration and the reboot, on the state's clock
    sub.role_instance_operation("c" * 32, "reboot_role_instance", "svc", "d1", ["WebRole1_IN_1"])
    sub.regenerate_storage_keys("d" * 32, "acct", "Primary")
    for kind, request_id in (("reimage_role_instance", "e" * 32), ("rebuild_role_instance", "f" * 32)):
        clock.advance(600)
        sub.settle()
        sub.role_instance_operation(request_id, kind, "svc", "d1", ["WebRole1_IN_0"])

    def log(query: dict[str, str]) -> list[tuple[str, str, str]]:
        doc = etree.fromstring(operations_log_xml(sub, query))
        return [(e.findtext("a:OperationName", namespaces=ns) or "", e.findtext("a:OperationObjectId", namespaces=ns)
                 or "", e.findtext("a:OperationStatus/a:Status", namespaces=ns) or "")
                for e in doc.iterfind(".//a:SubscriptionOperation", ns)]

    dep = "/sub/services/hostedservices/svc/deployments/d1"
    between = datetime.now(UTC) - timedelta(seconds=clock.t - mark)  # the log maps the state's clock to UTC
    assert log({"StartTime": between.strftime("%Y-%m-%dT%H:%M:%SZ")}) == [
        ("RebootDeploymentRoleInstance", f"{dep}/roleinstances/WebRole1_IN_1", "Succeeded"),
        ("RegenerateStorageServiceKeys", "/sub/services/storageservices/acct", "Succeeded"),
        ("ReimageDeploymentRoleInstance", f"{dep}/roleinstances/WebRole1_IN_0", "Succeeded"),
        ("RebuildDeploymentRoleInstance", f"{dep}/roleinstances/WebRole1_IN_0", "InProgress"),
    ]
    regenerations = log({"ObjectIdFilter": "/sub/services/storageservices/acct"})
    assert [n for n, _, _ in regenerations] == ["CreateStorageAccount", "RegenerateStorageServiceKeys",
                                                "RegenerateStorageServiceKeys"]
    on_instance = log({"ObjectIdFilter": f"{dep}/roleinstances/WebRole1_IN_0", "OperationResultFilter": "InProgress"})
    assert on_instance == [("RebuildDeploymentRoleInstance", f"{dep}/roleinstances/WebRole1_IN_0", "InProgress")]
