"""The rules and the operation clock, with no HTTP (moto's models tests)."""

from __future__ import annotations

import pytest

from smflow.emulator.deployments import RoleSpec
from smflow.emulator.operations import duration
from smflow.emulator.resources import AsmFault
from smflow.emulator.state import EmulatorState, Subscription

from .conftest import FakeClock

ROLES = [RoleSpec("WebRole1", 2)]


def _sub(state: EmulatorState) -> Subscription:
    return state.subscription("sub")


def _service(sub: Subscription, name: str = "svc") -> None:
    sub.create_hosted_service("r" + name, name, "label", None, "West US", None, {})


def _deploy(sub: Subscription, rid: str, name: str, slot: str = "production", start: bool = True) -> None:
    sub.create_deployment(rid, "svc", slot, name, "http://p", name, "<cfg/>", ROLES, start, {})


def _fault(fn: object, *args: object) -> AsmFault:
    with pytest.raises(AsmFault) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def test_latency_table_is_proportional_to_the_recordings() -> None:
    assert duration("create_deployment", 1.0) == pytest.approx(1.0)
    assert duration("change_deployment_configuration", 1.0) == pytest.approx(74 / 52)
    assert duration("create_storage_account", 2.0) == pytest.approx(2 * 21 / 52)
    assert duration("create_hosted_service", 1.0) == 0.0
    assert duration("create_deployment", 0.0) == 0.0


def test_hosted_service_names_are_dns_names_unique_across_subscriptions(state: EmulatorState) -> None:
    _service(_sub(state))
    err = _fault(state.subscription("other").create_hosted_service, "r2", "svc", "l", None, "West US", None, {})
    assert (err.status, err.code, err.message) == (409, "ConflictError", "The specified DNS name is already taken.")


def test_create_hosted_service_needs_exactly_one_placement(state: EmulatorState) -> None:
    sub = _sub(state)
    assert _fault(sub.create_hosted_service, "r", "a", "l", None, None, None, {}).status == 400
    assert _fault(sub.create_hosted_service, "r", "a", "l", None, "Mars", None, {}).status == 400
    assert _fault(sub.create_hosted_service, "r", "a", "l", None, None, "nogroup", {}).status == 400
    assert _fault(sub.create_hosted_service, "r", "bad_name!", "l", None, "West US", None, {}).status == 400


