"""Emulator handlers and routes: the disk repository and the data disks of a VM."""

from __future__ import annotations

from typing import Any

from lxml import etree

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.disks import Attachment, data_disk_at
from smflow.emulator.resources import AsmFault, Disk
from smflow.emulator.vm_body import MAX_LUN, data_disk, number
from smflow.emulator.wire import el, root, serialize

__all__ = ["HANDLERS", "ROUTES"]

DISKS = "services/disks"
DATA = "services/hostedservices/{service_name}/deployments/{deployment_name}/roles/{role_name}/DataDisks"
_DATA_ELEMENTS = ("HostCaching", "DiskLabel", "DiskName", "Lun", "LogicalDiskSizeInGB", "MediaLink", "SourceMediaLink")


def _disk_into(parent: etree._Element, disk: Disk, where: Attachment | None) -> None:
    """A Disk as the service writes it (element order of the Get Disk response)."""
    if disk.affinity_group is not None:
        el(parent, "AffinityGroup", disk.affinity_group)
    if where is not None:
        attached = el(parent, "AttachedTo")
        el(attached, "HostedServiceName", where[0])
        el(attached, "DeploymentName", where[1])
        el(attached, "RoleName", where[2])
    if disk.os is not None:
        el(parent, "OS", disk.os)
    el(parent, "IsCorrupted", False)
    if disk.location is not None and disk.affinity_group is None:
        el(parent, "Location", disk.location)
    el(parent, "LogicalDiskSizeInGB", disk.size_gb)
    el(parent, "Label", disk.label)
    el(parent, "MediaLink", disk.media_link)
    el(parent, "Name", disk.name)
    if disk.source_image_name:
        el(parent, "SourceImageName", disk.source_image_name)
    el(parent, "HasOperatingSystem", disk.os is not None)
    el(parent, "IOType", "Standard")


def list_disks(ctx: Context) -> Reply:
    doc = root("Disks")
    for disk, where in ctx.sub.all_disks():
        _disk_into(el(doc, "Disk"), disk, where)
    return Reply(body=serialize(doc))


def get_disk(ctx: Context) -> Reply:
    doc = root("Disk")
    _disk_into(doc, *ctx.sub.find_disk(ctx.params["disk_name"]))
    return Reply(body=serialize(doc))


def add_disk(ctx: Context) -> Reply:
    body = ctx.body_of("Disk", ("OS", "Label", "MediaLink", "Name", "HasOperatingSystem"))
    ctx.sub.add_disk(ctx.request_id, body.required("Name"), body.required("Label"), body.required("MediaLink"),
                     body.text("OS") or None)
    return Reply()


def update_disk(ctx: Context) -> Reply:
    body = ctx.body_of("Disk", ("OS", "Label", "MediaLink", "Name", "HasOperatingSystem"))
    ctx.sub.update_disk(ctx.request_id, ctx.params["disk_name"], body.required("Label"))
    return Reply()


def delete_disk(ctx: Context) -> Reply:
    ctx.sub.delete_disk(ctx.request_id, ctx.params["disk_name"], ctx.query.get("comp") == "media")
    return Reply()


def _lun(ctx: Context) -> int:
    text = ctx.params["lun"]
    if not text.isdigit() or int(text) > MAX_LUN:
        raise AsmFault(400, "BadRequest", f"The LUN '{text[:20]}' is not valid; use 0 to {MAX_LUN}.")
    return int(text)


def get_data_disk(ctx: Context) -> Reply:
    dep = ctx.sub.deployment_by_name(ctx.params["service_name"], ctx.params["deployment_name"])
    d = data_disk_at(dep, ctx.params["role_name"], _lun(ctx))
    doc = root("DataVirtualHardDisk")
    for name, value in (("HostCaching", d.host_caching), ("DiskLabel", d.label or None), ("DiskName", d.disk_name),
                        ("Lun", d.lun), ("LogicalDiskSizeInGB", d.size_gb), ("MediaLink", d.media_link),
                        ("IOType", "Standard")):
        if value is not None:
            el(doc, name, value)
    return Reply(body=serialize(doc))


def add_data_disk(ctx: Context) -> Reply:
    disk = data_disk(ctx.body_of("DataVirtualHardDisk", _DATA_ELEMENTS), lun_default=None)
    ctx.sub.add_data_disk(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                          ctx.params["role_name"], disk)
    return Reply(202)


def update_data_disk(ctx: Context) -> Reply:
    """What was sent changes: the caching, the label, the LUN (a move), the size (only up)."""
    body = ctx.body_of("DataVirtualHardDisk", _DATA_ELEMENTS)
    change: dict[str, Any] = {}
    if body.text("HostCaching"):
        change["host_caching"] = data_disk(body, lun_default=0).host_caching
    if body.text("DiskLabel"):
        change["label"] = body.text("DiskLabel")
    lun = number(body, "Lun", None, high=MAX_LUN)
    if lun is not None:
        change["lun"] = lun
    size = number(body, "LogicalDiskSizeInGB", None, high=1023)
    if size is not None:
        change["size_gb"] = size
    ctx.sub.update_data_disk(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                             ctx.params["role_name"], _lun(ctx), change)
    return Reply(202)


def delete_data_disk(ctx: Context) -> Reply:
    ctx.sub.delete_data_disk(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                             ctx.params["role_name"], _lun(ctx), ctx.query.get("comp") == "media")
    return Reply(202)


ROUTES: dict[str, RouteSpec] = {
    "list_disks": ("GET", DISKS, None),
    "get_disk": ("GET", DISKS + "/{disk_name}", None),
    "add_disk": ("POST", DISKS, None),
    "update_disk": ("PUT", DISKS + "/{disk_name}", None),
    "delete_disk": ("DELETE", DISKS + "/{disk_name}", None),
    "get_data_disk": ("GET", DATA + "/{lun}", None),
    "add_data_disk": ("POST", DATA, None),
    "update_data_disk": ("PUT", DATA + "/{lun}", None),
    "delete_data_disk": ("DELETE", DATA + "/{lun}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    list_disks,
    get_disk,
    add_disk,
    update_disk,
    delete_disk,
    get_data_disk,
    add_data_disk,
    update_data_disk,
    delete_data_disk,
])
