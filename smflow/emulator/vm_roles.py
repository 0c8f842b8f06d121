"""VM roles of a deployment: add, update, delete and capture a VM, and the deployment's DNS servers.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. Each write claims the deployment
(a second write meanwhile is the usual 409) and takes the recorded time (wire-extended.md §0).
A new VM is listed at once, its instance going RoleStateUnknown → Provisioning → ReadyRole [REC];
an update, a delete and a capture take effect when their operation succeeds, so a poller sees
the old role until then; a DNS change shows at once. A failed operation leaves everything as it was. What
an operation will do is kept in its params as JSON (they persist with ``--state``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from smflow.emulator.deployments import RoleSpec, claim, find_deployment, instances_for, release, roles_for
from smflow.emulator.disks import detach_role_disks, name_role_disks, restore_taken, role_fault
from smflow.emulator.resources import AsmFault, Deployment, Endpoint, Operation, OsImage, Role
from smflow.emulator.subscription import SubscriptionBase, utc_now

__all__ = ["KINDS", "VmRoleRules", "complete", "progress"]

ADD, UPDATE, DELETE, CAPTURE = "add_role", "update_role", "delete_role", "capture_role"
DNS_KINDS = frozenset({"add_dns_server", "update_dns_server", "delete_dns_server"})
KINDS = frozenset({ADD, UPDATE, DELETE, CAPTURE}) | DNS_KINDS
_STOPPED = ("StoppedVM", "StoppedDeallocated")

# (InstanceStatus, PowerState) of the VM, in equal shares of the operation's time [REC].
PHASES: dict[str, tuple[tuple[str, str], ...]] = {
    ADD: (("RoleStateUnknown", "Starting"), ("Provisioning", "Started")),
    UPDATE: (("RestartingRole", "Started"), ("StartingVM", "Starting"), ("BusyRole", "Started")),  # a resize
    DELETE: (("StoppingVM", "Started"), ("StoppingVM", "Stopping")),
}


def _vm_deployment(sub: SubscriptionBase, service: str, deployment: str) -> Deployment:
    dep = sub.deployment_by_name(service, deployment)
    if not dep.is_vm:
        raise AsmFault(400, "BadRequest", "This operation applies to virtual machines, not cloud service roles.")
    return dep


def vm_role(dep: Deployment, name: str) -> Role:
    for role in dep.roles:
        if role.name == name and role.role_type:
            return role
    raise role_fault(name)


class VmRoleRules(SubscriptionBase):
    # -- roles ---------------------------------------------------------------------------------
    def add_role(self, request_id: str, service: str, deployment: str, spec: RoleSpec) -> None:
        dep = _vm_deployment(self, service, deployment)
        if any(r.name.lower() == spec.name.lower() for r in dep.roles):
            raise AsmFault(409, "ConflictError", f"A role named {spec.name} already exists in the deployment.")
        image_size = None
        if spec.os_disk_source_image is not None:
            image_size = self.os_image(spec.os_disk_source_image).logical_size_gb
        claim(dep, request_id)
        try:
            spec, taken = name_role_disks(self, service, spec, image_size)
        except AsmFault:
            dep.busy_op = None
            raise
        status, power = PHASES[ADD][0]
        [role] = roles_for([spec])
        dep.roles.append(role)
        dep.instances.extend(instances_for([spec], status, power, dep.upgrade_domain_count))
        self.start(request_id, ADD, service=service, deployment=deployment, role=spec.name, taken=json.dumps(taken))

    def update_role(self, request_id: str, service: str, deployment: str, name: str, spec: RoleSpec,
                    sent: frozenset[str]) -> None:
        """Only what was sent changes: the size, the endpoints (a network set), the availability
        set, the OS disk's caching and label."""
        dep = _vm_deployment(self, service, deployment)
        role = vm_role(dep, name)
        if spec.name != name:
            raise AsmFault(400, "BadRequest", f"The RoleName {spec.name} does not match the role {name} in the URL.")
        change: dict[str, Any] = {}
        if "RoleSize" in sent and spec.role_size:
            change["role_size"] = spec.role_size
        if "ConfigurationSets" in sent:
            change["endpoints"] = [dataclasses.asdict(e) for e in spec.endpoints]
            change["subnet_names"] = list(spec.subnet_names)
        if "AvailabilitySetName" in sent:
            change["availability_set_name"] = spec.availability_set_name
        if "OSVirtualHardDisk" in sent and spec.os_disk_label is not None:
            change["os_disk_label"] = spec.os_disk_label
        claim(dep, request_id)
        resize = "role_size" in change and change["role_size"] != role.role_size
        self.start(request_id, UPDATE, service=service, deployment=deployment, role=name, change=json.dumps(change),
                   resize=str(resize), was=_was(dep, [name]))

    def delete_role(self, request_id: str, service: str, deployment: str, name: str, complete: bool) -> None:
        dep = _vm_deployment(self, service, deployment)
        vm_role(dep, name)
        if sum(1 for r in dep.roles if r.role_type) == 1:
            raise AsmFault(400, "BadRequest", f"The role {name} is the only role of deployment {deployment}: "
                           "delete the deployment instead.")
        claim(dep, request_id)
        self.start(request_id, DELETE, service=service, deployment=deployment, role=name, complete=str(complete),
                   was=_was(dep, [name]))

    def capture_role(self, request_id: str, service: str, deployment: str, name: str, action: str,
                     image_name: str, image_label: str) -> None:
        dep = _vm_deployment(self, service, deployment)
        vm_role(dep, name)
        if action not in ("Delete", "Reprovision"):
            raise AsmFault(400, "BadRequest", f"The PostCaptureAction '{action}' is not valid; use Delete or Reprovision.")
        if not image_name or not image_label:
            raise AsmFault(400, "BadRequest", "The TargetImageName and TargetImageLabel elements are required.")
        if any(i.role_name == name and i.status not in _STOPPED for i in dep.instances):
            raise AsmFault(400, "BadRequest", f"The role {name} must be shut down (StoppedVM) before it is captured.")
        if any(i.name == image_name for i in self.all_images()):
            raise AsmFault(409, "ConflictError", "An image with the specified name already exists.")
        claim(dep, request_id)
        self.start(request_id, CAPTURE, service=service, deployment=deployment, role=name, action=action,
                   image=image_name, label=image_label)

    # -- DNS servers ---------------------------------------------------------------------------
    def dns_server_operation(self, request_id: str, kind: str, service: str, deployment: str, name: str,
                             address: str | None) -> None:
        dep = self.deployment_by_name(service, deployment)
        if kind == "add_dns_server" and name in dep.dns_servers:
            raise AsmFault(409, "ConflictError", f"A DNS server named {name} already exists in the deployment.")
        if kind != "add_dns_server" and name not in dep.dns_servers:
            raise AsmFault(404, "ResourceNotFound", f"The DNS server {name} was not found in the deployment.")
        claim(dep, request_id)
        was = dep.dns_servers.get(name)
        if kind == "delete_dns_server":
            del dep.dns_servers[name]
        else:
            dep.dns_servers[name] = address or ""
        self.start(request_id, kind, service=service, deployment=deployment, name=name,
                   was="" if was is None else was)


