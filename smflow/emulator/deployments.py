"""Deployment rules: two slots per hosted service, exclusive access while an operation runs.

A mixin of ``state.Subscription`` over ``SubscriptionBase``.
Every write on a deployment claims it for the length of its operation; a second write meanwhile
is refused with the service's 409 "…requires exclusive access" (the fix in practice: wait and
retry). Completion and progress are applied by ``Subscription.settle`` through ``progress`` and
``complete`` below, so the states a poller sees follow the recordings: RunningTransitioning →
Running (or Suspended when not started), instances CreatingVM → StartingVM → ReadyRole.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from smflow.emulator.operations import instance_phase, settled_phase, transitioning_status
from smflow.emulator.resources import (
    AsmFault,
    DataDisk,
    Deployment,
    Endpoint,
    HostedService,
    Operation,
    Role,
    RoleInstance,
)
from smflow.emulator.subscription import EXCLUSIVE_ACCESS, SubscriptionBase, new_private_id, utc_now

__all__ = [
    "UPGRADE_UNDER_WAY", "DeploymentRules", "RoleSpec", "claim", "complete", "find_deployment", "instances_for", "release",
    "progress", "refuse_during_upgrade", "roles_for",
]

SLOTS = {"production": "Production", "staging": "Staging"}
UPGRADE_UNDER_WAY = (
    "An upgrade or configuration change of this deployment is under way; walk its remaining upgrade domains "
    "or roll it back first."
)
_ip_counter = itertools.count(1)


@dataclass(frozen=True)
class RoleSpec:
    """A role to create: from a ServiceConfiguration (name, count) or a VM deployment body."""

    name: str
    count: int = 1
    os_version: str = "WA-GUEST-OS-2.40_201506-01"
    role_type: str | None = None
    vm_image_name: str | None = None
    os_disk_media_link: str | None = None
    os_disk_source_image: str | None = None
    os_disk_os: str | None = None
    role_size: str | None = None
    host_name: str | None = None
    # what a VM role body carries besides, kept so get_role returns it (vm_body.py)
    os_disk_name: str | None = None
    os_disk_label: str | None = None
    os_disk_size_gb: int = 30
    endpoints: tuple[Endpoint, ...] = ()
    subnet_names: tuple[str, ...] = ()
    availability_set_name: str | None = None
    data_disks: tuple[DataDisk, ...] = ()


def canonical_slot(slot: str) -> str:
    """'production'/'PRODUCTION' → 'Production' (responses always use the capitalised form)."""
    canon = SLOTS.get(slot.lower())
    if canon is None:
        raise AsmFault(400, "BadRequest", f"The deployment slot '{slot}' is not valid; use production or staging.")
    return canon


def _ip() -> str:
    n = next(_ip_counter)
    return f"100.{72 + n // 65536 % 100}.{n // 256 % 256}.{n % 256}"


def instances_for(
    roles: list[RoleSpec], status: str, power: str, domains: int = 5, package_url: str = ""
) -> list[RoleInstance]:
    """Each role's instances, spread round-robin over ``domains`` upgrade domains and two fault domains."""
    out = []
    for role in roles:
        for i in range(role.count):
            name = role.name if role.role_type else f"{role.name}_IN_{i}"
            out.append(RoleInstance(role.name, name, status, i % max(domains, 1), i % 2, _ip(), power,
                                    host_name=role.host_name, package_url=package_url))
    return out


def roles_for(specs: list[RoleSpec]) -> list[Role]:
    return [
        Role(
            s.name,
            s.os_version if not s.role_type else "",
            role_type=s.role_type,
            vm_image_name=s.vm_image_name,
            os_disk_name=(s.os_disk_name or f"{s.name}-{s.name}-0-disk") if s.role_type else None,
            os_disk_media_link=s.os_disk_media_link,
            os_disk_source_image=s.os_disk_source_image,
            os_disk_os=s.os_disk_os,
            role_size=s.role_size,
            host_name=s.host_name,
            os_disk_label=s.os_disk_label,
            os_disk_size_gb=s.os_disk_size_gb,
            endpoints=list(s.endpoints),
            subnet_names=list(s.subnet_names),
            availability_set_name=s.availability_set_name,
            data_disks=list(s.data_disks),
        )
        for s in specs
    ]


