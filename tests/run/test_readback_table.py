"""Every entry of the read-back table, against hand-written expectations.

For each write: which read tells whether it already happened, with exactly which arguments
(written out here by hand, and checked against the catalogue's own argument names as an
independent oracle), what answer means "in place", and whether a 404 means "done" (deletes)
or "not done" (creates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from smflow.asm.catalogue import get_operation
from smflow.asm.models import (
    AffinityGroup,
    DataVirtualHardDisk,
    Deployment,
    Disk,
    DnsServer,
    HostedService,
    OSImage,
    ReservedIP,
    Role,
    StorageService,
    VMImage,
)
from smflow.errors import ApiError, NotFoundError
from smflow.run.readback import READBACKS, TRANSITIONAL_STATUSES, effect_in_place, settled


@dataclass(frozen=True)
class Case:
    write: str
    args: dict[str, Any]
    read: str
    read_args: dict[str, Any]
    in_place: Any  # a read answer meaning the write's effect is there (None for deletes: a 404 is)
    not_in_place: Any  # a read answer meaning it is not (None: only a 404 says so)


CASES = [
    Case("create_hosted_service", {"service_name": "svc", "label": "l", "location": "West US"},
         "get_hosted_service_properties", {"service_name": "svc"}, HostedService(service_name="svc"), None),
    Case("delete_hosted_service", {"service_name": "svc"},
         "get_hosted_service_properties", {"service_name": "svc"}, None, HostedService(service_name="svc")),
    Case("create_deployment",
         {"service_name": "svc", "deployment_slot": "staging", "name": "v2", "package_url": "u", "label": "v2",
          "configuration": "c"},
         "get_deployment_by_slot", {"service_name": "svc", "deployment_slot": "staging"},
         Deployment(name="v2"), Deployment(name="v1")),
    Case("create_virtual_machine_deployment",
         {"service_name": "svc", "deployment_name": "vmdep", "deployment_slot": "production", "label": "l",
          "role_name": "vm1"},
         "get_deployment_by_name", {"service_name": "svc", "deployment_name": "vmdep"}, Deployment(name="vmdep"), None),
    Case("delete_deployment", {"service_name": "svc", "deployment_name": "v1"},
         "get_deployment_by_name", {"service_name": "svc", "deployment_name": "v1"}, None, Deployment(name="v1")),
    Case("swap_deployment", {"service_name": "svc", "production": "v1", "source_deployment": "v2"},
         "get_deployment_by_slot", {"service_name": "svc", "deployment_slot": "production"},
         Deployment(name="v2"), Deployment(name="v1")),
    Case("update_deployment_status", {"service_name": "svc", "deployment_name": "v1", "status": "Suspended"},
         "get_deployment_by_name", {"service_name": "svc", "deployment_name": "v1"},
         Deployment(name="v1", status="suspended"), Deployment(name="v1", status="Running")),
    Case("create_storage_account", {"service_name": "acct", "description": "d", "label": "l"},
         "get_storage_account_properties", {"service_name": "acct"}, StorageService(service_name="acct"), None),
    Case("delete_storage_account", {"service_name": "acct"},
         "get_storage_account_properties", {"service_name": "acct"}, None, StorageService(service_name="acct")),
    Case("create_affinity_group", {"name": "ag", "label": "l", "location": "West US"},
         "get_affinity_group_properties", {"affinity_group_name": "ag"}, AffinityGroup(name="ag"), None),
    Case("delete_affinity_group", {"affinity_group_name": "ag"},
         "get_affinity_group_properties", {"affinity_group_name": "ag"}, None, AffinityGroup(name="ag")),
    Case("add_os_image", {"label": "l", "media_link": "https://a/b.vhd", "name": "img", "os": "Linux"},
         "get_os_image", {"image_name": "img"}, OSImage(name="img"), None),
    Case("delete_os_image", {"image_name": "img"},
         "get_os_image", {"image_name": "img"}, None, OSImage(name="img")),
    # VM roles, DNS servers, disks
    Case("add_role", {"service_name": "svc", "deployment_name": "vm", "role_name": "web2"},
         "get_deployment_by_name", {"service_name": "svc", "deployment_name": "vm"},
         Deployment(role_list=[Role(role_name="web1"), Role(role_name="web2")]), Deployment(role_list=[Role("web1")])),
    Case("delete_role", {"service_name": "svc", "deployment_name": "vm", "role_name": "web2"},
         "get_role", {"service_name": "svc", "deployment_name": "vm", "role_name": "web2"}, None, Role("web2")),
    Case("capture_role", {"service_name": "svc", "deployment_name": "vm", "role_name": "web2",
                          "post_capture_action": "Delete", "target_image_name": "img", "target_image_label": "l"},
         "get_os_image", {"image_name": "img"}, OSImage(name="img"), None),
    Case("add_dns_server", {"service_name": "svc", "deployment_name": "vm", "dns_server_name": "dns1", "address": "a"},
         "get_deployment_by_name", {"service_name": "svc", "deployment_name": "vm"},
         Deployment(dns_servers=[DnsServer("dns1", "a")]), Deployment(dns_servers=[DnsServer("dns2", "a")])),
    Case("delete_dns_server", {"service_name": "svc", "deployment_name": "vm", "dns_server_name": "dns1"},
         "get_deployment_by_name", {"service_name": "svc", "deployment_name": "vm"},
         None, Deployment(dns_servers=[DnsServer("dns1", "a")])),
    Case("add_disk", {"label": "l", "media_link": "https://a/b.vhd", "name": "d1", "os": "Linux"},
         "get_disk", {"disk_name": "d1"}, Disk(name="d1"), None),
    Case("delete_disk", {"disk_name": "d1"}, "get_disk", {"disk_name": "d1"}, None, Disk(name="d1")),
    Case("add_data_disk", {"service_name": "svc", "deployment_name": "vm", "role_name": "web1", "lun": 2},
         "get_data_disk", {"service_name": "svc", "deployment_name": "vm", "role_name": "web1", "lun": 2},
         DataVirtualHardDisk(lun=2), None),
    Case("update_data_disk", {"service_name": "svc", "deployment_name": "vm", "role_name": "web1", "lun": 2,
                              "updated_lun": 3, "logical_disk_size_in_gb": 40},
         "get_data_disk", {"service_name": "svc", "deployment_name": "vm", "role_name": "web1", "lun": 3},
         DataVirtualHardDisk(lun=3, logical_disk_size_in_gb=40), DataVirtualHardDisk(lun=3, logical_disk_size_in_gb=20)),
    Case("delete_data_disk", {"service_name": "svc", "deployment_name": "vm", "role_name": "web1", "lun": 2},
         "get_data_disk", {"service_name": "svc", "deployment_name": "vm", "role_name": "web1", "lun": 2},
         None, DataVirtualHardDisk(lun=2)),
]
_IP, _ASSOC = {"name": "ip1"}, {"name": "ip1", "service_name": "svc", "deployment_name": "v1"}
_IMAGE = {"vm_image": {"name": "img", "label": "l"}}
CASES += [  # reserved IPs and VM images (issue 11)
    Case("create_reserved_ip_address", {"name": "ip1", "location": "West US"}, "get_reserved_ip_address", _IP,
         ReservedIP(name="ip1"), None),
    Case("delete_reserved_ip_address", _IP, "get_reserved_ip_address", _IP, None, ReservedIP(name="ip1")),
    Case("associate_reserved_ip_address", _ASSOC, "get_reserved_ip_address", _IP,
         ReservedIP(name="ip1", in_use=True, service_name="svc", deployment_name="v1"),
         ReservedIP(name="ip1", in_use=True, service_name="svc", deployment_name="v0")),
    Case("disassociate_reserved_ip_address", _ASSOC, "get_reserved_ip_address", _IP,
         ReservedIP(name="ip1"), ReservedIP(name="ip1", in_use=True, service_name="svc", deployment_name="v1")),
    Case("create_vm_image", _IMAGE, "list_vm_images", {}, [VMImage(name="other"), VMImage(name="img")],
         [VMImage(name="other")]),
    Case("capture_vm_image",
         {"service_name": "svc", "deployment_name": "v1", "role_name": "vm1",
          "options": {"os_state": "Specialized", "vm_image_name": "img", "vm_image_label": "l"}},
         "list_vm_images", {}, [VMImage(name="img")], []),
    Case("delete_vm_image", {"vm_image_name": "img"}, "list_vm_images", {}, [VMImage(name="other")],
         [VMImage(name="img")]),
]
IDS = [c.write for c in CASES]
DELETES = {"delete_hosted_service", "delete_deployment", "delete_storage_account", "delete_affinity_group",
           "delete_os_image", "delete_role", "delete_dns_server", "delete_disk", "delete_data_disk",
           "delete_reserved_ip_address"}


class Reads:
    """Answers every read with ``answer`` (an exception is raised), and keeps what was asked."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, op: str, args: dict[str, Any]) -> Any:
        self.calls.append((op, dict(args)))
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


