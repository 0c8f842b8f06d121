"""In-place upgrades and role-instance operations, instance by instance, on a fake clock (no HTTP)."""

from __future__ import annotations

import pytest

from smflow.emulator.deployments import RoleSpec
from smflow.emulator.operations import duration
from smflow.emulator.resources import AsmFault, Deployment
from smflow.emulator.state import EmulatorState, Subscription

from .conftest import FakeClock

V1, V2 = "http://p/v1.cspkg", "http://p/v2.cspkg"
ROLES = [RoleSpec("WebRole1", 4), RoleSpec("WorkerRole1", 2)]
WALK = duration("walk_upgrade_domain", 1.0)


@pytest.fixture
def sub(state: EmulatorState, clock: FakeClock) -> Subscription:
    s = state.subscription("sub")
    s.create_hosted_service("r0", "svc", "svc", None, "West US", None, {})
    s.create_deployment("r1", "svc", "production", "d", V1, "v1", "<cfg-v1/>", ROLES, True, {},
                        upgrade_domain_count=3)  # fmt: skip
    clock.advance(10)
    s.settle()
    return s


def _dep(sub: Subscription) -> Deployment:
    return sub.deployment_by_name("svc", "d")


def _packages(sub: Subscription) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for i in _dep(sub).instances:
        out.setdefault(i.upgrade_domain, set()).add(i.package_url)
    return out


def _statuses(sub: Subscription, domain: int) -> set[str]:
    return {i.status for i in _dep(sub).instances if i.upgrade_domain == domain}


def _upgrade(sub: Subscription, mode: str, rid: str = "u1", role: str | None = None) -> None:
    sub.upgrade_deployment(rid, "svc", "d", mode, V2, "<cfg-v2/>", "v2", ROLES, role, {})


def _settle(sub: Subscription, clock: FakeClock, seconds: float) -> None:
    clock.advance(seconds)
    sub.settle()


def test_instances_are_spread_over_the_configured_upgrade_domains(sub: Subscription) -> None:
    dep = _dep(sub)
    assert dep.upgrade_domains() == 3
    assert [(i.instance_name, i.upgrade_domain) for i in dep.instances] == [
        ("WebRole1_IN_0", 0), ("WebRole1_IN_1", 1), ("WebRole1_IN_2", 2), ("WebRole1_IN_3", 0),
        ("WorkerRole1_IN_0", 0), ("WorkerRole1_IN_1", 1),
    ]
    assert _packages(sub) == {0: {V1}, 1: {V1}, 2: {V1}}