def _url(service: str, slot: str, private_id: str) -> str:
    return f"http://{service if slot == 'Production' else private_id}.cloudapp.net/"


def refuse_during_upgrade(dep: Deployment) -> None:
    """A second upgrade or configuration change is refused until the one under way ends (walked or
    rolled back). Deliberately not worded as "in progress": waiting would not end it, so clients
    must not retry it as a busy 409."""
    if dep.upgrade is not None:
        raise AsmFault(409, "ConflictError", UPGRADE_UNDER_WAY)


def claim(dep: Deployment, request_id: str) -> None:
    if dep.busy_op is not None:
        raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS)
    dep.busy_op = request_id


def release(sub: SubscriptionBase, op: Operation) -> Deployment | None:
    """The end of an operation that ``claim``-ed its deployment: the deployment is free again and
    modified now. None when the deployment is gone (deleted meanwhile)."""
    found = find_deployment(sub, op)
    if found is None:
        return None
    dep = found[1]
    if dep.busy_op == op.id:
        dep.busy_op = None
    dep.last_modified = utc_now()
    return dep


class DeploymentRules(SubscriptionBase):
    def create_deployment(
        self,
        request_id: str,
        service: str,
        slot: str,
        name: str,
        package_url: str,
        label: str,
        configuration: str,
        roles: list[RoleSpec],
        start: bool,
        extended_properties: dict[str, str],
        *,
        kind: str = "create_deployment",
        upgrade_domain_count: int = 5,
    ) -> None:
        svc = self.service(service)
        slot = canonical_slot(slot)
        if slot in svc.slots:
            raise AsmFault(
                409, "ConflictError", f"There is already a deployment in the {slot} slot of hosted service {service}."
            )
        if any(d.name == name for d in svc.slots.values()):
            raise AsmFault(409, "ConflictError", f"A deployment named {name} already exists in hosted service {service}.")
        private_id = new_private_id()
        now = utc_now()
        vm = kind == "create_virtual_machine_deployment"
        status, power = instance_phase(0.0, start)
        n = next(_ip_counter)
        svc.slots[slot] = Deployment(
            name=name,
            slot=slot,
            private_id=private_id,
            status=transitioning_status(start),
            label=label,
            url=_url(service, slot, private_id),
            configuration=configuration,
            package_url=package_url,
            roles=roles_for(roles),
            instances=instances_for(roles, status, power, upgrade_domain_count, package_url),
            created=now,
            last_modified=now,
            vip=f"23.99.{n // 256 % 256}.{n % 256}",
            extended_properties=dict(extended_properties),
            is_vm=vm,
            busy_op=request_id,
            upgrade_domain_count=upgrade_domain_count,
        )
        self.start(request_id, kind, service=service, deployment=name, running=str(start))

    def change_deployment_configuration(
        self,
        request_id: str,
        service: str,
        name: str,
        configuration: str,
        roles: list[RoleSpec],
        extended_properties: dict[str, str],
    ) -> None:
        dep = self.deployment_by_name(service, name)
        refuse_during_upgrade(dep)
        claim(dep, request_id)
        running = dep.status.startswith("Running")
        old = {(i.role_name, i.instance_name): i for i in dep.instances}
        status, power = instance_phase(0.0, running)
        fresh = instances_for(roles, status, power, dep.upgrade_domain_count, dep.package_url)
        dep.instances = [old.get((i.role_name, i.instance_name), i) for i in fresh]
        dep.roles = roles_for(roles)
        previous = dep.configuration
        dep.configuration = configuration
        dep.extended_properties.update(extended_properties)
        dep.status = transitioning_status(running)
        self.start(
            request_id, "change_deployment_configuration", service=service, deployment=name,
            running=str(running), previous=previous,
        )  # fmt: skip

    def update_deployment_status(self, request_id: str, service: str, name: str, status: str) -> None:
        if status not in ("Running", "Suspended"):
            raise AsmFault(400, "BadRequest", f"The deployment status '{status}' is not valid; use Running or Suspended.")
        dep = self.deployment_by_name(service, name)
        claim(dep, request_id)
        previous = "Running" if dep.status.startswith("Running") else "Suspended"
        dep.status = transitioning_status(status == "Running")
        self.start(
            request_id, "update_deployment_status", service=service, deployment=name,
            running=str(status == "Running"), previous=previous,
        )  # fmt: skip

    def swap_deployment(self, request_id: str, service: str, production: str, source: str) -> None:
        svc = self.service(service)
        prod, stag = svc.slots.get("Production"), svc.slots.get("Staging")
        if stag is None or stag.name != source or (prod is not None and prod.name != production):
            raise AsmFault(
                409,
                "ConflictError",
                "The deployment names in the request do not match the deployments in the production and staging slots.",
            )
        for dep in (prod, stag):
            if dep is not None and dep.busy_op is not None:
                            raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS)
        _swap_slots(svc)
        for dep in (prod, stag):
            if dep is not None:
                dep.busy_op = request_id
        self.start(request_id, "swap_deployment", service=service, deployment=source, other=production)

    def delete_deployment(self, request_id: str, service: str, name: str, delete_vhd: bool = False) -> None:
        """The VMs' disks stay registered (free) once it is gone, or go with their blobs (``comp=media``)."""
        dep = self.deployment_by_name(service, name)
        claim(dep, request_id)
        previous = dep.status
        dep.status = "Deleting"
        self.start(request_id, "delete_deployment", service=service, deployment=name, previous=previous,
                   delete_vhd=str(delete_vhd))


