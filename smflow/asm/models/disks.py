"""Disks of the subscription's disk repository (``list_disks``, ``get_disk``).

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AttachedTo", "Disk"]



@dataclass
class AttachedTo:
    """The VM a disk is attached to (``Disk.attached_to``; None when the disk is free)."""

    hosted_service_name: str = ""
    deployment_name: str = ""
    role_name: str = ""



@dataclass
class Disk:
    affinity_group: str | None = None
    attached_to: AttachedTo | None = None
    has_operating_system: bool | None = None
    is_corrupted: bool | None = None
    location: str | None = None
    logical_disk_size_in_gb: int | None = None
    label: str = ""
    media_link: str = ""
    name: str = ""
    os: str | None = None
    source_image_name: str | None = None
