"""Emulator handlers and routes: storage accounts."""

from __future__ import annotations

from smflow.emulator import account_writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name, location_header
from smflow.emulator.wire import b64decode_field

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


def delete_storage_account(ctx: Context) -> Reply:
    ctx.sub.delete_storage_account(ctx.request_id, ctx.params["service_name"])
    return Reply()


ROUTES: dict[str, RouteSpec] = {
    "create_storage_account": ("POST", "services/storageservices", None),
    "list_storage_accounts": ("GET", "services/storageservices", None),
    "get_storage_account_properties": ("GET", "services/storageservices/{service_name}", None),
    "get_storage_account_keys": ("GET", "services/storageservices/{service_name}/keys", None),
    "regenerate_storage_account_keys": ("POST", "services/storageservices/{service_name}/keys", {"action": "regenerate"}),
    "delete_storage_account": ("DELETE", "services/storageservices/{service_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_storage_account,
    list_storage_accounts,
    get_storage_account_properties,
    get_storage_account_keys,
    regenerate_storage_account_keys,
    delete_storage_account,
])
