"""Virtual-machine roles: configuration sets and disks (``get_role``).

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ConfigurationSet", "ConfigurationSetInputEndpoint", "DataVirtualHardDisk", "OSVirtualHardDisk", "Role"]



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
