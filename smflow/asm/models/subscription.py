"""Subscription-wide catalogs: locations, affinity groups, guest OS versions and families.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

from smflow.asm.models.compute import ComputeCapabilities, HostedService
from smflow.asm.models.storage import StorageService

__all__ = [
    "AffinityGroup", "AvailabilityResponse", "Location", "OperatingSystem", "OperatingSystemFamily", "OperationCaller",
    "ResourceExtension", "RoleSize", "Subscription", "SubscriptionOperation", "SubscriptionOperationCollection",
    "SubscriptionOperationStatus",
]





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


@dataclass
class Subscription:
    """The subscription's properties and quotas (``get_subscription``): the current counts are
    those of its hosted services, storage accounts and the cores of its role instances."""

    subscription_id: str = field(default="", repr=False, metadata={"secret": True})  # <SubscriptionID>: secret
    subscription_name: str = ""
    subscription_status: str = ""  # Active, Disabled
    account_admin_live_email_id: str = ""
    service_admin_live_email_id: str = ""
    max_core_count: int | None = None
    max_storage_accounts: int | None = None
    max_hosted_services: int | None = None
    current_core_count: int | None = None
    current_hosted_services: int | None = None
    current_storage_accounts: int | None = None
    max_virtual_network_sites: int | None = None
    current_virtual_network_sites: int | None = None  # not on the wire: stays None, as the SDK's stays 0
    max_local_network_sites: int | None = None
    max_dns_servers: int | None = None
    aad_tenant_id: str | None = None  # read from <AADTenantID>
    created_time: str | None = None


@dataclass
class OperationCaller:
    used_service_management_api: bool | None = None
    user_email_address: str | None = None
    subscription_certificate_thumbprint: str | None = None
    client_ip: str | None = None  # read from <ClientIP>


@dataclass
class SubscriptionOperationStatus:
    status_id: str = ""  # read from <ID> (the SDK looks for <StatusId>, which is never sent, and keeps '')
    status: str = ""  # InProgress, Succeeded, Failed
    http_status_code: int | None = None


@dataclass
class SubscriptionOperation:
    """One entry of the subscription's operation log (``list_subscription_operations``)."""

    operation_id: str = ""
    operation_object_id: str = ""  # the resource's path: /<subscription>/services/hostedservices/<name>
    operation_name: str = ""  # CreateHostedService, ...
    operation_parameters: dict[str, str] = field(default_factory=dict)
    operation_caller: OperationCaller | None = None
    operation_status: SubscriptionOperationStatus | None = None
    operation_started_time: str = ""
    operation_completed_time: str | None = None
    operation_kind: str | None = None


@dataclass
class SubscriptionOperationCollection:
    """A page of the operation log; a non-empty ``continuation_token`` asks for the next page."""

    subscription_operations: list[SubscriptionOperation] = field(default_factory=list)
    continuation_token: str | None = None


@dataclass
class ResourceExtension:
    """A VM resource extension (``list_resource_extensions``), or one version of it
    (``list_resource_extension_versions``). Schemas and the sample are base64 text, as sent."""

    publisher: str = ""
    name: str = ""
    version: str = ""
    label: str = ""
    description: str = ""
    public_configuration_schema: str | None = None
    private_configuration_schema: str | None = None
    sample_config: str | None = None
    replication_completed: bool | None = None
    eula: str | None = None
    privacy_uri: str | None = None
    homepage_uri: str | None = None
    is_json_extension: bool | None = None
    is_internal_extension: bool | None = None
    disallow_major_version_upgrade: bool | None = None
    company_name: str | None = None
    supported_os: str | None = None  # read from <SupportedOS>
    published_date: str | None = None
