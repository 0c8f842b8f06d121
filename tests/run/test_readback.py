"""The read-back table: after an ambiguous failure, is the write's effect already in place?"""

from __future__ import annotations

from typing import Any

import pytest

from smflow.asm.models import Deployment, HostedService
from smflow.errors import ApiError, NotFoundError
from smflow.run.readback import READBACKS, effect_in_place, settled


class FakeReads:
    def __init__(self, answers: dict[tuple[str, str], Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, op: str, args: dict[str, Any]) -> Any:
        self.calls.append((op, args))
        key = (op, "/".join(str(v) for v in args.values()))
        if key not in self.answers:
            raise NotFoundError("not found", status=404)
        answer = self.answers[key]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_create_deployment_done_only_with_our_name_in_the_slot() -> None:
    args = {"service_name": "svc", "deployment_slot": "staging", "name": "v2"}
    reads = FakeReads({("get_deployment_by_slot", "svc/staging"): Deployment(name="v2")})
    assert effect_in_place("create_deployment", args, reads) is True
    reads = FakeReads({("get_deployment_by_slot", "svc/staging"): Deployment(name="other")})
    assert effect_in_place("create_deployment", args, reads) is False
    assert effect_in_place("create_deployment", args, FakeReads({})) is False


def test_create_hosted_service_exists() -> None:
    reads = FakeReads({("get_hosted_service_properties", "svc"): HostedService(service_name="svc")})
    assert effect_in_place("create_hosted_service", {"service_name": "svc", "label": "l"}, reads) is True


def test_swap_done_when_source_is_in_production() -> None:
    args = {"service_name": "svc", "production": "v1", "source_deployment": "v2"}
    assert effect_in_place("swap_deployment", args,
                           FakeReads({("get_deployment_by_slot", "svc/production"): Deployment(name="v2")})) is True
    assert effect_in_place("swap_deployment", args,
                           FakeReads({("get_deployment_by_slot", "svc/production"): Deployment(name="v1")})) is False


def test_delete_done_when_gone() -> None:
    args = {"service_name": "svc", "deployment_name": "v1"}
    assert effect_in_place("delete_deployment", args, FakeReads({})) is True
    assert effect_in_place("delete_deployment", args,
                           FakeReads({("get_deployment_by_name", "svc/v1"): Deployment(name="v1")})) is False


def test_unknown_operation_has_no_readback() -> None:
    assert effect_in_place("change_deployment_configuration", {"service_name": "s"}, FakeReads({})) is None


def test_read_errors_other_than_404_propagate() -> None:
    reads = FakeReads({("get_hosted_service_properties", "svc"): ApiError("boom", status=500)})
    with pytest.raises(ApiError):
        effect_in_place("create_hosted_service", {"service_name": "svc"}, reads)


def test_settled_waits_out_transitional_statuses() -> None:
    args = {"service_name": "svc", "deployment_slot": "staging", "name": "v2"}
    reads = FakeReads({("get_deployment_by_slot", "svc/staging"): Deployment(name="v2", status="Deploying")})
    assert settled("create_deployment", args, reads) == (False, "Deploying")
    reads = FakeReads({("get_deployment_by_slot", "svc/staging"): Deployment(name="v2", status="Running")})
    assert settled("create_deployment", args, reads) == (True, "Running")


def test_every_readback_names_a_read_operation() -> None:
    """A get, or a list where the service has no get (VM images)."""
    from smflow.asm.catalogue import get_operation

    for op, entry in READBACKS.items():
        read = get_operation(entry.read)
        assert read is not None and read.effect == "read" and entry.read.startswith(("get_", "list_")), op


def _walk_read(status: Any, locked: bool = False) -> FakeReads:
    return FakeReads({("get_deployment_by_name", "s/d"): Deployment(name="d", upgrade_status=status, locked=locked)})


def test_a_walk_is_in_place_once_the_upgrade_is_past_or_on_its_domain() -> None:
    from smflow.asm.models import UpgradeStatus

    args = {"service_name": "s", "deployment_name": "d", "upgrade_domain": 1}
    assert effect_in_place("walk_upgrade_domain", args, _walk_read(UpgradeStatus("Manual", "Before", 1))) is False
    assert effect_in_place("walk_upgrade_domain", args, _walk_read(UpgradeStatus("Manual", "During", 1))) is True
    assert effect_in_place("walk_upgrade_domain", args, _walk_read(UpgradeStatus("Manual", "Before", 2))) is True
    assert effect_in_place("walk_upgrade_domain", args, _walk_read(None)) is True  # the upgrade is over
    assert settled("walk_upgrade_domain", args, _walk_read(None, locked=True))[0] is False


def test_a_role_instance_delete_is_in_place_while_the_instances_are_going_or_gone() -> None:
    from smflow.asm.models import RoleInstance

    def reads(status: str, locked: bool = False) -> FakeReads:
        instances = [RoleInstance(instance_name="i0", instance_status="ReadyRole"),
                     RoleInstance(instance_name="i1", instance_status=status)]
        return FakeReads({("get_deployment_by_name", "s/d"): Deployment(role_instance_list=instances, locked=locked)})

    many = {"service_name": "s", "deployment_name": "d", "role_instance_names": ["i1"]}
    assert effect_in_place("delete_role_instances", many, reads("StoppingRole")) is True
    assert effect_in_place("delete_role_instances", many, reads("ReadyRole")) is False
    assert effect_in_place("delete_role_instances", many, reads("ReadyRole", locked=True)) is True
    gone = FakeReads({("get_deployment_by_name", "s/d"): Deployment(role_instance_list=[])})
    assert effect_in_place("delete_role_instances", many, gone) is True


def test_certificate_writes_read_back_by_thumbprint() -> None:
    from smflow.asm.models import Certificate, SubscriptionCertificate

    cert = {"service_name": "s", "thumbalgorithm": "sha1", "thumbprint": "AB"}
    present = FakeReads({("get_service_certificate", "s/sha1/AB"): Certificate(data="x")})
    assert effect_in_place("delete_service_certificate", cert, present) is False
    assert effect_in_place("delete_service_certificate", cert, FakeReads({})) is True
    mgmt = {"public_key": "k", "thumbprint": "AB", "data": "d"}
    added = FakeReads({("get_management_certificate", "AB"): SubscriptionCertificate()})
    assert effect_in_place("add_management_certificate", mgmt, added) is True
    assert effect_in_place("add_management_certificate", mgmt, FakeReads({})) is False
    assert effect_in_place("delete_management_certificate", {"thumbprint": "AB"}, FakeReads({})) is True
    assert "add_service_certificate" not in READBACKS  # adding the same certificate again changes nothing
