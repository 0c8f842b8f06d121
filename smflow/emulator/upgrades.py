"""In-place upgrades: a new package walked over the upgrade domains, and their rollback.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. Each role's instances are spread
round-robin over the deployment's upgrade domains (``upgradeDomainCount``, default 5, fewer when
a role has fewer instances). ``upgrade_deployment`` sets the new label and configuration at once
and records an ``Upgrade``; its instances then move to the new package domain by domain:

- **Auto**: one operation walks domain 0, then 1, ... (one walk's time each);
- **Manual**: the operation only accepts the upgrade (``UpgradeStatus`` domain 0, ``Before``);
  each ``walk_upgrade_domain(n)`` then upgrades domain ``n`` alone, and domain ``n + 1`` stays
  untouched until it is walked;
- **Simultaneous**: one walk's time, every domain at once.

While a domain is walked its instances go StoppingRole → StoppedVM → StartingVM → BusyRole →
ReadyRole; the deployment stays Running. After the last domain the upgrade ends (no
``UpgradeStatus``). A second upgrade or configuration change meanwhile is a 409 ConflictError.
``rollback_update_or_upgrade`` cancels the walk under way (what it did so far stays done) and walks
the instances that already run the new package back to the previous one, Auto or Manual like an
upgrade, restoring the label and configuration at once. A deployment created from a different
instance count keeps the new count after a rollback (the emulator only moves packages).
"""

from __future__ import annotations

from smflow.emulator.deployments import (
    RoleSpec,
    claim,
    find_deployment,
    instances_for,
    refuse_during_upgrade,
    release,
    roles_for,
)
from smflow.emulator.operations import duration, phase_at
from smflow.emulator.resources import AsmFault, Deployment, Operation, RoleInstance, Upgrade
from smflow.emulator.subscription import EXCLUSIVE_ACCESS, SubscriptionBase

__all__ = ["KINDS", "NOTHING_TO_ROLL_BACK", "UpgradeRules", "complete", "progress"]

KINDS = frozenset({"upgrade_deployment", "walk_upgrade_domain", "rollback_update_or_upgrade"})
NOTHING_TO_ROLL_BACK = "There is no upgrade or configuration change of this deployment to roll back."
MODES = ("Auto", "Manual", "Simultaneous")


def _to_move(dep: Deployment, up: Upgrade) -> list[str]:
    """The instances a pass moves: the upgraded role's (or all); a rollback only those already upgraded."""
    return [
        i.instance_name for i in dep.instances
        if (up.role is None or i.role_name == up.role) and (not up.rolling_back or i.package_url == up.previous_package_url)
    ]  # fmt: skip


def _targeted(up: Upgrade, inst: RoleInstance) -> bool:
    return inst.instance_name in up.moving


def _walk_time(sub: SubscriptionBase) -> float:
    return duration("walk_upgrade_domain", sub.owner.latency)


class UpgradeRules(SubscriptionBase):
    def upgrade_deployment(
        self,
        request_id: str,
        service: str,
        name: str,
        mode: str,
        package_url: str,
        configuration: str,
        label: str,
        roles: list[RoleSpec],
        role_to_upgrade: str | None,
        extended_properties: dict[str, str],
    ) -> None:
        if mode not in MODES:
            raise AsmFault(400, "BadRequest", f"The upgrade mode '{mode}' is not valid; use Auto, Manual or Simultaneous.")
        dep = self.deployment_by_name(service, name)
        if dep.is_vm:
            raise AsmFault(400, "BadRequest", "An in-place upgrade applies to cloud service roles, not virtual machines.")
        if role_to_upgrade is not None and role_to_upgrade not in {r.name for r in dep.roles}:
            raise AsmFault(400, "BadRequest", f"The role {role_to_upgrade} does not exist in deployment {name}.")
        refuse_during_upgrade(dep)
        claim(dep, request_id)
        running = dep.status.startswith("Running")
        old = {(i.role_name, i.instance_name): i for i in dep.instances}
        fresh = instances_for(roles, "ReadyRole" if running else "StoppedVM", "Started" if running else "Stopped",
                              dep.upgrade_domain_count, package_url)  # fmt: skip
        dep.instances = [old.get((i.role_name, i.instance_name), i) for i in fresh]
        dep.roles = roles_for(roles)
        dep.upgrade = Upgrade(
            mode, dep.upgrade_domains(), package_url, label, configuration, dep.package_url, dep.label,
            dep.configuration, role=role_to_upgrade, state="Before" if mode == "Manual" else "During",
        )  # fmt: skip
        dep.upgrade.moving = _to_move(dep, dep.upgrade)
        dep.package_url, dep.label, dep.configuration = package_url, label, configuration
        dep.extended_properties.update(extended_properties)
        self._start_pass(request_id, "upgrade_deployment", service, dep)

    def walk_upgrade_domain(self, request_id: str, service: str, name: str, domain: int) -> None:
        dep = self.deployment_by_name(service, name)
        up = dep.upgrade
        if up is None or up.mode != "Manual":
            raise AsmFault(400, "BadRequest", "There is no manual upgrade or rollback of this deployment to walk.")
        if dep.busy_op is not None:
            raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS)
        if domain != up.domain:
            raise AsmFault(
                400, "BadRequest", f"Upgrade domain {domain} cannot be walked now; the next domain to walk is {up.domain}."
            )
        claim(dep, request_id)
        up.state = "During"
        self.start(request_id, "walk_upgrade_domain", service=service, deployment=name, domain=str(domain))

    def rollback_update_or_upgrade(self, request_id: str, service: str, name: str, mode: str) -> None:
        if mode not in ("Auto", "Manual"):
            raise AsmFault(400, "BadRequest", f"The rollback mode '{mode}' is not valid; use Auto or Manual.")
        dep = self.deployment_by_name(service, name)
        up = dep.upgrade
        if up is None or up.rolling_back:
            raise AsmFault(409, "ConflictError", NOTHING_TO_ROLL_BACK)
        if dep.busy_op is not None:
            running = self.pending.get(dep.busy_op)
            if running is None or running.kind not in KINDS:
                raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS)
            self._cancel(running, dep)
        up.rolling_back = True
        up.mode, up.domain, up.state = mode, 0, "Before" if mode == "Manual" else "During"
        up.package_url, up.previous_package_url = up.previous_package_url, up.package_url
        up.label, up.previous_label = up.previous_label, up.label
        up.configuration, up.previous_configuration = up.previous_configuration, up.configuration
        dep.package_url, dep.label, dep.configuration = up.package_url, up.label, up.configuration
        up.moving = _to_move(dep, up)
        claim(dep, request_id)
        self._start_pass(request_id, "rollback_update_or_upgrade", service, dep)

    def _start_pass(self, request_id: str, kind: str, service: str, dep: Deployment) -> None:
        """Start an upgrade or rollback pass: Auto walks every domain in turn, Simultaneous all at
        once, Manual only accepts it (the walks come from walk_upgrade_domain)."""
        up = dep.upgrade
        assert up is not None
        op = self.start(request_id, kind, service=service, deployment=dep.name)
        if up.mode == "Auto":
            op.ends = op.started + _walk_time(self) * up.domain_count
        elif up.mode == "Simultaneous":
            op.ends = op.started + _walk_time(self)

    def _cancel(self, running: Operation, dep: Deployment) -> None:
        """A rollback stops the walk under way where it is: that operation ends (Succeeded) now, and
        its instances come back up on whichever package they had reached."""
        del self.pending[running.id]
        running.status, running.http_status, running.ends = "Succeeded", 200, self.now()
        dep.busy_op = None
        for inst in dep.instances:
            if inst.status != "ReadyRole" and dep.status.startswith("Running"):
                inst.status, inst.power_state = "ReadyRole", "Started"


