"""Reading a create_virtual_machine_deployment body: only what the emulator keeps.

The body is deep (wire.md §3.8) and carries secrets (UserPassword, AdminPassword, CustomData):
this reader picks out names, sizes, images and disks, and never keeps a password.
"""

from __future__ import annotations

from dataclasses import dataclass

from smflow.emulator.deployments import RoleSpec
from smflow.emulator.resources import AsmFault
from smflow.emulator.wire import Body, parse_body

__all__ = ["VmDeploymentSpec", "read_vm_deployment"]

_TOP = ("Name", "DeploymentSlot", "Label", "RoleList", "VirtualNetworkName", "Dns", "ReservedIPName")


@dataclass(frozen=True)
class VmDeploymentSpec:
    name: str
    slot: str
    label: str  # plain text on input (the SDK does not encode it); base64 on output
    roles: list[RoleSpec]
    virtual_network: str | None


def _role(role: Body) -> RoleSpec:
    name = role.required("RoleName")
    host_name = None
    sets = role.sub("ConfigurationSets")
    for cs in sets.children("ConfigurationSet") if sets else []:
        item = Body(cs)
        kind = item.text("ConfigurationSetType")
        if kind == "LinuxProvisioningConfiguration":
            host_name = item.text("HostName")
        elif kind == "WindowsProvisioningConfiguration":
            host_name = item.text("ComputerName")
        elif kind != "NetworkConfiguration":
            raise AsmFault(400, "BadRequest", f"The configuration set type '{kind}' is not valid.")
    disk = role.sub("OSVirtualHardDisk")
    image = role.text("VMImageName") or None
    if disk is None and image is None:
        raise AsmFault(400, "BadRequest", f"Role {name} needs an OSVirtualHardDisk or a VMImageName.")
    return RoleSpec(
        name=name,
        role_type=role.text("RoleType") or "PersistentVMRole",
        vm_image_name=image,
        os_disk_media_link=disk.text("MediaLink") if disk else None,
        os_disk_source_image=(disk.text("SourceImageName") or None) if disk else None,
        os_disk_os=disk.text("OS") if disk else None,
        role_size=role.text("RoleSize") or "Small",
        host_name=host_name or name,
    )


def read_vm_deployment(raw: bytes) -> VmDeploymentSpec:
    body = parse_body(raw, "Deployment", _TOP)
    role_list = body.sub("RoleList")
    roles = [_role(Body(r)) for r in role_list.children("Role")] if role_list else []
    if not roles:
        raise AsmFault(400, "BadRequest", "The deployment must contain at least one role.")
    return VmDeploymentSpec(
        name=body.required("Name"),
        slot=body.required("DeploymentSlot"),
        label=body.required("Label"),
        roles=roles,
        virtual_network=body.text("VirtualNetworkName") or None,
    )
