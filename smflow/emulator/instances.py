"""Role instances: reboot, reimage, rebuild and delete, one operation each.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. Each operation claims the deployment
(a second write meanwhile is the usual 409 "requires exclusive access") and moves the instances it
names through the phases of ``operations.INSTANCE_PHASES`` (a reboot: RestartingRole →
StartingRole → BusyRole → ReadyRole; a reimage or rebuild also stops and recreates the VM); a
delete ends with the instances gone. Only cloud-service instances are acted on this way; a VM's
instance is its role (shutdown_role and restart_role).
"""

from __future__ import annotations

from smflow.emulator.deployments import claim, find_deployment, release
from smflow.emulator.operations import phase_at
from smflow.emulator.resources import AsmFault, Deployment, Operation
from smflow.emulator.subscription import SubscriptionBase

__all__ = ["KINDS", "RoleInstanceRules", "complete", "progress"]

KINDS = frozenset({"reboot_role_instance", "reimage_role_instance", "rebuild_role_instance", "delete_role_instances"})
_SEP = "\n"  # instance names cannot hold a newline


def _instance_fault(name: str) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"The role instance {name} was not found in the deployment.")


class RoleInstanceRules(SubscriptionBase):
    def role_instance_operation(self, request_id: str, kind: str, service: str, name: str, instances: list[str]) -> None:
        """Start ``kind`` on the named instances of deployment ``name``."""
        dep = self.deployment_by_name(service, name)
        known = {i.instance_name: i for i in dep.instances}
        if not instances:
            raise AsmFault(400, "BadRequest", "At least one role instance name must be specified.")
        for inst in instances:
            if inst not in known:
                raise _instance_fault(inst)
        if dep.is_vm:
            raise AsmFault(400, "BadRequest", "This operation applies to cloud service role instances, not virtual machines.")
        if kind == "delete_role_instances":
            _check_each_role_keeps_one(dep, set(instances))
        claim(dep, request_id)
        self.start(request_id, kind, service=service, deployment=name, instances=_SEP.join(instances))


def _check_each_role_keeps_one(dep: Deployment, doomed: set[str]) -> None:
    for role in dep.roles:
        left = [i for i in dep.instances if i.role_name == role.name and i.instance_name not in doomed]
        if not left:
            raise AsmFault(400, "BadRequest", f"The role {role.name} must keep at least one instance.")


def _named(dep: Deployment, op: Operation) -> list[str]:
    return op.params.get("instances", "").split(_SEP)


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    found = find_deployment(sub, op)
    if found is None:
        return
    dep = found[1]
    names = set(_named(dep, op))
    for inst in dep.instances:
        if inst.instance_name in names:
            inst.status, inst.power_state = phase_at(op.kind, fraction)


def complete(sub: SubscriptionBase, op: Operation) -> None:
    """Succeeded: the instances are ReadyRole again (or gone); Failed: they come back as they were."""
    dep = release(sub, op)
    if dep is None:
        return
    names = set(_named(dep, op))
    if op.kind == "delete_role_instances" and op.status != "Failed":
        dep.instances = [i for i in dep.instances if i.instance_name not in names]
        return
    running = dep.status.startswith("Running")
    for inst in dep.instances:
        if inst.instance_name in names:
            inst.status, inst.power_state = ("ReadyRole", "Started") if running else ("StoppedVM", "Stopped")
