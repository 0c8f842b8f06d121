"""Request bodies and response roots of disks and data disks (element order of the SDK's serializer)."""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, fields

__all__ = ["BODIES", "RESULTS"]


def _data_disk(lun_from: str) -> Builder:
    """DataVirtualHardDisk; an update sends its ``updated_lun`` as the Lun (the path names the old one)."""

    def build(root: Any, a: Args) -> None:
        fields(root, [
            ("HostCaching", a.get("host_caching")), ("DiskLabel", a.get("disk_label")),
            ("DiskName", a.get("disk_name")), ("Lun", a.get(lun_from)),
            ("LogicalDiskSizeInGB", a.get("logical_disk_size_in_gb")), ("MediaLink", a.get("media_link")),
            ("SourceMediaLink", a.get("source_media_link")),
        ])

    return build


def _disk(root: Any, a: Args) -> None:
    fields(root, [("OS", a.get("os")), ("Label", a.get("label")), ("MediaLink", a.get("media_link")),
                  ("Name", a.get("name"))])


def _disk_label(root: Any, a: Args) -> None:
    """update_disk: the SDK sends the label alone (its other arguments are deprecated)."""
    fields(root, [("Label", a.get("label"))])


BODIES: dict[str, tuple[str, Builder]] = {
    "add_disk": ("Disk", _disk),
    "update_disk": ("Disk", _disk_label),
    "add_data_disk": ("DataVirtualHardDisk", _data_disk("lun")),
    "update_data_disk": ("DataVirtualHardDisk", _data_disk("updated_lun")),
}

RESULTS: dict[str, Result] = {
    "list_disks": (("Disks",), m.Disk, "Disk"),
    "get_disk": (("Disk",), m.Disk, None),
    "get_data_disk": (("DataVirtualHardDisk",), m.DataVirtualHardDisk, None),
}
