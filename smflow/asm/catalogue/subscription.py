"""Subscription-wide resources and catalogs: the subscription itself and its operation log, locations,
affinity groups, guest OS lists, role sizes, resource extensions, operation status."""

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
from smflow.asm.types import STRING, EnumType, ListType, ModelType

__all__ = ["SPECS"]



def _log_filter(name: str, query: str, doc: str, type_: object = STRING) -> Argument:
    return Argument(name, type_, location="query", query_name=query, doc=doc)  # type: ignore[arg-type]

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
    read("get_subscription", "", (), ModelType(m.Subscription), "subscription",
         "Read the subscription's quotas and what it uses now (hosted services, storage accounts, cores)."),
    read(
        "list_subscription_operations", "operations",
        (_log_filter("start_time", "StartTime", "from this UTC time (2026-11-30T15:00:00Z)"),
         _log_filter("end_time", "EndTime", "up to this UTC time"),
         _log_filter("object_id_filter", "ObjectIdFilter",
                     "only operations on this resource and below (/<subscription>/services/hostedservices/<name>)"),
         _log_filter("operation_result_filter", "OperationResultFilter", "Succeeded, Failed or InProgress",
                     EnumType(("Succeeded", "Failed", "InProgress"))),
         _log_filter("continuation_token", "ContinuationToken", "the continuation_token of the previous page")),
        ModelType(m.SubscriptionOperationCollection), "operation",
        "Read the subscription's operation log, newest last, one page at a time.",
    ),
    listing("list_resource_extensions", "services/resourceextensions", m.ResourceExtension, "resource extension",
            "List the VM resource extensions (the latest version of each)."),
    read(
        "list_resource_extension_versions", "services/resourceextensions/{publisher_name}/{extension_name}",
        (path_arg("publisher_name", "the extension's publisher"), path_arg("extension_name", "the extension's name")),
        ListType(ModelType(m.ResourceExtension)), "resource extension", "List every version of a resource extension.",
    ),
)
