"""The emulator's resources as plain dataclasses, and the one internal error type.

These hold what the service remembers about a subscription: hosted services with deployments in
two slots, storage accounts, affinity groups, user OS images, and asynchronous operations. They
know nothing of HTTP or XML (``wire.py`` writes them) and nothing of the rules (``state.py``
enforces those). Labels and configurations are kept *decoded* (plain text); the writer decides
where the wire wants base64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AffinityGroup",
    "AsmFault",
    "DataDisk",
    "Deployment",
    "Disk",
    "Endpoint",
    "HostedService",
    "ManagementCertificate",
    "OsImage",
    "Operation",
    "Role",
    "RoleInstance",
    "ServiceCertificate",
    "StorageAccount",
    "Upgrade",
]


class AsmFault(Exception):  # noqa: N818 - the service's own word; server-side only, never reaches a client as Python
    """A refusal the service answers with ``<Error><Code/><Message/></Error>`` and an HTTP status.

    Raised by the state and the handlers; turned into XML in exactly one place (``app.py``).
    """

    def __init__(self, status: int, code: str, message: str, *, retry_after: int | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        super().__init__(f"{status} {code}: {message}")


@dataclass
class RoleInstance:
    role_name: str
    instance_name: str
    status: str  # CreatingVM, StartingVM, ReadyRole, StoppedVM
    upgrade_domain: int
    fault_domain: int
    ip_address: str
    power_state: str  # Started, Stopped
    size: str = "Small"
    host_name: str | None = None  # VM deployments only
    package_url: str = ""  # the package this instance runs (not on the wire: an in-place upgrade moves it)


@dataclass
class Endpoint:
    """An input endpoint of a VM role, as sent (get_role returns it)."""

    name: str
    protocol: str
    port: int
    local_port: int
    load_balanced_endpoint_set_name: str = ""
    enable_direct_server_return: bool = False
    idle_timeout_in_minutes: int = 4


@dataclass
class DataDisk:
    """A data disk attached to a VM role, in slot ``lun``."""

    lun: int
    disk_name: str
    label: str
    media_link: str
    size_gb: int
    host_caching: str = "None"
    source_media_link: str | None = None


@dataclass
class Disk:
    """A registered disk no VM uses (an attached disk lives on its role: ``Role.data_disks`` or the OS disk)."""

    name: str
    label: str
    media_link: str
    os: str | None  # None for a data disk
    size_gb: int
    location: str | None = "West US"
    affinity_group: str | None = None
    source_image_name: str | None = None


@dataclass
class Role:
    name: str
    os_version: str = "WA-GUEST-OS-2.40_201506-01"
    # Persistent VM roles only (None for web/worker roles).
    role_type: str | None = None
    vm_image_name: str | None = None
    os_disk_name: str | None = None
    os_disk_media_link: str | None = None
    os_disk_source_image: str | None = None
    os_disk_os: str | None = None
    role_size: str | None = None
    host_name: str | None = None
    # What a VM role was sent, so get_role returns it (vm_roles.py, disks.py).
    os_disk_label: str | None = None
    os_disk_size_gb: int = 30
    endpoints: list[Endpoint] = field(default_factory=list)
    subnet_names: list[str] = field(default_factory=list)
    availability_set_name: str | None = None
    data_disks: list[DataDisk] = field(default_factory=list)


@dataclass
class Upgrade:
    """An in-place upgrade (or its rollback) under way on a deployment, domain by domain.

    Instances of ``domain`` move to ``package_url`` while it is walked; domains below it are done,
    domains above it untouched. ``previous_*`` is what a rollback returns to.
    """

    mode: str  # Auto, Manual, Simultaneous (UpgradeType on the wire)
    domain_count: int
    package_url: str
    label: str
    configuration: str
    previous_package_url: str
    previous_label: str
    previous_configuration: str
    role: str | None = None  # RoleToUpgrade: only this role's instances
    domain: int = 0  # CurrentUpgradeDomain
    state: str = "Before"  # CurrentUpgradeDomainState: Before (waiting for its walk) or During
    rolling_back: bool = False
    moving: list[str] = field(default_factory=list)  # names of the instances this pass moves


@dataclass
class Deployment:
    name: str
    slot: str  # "Production" or "Staging", whatever case the request used
    private_id: str
    status: str
    label: str
    url: str
    configuration: str  # the ServiceConfiguration XML text, decoded
    package_url: str
    roles: list[Role]
    instances: list[RoleInstance]
    created: str
    last_modified: str
    vip: str
    extended_properties: dict[str, str] = field(default_factory=dict)
    is_vm: bool = False
    busy_op: str | None = None  # the in-progress operation holding exclusive access
    upgrade_domain_count: int = 5  # the most upgrade domains instances are spread over
    upgrade: Upgrade | None = None  # an in-place upgrade under way
    dns_servers: dict[str, str] = field(default_factory=dict)  # name -> address, in the order added
    reserved_ip: str | None = None  # the reserved IP address that is its VIP (emulator/reserved_ips.py)

    def upgrade_domains(self) -> int:
        """UpgradeDomainCount as the service reports it: the domains the instances really occupy."""
        used = max((i.upgrade_domain for i in self.instances), default=0) + 1
        return max(1, min(self.upgrade_domain_count, used))


@dataclass
class ServiceCertificate:
    """A certificate uploaded to a hosted service: its public part only (the private key is not kept)."""

    thumbprint: str  # upper-case hex SHA-1 of the DER certificate
    data: str  # base64 of the DER certificate, as GET returns it
    algorithm: str = "sha1"


@dataclass
class ManagementCertificate:
    public_key: str
    thumbprint: str
    data: str
    created: str


@dataclass
class HostedService:
    name: str
    label: str
    description: str | None
    location: str | None
    affinity_group: str | None
    created: str
    last_modified: str
    extended_properties: dict[str, str] = field(default_factory=dict)
    status: str = "Created"
    slots: dict[str, Deployment] = field(default_factory=dict)  # "Production"/"Staging" -> deployment
    certificates: dict[str, ServiceCertificate] = field(default_factory=dict)  # "sha1-<THUMBPRINT>" -> certificate


@dataclass
class StorageAccount:
    name: str
    label: str
    description: str | None
    location: str | None
    affinity_group: str | None
    account_type: str
    created: str
    primary_key: str
    secondary_key: str
    geo_primary: str
    geo_secondary: str | None
    extended_properties: dict[str, str] = field(default_factory=dict)
    status: str = "Creating"  # -> "Created" when its create operation completes


@dataclass
class AffinityGroup:
    name: str
    label: str
    description: str | None
    location: str
    created: str


@dataclass
class OsImage:
    """An OS image; public ones come from ``catalog_data``, user ones from add_os_image."""

    category: str  # Public or User
    label: str  # plain text on the wire, never base64
    location: str
    logical_size_gb: int
    name: str
    os: str
    media_link: str | None = None
    eula: str | None = None
    description: str | None = None
    image_family: str | None = None
    published_date: str | None = None
    is_premium: bool = False
    icon_uri: str | None = None
    privacy_uri: str | None = None
    recommended_vm_size: str | None = None
    publisher_name: str | None = None
    pricing_detail_link: str | None = None
    small_icon_uri: str | None = None
    os_state: str | None = None
    io_type: str = "Standard_LRS"
    language: str | None = None
    show_in_gui: bool | None = None
    # replicate_vm_image / share_vm_image (emulator/vm_images.py): where to, since when, shared how
    replica_regions: list[str] = field(default_factory=list)
    replicated_at: float | None = None  # on the state's clock
    share_permission: str | None = None


@dataclass
class Operation:
    """One asynchronous (or already finished synchronous) request, polled by its request id."""

    id: str  # 32 lowercase hex digits, as in the x-ms-request-id header
    kind: str  # what completes it: create_deployment, swap_deployment, create_storage_account, ...
    started: float  # on the state's clock
    ends: float
    status: str = "InProgress"  # InProgress, Succeeded, Failed
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    service: str | None = None
    deployment: str | None = None  # the deployment's name
    storage: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    fail_with: tuple[int, str, str] | None = None  # (status, code, message) for an injected Failed ending