def _was(dep: Deployment, roles: list[str]) -> str:
    return json.dumps({i.instance_name: [i.status, i.power_state] for i in dep.instances if i.role_name in roles})


def _restore(dep: Deployment, op: Operation) -> None:
    before = json.loads(op.params.get("was", "{}"))
    for inst in dep.instances:
        if inst.instance_name in before:
            inst.status, inst.power_state = before[inst.instance_name]


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    phases = PHASES.get(op.kind)
    if phases is None or (op.kind == UPDATE and op.params.get("resize") != "True"):
        return
    found = find_deployment(sub, op)
    if found is None:
        return
    phase = phases[min(int(max(fraction, 0.0) * len(phases)), len(phases) - 1)]
    for inst in found[1].instances:
        if inst.role_name == op.params.get("role"):
            inst.status, inst.power_state = phase


def complete(sub: SubscriptionBase, op: Operation) -> None:
    dep = release(sub, op)
    if dep is None:
        return
    role_name = op.params.get("role", "")
    failed = op.status == "Failed"
    if op.kind in DNS_KINDS:
        if failed:
            _undo_dns(dep, op)
        return
    if op.kind == ADD:
        if failed:
            dep.roles = [r for r in dep.roles if r.name != role_name]
            dep.instances = [i for i in dep.instances if i.role_name != role_name]
            restore_taken(sub, json.loads(op.params.get("taken", "[]")))
            return
        for inst in dep.instances:
            if inst.role_name == role_name:
                inst.status, inst.power_state = "ReadyRole", "Started"
        return
    if failed:
        _restore(dep, op)
        return
    if op.kind == UPDATE:
        _apply_update(dep, role_name, json.loads(op.params.get("change", "{}")))
        _restore(dep, op)  # a resize restarts the VM: it is back as it was
    elif op.kind == DELETE:
        keep = op.params.get("complete") != "True"
        _remove_role(sub, op, dep, role_name, keep_os=keep, keep_data=keep)
    elif op.kind == CAPTURE:
        _capture(sub, op, dep, role_name)


