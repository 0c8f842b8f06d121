"""Disks: the subscription's disk repository and the data disks of VM roles.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. Every disk lives in one place: a
disk a VM uses lives on its role (the OS disk's fields, ``Role.data_disks``), a free one in
``Subscription.disks``. ``list_disks`` shows both, the attached ones naming their VM, so the
OS disk of every VM is listed with its attachment. Attaching a registered disk (by DiskName)
moves it onto the role; detaching it (delete_data_disk, delete_role) moves it back, unless the
caller asked for the disk to go too (``comp=media``). The disk repository's own writes are
synchronous; attaching, changing and detaching a data disk are asynchronous: they show at once
(so a read-back after a lost answer sees them), the deployment is claimed until they end, and a
failed one is undone.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from smflow.emulator.blobservice import media_blob
from smflow.emulator.deployments import RoleSpec, claim, find_deployment, release
from smflow.emulator.resources import AsmFault, DataDisk, Deployment, Disk, Operation, Role
from smflow.emulator.subscription import SubscriptionBase

__all__ = [
    "KINDS", "MAX_DATA_DISKS", "Attachment", "DiskRules", "complete", "delete_media", "detach_role_disks", "name_role_disks",
    "progress", "restore_taken", "role_fault",
]

ADD, UPDATE, DELETE = "add_data_disk", "update_data_disk", "delete_data_disk"
KINDS = frozenset({ADD, UPDATE, DELETE})
MAX_DATA_DISKS = 16  # LUN 0 to 15
Attachment = tuple[str, str, str]  # (hosted service, deployment, role)


def role_fault(name: str) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"Role {name} was not found in the currently deployed service.")


def _disk_fault(name: str) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"The disk with the specified name {name} does not exist.")


def _lun_fault(lun: int) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"A data disk was not found at LUN {lun}.")


def _in_use(name: str, where: Attachment) -> AsmFault:
    service, deployment, role = where
    return AsmFault(409, "ConflictError", f"A disk with name {name} is currently in use by virtual machine {role} "
                    f"running within hosted service {service}, deployment {deployment}.")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")[:18]


def _new_name(sub: SubscriptionBase, service: str, role: str, index: int, taken: set[str]) -> str:
    """The service's own name for a disk it makes: ``<svc>-<role>-<n>-<yyyyMMddHHmmssffff>`` [REC]."""
    used = taken | set(sub.disks) | {d.name for d, _ in attached_disks(sub)}
    base = f"{service}-{role}-{index}-{_stamp()}"
    name, n = base, 0
    while name in used:
        n += 1
        name = f"{base}{n}"
    return name


def attached_disks(sub: SubscriptionBase) -> list[tuple[Disk, Attachment]]:
    """Every disk a VM uses, as the repository shows it, with the VM it is attached to."""
    out: list[tuple[Disk, Attachment]] = []
    for svc in sub.services.values():
        for dep in svc.slots.values():
            for role in dep.roles:
                if not role.role_type:
                    continue
                where = (svc.name, dep.name, role.name)
                if role.os_disk_name:
                    out.append((Disk(role.os_disk_name, role.os_disk_label or "", _os_link(role), role.os_disk_os or "Linux",
                                     role.os_disk_size_gb, svc.location, svc.affinity_group, role.os_disk_source_image),
                                where))
                for d in role.data_disks:
                    out.append((Disk(d.disk_name, d.label, d.media_link, None, d.size_gb, svc.location,
                                     svc.affinity_group), where))
    return out


def _os_link(role: Role) -> str:
    return role.os_disk_media_link or f"https://portalvhds.blob.core.windows.net/vhds/{role.name}.vhd"


def _take(sub: SubscriptionBase, name: str, taken: list[dict[str, Any]]) -> Disk:
    """A registered disk, taken out of the repository to be attached (refused when a VM uses it)."""
    disk = sub.disks.get(name)
    if disk is None:
        for d, where in attached_disks(sub):
            if d.name == name:
                raise _in_use(name, where)
        raise _disk_fault(name)
    del sub.disks[name]
    taken.append(dataclasses.asdict(disk))
    return disk


def restore_taken(sub: SubscriptionBase, taken: list[dict[str, Any]]) -> None:
    """Put back the registered disks an operation took, when it failed."""
    for d in taken:
        sub.disks[d["name"]] = Disk(**d)


