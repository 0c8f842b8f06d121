"""Emulator handlers and routes: locations, affinity groups, guest OS lists and operation status."""

from __future__ import annotations

from smflow.emulator import account_writers, writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name, location_header
from smflow.emulator.resource_extensions import extension_versions_xml, extensions_xml
from smflow.emulator.role_sizes import role_sizes_xml
from smflow.emulator.subscription_info import operations_log_xml, subscription_xml
from smflow.emulator.wire import b64decode_field

__all__ = ["HANDLERS", "ROUTES"]


def list_locations(ctx: Context) -> Reply:
    return Reply(body=account_writers.locations_xml())


def list_operating_systems(ctx: Context) -> Reply:
    return Reply(body=account_writers.operating_systems_xml())


def list_operating_system_families(ctx: Context) -> Reply:
    return Reply(body=account_writers.operating_system_families_xml())


def get_operation_status(ctx: Context) -> Reply:
    return Reply(body=writers.operation_xml(ctx.sub.operation(ctx.params["request_id"])))


def create_affinity_group(ctx: Context) -> Reply:
    body = ctx.body_of("CreateAffinityGroup", ("Name", "Label", "Description", "Location"))
    name = body.required("Name")
    ctx.sub.create_affinity_group(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.required("Location"),
    )  # fmt: skip
    return Reply(201, headers=location_header(ctx, "affinitygroup", name))


def list_affinity_groups(ctx: Context) -> Reply:
    return Reply(body=account_writers.affinity_groups_xml(list(ctx.sub.affinity_groups.values())))


def get_affinity_group_properties(ctx: Context) -> Reply:
    name = ctx.params["affinity_group_name"]
    group = ctx.sub.affinity_group(name)
    services, storage = ctx.sub.affinity_members(name)
    return Reply(body=account_writers.affinity_group_xml(group, services, storage, ctx.base, ctx.sub.id))


def list_role_sizes(ctx: Context) -> Reply:
    return Reply(body=role_sizes_xml())


def update_affinity_group(ctx: Context) -> Reply:
    body = ctx.body_of("UpdateAffinityGroup", ("Label", "Description"))
    ctx.sub.update_affinity_group(
        ctx.request_id, ctx.params["affinity_group_name"], b64decode_field(body.required("Label"), "Label"),
        body.text("Description"),
    )  # fmt: skip
    return Reply()


def delete_affinity_group(ctx: Context) -> Reply:
    ctx.sub.delete_affinity_group(ctx.request_id, ctx.params["affinity_group_name"])
    return Reply()


def get_subscription(ctx: Context) -> Reply:
    return Reply(body=subscription_xml(ctx.sub))


def list_subscription_operations(ctx: Context) -> Reply:
    return Reply(body=operations_log_xml(ctx.sub, ctx.query))


def list_resource_extensions(ctx: Context) -> Reply:
    return Reply(body=extensions_xml())


def list_resource_extension_versions(ctx: Context) -> Reply:
    return Reply(body=extension_versions_xml(ctx.params["publisher_name"], ctx.params["extension_name"]))


ROUTES: dict[str, RouteSpec] = {
    "list_locations": ("GET", "locations", None),
    "list_operating_systems": ("GET", "operatingsystems", None),
    "list_operating_system_families": ("GET", "operatingsystemfamilies", None),
    "get_operation_status": ("GET", "operations/{request_id}", None),
    "create_affinity_group": ("POST", "affinitygroups", None),
    "list_affinity_groups": ("GET", "affinitygroups", None),
    "get_affinity_group_properties": ("GET", "affinitygroups/{affinity_group_name}", None),
    "list_role_sizes": ("GET", "rolesizes", None),
    "update_affinity_group": ("PUT", "affinitygroups/{affinity_group_name}", None),
    "delete_affinity_group": ("DELETE", "affinitygroups/{affinity_group_name}", None),
    "get_subscription": ("GET", "", None),
    "list_subscription_operations": ("GET", "operations", None),
    "list_resource_extensions": ("GET", "services/resourceextensions", None),
    "list_resource_extension_versions": ("GET", "services/resourceextensions/{publisher_name}/{extension_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    list_locations,
    list_operating_systems,
    list_operating_system_families,
    get_operation_status,
    create_affinity_group,
    list_affinity_groups,
    get_affinity_group_properties,
    list_role_sizes,
    update_affinity_group,
    delete_affinity_group,
    get_subscription,
    list_subscription_operations,
    list_resource_extensions,
    list_resource_extension_versions,
])
