"""Subscription-wide resources and catalogs: locations, affinity groups, guest OS lists, operation status."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import (
    Argument,
    OperationSpec,
    description_arg,
    label_arg,
    listing,
    path_arg,
    read,
    write,
)
from smflow.asm.types import STRING, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

SPECS: tuple[OperationSpec, ...] = (
    listing("list_locations", "locations", m.Location, "location", "List the data-center locations."),
    write(
        "create_affinity_group", "POST", "affinitygroups",
        (Argument("name", STRING, required=True, doc="affinity group name", min_length=1), label_arg(),
         Argument("location", STRING, required=True, doc="data-center location"), description_arg()),
        effect="create", asynchronous=False, status=(201,), resource="affinity group",
        body_root="CreateAffinityGroup", doc="Create an affinity group (returns a request id, unlike the SDK).",
    ),
    read("get_affinity_group_properties", "affinitygroups/{affinity_group_name}",
          (path_arg("affinity_group_name", "name of the affinity group"),), ModelType(m.AffinityGroup), "affinity group",
          "Read an affinity group with its hosted services and storage accounts."),
    listing("list_affinity_groups", "affinitygroups", m.AffinityGroup, "affinity group", "List the affinity groups."),
    write(
        "delete_affinity_group", "DELETE", "affinitygroups/{affinity_group_name}",
        (path_arg("affinity_group_name", "name of the affinity group"),),
        effect="delete", asynchronous=False, status=(200,), resource="affinity group",
        doc="Delete an affinity group (returns a request id, unlike the SDK).",
    ),
    listing("list_operating_systems", "operatingsystems", m.OperatingSystem, "guest OS", "List the guest OS versions."),
    listing("list_operating_system_families", "operatingsystemfamilies", m.OperatingSystemFamily, "guest OS family",
          "List the guest OS families and their versions."),
    read("get_operation_status", "operations/{request_id}",
          (path_arg("request_id", "the x-ms-request-id of an earlier write"),),
          ModelType(m.Operation), "operation", "Read the state of an asynchronous operation."),
    write(
        "update_affinity_group", "PUT", "affinitygroups/{affinity_group_name}",
        (path_arg("affinity_group_name", "name of the affinity group"), label_arg(), description_arg()),
        effect="update", asynchronous=False, status=(200,), resource="affinity group",
        body_root="UpdateAffinityGroup", doc="Change an affinity group's label and description.",
    ),
    listing("list_role_sizes", "rolesizes", m.RoleSize, "role size",
            "List the role sizes: cores, memory, disks, and whether web/worker roles or VMs may use them."),
)