def _swap_slots(svc: HostedService) -> None:
    prod, stag = svc.slots.get("Production"), svc.slots.get("Staging")
    svc.slots = {}
    if stag is not None:
        stag.slot = "Production"
        svc.slots["Production"] = stag
    if prod is not None:
        prod.slot = "Staging"
        svc.slots["Staging"] = prod
    for dep in svc.slots.values():
        dep.url = _url(svc.name, dep.slot, dep.private_id)
    from smflow.emulator.reserved_ips import keep_in_production  # network area; imports this module

    keep_in_production(svc)


def release_disks(sub: SubscriptionBase, svc: HostedService, dep: Deployment, *, keep: bool) -> None:
    """A deleted deployment's VM disks: registered free disks, or gone with their blobs."""
    from smflow.emulator.disks import detach_role_disks  # the disks area imports this module

    for role in dep.roles:
        if role.role_type:
            detach_role_disks(sub, svc.name, role, keep_os=keep, keep_data=keep)


def find_deployment(sub: SubscriptionBase, op: Operation) -> tuple[HostedService, Deployment] | None:
    svc = sub.services.get(op.service or "")
    if svc is None:
        return None
    for dep in svc.slots.values():
        if dep.name == op.deployment:
            return svc, dep
    return None


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    """Move role instances along while an operation runs (only what a poller can observe)."""
    found = find_deployment(sub, op)
    if found is None or op.kind in ("swap_deployment", "delete_deployment"):
        return
    _, dep = found
    running = op.params.get("running") == "True"
    for inst in dep.instances:
        if op.kind == "update_deployment_status":
            inst.status, inst.power_state = ("StartingVM", "Started") if running else ("StoppingVM", "Started")
        elif inst.status in ("CreatingVM", "StartingVM"):
            inst.status, inst.power_state = instance_phase(fraction, running)


def complete(sub: SubscriptionBase, op: Operation) -> None:
    """Apply an operation's end: Succeeded settles the deployment; Failed undoes what it started."""
    found = find_deployment(sub, op)
    if found is None:
        return
    svc, dep = found
    failed = op.status == "Failed"
    running = op.params.get("running") == "True"
    others = [d for d in svc.slots.values() if d.busy_op == op.id]
    for d in others:
        d.busy_op = None
    dep.last_modified = utc_now()
    if op.kind == "delete_deployment":
        if failed:
            dep.status = op.params.get("previous", "Running")
        else:
            del svc.slots[dep.slot]
            release_disks(sub, svc, dep, keep=op.params.get("delete_vhd") != "True")
        return
    if op.kind == "swap_deployment":
        if failed:
            _swap_slots(svc)
        return
    if failed and op.kind in ("create_deployment", "create_virtual_machine_deployment"):
        del svc.slots[dep.slot]
        return
    if failed and op.kind == "change_deployment_configuration":
        dep.configuration = op.params.get("previous", dep.configuration)
    if failed and op.kind == "update_deployment_status":
        running = op.params.get("previous") == "Running"
    dep.status = "Running" if running else "Suspended"
    status, power = settled_phase(running)
    for inst in dep.instances:
        inst.status, inst.power_state = status, power