def _undo_dns(dep: Deployment, op: Operation) -> None:
    """A DNS change shows at once; a failed one is put back."""
    name = op.params.get("name", "")
    if op.kind == "add_dns_server":
        dep.dns_servers.pop(name, None)
    else:
        dep.dns_servers[name] = op.params.get("was", "")


def _apply_update(dep: Deployment, role_name: str, change: dict[str, Any]) -> None:
    for role in dep.roles:
        if role.name != role_name:
            continue
        if "endpoints" in change:
            role.endpoints = [Endpoint(**e) for e in change["endpoints"]]
            role.subnet_names = list(change["subnet_names"])
        for key in ("role_size", "availability_set_name", "os_disk_label"):
            if key in change:
                setattr(role, key, change[key])
        for inst in dep.instances:
            if inst.role_name == role_name and "role_size" in change:
                inst.size = change["role_size"]


def _remove_role(sub: SubscriptionBase, op: Operation, dep: Deployment, role_name: str, *, keep_os: bool,
                 keep_data: bool) -> None:
    """The VM is gone; its disks stay registered (free) unless they go too. A VM deployment
    left with no VM is gone as well."""
    for role in [r for r in dep.roles if r.name == role_name]:
        detach_role_disks(sub, op.service or "", role, keep_os=keep_os, keep_data=keep_data)
    dep.roles = [r for r in dep.roles if r.name != role_name]
    dep.instances = [i for i in dep.instances if i.role_name != role_name]
    if not any(r.role_type for r in dep.roles):
        found = find_deployment(sub, op)
        if found is not None:
            del found[0].slots[dep.slot]


def _capture(sub: SubscriptionBase, op: Operation, dep: Deployment, role_name: str) -> None:
    """A generalized User OS image from the VM's OS disk, its blob beside the disk's [REC capture_role];
    then the VM is deleted (Delete) or provisioned again and running (Reprovision)."""
    role = next((r for r in dep.roles if r.name == role_name), None)
    if role is None:
        return
    name = op.params.get("image", "")
    disk_link = role.os_disk_media_link or f"https://portalvhds.blob.core.windows.net/vhds/{role.name}.vhd"
    container = disk_link.rsplit("/", 1)[0]
    svc = sub.services.get(op.service or "")
    location = (svc.location if svc is not None else None) or "West US"
    stamp = utc_now().replace("-", "").replace(":", "").replace("T", "").replace("Z", "")
    sub.images[name] = OsImage(
        category="User", label=op.params.get("label", ""), location=location, logical_size_gb=role.os_disk_size_gb,
        name=name, os=role.os_disk_os or "Linux", media_link=f"{container}/{name}.{stamp}.vhd", os_state="Generalized",
    )
    if op.params.get("action") == "Delete":  # the OS disk became the image; data disks stay, free
        _remove_role(sub, op, dep, role_name, keep_os=False, keep_data=True)
        return
    for inst in dep.instances:
        if inst.role_name == role_name:
            inst.status, inst.power_state = "ReadyRole", "Started"