def name_role_disks(sub: SubscriptionBase, service: str, spec: RoleSpec,
                    image_size: int | None) -> tuple[RoleSpec, list[dict[str, Any]]]:
    """A new VM's disks, named: a DiskName sent attaches that registered disk, no DiskName makes a
    new one named by the service. Returns the role and the registered disks it took."""
    taken: list[dict[str, Any]] = []
    names: set[str] = set()
    os_name, os_link, os_kind, size = spec.os_disk_name, spec.os_disk_media_link, spec.os_disk_os, image_size or 30
    if spec.role_type and os_name:
        disk = _take(sub, os_name, taken)
        os_link, os_kind, size = disk.media_link, disk.os, disk.size_gb
    elif spec.role_type:
        os_name = _new_name(sub, service, spec.name, 0, names)
    if os_name:
        names.add(os_name)
    data: list[DataDisk] = []
    for index, d in enumerate(spec.data_disks, start=1):
        data.append(_attached(sub, service, spec.name, d, index, names, taken))
    return dataclasses.replace(spec, os_disk_name=os_name, os_disk_media_link=os_link, os_disk_os=os_kind,
                               os_disk_size_gb=size, data_disks=tuple(data)), taken


def _attached(sub: SubscriptionBase, service: str, role: str, d: DataDisk, index: int, names: set[str],
              taken: list[dict[str, Any]]) -> DataDisk:
    """A data disk as attached: an existing registered disk, or a new one (empty, of a size; or a blob)."""
    if d.disk_name:
        disk = _take(sub, d.disk_name, taken)
        names.add(disk.name)
        return dataclasses.replace(d, label=d.label or disk.label, media_link=disk.media_link, size_gb=disk.size_gb)
    if d.size_gb <= 0 and not d.source_media_link and not d.media_link:
        raise AsmFault(400, "BadRequest", "A data disk needs a DiskName, a MediaLink or a LogicalDiskSizeInGB.")
    name = _new_name(sub, service, role, index, names)
    names.add(name)
    link = d.media_link or f"https://portalvhds.blob.core.windows.net/vhds/{name}.vhd"
    return dataclasses.replace(d, disk_name=name, media_link=link, size_gb=d.size_gb or 30)


def detach_role_disks(sub: SubscriptionBase, service: str, role: Role, *, keep_os: bool, keep_data: bool) -> None:
    """A VM is gone: its disks become free registered disks, or go with it (``keep_*`` False)."""
    svc = sub.services.get(service)
    location = svc.location if svc is not None else None
    group = svc.affinity_group if svc is not None else None
    if keep_os and role.os_disk_name:
        sub.disks[role.os_disk_name] = Disk(role.os_disk_name, role.os_disk_label or "", _os_link(role),
                                            role.os_disk_os or "Linux", role.os_disk_size_gb, location, group,
                                            role.os_disk_source_image)
    elif not keep_os:
        delete_media(sub, role.os_disk_media_link)
    for d in role.data_disks:
        if keep_data:
            sub.disks[d.disk_name] = Disk(d.disk_name, d.label, d.media_link, None, d.size_gb, location, group)
        else:
            delete_media(sub, d.media_link)


def delete_media(sub: SubscriptionBase, link: str | None) -> None:
    """A disk deleted with its blob (``comp=media``): the .vhd goes too when it lives on this
    emulator's blob service, in an account the emulator created (a link elsewhere is not ours)."""
    where = media_blob(link) if link else None
    if where is not None and sub.owner.storage_keys(where[0]) is not None:
        sub.owner.blobs.delete(*where)


def _role(dep: Deployment, name: str) -> Role:
    for role in dep.roles:
        if role.name == name and role.role_type:
            return role
    raise role_fault(name)


def data_disk_at(dep: Deployment, role_name: str, lun: int) -> DataDisk:
    for d in _role(dep, role_name).data_disks:
        if d.lun == lun:
            return d
    raise _lun_fault(lun)


