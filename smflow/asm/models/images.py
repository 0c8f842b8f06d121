"""OS images and VM images (labels in plain text, never base64).

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DataDiskConfiguration", "OSDiskConfiguration", "OSImage", "OSImageDetails", "ReplicationProgressElement",
    "VMImage",
]


@dataclass
class OSImage:
    """An OS image. Its label is plain text on the wire (never base64)."""

    affinity_group: str | None = None
    category: str | None = None  # Public, User
    location: str | None = None  # public images: a ";"-separated list
    logical_size_in_gb: int | None = None
    label: str = ""
    media_link: str | None = None
    name: str = ""
    os: str = ""  # Linux, Windows
    eula: str | None = None
    description: str | None = None
    image_family: str | None = None
    show_in_gui: bool | None = None
    published_date: str | None = None
    is_premium: bool | None = None
    icon_uri: str | None = None
    privacy_uri: str | None = None
    recommended_vm_size: str | None = None
    publisher_name: str | None = None
    pricing_detail_link: str | None = None
    small_icon_uri: str | None = None
    os_state: str | None = None
    language: str | None = None
    io_type: str | None = None


@dataclass
class ReplicationProgressElement:
    location: str = ""
    progress: int | None = None  # percent


@dataclass
class OSImageDetails(OSImage):
    """An OS image with where it is replicated (``get_os_image_details``)."""

    replication_progress: list[ReplicationProgressElement] = field(default_factory=list)


@dataclass
class OSDiskConfiguration:
    name: str = ""
    host_caching: str | None = None  # ReadOnly, ReadWrite, None
    os_state: str | None = None  # Generalized, Specialized
    os: str = ""  # Linux, Windows
    media_link: str | None = None
    logical_disk_size_in_gb: int | None = None


@dataclass
class DataDiskConfiguration:
    name: str = ""
    host_caching: str | None = None
    lun: int | None = None
    media_link: str | None = None
    logical_disk_size_in_gb: int | None = None


@dataclass
class VMImage:
    """A VM image: an OS disk and its data disks captured together (``list_vm_images``).
    Its label is plain text on the wire, like an OS image's."""

    name: str = ""
    label: str = ""
    category: str = ""  # Public, User
    description: str | None = None
    os_disk_configuration: OSDiskConfiguration | None = None
    data_disk_configurations: list[DataDiskConfiguration] = field(default_factory=list)
    service_name: str | None = None  # captured from this VM (capture_vm_image)
    deployment_name: str | None = None
    role_name: str | None = None
    location: str | None = None  # public images: a ";"-separated list
    affinity_group: str | None = None
    created_time: str | None = None
    modified_time: str | None = None
    language: str | None = None
    image_family: str | None = None
    recommended_vm_size: str | None = None
    is_premium: bool | None = None
    eula: str | None = None
    icon_uri: str | None = None
    small_icon_uri: str | None = None
    privacy_uri: str | None = None
    publisher_name: str | None = None
    published_date: str | None = None
    show_in_gui: bool | None = None
    pricing_detail_link: str | None = None
