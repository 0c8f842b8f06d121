"""Virtual machines: VM deployments and their roles."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm import records as r
from smflow.asm.catalogue.spec import SLOT, Argument, OperationSpec, label_arg, path_arg, read, service_arg, write
from smflow.asm.types import BOOL, STRING, EnumType, ListType, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"
ROLE_OPERATIONS = DEP + "/roleinstances/{role_name}/Operations"  # one route, told apart by the body's root
ROLES_OPERATIONS = DEP + "/roles/Operations"

DEP_ARG = path_arg("deployment_name", "name of the VM deployment")
ROLE_ARG = path_arg("role_name", "name of the VM role")
ROLE_NAMES_ARG = Argument("role_names", ListType(STRING), required=True, doc="names of the VM roles")
POST_SHUTDOWN = Argument(
    "post_shutdown_action", EnumType(("Stopped", "StoppedDeallocated")), default="Stopped",
    doc="Stopped (StoppedVM: still allocated, still billed) or StoppedDeallocated (compute released)",
)

SPECS: tuple[OperationSpec, ...] = (
    write(
        "create_virtual_machine_deployment", "POST", HS + "/{service_name}/deployments",
        (service_arg(), Argument("deployment_name", STRING, required=True, doc="deployment name", min_length=1),
         Argument("deployment_slot", SLOT, required=True, doc="staging or production (sent in the body)"),
         label_arg(doc="label (sent as plain text, returned base64)"),
         Argument("role_name", STRING, required=True, doc="name of the VM role", min_length=1),
         Argument("system_config", r.SYSTEM_CONFIG, doc="{type: 'linux'|'windows', ...} provisioning set",
                  secret_fields=r.SECRET_FIELDS),
         Argument("os_virtual_hard_disk", r.OS_VIRTUAL_HARD_DISK, doc="OS disk (or vm_image_name)"),
         Argument("network_config", r.NETWORK_CONFIG, doc="endpoints and subnets"),
         Argument("availability_set_name", STRING),
         Argument("data_virtual_hard_disks", ListType(r.DATA_VIRTUAL_HARD_DISK)),
         Argument("role_size", STRING, doc="e.g. Small, Medium, Basic_A1 (keyword-only in the client)"),
         Argument("role_type", STRING, default="PersistentVMRole"),
         Argument("virtual_network_name", STRING),
         Argument("resource_extension_references", ListType(r.RESOURCE_EXTENSION_REFERENCE)),
         Argument("provision_guest_agent", BOOL), Argument("vm_image_name", STRING, doc="VM image (or os_virtual_hard_disk)"),
         Argument("media_location", STRING), Argument("dns_servers", ListType(r.DNS_SERVER)),
         Argument("reserved_ip_name", STRING)),
        effect="create", asynchronous=True, status=(202,), resource="deployment", body_root="Deployment",
        exactly_one_of=(("os_virtual_hard_disk", "vm_image_name"),),
        doc="Create a deployment holding one virtual machine.",
    ),
    read(
        "get_role", DEP + "/roles/{role_name}",
        (service_arg(), path_arg("deployment_name", "name of the deployment"), path_arg("role_name", "name of the VM role")),
        ModelType(m.Role), "role", "Read a VM role of a deployment.",
    ),
    # -- power (wire-extended.md §1): asynchronous, 202, the instance is the role ------------------
    write(
        "shutdown_role", "POST", ROLE_OPERATIONS, (service_arg(), DEP_ARG, ROLE_ARG, POST_SHUTDOWN),
        effect="update", asynchronous=True, status=(202,), resource="role", body_root="ShutdownRoleOperation",
        doc="Shut a VM down (its instance ends StoppedVM, or StoppedDeallocated).",
    ),
    write(
        "start_role", "POST", ROLE_OPERATIONS, (service_arg(), DEP_ARG, ROLE_ARG),
        effect="update", asynchronous=True, status=(202,), resource="role", body_root="StartRoleOperation",
        doc="Start a stopped VM (its instance ends ReadyRole).",
    ),
    write(
        "restart_role", "POST", ROLE_OPERATIONS, (service_arg(), DEP_ARG, ROLE_ARG),
        effect="update", asynchronous=True, status=(202,), resource="role", body_root="RestartRoleOperation",
        doc="Restart a running VM.",
    ),
    write(
        "shutdown_roles", "POST", ROLES_OPERATIONS, (service_arg(), DEP_ARG, ROLE_NAMES_ARG, POST_SHUTDOWN),
        effect="update", asynchronous=True, status=(202,), resource="role", body_root="ShutdownRolesOperation",
        doc="Shut several VMs of a deployment down in one operation.",
    ),
    write(
        "start_roles", "POST", ROLES_OPERATIONS, (service_arg(), DEP_ARG, ROLE_NAMES_ARG),
        effect="update", asynchronous=True, status=(202,), resource="role", body_root="StartRolesOperation",
        doc="Start several stopped VMs of a deployment in one operation.",
    ),
)
