"""VM roles of a deployment (add, update, delete, capture) and the deployment's DNS servers
(wire-extended.md §1, §2). Power operations and ``get_role`` live in ``vm``."""

from __future__ import annotations

from smflow.asm import records as r
from smflow.asm.catalogue.spec import Argument, OperationSpec, path_arg, service_arg, write
from smflow.asm.types import BOOL, STRING, EnumType, ListType

__all__ = ["SPECS"]

DEP = "services/hostedservices/{service_name}/deployments/{deployment_name}"
ROLES = DEP + "/roles"
DNS = DEP + "/dnsservers"

DEP_ARG = path_arg("deployment_name", "name of the VM deployment")
ROLE_ARG = path_arg("role_name", "name of the VM role")
DNS_ARG = path_arg("dns_server_name", "name of the DNS server")


def _role_shape(*, with_system: bool) -> tuple[Argument, ...]:
    """The role body's arguments after the role name, in the SDK's order (add_role has the
    provisioning set first and the image/media arguments last; update_role neither)."""
    system = (
        Argument("system_config", r.SYSTEM_CONFIG, required=True, doc="{type: 'linux'|'windows', ...} provisioning set",
                 secret_fields=r.SECRET_FIELDS),
        Argument("os_virtual_hard_disk", r.OS_VIRTUAL_HARD_DISK, doc="OS disk (or vm_image_name)"),
    ) if with_system else (Argument("os_virtual_hard_disk", r.OS_VIRTUAL_HARD_DISK, doc="OS disk"),)
    common = (
        Argument("network_config", r.NETWORK_CONFIG, doc="endpoints and subnets"),
        Argument("availability_set_name", STRING),
        Argument("data_virtual_hard_disks", ListType(r.DATA_VIRTUAL_HARD_DISK)),
        Argument("role_size", STRING, doc="e.g. Small, Medium, Basic_A1"),
        Argument("role_type", STRING, default="PersistentVMRole"),
        Argument("resource_extension_references", ListType(r.RESOURCE_EXTENSION_REFERENCE)),
        Argument("provision_guest_agent", BOOL),
    )
    image = (Argument("vm_image_name", STRING, doc="VM image (or os_virtual_hard_disk)"),
             Argument("media_location", STRING)) if with_system else ()
    return system + common + image


SPECS: tuple[OperationSpec, ...] = (
    write(
        "add_role", "POST", ROLES,
        (service_arg(), DEP_ARG, Argument("role_name", STRING, required=True, doc="name of the new VM role",
                                          min_length=1), *_role_shape(with_system=True)),
        effect="create", asynchronous=True, status=(202,), resource="role", body_root="PersistentVMRole",
        exactly_one_of=(("os_virtual_hard_disk", "vm_image_name"),),
        doc="Add a virtual machine (a role) to a VM deployment.",
    ),
    write(
        "update_role", "PUT", ROLES + "/{role_name}",
        (service_arg(), DEP_ARG, ROLE_ARG, *_role_shape(with_system=False)),
        effect="update", asynchronous=True, status=(202,), resource="role", body_root="PersistentVMRole",
        doc="Change a VM: its size, endpoints, availability set, disks (what is sent replaces what was).",
    ),
    write(
        "delete_role", "DELETE", ROLES + "/{role_name}",
        (service_arg(), DEP_ARG, ROLE_ARG,
         Argument("complete", BOOL, default=False, location="query", query_flag="comp=media",
                  doc="also delete the VM's OS and data disks and their .vhd blobs")),
        effect="delete", asynchronous=True, status=(202,), resource="role",
        doc="Delete a VM from its deployment (its disks stay registered unless complete).",
    ),
    write(
        "capture_role", "POST", DEP + "/roleinstances/{role_name}/Operations",
        (service_arg(), DEP_ARG, ROLE_ARG,
         Argument("post_capture_action", EnumType(("Delete", "Reprovision")), required=True,
                  doc="Delete (the VM is removed) or Reprovision (it is provisioned again from the image)"),
         Argument("target_image_name", STRING, required=True, doc="name of the OS image to create", min_length=1),
         Argument("target_image_label", STRING, required=True, doc="its label (plain text)"),
         Argument("provisioning_configuration", r.SYSTEM_CONFIG, doc="provisioning set for Reprovision",
                  secret_fields=r.SECRET_FIELDS)),
        effect="create", asynchronous=True, status=(202,), resource="OS image", body_root="CaptureRoleOperation",
        doc="Capture a stopped VM's OS disk as a generalized OS image (listed by list_os_images).",
    ),
    # -- DNS servers (wire-extended.md §2): asynchronous, 202 ----------------------------------------
    write(
        "add_dns_server", "POST", DNS,
        (service_arg(), DEP_ARG, Argument("dns_server_name", STRING, required=True, doc="name of the DNS server",
                                          min_length=1),
         Argument("address", STRING, required=True, doc="its IP address")),
        effect="create", asynchronous=True, status=(202,), resource="DNS server", body_root="DnsServer",
        doc="Add a DNS server to a deployment's configuration.",
    ),
    write(
        "update_dns_server", "PUT", DNS + "/{dns_server_name}",
        (service_arg(), DEP_ARG, DNS_ARG, Argument("address", STRING, required=True, doc="its new IP address")),
        effect="update", asynchronous=True, status=(202,), resource="DNS server", body_root="DnsServer",
        doc="Change the address of a deployment's DNS server.",
    ),
    write(
        "delete_dns_server", "DELETE", DNS + "/{dns_server_name}", (service_arg(), DEP_ARG, DNS_ARG),
        effect="delete", asynchronous=True, status=(202,), resource="DNS server",
        doc="Remove a DNS server from a deployment.",
    ),
)
