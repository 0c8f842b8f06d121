"""Subscription-wide catalogs: locations, affinity groups, guest OS versions and families.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

from smflow.asm.models.compute import ComputeCapabilities, HostedService
from smflow.asm.models.storage import StorageService

__all__ = ["RoleSize", "AvailabilityResponse", "AffinityGroup", "Location", "OperatingSystem", "OperatingSystemFamily"]





@dataclass
class Location:
    name: str = ""
    display_name: str = ""
    available_services: list[str] = field(default_factory=list)
    compute_capabilities: ComputeCapabilities | None = None
    # Not read by the SDK, but on the wire and useful to choose an account_type.
    storage_account_types: list[str] = field(default_factory=list)



@dataclass
class AffinityGroup:
    name: str = ""
    label: str = ""  # decoded from base64
    description: str | None = None
    location: str = ""
    hosted_services: list[HostedService] = field(default_factory=list)  # get_affinity_group_properties only
    storage_services: list[StorageService] = field(default_factory=list)  # get_affinity_group_properties only
    capabilities: list[str] = field(default_factory=list)
    created_time: str | None = None
    compute_capabilities: ComputeCapabilities | None = None



@dataclass
class OperatingSystem:
    version: str = ""
    label: str = ""  # decoded from base64
    is_default: bool = False
    is_active: bool = False
    family: int | None = None  # absent inside an OperatingSystemFamily
    family_label: str | None = None  # decoded from base64; absent inside a family



@dataclass
class OperatingSystemFamily:
    name: str = ""  # "1", "2", "4"... as on the wire
    label: str = ""  # decoded from base64
    operating_systems: list[OperatingSystem] = field(default_factory=list)


@dataclass
class AvailabilityResponse:
    """A name check. ``result`` true: the name is free. Unlike the SDK (quirk 1, which keeps only a
    bool), ``reason`` is the service's text, None when the name is free."""

    result: bool = False
    reason: str | None = None


@dataclass
class RoleSize:
    """A role size (``list_role_sizes``): what it offers and where it may be used."""

    name: str = ""
    label: str = ""
    cores: int | None = None
    memory_in_mb: int | None = None
    supported_by_web_worker_roles: bool | None = None
    supported_by_virtual_machines: bool | None = None
    max_data_disk_count: int | None = None
    web_worker_resource_disk_size_in_mb: int | None = None
    virtual_machine_resource_disk_size_in_mb: int | None = None