class DiskRules(SubscriptionBase):
    # -- the repository (synchronous) ----------------------------------------------------------
    def find_disk(self, name: str) -> tuple[Disk, Attachment | None]:
        disk = self.disks.get(name)
        if disk is not None:
            return disk, None
        for d, where in attached_disks(self):
            if d.name == name:
                return d, where
        raise _disk_fault(name)

    def all_disks(self) -> list[tuple[Disk, Attachment | None]]:
        return [*attached_disks(self), *((d, None) for d in self.disks.values())]

    def add_disk(self, request_id: str, name: str, label: str, media_link: str, os: str | None) -> None:
        if os is not None and os not in ("Linux", "Windows"):
            raise AsmFault(400, "BadRequest", f"The OS '{os}' is not valid; use Linux or Windows.")
        if any(d.name.lower() == name.lower() for d, _ in self.all_disks()):
            raise AsmFault(409, "ConflictError", "A disk with the specified name already exists.")
        if any(d.media_link == media_link for d, _ in self.all_disks()):
            raise AsmFault(409, "ConflictError", f"The blob {media_link} is already registered as a disk.")
        self.disks[name] = Disk(name, label, media_link, os, 30)
        self.finished(request_id, "add_disk")

    def update_disk(self, request_id: str, name: str, label: str) -> None:
        disk, where = self.find_disk(name)
        if where is None:
            disk.label = label
        else:
            role = _role(self.deployment_by_name(where[0], where[1]), where[2])
            if role.os_disk_name == name:
                role.os_disk_label = label
            for d in role.data_disks:
                if d.disk_name == name:
                    d.label = label
        self.finished(request_id, "update_disk")

    def delete_disk(self, request_id: str, name: str, delete_vhd: bool = False) -> None:
        disk, where = self.find_disk(name)
        if where is not None:
            raise _in_use(name, where)
        del self.disks[name]
        if delete_vhd:
            delete_media(self, disk.media_link)
        self.finished(request_id, "delete_disk")

    # -- data disks of a VM (asynchronous) -----------------------------------------------------
    def add_data_disk(self, request_id: str, service: str, deployment: str, role_name: str, disk: DataDisk) -> None:
        dep = self.deployment_by_name(service, deployment)
        role = _role(dep, role_name)
        if any(d.lun == disk.lun for d in role.data_disks):
            raise AsmFault(409, "ConflictError", f"A data disk is already attached at LUN {disk.lun} of role {role_name}.")
        if len(role.data_disks) >= MAX_DATA_DISKS:
            raise AsmFault(409, "ConflictError", f"Role {role_name} has the most data disks its size allows.")
        claim(dep, request_id)
        taken: list[dict[str, Any]] = []
        try:
            attached = _attached(self, service, role_name, disk, disk.lun, set(), taken)
        except AsmFault:
            dep.busy_op = None
            raise
        role.data_disks.append(attached)
        role.data_disks.sort(key=lambda d: d.lun)
        self.start(request_id, ADD, service=service, deployment=deployment, role=role_name, lun=str(disk.lun),
                   taken=json.dumps(taken))

    def update_data_disk(self, request_id: str, service: str, deployment: str, role_name: str, lun: int,
                         change: dict[str, Any]) -> None:
        dep = self.deployment_by_name(service, deployment)
        role = _role(dep, role_name)
        disk = data_disk_at(dep, role_name, lun)
        new_lun = change.get("lun", lun)
        if new_lun != lun and any(d.lun == new_lun for d in role.data_disks):
            raise AsmFault(409, "ConflictError", f"A data disk is already attached at LUN {new_lun} of role {role_name}.")
        if change.get("size_gb", disk.size_gb) < disk.size_gb:
            raise AsmFault(400, "BadRequest", f"A disk can only grow: it is {disk.size_gb} GB, not "
                           f"{change['size_gb']} GB.")
        claim(dep, request_id)
        was = {key: getattr(disk, key) for key in change}
        for key, value in change.items():
            setattr(disk, key, value)
        role.data_disks.sort(key=lambda d: d.lun)
        self.start(request_id, UPDATE, service=service, deployment=deployment, role=role_name, lun=str(new_lun),
                   was=json.dumps(was))

    def delete_data_disk(self, request_id: str, service: str, deployment: str, role_name: str, lun: int,
                         delete_vhd: bool) -> None:
        dep = self.deployment_by_name(service, deployment)
        disk = data_disk_at(dep, role_name, lun)
        claim(dep, request_id)
        _role(dep, role_name).data_disks.remove(disk)
        self.start(request_id, DELETE, service=service, deployment=deployment, role=role_name,
                   disk=json.dumps(dataclasses.asdict(disk)), delete_vhd=str(delete_vhd))


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    """Nothing a poller sees moves while a data disk is attached or detached (the VM keeps running)."""


def complete(sub: SubscriptionBase, op: Operation) -> None:
    """A data-disk write shows at once (a read-back sees it while it runs); its end makes a detached
    disk a free one, and a failure puts everything back as it was."""
    dep = release(sub, op)
    found = find_deployment(sub, op)
    if dep is None or found is None:
        return
    role = next((r for r in dep.roles if r.name == op.params.get("role")), None)
    failed = op.status == "Failed"
    if op.kind == DELETE:
        disk = DataDisk(**json.loads(op.params["disk"]))
        if failed and role is not None:
            role.data_disks.append(disk)
            role.data_disks.sort(key=lambda d: d.lun)
        elif not failed and op.params.get("delete_vhd") != "True":
            svc = found[0]
            sub.disks[disk.disk_name] = Disk(disk.disk_name, disk.label, disk.media_link, None, disk.size_gb,
                                             svc.location, svc.affinity_group)
        elif not failed:
            delete_media(sub, disk.media_link)
        return
    if not failed or role is None:
        return
    lun = int(op.params.get("lun", "-1"))
    disk_at = next((d for d in role.data_disks if d.lun == lun), None)
    if op.kind == ADD:
        if disk_at is not None:
            role.data_disks.remove(disk_at)
        restore_taken(sub, json.loads(op.params.get("taken", "[]")))
    elif op.kind == UPDATE and disk_at is not None:
        for key, value in json.loads(op.params.get("was", "{}")).items():
            setattr(disk_at, key, value)
        role.data_disks.sort(key=lambda d: d.lun)