def test_deployment_walks_through_its_states_on_the_clock(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1")
    dep = sub.deployment_by_name("svc", "v1")
    assert dep.status == "RunningTransitioning"
    assert [i.status for i in dep.instances] == ["CreatingVM", "CreatingVM"]
    assert sub.operation("op1").status == "InProgress"
    clock.advance(0.6)
    sub.settle()
    assert [i.status for i in dep.instances] == ["StartingVM", "StartingVM"]
    assert sub.operation("op1").status == "InProgress"
    clock.advance(0.5)
    sub.settle()
    assert dep.status == "Running"
    assert [(i.status, i.power_state) for i in dep.instances] == [("ReadyRole", "Started")] * 2
    op = sub.operation("op1")
    assert (op.status, op.http_status) == ("Succeeded", 200)


def test_a_deployment_not_started_ends_suspended(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1", start=False)
    clock.advance(5)
    sub.settle()
    dep = sub.deployment_by_slot("svc", "Production")
    assert dep.status == "Suspended"
    assert {i.status for i in dep.instances} == {"StoppedVM"}


def test_exclusive_access_while_an_operation_runs(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1")
    err = _fault(sub.update_deployment_status, "op2", "svc", "v1", "Suspended")
    assert err.status == 409 and "requires exclusive access" in err.message
    clock.advance(1.0)
    sub.settle()
    sub.update_deployment_status("op2", "svc", "v1", "Suspended")
    clock.advance(1.0)
    sub.settle()
    assert sub.deployment_by_name("svc", "v1").status == "Suspended"


def test_occupied_slot_and_duplicate_name_conflict(state: EmulatorState) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1")
    assert _fault(_deploy, sub, "op2", "v2", "Production").status == 409
    assert _fault(_deploy, sub, "op3", "v1", "staging").status == 409


def test_swap_moves_deployments_between_slots_and_checks_names(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "blue")
    _deploy(sub, "op2", "green", "staging")
    clock.advance(2)
    sub.settle()
    assert _fault(sub.swap_deployment, "op3", "svc", "green", "blue").status == 409
    sub.swap_deployment("op3", "svc", "blue", "green")
    assert sub.deployment_by_slot("svc", "Production").name == "green"
    assert sub.deployment_by_slot("svc", "Staging").name == "blue"
    assert sub.deployment_by_name("svc", "green").url == "http://svc.cloudapp.net/"
    assert _fault(sub.delete_deployment, "op4", "svc", "blue").status == 409  # the swap holds both
    clock.advance(1)
    sub.settle()
    sub.delete_deployment("op4", "svc", "blue")
    assert sub.deployment_by_name("svc", "blue").status == "Deleting"
    clock.advance(1)
    sub.settle()
    assert _fault(sub.deployment_by_slot, "svc", "Staging").status == 404
    _deploy(sub, "op5", "teal", "staging")  # the slot is free again


def test_delete_hosted_service_with_deployments_conflicts(state: EmulatorState) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1")
    assert _fault(sub.delete_hosted_service, "r", "svc", False).status == 409


def test_failed_operation_undoes_the_create(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    state.doomed["op1"] = (500, "InternalError", "boom")
    _deploy(sub, "op1", "v1")
    clock.advance(2)
    sub.settle()
    op = sub.operation("op1")
    assert (op.status, op.http_status, op.error_code) == ("Failed", 500, "InternalError")
    assert _fault(sub.deployment_by_slot, "svc", "Production").status == 404


def test_storage_names_and_lifecycle(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    for bad in ("ab", "UPPER", "has-dash", "x" * 25):
        assert _fault(sub.create_storage_account, "r", bad, "l", None, "West US", None, "Standard_GRS", {}).status == 400
    sub.create_storage_account("op1", "mystor", "l", None, "West US", None, "Standard_GRS", {})
    assert sub.storage_account("mystor").status == "Creating"
    err = _fault(state.subscription("b").create_storage_account, "r", "mystor", "l", None, "West US", None,
                 "Standard_LRS", {})  # fmt: skip
    assert err.status == 409
    clock.advance(1)
    sub.settle()
    assert sub.storage_account("mystor").status == "Created"
    sub.delete_storage_account("r3", "mystor")
    err = _fault(sub.storage_account, "mystor")
    assert (err.status, err.message) == (404, "The storage account 'mystor' was not found.")


def test_affinity_group_in_use_cannot_be_deleted(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    sub.create_affinity_group("r1", "ag", "l", None, "Japan West")
    sub.create_storage_account("op1", "agstor", "l", None, None, "ag", "Standard_GRS", {})
    services, storage = sub.affinity_members("ag")
    assert storage == []  # still being created: the service did not list it yet either
    assert _fault(sub.delete_affinity_group, "r2", "ag").status == 409
    clock.advance(1)
    sub.settle()
    assert [a.name for a in sub.affinity_members("ag")[1]] == ["agstor"]
    assert sub.storage_account("agstor").geo_primary == "Japan West"
    sub.delete_storage_account("r3", "agstor")
    sub.delete_affinity_group("r4", "ag")
    assert _fault(sub.affinity_group, "ag").message == "The affinity group does not exist."


def test_os_images(state: EmulatorState) -> None:
    sub = _sub(state)
    name = "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS-amd64-server-20140927-en-us-30GB"
    assert sub.os_image(name).category == "Public"
    assert _fault(sub.delete_os_image, "r", name).status == 400
    sub.add_os_image("r1", "my label", "http://a/b.vhd", "mine", "Linux")
    assert _fault(sub.add_os_image, "r2", "x", "http://a/b.vhd", "mine", "Linux").status == 409
    assert sub.os_image("mine").label == "my label"
    sub.delete_os_image("r3", "mine")
    assert _fault(sub.os_image, "mine").message == "The image with the specified name does not exist."


def test_synchronous_requests_register_a_succeeded_operation(state: EmulatorState) -> None:
    sub = _sub(state)
    _service(sub)
    op = sub.operation("rsvc")
    assert (op.status, op.http_status) == ("Succeeded", 200)  # 200 in the poll even though the create said 201
    assert _fault(sub.operation, "0" * 32).status == 404


def test_reset_forgets_everything(state: EmulatorState) -> None:
    _service(_sub(state))
    state.reset()
    assert _sub(state).services == {}


def test_change_configuration_grows_instances_keeping_the_old_ones(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1")
    clock.advance(2)
    sub.settle()
    sub.change_deployment_configuration("op2", "svc", "v1", "<new/>", [RoleSpec("WebRole1", 4)], {"k": "v"})
    dep = sub.deployment_by_name("svc", "v1")
    assert dep.status == "RunningTransitioning" and dep.configuration == "<new/>"
    assert [i.status for i in dep.instances] == ["ReadyRole", "ReadyRole", "CreatingVM", "CreatingVM"]
    clock.advance(2)
    sub.settle()
    assert dep.status == "Running" and {i.status for i in dep.instances} == {"ReadyRole"}
    assert dep.extended_properties == {"k": "v"}


def test_delete_hosted_service_complete_takes_its_deployments(state: EmulatorState, clock: FakeClock) -> None:
    sub = _sub(state)
    _service(sub)
    _deploy(sub, "op1", "v1")
    assert _fault(sub.delete_hosted_service, "r1", "svc", True).status == 409  # still busy deploying
    clock.advance(2)
    sub.settle()
    sub.delete_hosted_service("r2", "svc", True)
    assert "svc" not in sub.services