def _move(inst: RoleInstance, up: Upgrade, fraction: float) -> None:
    """Walk one instance ``fraction`` of the way; past the stop it already runs the new package."""
    inst.status, inst.power_state = phase_at("walk", fraction)
    if inst.status != "StoppingRole":
        inst.package_url = up.package_url


def _finish(inst: RoleInstance, up: Upgrade) -> None:
    inst.package_url = up.package_url
    inst.status, inst.power_state = "ReadyRole", "Started"


def _domain(dep: Deployment, up: Upgrade, domain: int) -> list[RoleInstance]:
    return [i for i in dep.instances if i.upgrade_domain == domain and _targeted(up, i)]


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    """Move instances along while a pass or a walk runs (only what a poller can observe)."""
    found = find_deployment(sub, op)
    if found is None or found[1].upgrade is None:
        return
    dep = found[1]
    up = dep.upgrade
    assert up is not None
    if op.kind == "walk_upgrade_domain":
        for inst in _domain(dep, up, int(op.params["domain"])):
            _move(inst, up, fraction)
    elif up.mode == "Simultaneous":
        for inst in dep.instances:
            if _targeted(up, inst):
                _move(inst, up, fraction)
    elif up.mode == "Auto":
        step = fraction * up.domain_count
        current = min(int(step), up.domain_count - 1)
        for d in range(current):
            for inst in _domain(dep, up, d):
                _finish(inst, up)
        for inst in _domain(dep, up, current):
            _move(inst, up, step - current)
        up.domain, up.state = current, "During"


def complete(sub: SubscriptionBase, op: Operation) -> None:
    """End of a pass or a walk: the walked domains run the new package; a Failed walk is undone."""
    dep = release(sub, op)
    if dep is None:
        return
    up = dep.upgrade
    if up is None:
        return
    if op.status == "Failed":
        _undo(dep, up, op)
        return
    if op.kind == "walk_upgrade_domain":
        for inst in _domain(dep, up, int(op.params["domain"])):
            _finish(inst, up)
        up.domain, up.state = up.domain + 1, "Before"
        if up.domain >= up.domain_count:
            dep.upgrade = None
    elif up.mode != "Manual":
        for inst in dep.instances:
            if _targeted(up, inst):
                _finish(inst, up)
        dep.upgrade = None


def _undo(dep: Deployment, up: Upgrade, op: Operation) -> None:
    """A walk that Failed leaves its domain on the package it had; a pass that Failed to start
    leaves the deployment as it was before it."""
    if op.kind == "walk_upgrade_domain":
        for inst in _domain(dep, up, int(op.params["domain"])):
            inst.package_url = up.previous_package_url
            inst.status, inst.power_state = "ReadyRole", "Started"
        up.state = "Before"
        return
    for inst in dep.instances:
        if _targeted(up, inst):
            inst.package_url = up.previous_package_url
            inst.status, inst.power_state = "ReadyRole", "Started"
    dep.package_url, dep.label, dep.configuration = up.previous_package_url, up.previous_label, up.previous_configuration
    dep.upgrade = None
