"""Response XML of VM images and OS image details (wire-extended.md §4, §5)."""

from __future__ import annotations

from lxml import etree

from smflow.emulator.account_writers import os_image_fields
from smflow.emulator.resources import OsImage
from smflow.emulator.vm_images import DiskConfig, VmImage
from smflow.emulator.wire import el, root, serialize

__all__ = ["os_image_details_xml", "vm_images_xml"]


def _disk(parent: etree._Element, disk: DiskConfig, *, os_disk: bool) -> None:
    el(parent, "Name", disk.name)
    el(parent, "HostCaching", disk.host_caching)
    if os_disk:
        el(parent, "OSState", disk.os_state)
        el(parent, "OS", disk.os)
    else:
        el(parent, "Lun", disk.lun)
    if disk.media_link is not None:  # platform images have none [REC]
        el(parent, "MediaLink", disk.media_link)
    el(parent, "LogicalDiskSizeInGB", disk.size_gb)
    el(parent, "IOType", "Standard_LRS" if disk.media_link is None else "Standard")


def _vm_image(parent: etree._Element, img: VmImage) -> None:
    el(parent, "Name", img.name)
    el(parent, "Label", img.label)
    el(parent, "Category", img.category)
    if img.description is not None:
        el(parent, "Description", img.description)
    _disk(el(parent, "OSDiskConfiguration"), img.os_disk, os_disk=True)
    disks = el(parent, "DataDiskConfigurations")
    for d in img.data_disks:
        _disk(el(disks, "DataDiskConfiguration"), d, os_disk=False)
    for tag, value in (("ServiceName", img.service_name), ("DeploymentName", img.deployment_name),
                       ("RoleName", img.role_name), ("Location", img.location)):
        if value is not None:
            el(parent, tag, value)
    el(parent, "CreatedTime", img.created)
    el(parent, "ModifiedTime", img.modified)
    for tag, value in (("Language", img.language), ("ImageFamily", img.image_family),
                       ("RecommendedVMSize", img.recommended_vm_size)):
        if value is not None:
            el(parent, tag, value)
    el(parent, "IsPremium", False)
    for tag, value in (("Eula", img.eula), ("IconUri", img.icon_uri), ("SmallIconUri", img.small_icon_uri),
                       ("PrivacyUri", img.privacy_uri), ("PublisherName", img.publisher_name),
                       ("PublishedDate", img.published_date)):
        if value is not None:
            el(parent, tag, value)
    if img.show_in_gui is not None:
        el(parent, "ShowInGui", img.show_in_gui)
    el(parent, "VMImageState", img.state)
    if img.role_name is not None:
        el(parent, "RoleStateOnCapture", "ReadyRole")
        el(parent, "RoleSizeOnCapture", img.role_size)


def vm_images_xml(images: list[VmImage]) -> bytes:
    doc = root("VMImages")
    for img in images:
        _vm_image(el(doc, "VMImage"), img)
    return serialize(doc)


def os_image_details_xml(img: OsImage, progress: list[tuple[str, int]]) -> bytes:
    doc = root("OSImageDetails")
    os_image_fields(doc, img)
    box = el(doc, "ReplicationProgress")
    for location, percent in progress:
        item = el(box, "ReplicationProgressElement")
        el(item, "Location", location)
        el(item, "Progress", percent)
    return serialize(doc)
