"""VM power: shutdown, start and restart of the roles of a VM deployment (one or several at once).

A mixin of ``state.Subscription`` over ``SubscriptionBase``. In a VM deployment a role's one
instance *is* the VM, so these act on the instances of the named roles. Each claims the
deployment (a second write meanwhile is the usual 409) and moves the instances through
``PHASES``; a shutdown ends StoppedVM/Stopped, or StoppedDeallocated/Stopped when the compute is
released, a start or restart ReadyRole/Started, while the deployment's own ``Status`` stays
Running throughout [REC]. A failed operation leaves the instances as they were before it.
"""

from __future__ import annotations

from smflow.emulator.deployments import claim, find_deployment, release
from smflow.emulator.resources import AsmFault, Operation
from smflow.emulator.subscription import SubscriptionBase

__all__ = ["KINDS", "PHASES", "VmPowerRules", "complete", "progress"]

SHUTDOWN, START, RESTART = "shutdown_role", "start_role", "restart_role"
# the plural operations act the same way on several roles
_SAME = {"shutdown_roles": SHUTDOWN, "start_roles": START}
KINDS = frozenset({SHUTDOWN, START, RESTART, *_SAME})
POST_SHUTDOWN_ACTIONS = ("Stopped", "StoppedDeallocated")

# (InstanceStatus, PowerState) an instance goes through, in equal shares of the operation's time
PHASES: dict[str, tuple[tuple[str, str], ...]] = {
    SHUTDOWN: (("StoppingVM", "Started"), ("StoppingVM", "Stopping")),
    START: (("StartingVM", "Starting"), ("Provisioning", "Started"), ("BusyRole", "Started")),
    RESTART: (("RestartingRole", "Started"), ("StartingVM", "Starting"), ("BusyRole", "Started")),
}
_SEP = "\n"  # role names cannot hold a newline or a tab
_STOPPED = ("StoppedVM", "StoppedDeallocated")


def _role_fault(name: str) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"Role {name} was not found in the currently deployed service.")


class VmPowerRules(SubscriptionBase):
    def vm_power_operation(
        self, request_id: str, kind: str, service: str, name: str, roles: list[str], post_shutdown_action: str = ""
    ) -> None:
        """Start ``kind`` on the VMs (roles) ``roles`` of deployment ``name``."""
        dep = self.deployment_by_name(service, name)
        if not roles:
            raise AsmFault(400, "BadRequest", "At least one role name must be specified.")
        known = {r.name for r in dep.roles if r.role_type}
        for role in roles:
            if role not in known:
                raise _role_fault(role)
        if not dep.is_vm:
            raise AsmFault(400, "BadRequest", "This operation applies to virtual machines, not cloud service roles.")
        action = _SAME.get(kind, kind)
        if action == SHUTDOWN and post_shutdown_action not in POST_SHUTDOWN_ACTIONS:
            raise AsmFault(400, "BadRequest",
                           f"The PostShutdownAction '{post_shutdown_action}' is not valid; use Stopped or StoppedDeallocated.")
        if action == RESTART:
            for inst in dep.instances:
                if inst.role_name in roles and inst.status in _STOPPED:
                    raise AsmFault(409, "ConflictError", f"The role {inst.role_name} is stopped: start it, not restart it.")
        claim(dep, request_id)
        was = _SEP.join(f"{i.instance_name}\t{i.status}\t{i.power_state}" for i in dep.instances if i.role_name in roles)
        self.start(request_id, kind, service=service, deployment=name, roles=_SEP.join(roles),
                   post_shutdown_action=post_shutdown_action, was=was)


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    found = find_deployment(sub, op)
    if found is None:
        return
    phases = PHASES[_SAME.get(op.kind, op.kind)]
    phase = phases[min(int(max(fraction, 0.0) * len(phases)), len(phases) - 1)]
    for inst in found[1].instances:
        if inst.role_name in op.params.get("roles", "").split(_SEP):
            inst.status, inst.power_state = phase


def complete(sub: SubscriptionBase, op: Operation) -> None:
    """Succeeded: stopped (or deallocated), or ReadyRole; Failed: as they were before the operation."""
    dep = release(sub, op)
    if dep is None:
        return
    roles = set(op.params.get("roles", "").split(_SEP))
    if op.status == "Failed":
        before: dict[str, tuple[str, str]] = {}
        for line in op.params.get("was", "").split(_SEP):
            if line:
                inst_name, status, power = line.split("\t")
                before[inst_name] = (status, power)
        for inst in dep.instances:
            if inst.instance_name in before:
                inst.status, inst.power_state = before[inst.instance_name]
        return
    if _SAME.get(op.kind, op.kind) == SHUTDOWN:
        final = ("StoppedDeallocated" if op.params.get("post_shutdown_action") == "StoppedDeallocated" else "StoppedVM",
                 "Stopped")
    else:
        final = ("ReadyRole", "Started")
    for inst in dep.instances:
        if inst.role_name in roles:
            inst.status, inst.power_state = final
