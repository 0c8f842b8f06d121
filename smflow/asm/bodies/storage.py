"""Request bodies and response roots of storage accounts."""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, add, b64, extended, fields

__all__ = ["BODIES", "RESULTS"]


def _storage(root: Any, a: Args) -> None:
    account_type = "Standard_LRS" if a.get("geo_replication_enabled") is False else a.get("account_type")
    fields(root, [("ServiceName", a.get("service_name")), ("Description", a.get("description")),
                   ("Label", b64(a.get("label"))), ("AffinityGroup", a.get("affinity_group")),
                   ("Location", a.get("location"))])
    extended(root, a.get("extended_properties"))
    add(root, "AccountType", account_type)


def _update_storage(root: Any, a: Args) -> None:
    # AccountType is always sent (the SDK's default is Standard_GRS, quirk 4); GeoReplicationEnabled never.
    account_type = "Standard_LRS" if a.get("geo_replication_enabled") is False else a.get("account_type")
    fields(root, [("Description", a.get("description")), ("Label", b64(a.get("label")))])
    extended(root, a.get("extended_properties"))
    add(root, "AccountType", account_type)


BODIES: dict[str, tuple[str, Builder]] = {
    "create_storage_account": ("CreateStorageServiceInput", _storage),
    "update_storage_account": ("UpdateStorageServiceInput", _update_storage),
    "regenerate_storage_account_keys": ("RegenerateKeys", lambda r, a: add(r, "KeyType", a.get("key_type"))),
}

RESULTS: dict[str, Result] = {
    "list_storage_accounts": (("StorageServices",), m.StorageService, "StorageService"),
    "get_storage_account_properties": (("StorageService",), m.StorageService, None),
    "get_storage_account_keys": (("StorageService",), m.StorageService, None),
    "check_storage_account_name_availability": (("AvailabilityResponse",), m.AvailabilityResponse, None),
}
