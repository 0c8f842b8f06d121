"""Typed result models of the Service Management API.

Attribute names are those of Microsoft's SDK (azure-servicemanagement-legacy 0.20.8), so a user of
the Python guide reads ``svc.hosted_service_properties.location`` or
``dep.role_instance_list[0].instance_status`` without a manual. Where the SDK wraps a list in a
container class (``HostedServices``, ``RoleInstanceList``, ``Locations``...), smflow uses a plain
``list[...]``: list operations return ``list[HostedService]`` and nested lists are ``list[X]``, so a
flow can iterate them directly (``all(dep.role_instance_list, i => ...)``) and ``len()`` works.

Conventions (the XML decoder in ``asm.xml`` fills these; the flow checker reads the annotations
through ``smflow.asm.types.attribute_type``, so they are precise):
- every field has a default, so a partial or trimmed response still decodes;
- a value the wire marks ``i:nil`` or leaves out is ``None`` for ``X | None`` fields; identifying
  strings (names, urls, statuses) default to ``""``;
- numbers are ``int`` and flags ``bool``, never strings (the SDK keeps ``http_status_code`` as a
  string; smflow gives an ``int``);
- labels and configurations are already base64-decoded where the wire encodes them (wire.md §1.4);
- an empty list element (``<HostedServices/>``) is ``[]``; extended properties are ``dict[str, str]``.

Fixed SDK bugs: ``Operation.id`` is read from ``<ID>`` (SDK bug 2) and
``Deployment.persistent_vm_downtime_info`` from ``<PersistentVMDowntime>`` (SDK bug 3).
Storage keys are secret: they are hidden from ``repr`` and marked ``metadata={"secret": True}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AffinityGroup",
    "AsynchronousOperationResult",
    "ComputeCapabilities",
    "ConfigurationSet",
    "ConfigurationSetInputEndpoint",
    "DataVirtualHardDisk",
    "Deployment",
    "HostedService",
    "HostedServiceProperties",
    "InputEndpoint",
    "InstanceEndpoint",
    "Location",
    "OSImage",
    "OSVirtualHardDisk",
    "OperatingSystem",
    "OperatingSystemFamily",
    "Operation",
    "OperationError",
    "PersistentVMDowntimeInfo",
    "Role",
    "RoleInstance",
    "StorageService",
    "StorageServiceKeys",
    "StorageServiceProperties",
    "UpgradeStatus",
    "VirtualIP",
]

SECRET = {"secret": True}


@dataclass
class ComputeCapabilities:
    web_worker_role_sizes: list[str] = field(default_factory=list)
    virtual_machines_role_sizes: list[str] = field(default_factory=list)


@dataclass
class Location:
    name: str = ""
    display_name: str = ""
    available_services: list[str] = field(default_factory=list)
    compute_capabilities: ComputeCapabilities | None = None
    # Not read by the SDK, but on the wire and useful to choose an account_type.
    storage_account_types: list[str] = field(default_factory=list)


@dataclass
class HostedServiceProperties:
    description: str | None = None
    location: str | None = None
    affinity_group: str | None = None
    label: str = ""  # decoded from base64
    status: str = ""
    date_created: str = ""
    date_last_modified: str = ""
    extended_properties: dict[str, str] = field(default_factory=dict)


@dataclass
class InstanceEndpoint:
    name: str = ""
    vip: str | None = None
    public_port: int | None = None
    local_port: int | None = None
    protocol: str | None = None


@dataclass
class RoleInstance:
    role_name: str = ""
    instance_name: str = ""
    instance_status: str = ""  # CreatingVM, StoppedVM, ReadyRole...
    instance_upgrade_domain: int | None = None
    instance_fault_domain: int | None = None
    instance_size: str | None = None
    instance_state_details: str | None = None
    instance_error_code: str | None = None
    ip_address: str | None = None
    instance_endpoints: list[InstanceEndpoint] = field(default_factory=list)
    power_state: str | None = None  # Started, Stopped
    fqdn: str | None = None
    host_name: str | None = None
    remote_access_certificate_thumbprint: str | None = None


@dataclass
class UpgradeStatus:
    upgrade_type: str = ""
    current_upgrade_domain_state: str = ""
    current_upgrade_domain: int | None = None


@dataclass
class InputEndpoint:
    """A deployment-level endpoint (``Deployment.input_endpoint_list``)."""

    role_name: str = ""
    vip: str | None = None
    port: int | None = None


@dataclass
class ConfigurationSetInputEndpoint:
    """An endpoint of a network configuration set (``Role.configuration_sets[i].input_endpoints``)."""

    name: str = ""
    protocol: str | None = None
    port: int | None = None
    local_port: int | None = None
    load_balanced_endpoint_set_name: str | None = None
    enable_direct_server_return: bool | None = None
    idle_timeout_in_minutes: int | None = None


@dataclass
class ConfigurationSet:
    """A configuration set as a role reports it (usually the network set)."""

    configuration_set_type: str = ""
    input_endpoints: list[ConfigurationSetInputEndpoint] = field(default_factory=list)
    subnet_names: list[str] = field(default_factory=list)
    static_virtual_network_ip_address: str | None = None


@dataclass
class OSVirtualHardDisk:
    host_caching: str | None = None
    disk_label: str | None = None
    disk_name: str | None = None
    media_link: str | None = None
    source_image_name: str | None = None
    os: str | None = None
    remote_source_image_link: str | None = None
    io_type: str | None = None


@dataclass
class DataVirtualHardDisk:
    host_caching: str | None = None
    disk_label: str | None = None
    disk_name: str | None = None
    lun: int | None = None
    logical_disk_size_in_gb: int | None = None
    media_link: str | None = None
    source_media_link: str | None = None
    io_type: str | None = None


@dataclass
class Role:
    """A role of a deployment; ``get_role`` returns one (wire root ``PersistentVMRole``)."""

    role_name: str = ""
    role_type: str | None = None
    os_version: str | None = None
    configuration_sets: list[ConfigurationSet] = field(default_factory=list)
    availability_set_name: str | None = None
    data_virtual_hard_disks: list[DataVirtualHardDisk] = field(default_factory=list)
    os_virtual_hard_disk: OSVirtualHardDisk | None = None
    role_size: str | None = None
    default_win_rm_certificate_thumbprint: str | None = None
    vm_image_name: str | None = None
    provision_guest_agent: bool | None = None


@dataclass
class VirtualIP:
    address: str = ""
    is_reserved: bool = False
    reserved_ip_name: str | None = None
    type: str | None = None
    name: str | None = None
    is_dns_programmed: bool | None = None


@dataclass
class PersistentVMDowntimeInfo:
    start_time: str = ""
    end_time: str = ""
    status: str = ""


@dataclass
class Deployment:
    name: str = ""
    deployment_slot: str = ""  # always "Production" or "Staging" in responses
    private_id: str = ""
    status: str = ""  # Running, Suspended, SuspendedTransitioning, ...
    label: str = ""  # decoded from base64
    url: str = ""
    configuration: str = ""  # decoded from base64: the ServiceConfiguration XML text
    role_instance_list: list[RoleInstance] = field(default_factory=list)
    upgrade_status: UpgradeStatus | None = None
    upgrade_domain_count: int | None = None
    role_list: list[Role] = field(default_factory=list)
    sdk_version: str | None = None
    input_endpoint_list: list[InputEndpoint] = field(default_factory=list)
    locked: bool = False
    rollback_allowed: bool = False
    persistent_vm_downtime_info: PersistentVMDowntimeInfo | None = None
    created_time: str = ""
    virtual_network_name: str | None = None
    last_modified_time: str = ""
    extended_properties: dict[str, str] = field(default_factory=dict)
    virtual_ips: list[VirtualIP] = field(default_factory=list)
    internal_dns_suffix: str | None = None


@dataclass
class HostedService:
    url: str = ""
    service_name: str = ""
    hosted_service_properties: HostedServiceProperties = field(default_factory=HostedServiceProperties)
    deployments: list[Deployment] = field(default_factory=list)  # only with embed_detail=True
    compute_capabilities: ComputeCapabilities | None = None  # list items only


@dataclass
class StorageServiceProperties:
    """The SDK calls this class ``StorageAccountProperties``; the attribute names are the same."""

    description: str | None = None
    affinity_group: str | None = None
    location: str | None = None
    label: str = ""  # decoded from base64
    status: str = ""  # Creating, Created, ...
    endpoints: list[str] = field(default_factory=list)
    geo_replication_enabled: bool | None = None
    geo_primary_region: str | None = None
    status_of_primary: str | None = None
    geo_secondary_region: str | None = None
    status_of_secondary: str | None = None
    last_geo_failover_time: str | None = None
    creation_time: str | None = None
    account_type: str | None = None


@dataclass
class StorageServiceKeys:
    """Secret: never printed, journaled or recorded (hidden from ``repr``)."""

    primary: str = field(default="", repr=False, metadata=SECRET)
    secondary: str = field(default="", repr=False, metadata=SECRET)


@dataclass
class StorageService:
    url: str = ""
    service_name: str = ""
    storage_service_properties: StorageServiceProperties = field(default_factory=StorageServiceProperties)
    storage_service_keys: StorageServiceKeys | None = None  # only from get_storage_account_keys
    extended_properties: dict[str, str] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=list)


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
class OperationError:
    code: str = ""
    message: str = ""


@dataclass
class Operation:
    """The state of an asynchronous operation (``get_operation_status``)."""

    id: str = ""  # the dashed GUID form of the request id (read from <ID>: SDK bug 2 fixed)
    status: str = ""  # InProgress, Succeeded, Failed
    http_status_code: int | None = None  # absent while InProgress
    error: OperationError | None = None  # present when Failed


@dataclass
class AsynchronousOperationResult:
    """What every write returns: the ``x-ms-request-id`` to poll with ``get_operation_status``.

    Synchronous writes (create hosted service, the deletes, affinity groups) return one too: polling
    it answers Succeeded at once. ``body`` holds a decoded model when the write answers with one
    (``add_os_image`` returns the new ``OSImage``).
    """

    request_id: str | None = None
    body: OSImage | None = None
    # The HTTP status of the answer: 202 means the work goes on after the answer (poll request_id)
    # even for calls the catalogue marks synchronous (e.g. deletes with comp=media).
    http_status: int | None = None
