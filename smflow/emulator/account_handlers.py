"""Handlers for storage accounts, affinity groups, OS images, locations and guest OS lists."""

from __future__ import annotations

from smflow.emulator import account_writers, writers
from smflow.emulator.handlers import Context, Reply, handler, location_header
from smflow.emulator.wire import b64decode_field

__all__: list[str] = []


# -- locations and guest OS --------------------------------------------------------------------
@handler
def list_locations(ctx: Context) -> Reply:
    return Reply(body=account_writers.locations_xml())


@handler
def list_operating_systems(ctx: Context) -> Reply:
    return Reply(body=account_writers.operating_systems_xml())


@handler
def list_operating_system_families(ctx: Context) -> Reply:
    return Reply(body=account_writers.operating_system_families_xml())


@handler
def get_operation_status(ctx: Context) -> Reply:
    return Reply(body=writers.operation_xml(ctx.sub.operation(ctx.params["request_id"])))


# -- storage accounts --------------------------------------------------------------------------
_CREATE_SA = (
    "ServiceName", "Description", "Label", "AffinityGroup", "Location", "GeoReplicationEnabled", "ExtendedProperties",
    "AccountType",
)  # fmt: skip


@handler
def create_storage_account(ctx: Context) -> Reply:
    body = ctx.body_of("CreateStorageServiceInput", _CREATE_SA)
    name = body.required("ServiceName")
    account_type = body.text("AccountType") or ("Standard_LRS" if body.text("GeoReplicationEnabled") == "false" else "Standard_GRS")
    ctx.sub.create_storage_account(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.text("Location"), body.text("AffinityGroup"), account_type, body.extended_properties(),
    )  # fmt: skip
    return Reply(202, headers=location_header(ctx, "storage", name))


@handler
def list_storage_accounts(ctx: Context) -> Reply:
    return Reply(body=account_writers.storage_services_xml(list(ctx.sub.storage.values()), ctx.base, ctx.sub.id))


@handler
def get_storage_account_properties(ctx: Context) -> Reply:
    acct = ctx.sub.storage_account(ctx.params["service_name"])
    return Reply(body=account_writers.storage_service_xml(acct, ctx.base, ctx.sub.id))


@handler
def get_storage_account_keys(ctx: Context) -> Reply:
    acct = ctx.sub.storage_account(ctx.params["service_name"])
    return Reply(body=account_writers.storage_keys_xml(acct, ctx.base, ctx.sub.id))


@handler
def regenerate_storage_account_keys(ctx: Context) -> Reply:
    body = ctx.body_of("RegenerateKeys", ("KeyType",))
    acct = ctx.sub.regenerate_storage_keys(ctx.request_id, ctx.params["service_name"], body.required("KeyType"))
    return Reply(body=account_writers.storage_keys_xml(acct, ctx.base, ctx.sub.id))


@handler
def delete_storage_account(ctx: Context) -> Reply:
    ctx.sub.delete_storage_account(ctx.request_id, ctx.params["service_name"])
    return Reply()


# -- affinity groups ---------------------------------------------------------------------------
@handler
def create_affinity_group(ctx: Context) -> Reply:
    body = ctx.body_of("CreateAffinityGroup", ("Name", "Label", "Description", "Location"))
    name = body.required("Name")
    ctx.sub.create_affinity_group(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.required("Location"),
    )  # fmt: skip
    return Reply(201, headers=location_header(ctx, "affinitygroup", name))


@handler
def list_affinity_groups(ctx: Context) -> Reply:
    return Reply(body=account_writers.affinity_groups_xml(list(ctx.sub.affinity_groups.values())))


@handler
def get_affinity_group_properties(ctx: Context) -> Reply:
    name = ctx.params["affinity_group_name"]
    group = ctx.sub.affinity_group(name)
    services, storage = ctx.sub.affinity_members(name)
    return Reply(body=account_writers.affinity_group_xml(group, services, storage, ctx.base, ctx.sub.id))


@handler
def delete_affinity_group(ctx: Context) -> Reply:
    ctx.sub.delete_affinity_group(ctx.request_id, ctx.params["affinity_group_name"])
    return Reply()


# -- OS images ---------------------------------------------------------------------------------
@handler
def add_os_image(ctx: Context) -> Reply:
    body = ctx.body_of("OSImage", ("Label", "MediaLink", "Name", "OS"))
    img = ctx.sub.add_os_image(
        ctx.request_id, body.required("Label"), body.required("MediaLink"), body.required("Name"), body.required("OS")
    )
    return Reply(body=account_writers.os_image_xml(img))


@handler
def list_os_images(ctx: Context) -> Reply:
    return Reply(body=account_writers.images_xml(ctx.sub.all_images()))


@handler
def get_os_image(ctx: Context) -> Reply:
    return Reply(body=account_writers.os_image_xml(ctx.sub.os_image(ctx.params["image_name"])))


@handler
def delete_os_image(ctx: Context) -> Reply:
    ctx.sub.delete_os_image(ctx.request_id, ctx.params["image_name"])
    return Reply()
