"""Hosted (cloud) services, their deployments and role instances.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

from smflow.asm.models.vm import Role

__all__ = [
    "ComputeCapabilities", "Deployment", "DnsServer", "HostedService", "HostedServiceProperties", "InputEndpoint", "InstanceEndpoint", "PersistentVMDowntimeInfo", "RoleInstance", "UpgradeStatus", "VirtualIP"]




@dataclass
class ComputeCapabilities:
    web_worker_role_sizes: list[str] = field(default_factory=list)
    virtual_machines_role_sizes: list[str] = field(default_factory=list)


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
class VirtualIP:
    address: str = ""
    is_reserved: bool = False
    reserved_ip_name: str | None = None
    type: str | None = None
    name: str | None = None
    is_dns_programmed: bool | None = None



@dataclass
class DnsServer:
    """A DNS server of a deployment (``Deployment.dns_servers``; wire ``Dns/DnsServers/DnsServer``)."""

    name: str = ""
    address: str = ""



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
    dns_servers: list[DnsServer] = field(default_factory=list)



@dataclass
class HostedService:
    url: str = ""
    service_name: str = ""
    hosted_service_properties: HostedServiceProperties = field(default_factory=HostedServiceProperties)
    deployments: list[Deployment] = field(default_factory=list)  # only with embed_detail=True
    compute_capabilities: ComputeCapabilities | None = None  # list items only