# Writes of the extended surface, read back through the deployment or certificate they touch;
# pinned by tests/run/test_readback.py and the fault-rate tests (tests/run/test_faults.py).
EXTENDED = [
    "add_management_certificate", "delete_management_certificate", "delete_role_instances",
    "delete_service_certificate",
    "restart_role", "rollback_update_or_upgrade", "shutdown_role", "shutdown_roles", "start_role", "start_roles",
    "upgrade_deployment", "walk_upgrade_domain",
]


def test_the_table_holds_exactly_these_writes() -> None:
    assert sorted(READBACKS) == sorted(IDS + EXTENDED)


def test_writes_read_back_from_the_operation_log_have_no_entry_here() -> None:
    """A key regeneration or a reboot leaves no state to read (smflow.run.oplog decides for them)."""
    from smflow.run.oplog import LOGGED

    assert sorted(LOGGED) == ["reboot_role_instance", "rebuild_role_instance", "regenerate_storage_account_keys",
                              "reimage_role_instance"]
    assert not set(LOGGED) & set(READBACKS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_write_is_read_back_with_the_right_read_and_arguments(case: Case) -> None:
    reads = Reads(case.in_place if case.in_place is not None else NotFoundError("gone", status=404))
    assert effect_in_place(case.write, case.args, reads) is True
    assert reads.calls == [(case.read, case.read_args)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_reads_and_their_arguments_are_the_catalogues(case: Case) -> None:
    write, read = get_operation(case.write), get_operation(case.read)
    assert write is not None and read is not None
    assert read.effect == "read" and write.effect != "read"
    assert set(case.args) <= {a.name for a in write.arguments}
    assert {a.name for a in read.arguments if a.required} <= set(case.read_args) <= {a.name for a in read.arguments}


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_what_a_404_means(case: Case) -> None:
    """A 404 is "done" for a delete and "not done" for anything else."""
    assert effect_in_place(case.write, case.args, Reads(NotFoundError("gone", status=404))) is (case.write in DELETES)
    assert READBACKS[case.write].gone_means_done is (case.write in DELETES)


@pytest.mark.parametrize("case", [c for c in CASES if c.not_in_place is not None], ids=lambda c: c.write)
def test_an_answer_that_shows_the_effect_missing_is_not_in_place(case: Case) -> None:
    assert effect_in_place(case.write, case.args, Reads(case.not_in_place)) is False


@pytest.mark.parametrize("case", [c for c in CASES if c.write not in DELETES], ids=lambda c: c.write)
def test_a_server_error_while_reading_back_is_not_an_answer(case: Case) -> None:
    with pytest.raises(ApiError) as info:
        effect_in_place(case.write, case.args, Reads(ApiError("boom", status=500)))
    assert info.value.status == 500


def test_a_write_missing_an_argument_the_read_needs_has_no_answer() -> None:
    assert effect_in_place("swap_deployment", {"production": "v1"}, Reads(Deployment(name="v1"))) is None
    assert effect_in_place("create_affinity_group", {"affinity_group_name": "ag"}, Reads(AffinityGroup())) is None


def test_a_write_without_an_entry_has_no_answer_and_reads_nothing() -> None:
    reads = Reads(Deployment(name="v1"))
    assert effect_in_place("change_deployment_configuration", {"service_name": "s"}, reads) is None
    assert effect_in_place("reboot_role_instance", {"service_name": "s"}, reads) is None
    assert reads.calls == []


def test_update_status_compares_without_case_and_needs_the_asked_status() -> None:
    args = {"service_name": "svc", "deployment_name": "v1", "status": "running"}
    assert effect_in_place("update_deployment_status", args, Reads(Deployment(name="v1", status="Running"))) is True
    assert effect_in_place("update_deployment_status", args, Reads(Deployment(name="v1", status="Suspended"))) is False


def test_names_are_compared_from_mappings_too() -> None:
    args = {"service_name": "svc", "production": "v1", "source_deployment": "v2"}
    assert effect_in_place("swap_deployment", args, Reads({"name": "v2"})) is True
    assert effect_in_place("swap_deployment", args, Reads({"name": "v1"})) is False
    assert effect_in_place("swap_deployment", args, Reads(object())) is False  # no name at all


def test_transitional_statuses_are_exactly_these() -> None:
    assert TRANSITIONAL_STATUSES == {"Deploying", "RunningTransitioning", "SuspendedTransitioning", "Starting",
                                     "Suspending", "Deleting"}


@pytest.mark.parametrize(("status", "done"), [("Deploying", False), ("RunningTransitioning", False),
                                              ("SuspendedTransitioning", False), ("Starting", False),
                                              ("Suspending", False), ("Deleting", False), ("Running", True),
                                              ("Suspended", True)])
def test_settled_for_each_status(status: str, done: bool) -> None:
    args = {"service_name": "svc", "deployment_name": "vm", "deployment_slot": "production", "label": "l",
            "role_name": "r"}
    reads = Reads(Deployment(name="vm", status=status))
    assert settled("create_virtual_machine_deployment", args, reads) == (done, status)
    assert reads.calls == [("get_deployment_by_name", {"service_name": "svc", "deployment_name": "vm"})]


def test_settled_edges() -> None:
    args = {"service_name": "svc", "deployment_name": "v1"}
    assert settled("delete_deployment", args, Reads(Deployment(name="v1"))) == (True, "done")  # nothing to await
    assert settled("change_deployment_configuration", args, Reads(Deployment())) == (True, "done")
    assert settled("create_storage_account", {"service_name": "a"}, Reads(NotFoundError("no", status=404))) == \
        (False, "not found")
    assert settled("create_hosted_service", {"service_name": "s"}, Reads(HostedService(service_name="s"))) == \
        (True, "present")


def test_entries_are_frozen() -> None:
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        READBACKS["swap_deployment"].read = "get_deployment_by_name"  # type: ignore[misc]
