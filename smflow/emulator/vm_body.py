"""Reading VM role bodies (create_virtual_machine_deployment, add_role, update_role): only what the
emulator keeps.

The body is deep (wire.md §3.8) and carries secrets (UserPassword, AdminPassword, CustomData):
this reader picks out names, sizes, images, endpoints and disks, and never keeps a password.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from smflow.emulator.deployments import RoleSpec
from smflow.emulator.resources import AsmFault, DataDisk, Endpoint
from smflow.emulator.wire import Body, parse_body

__all__ = ["ROLE_ELEMENTS", "VmDeploymentSpec", "read_role", "read_vm_deployment"]

_TOP = ("Name", "DeploymentSlot", "Label", "RoleList", "VirtualNetworkName", "Dns", "ReservedIPName")
ROLE_ELEMENTS = (
    "RoleName", "RoleType", "ConfigurationSets", "ResourceExtensionReferences", "VMImageName", "MediaLocation",
    "AvailabilitySetName", "DataVirtualHardDisks", "OSVirtualHardDisk", "RoleSize", "ProvisionGuestAgent",
)
MAX_LUN = 15


@dataclass(frozen=True)
class VmDeploymentSpec:
    name: str
    slot: str
    label: str  # plain text on input (the SDK does not encode it); base64 on output
    roles: list[RoleSpec]
    virtual_network: str | None
    dns_servers: dict[str, str]
    reserved_ip: str | None = None  # ReservedIPName: the address to take as the deployment's VIP


def number(body: Body, name: str, default: int | None = None, *, low: int = 0, high: int = 1 << 20) -> int | None:
    """An integer element (``default`` when absent or empty), 400 when it is not one in [low, high]."""
    text = body.text(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise AsmFault(400, "BadRequest", f"The value of {name} must be an integer, not '{text[:40]}'.") from None
    if not low <= value <= high:
        raise AsmFault(400, "BadRequest", f"The value of {name} must be from {low} to {high}, not {value}.")
    return value


def _endpoint(item: Body) -> Endpoint:
    return Endpoint(
        name=item.required("Name"), protocol=(item.text("Protocol") or "tcp").lower(),
        port=number(item, "Port", 0, high=65535) or 0, local_port=number(item, "LocalPort", 0, high=65535) or 0,
        load_balanced_endpoint_set_name=item.text("LoadBalancedEndpointSetName") or "",
        enable_direct_server_return=item.flag("EnableDirectServerReturn"),
        idle_timeout_in_minutes=number(item, "IdleTimeoutInMinutes", 4, low=4, high=30) or 4,
    )


def data_disk(item: Body, *, lun_default: int | None = 0) -> DataDisk:
    """A DataVirtualHardDisk element; ``disk_name`` is "" when the service is to name a new disk."""
    lun = number(item, "Lun", lun_default, high=MAX_LUN)
    if lun is None:
        raise AsmFault(400, "BadRequest", "The Lun element is missing or empty in the request body.")
    caching = item.text("HostCaching") or "None"
    if caching not in ("None", "ReadOnly", "ReadWrite"):
        raise AsmFault(400, "BadRequest", f"The HostCaching '{caching}' is not valid; use None, ReadOnly or ReadWrite.")
    return DataDisk(
        lun=lun, disk_name=item.text("DiskName") or "", label=item.text("DiskLabel") or "",
        media_link=item.text("MediaLink") or "", size_gb=number(item, "LogicalDiskSizeInGB", 0, high=1023) or 0,
        host_caching=caching, source_media_link=item.text("SourceMediaLink") or None,
    )


def _role(role: Body, *, need_disk: bool = True) -> RoleSpec:
    name = role.required("RoleName")
    host_name = None
    endpoints: list[Endpoint] = []
    subnets: list[str] = []
    sets = role.sub("ConfigurationSets")
    for cs in sets.children("ConfigurationSet") if sets else []:
        item = Body(cs)
        kind = item.text("ConfigurationSetType")
        if kind == "LinuxProvisioningConfiguration":
            host_name = item.text("HostName")
        elif kind == "WindowsProvisioningConfiguration":
            host_name = item.text("ComputerName")
        elif kind == "NetworkConfiguration":
            box = item.sub("InputEndpoints")
            endpoints = [_endpoint(Body(ep)) for ep in (box.children("InputEndpoint") if box else [])]
            names = item.sub("SubnetNames")
            subnets = [el.text or "" for el in (names.children("SubnetName") if names else [])]
        else:
            raise AsmFault(400, "BadRequest", f"The configuration set type '{kind}' is not valid.")
    if len({e.name.lower() for e in endpoints}) != len(endpoints):
        raise AsmFault(400, "BadRequest", f"The endpoint names of role {name} must be unique.")
    disks_box = role.sub("DataVirtualHardDisks")
    disks = [data_disk(Body(d)) for d in (disks_box.children("DataVirtualHardDisk") if disks_box else [])]
    if len({d.lun for d in disks}) != len(disks):
        raise AsmFault(400, "BadRequest", f"Two data disks of role {name} use the same LUN.")
    disk = role.sub("OSVirtualHardDisk")
    image = role.text("VMImageName") or None
    if need_disk and disk is None and image is None:
        raise AsmFault(400, "BadRequest", f"Role {name} needs an OSVirtualHardDisk or a VMImageName.")
    return RoleSpec(
        name=name,
        role_type=role.text("RoleType") or "PersistentVMRole",
        vm_image_name=image,
        os_disk_media_link=disk.text("MediaLink") if disk else None,
        os_disk_source_image=(disk.text("SourceImageName") or None) if disk else None,
        os_disk_os=disk.text("OS") if disk else None,
        role_size=role.text("RoleSize") or None,
        host_name=host_name or name,
        os_disk_name=(disk.text("DiskName") or None) if disk else None,
        os_disk_label=(disk.text("DiskLabel") or None) if disk else None,
        endpoints=tuple(endpoints),
        subnet_names=tuple(subnets),
        availability_set_name=role.text("AvailabilitySetName") or None,
        data_disks=tuple(disks),
    )


def read_role(raw: bytes, *, need_disk: bool = True) -> tuple[RoleSpec, Body]:
    """A ``PersistentVMRole`` body (add_role, update_role): the role, and the body to tell which
    elements were sent (an update changes only those)."""
    body = parse_body(raw, "PersistentVMRole", ROLE_ELEMENTS)
    return _role(body, need_disk=need_disk), body


def read_vm_deployment(raw: bytes) -> VmDeploymentSpec:
    body = parse_body(raw, "Deployment", _TOP)
    role_list = body.sub("RoleList")
    roles = [_role(Body(r)) for r in role_list.children("Role")] if role_list else []
    roles = [r if r.role_size else replace(r, role_size="Small") for r in roles]  # [REC add_role_linux]
    if not roles:
        raise AsmFault(400, "BadRequest", "The deployment must contain at least one role.")
    dns: dict[str, str] = {}
    dns_box = body.sub("Dns")
    servers = dns_box.sub("DnsServers") if dns_box else None
    for server in servers.children("DnsServer") if servers else []:
        item = Body(server)
        dns[item.required("Name")] = item.required("Address")
    return VmDeploymentSpec(
        name=body.required("Name"),
        slot=body.required("DeploymentSlot"),
        label=body.required("Label"),
        roles=roles,
        virtual_network=body.text("VirtualNetworkName") or None,
        dns_servers=dns,
        reserved_ip=body.text("ReservedIPName") or None,
    )

