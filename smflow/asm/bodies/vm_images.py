"""Request bodies and response roots of VM images and of capturing a VM as one (labels in plain text).

Element orders are the SDK's (wire-extended.md §4): a create sends the OS disk's state, OS and
blob and data disks only when there are some; an update always sends ``DataDiskConfigurations``
(empty too) and names each data disk instead of locating its blob.
"""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, add, fields

__all__ = ["BODIES", "RESULTS", "publishing"]


def publishing(root: Any, image: Args) -> None:
    """The publishing details every image body ends with, in the SDK's order."""
    fields(root, [("Language", image.get("language")), ("ImageFamily", image.get("image_family")),
                  ("RecommendedVMSize", image.get("recommended_vm_size")), ("Eula", image.get("eula")),
                  ("IconUri", image.get("icon_uri")), ("SmallIconUri", image.get("small_icon_uri")),
                  ("PrivacyUri", image.get("privacy_uri")), ("PublishedDate", image.get("published_date")),
                  ("ShowInGui", image.get("show_in_gui"))])


def _create(root: Any, a: Args) -> None:
    image = a.get("vm_image") or {}
    fields(root, [("Name", image.get("name")), ("Label", image.get("label")), ("Description", image.get("description"))])
    disk = image.get("os_disk_configuration") or {}
    fields(add(root, "OSDiskConfiguration", container=True), [
        ("HostCaching", disk.get("host_caching")), ("OSState", disk.get("os_state")), ("OS", disk.get("os")),
        ("MediaLink", disk.get("media_link"))])
    if image.get("data_disk_configurations"):
        box = add(root, "DataDiskConfigurations", container=True)
        for d in image["data_disk_configurations"]:
            fields(add(box, "DataDiskConfiguration", container=True), [
                ("HostCaching", d.get("host_caching")), ("Lun", d.get("lun")), ("MediaLink", d.get("media_link")),
                ("LogicalDiskSizeInGB", d.get("logical_disk_size_in_gb"))])
    publishing(root, image)


def _update(root: Any, a: Args) -> None:
    image = a.get("vm_image") or {}
    fields(root, [("Label", image.get("label")), ("Description", image.get("description"))])
    disk = image.get("os_disk_configuration") or {}
    add(add(root, "OSDiskConfiguration", container=True), "HostCaching", disk.get("host_caching"))
    box = add(root, "DataDiskConfigurations", container=True)  # always sent, empty too (quirk 6)
    for d in image.get("data_disk_configurations") or ():
        fields(add(box, "DataDiskConfiguration", container=True), [
            ("Name", d.get("name")), ("HostCaching", d.get("host_caching")), ("Lun", d.get("lun"))])
    publishing(root, image)


def _capture(root: Any, a: Args) -> None:
    o = a.get("options") or {}
    fields(root, [("OperationType", "CaptureRoleAsVMImageOperation"), ("OSState", o.get("os_state")),
                  ("VMImageName", o.get("vm_image_name")), ("VMImageLabel", o.get("vm_image_label")),
                  ("Description", o.get("description")), ("Language", o.get("language")),
                  ("ImageFamily", o.get("image_family")), ("RecommendedVMSize", o.get("recommended_vm_size"))])


BODIES: dict[str, tuple[str, Builder]] = {
    "create_vm_image": ("VMImage", _create),
    "update_vm_image": ("VMImage", _update),
    # The SDK writes the root with a trailing space (quirk 5); the same element without it.
    "capture_vm_image": ("CaptureRoleAsVMImageOperation", _capture),
}

RESULTS: dict[str, Result] = {
    "list_vm_images": (("VMImages",), m.VMImage, "VMImage"),
}
