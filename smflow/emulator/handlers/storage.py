"""Emulator handlers and routes: storage accounts."""

from __future__ import annotations

from smflow.emulator import account_writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name, location_header
from smflow.emulator.wire import availability_xml, b64decode_field

__all__ = ["HANDLERS", "ROUTES"]


_CREATE_SA = (
    "ServiceName", "Description", "Label", "AffinityGroup", "Location", "GeoReplicationEnabled", "ExtendedProperties",
    "AccountType",
)  # fmt: skip


def create_storage_account(ctx: Context) -> Reply:
    body = ctx.body_of("CreateStorageServiceInput", _CREATE_SA)
    name = body.required("ServiceName")
    account_type = body.text("AccountType") or ("Standard_LRS" if body.text("GeoReplicationEnabled") == "false" else "Standard_GRS")
    ctx.sub.create_storage_account(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.text("Location"), body.text("AffinityGroup"), account_type, body.extended_properties(),
    )  # fmt: skip
    return Reply(202, headers=location_header(ctx, "storage", name))


def list_storage_accounts(ctx: Context) -> Reply:
    return Reply(body=account_writers.storage_services_xml(list(ctx.sub.storage.values()), ctx.base, ctx.sub.id))


def get_storage_account_properties(ctx: Context) -> Reply:
    acct = ctx.sub.storage_account(ctx.params["service_name"])
    return Reply(body=account_writers.storage_service_xml(acct, ctx.base, ctx.sub.id))


def get_storage_account_keys(ctx: Context) -> Reply:
    acct = ctx.sub.storage_account(ctx.params["service_name"])
    return Reply(body=account_writers.storage_keys_xml(acct, ctx.base, ctx.sub.id))


def regenerate_storage_account_keys(ctx: Context) -> Reply:
    body = ctx.body_of("RegenerateKeys", ("KeyType",))
    acct = ctx.sub.regenerate_storage_keys(ctx.request_id, ctx.params["service_name"], body.required("KeyType"))
    return Reply(body=account_writers.storage_keys_xml(acct, ctx.base, ctx.sub.id))


def check_storage_account_name_availability(ctx: Context) -> Reply:
    name = ctx.params["service_name"]
    taken = ctx.sub.owner.storage_name_taken(name)
    reason = f"A storage account named '{name}' already exists in the subscription." if taken else None
    return Reply(body=availability_xml(not taken, reason))


def update_storage_account(ctx: Context) -> Reply:
    body = ctx.body_of("UpdateStorageServiceInput", ("Description", "Label", "GeoReplicationEnabled",
                                                     "ExtendedProperties", "AccountType"))  # fmt: skip
    label = body.text("Label")
    account_type = body.text("AccountType") or ("Standard_LRS" if body.text("GeoReplicationEnabled") == "false" else None)
    ctx.sub.update_storage_account(
        ctx.request_id, ctx.params["service_name"], body.text("Description"),
        b64decode_field(label, "Label") if label else None, body.extended_properties(), account_type,
    )  # fmt: skip
    return Reply()


def delete_storage_account(ctx: Context) -> Reply:
    ctx.sub.delete_storage_account(ctx.request_id, ctx.params["service_name"])
    return Reply()


ROUTES: dict[str, RouteSpec] = {
    "create_storage_account": ("POST", "services/storageservices", None),
    "list_storage_accounts": ("GET", "services/storageservices", None),
    "get_storage_account_properties": ("GET", "services/storageservices/{service_name}", None),
    "get_storage_account_keys": ("GET", "services/storageservices/{service_name}/keys", None),
    "regenerate_storage_account_keys": ("POST", "services/storageservices/{service_name}/keys", {"action": "regenerate"}),
    "check_storage_account_name_availability": (
        "GET", "services/storageservices/operations/isavailable/{service_name}", None
    ),
    "update_storage_account": ("PUT", "services/storageservices/{service_name}", None),
    "delete_storage_account": ("DELETE", "services/storageservices/{service_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_storage_account,
    list_storage_accounts,
    get_storage_account_properties,
    get_storage_account_keys,
    regenerate_storage_account_keys,
    check_storage_account_name_availability,
    update_storage_account,
    delete_storage_account,
])