def test_manual_mode_waits_for_each_walk_and_leaves_later_domains_untouched(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Manual")
    _settle(sub, clock, 60)
    up = _dep(sub).upgrade
    assert up is not None and (up.mode, up.domain, up.state) == ("Manual", 0, "Before")
    assert (_dep(sub).label, _dep(sub).configuration) == ("v2", "<cfg-v2/>")  # set at once
    assert _packages(sub) == {0: {V1}, 1: {V1}, 2: {V1}}  # nothing moves without a walk

    sub.walk_upgrade_domain("w0", "svc", "d", 0)
    _settle(sub, clock, WALK * 0.3)
    assert up.state == "During" and _statuses(sub, 0) == {"StoppedVM"}
    assert _statuses(sub, 1) == _statuses(sub, 2) == {"ReadyRole"}
    _settle(sub, clock, WALK)
    assert _packages(sub) == {0: {V2}, 1: {V1}, 2: {V1}}
    assert (up.domain, up.state) == (1, "Before") and _dep(sub).busy_op is None

    _settle(sub, clock, 600)  # however long nobody walks, domain 1 stays on v1
    assert _packages(sub) == {0: {V2}, 1: {V1}, 2: {V1}} and _statuses(sub, 1) == {"ReadyRole"}
    with pytest.raises(AsmFault) as wrong:
        sub.walk_upgrade_domain("w2", "svc", "d", 2)
    assert wrong.value.status == 400 and "the next domain to walk is 1" in wrong.value.message

    sub.walk_upgrade_domain("w1", "svc", "d", 1)
    _settle(sub, clock, WALK + 1)
    sub.walk_upgrade_domain("w2", "svc", "d", 2)
    _settle(sub, clock, WALK + 1)
    assert _packages(sub) == {0: {V2}, 1: {V2}, 2: {V2}}
    assert _dep(sub).upgrade is None  # over: no UpgradeStatus any more


def test_auto_mode_walks_the_domains_in_order_over_time(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Auto")
    _settle(sub, clock, WALK * 1.5)
    up = _dep(sub).upgrade
    assert up is not None and (up.domain, up.state) == (1, "During")
    assert _packages(sub)[0] == {V2} and _statuses(sub, 0) == {"ReadyRole"}
    assert _packages(sub)[2] == {V1} and _statuses(sub, 2) == {"ReadyRole"}
    assert _statuses(sub, 1) != {"ReadyRole"}
    _settle(sub, clock, WALK * 2)
    assert _packages(sub) == {0: {V2}, 1: {V2}, 2: {V2}} and _dep(sub).upgrade is None
    assert {i.status for i in _dep(sub).instances} == {"ReadyRole"} and _dep(sub).status == "Running"


def test_simultaneous_mode_moves_every_domain_at_once(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Simultaneous")
    _settle(sub, clock, WALK * 0.5)
    assert all(_statuses(sub, d) != {"ReadyRole"} for d in range(3))
    _settle(sub, clock, WALK)
    assert _packages(sub) == {0: {V2}, 1: {V2}, 2: {V2}} and _dep(sub).upgrade is None


def test_role_to_upgrade_moves_that_role_only(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Auto", role="WorkerRole1")
    _settle(sub, clock, WALK * 4)
    assert {i.package_url for i in _dep(sub).instances if i.role_name == "WorkerRole1"} == {V2}
    assert {i.package_url for i in _dep(sub).instances if i.role_name == "WebRole1"} == {V1}
    with pytest.raises(AsmFault) as missing:
        _upgrade(sub, "Auto", rid="u2", role="NoSuchRole")
    assert missing.value.status == 400


def test_a_second_upgrade_or_config_change_is_refused_while_one_is_under_way(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Manual")
    _settle(sub, clock, 60)
    for attempt in (lambda: _upgrade(sub, "Auto", rid="u2"),
                    lambda: sub.change_deployment_configuration("c1", "svc", "d", "<c/>", ROLES, {})):
        with pytest.raises(AsmFault) as refused:
            attempt()
        assert (refused.value.status, refused.value.code) == (409, "ConflictError")
        assert "in progress" not in refused.value.message  # not a busy 409: waiting would not end it


def test_manual_rollback_restores_the_old_package_label_and_configuration(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Manual")
    _settle(sub, clock, 60)
    sub.walk_upgrade_domain("w0", "svc", "d", 0)
    _settle(sub, clock, WALK + 1)
    assert _packages(sub) == {0: {V2}, 1: {V1}, 2: {V1}}
    sub.rollback_update_or_upgrade("rb", "svc", "d", "Manual")
    _settle(sub, clock, 60)
    up = _dep(sub).upgrade
    assert up is not None and up.rolling_back and (up.domain, up.state) == (0, "Before")
    assert (_dep(sub).label, _dep(sub).configuration) == ("v1", "<cfg-v1/>")
    for n in range(3):
        sub.walk_upgrade_domain(f"r{n}", "svc", "d", n)
        _settle(sub, clock, WALK + 1)
    assert _packages(sub) == {0: {V1}, 1: {V1}, 2: {V1}} and _dep(sub).upgrade is None
    with pytest.raises(AsmFault) as nothing:
        sub.rollback_update_or_upgrade("rb2", "svc", "d", "Auto")
    assert nothing.value.status == 409


def test_auto_rollback_cancels_the_walk_under_way(sub: Subscription, clock: FakeClock) -> None:
    _upgrade(sub, "Auto")
    _settle(sub, clock, WALK * 1.5)  # domain 0 done, domain 1 half-way
    sub.rollback_update_or_upgrade("rb", "svc", "d", "Auto")
    assert sub.operations["u1"].status == "Succeeded"  # the upgrade's operation ends where it was
    rolling = _dep(sub).upgrade
    assert rolling is not None and rolling.rolling_back
    _settle(sub, clock, WALK * 4)
    assert _packages(sub) == {0: {V1}, 1: {V1}, 2: {V1}} and _dep(sub).upgrade is None
    assert {i.status for i in _dep(sub).instances} == {"ReadyRole"}


def test_reboot_moves_one_instance_and_locks_the_deployment(sub: Subscription, clock: FakeClock) -> None:
    sub.role_instance_operation("rb", "reboot_role_instance", "svc", "d", ["WebRole1_IN_1"])
    _settle(sub, clock, 0.01)
    by_name = {i.instance_name: i.status for i in _dep(sub).instances}
    assert by_name["WebRole1_IN_1"] == "RestartingRole"
    assert {s for n, s in by_name.items() if n != "WebRole1_IN_1"} == {"ReadyRole"}
    with pytest.raises(AsmFault) as busy:
        sub.role_instance_operation("rb2", "reimage_role_instance", "svc", "d", ["WebRole1_IN_0"])
    assert busy.value.status == 409 and "exclusive access" in busy.value.message
    _settle(sub, clock, duration("reboot_role_instance", 1.0))
    assert {i.status for i in _dep(sub).instances} == {"ReadyRole"} and _dep(sub).busy_op is None


def test_delete_role_instances_removes_them_but_keeps_one_per_role(sub: Subscription, clock: FakeClock) -> None:
    with pytest.raises(AsmFault) as last:
        sub.role_instance_operation("d0", "delete_role_instances", "svc", "d", ["WorkerRole1_IN_0", "WorkerRole1_IN_1"])
    assert last.value.status == 400
    with pytest.raises(AsmFault) as unknown:
        sub.role_instance_operation("d1", "rebuild_role_instance", "svc", "d", ["Nope_IN_9"])
    assert unknown.value.status == 404
    sub.role_instance_operation("d2", "delete_role_instances", "svc", "d", ["WebRole1_IN_3"])
    _settle(sub, clock, duration("delete_role_instances", 1.0) + 0.1)
    assert "WebRole1_IN_3" not in {i.instance_name for i in _dep(sub).instances}
    assert len(_dep(sub).instances) == 5
