"""Storage accounts."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.catalogue.spec import (
    ACCOUNT_TYPE,
    EXT,
    WHERE,
    Argument,
    OperationSpec,
    description_arg,
    label_arg,
    listing,
    read,
    storage_arg,
    write,
)
from smflow.asm.types import BOOL, STRING, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

SPECS: tuple[OperationSpec, ...] = (
    write(
        "create_storage_account", "POST", "services/storageservices",
        (Argument("service_name", STRING, required=True, pattern="[a-z0-9]{3,24}",
                  pattern_doc="3 to 24 lowercase letters and digits", doc="storage account name"),
         description_arg(required=True), label_arg(), Argument("affinity_group", STRING, doc="affinity group (or location)"),
         Argument("location", STRING, doc="location (or affinity_group); pass by keyword"),
         Argument("geo_replication_enabled", BOOL, location="none", doc="false forces account_type Standard_LRS"),
         EXT, Argument("account_type", ACCOUNT_TYPE, default="Standard_GRS", doc="replication type")),
        effect="create", asynchronous=True, status=(202,), resource="storage account",
        body_root="CreateStorageServiceInput", exactly_one_of=WHERE,
        doc="Create a storage account.",
    ),
    listing("list_storage_accounts", "services/storageservices", m.StorageService, "storage account",
          "List the storage accounts."),
    read("get_storage_account_properties", "services/storageservices/{service_name}", (storage_arg(),),
          ModelType(m.StorageService), "storage account", "Read a storage account."),
    read("get_storage_account_keys", "services/storageservices/{service_name}/keys", (storage_arg(),),
          ModelType(m.StorageService), "storage account",
          "Read the access keys of a storage account (secret: never printed)."),
    write(
        "delete_storage_account", "DELETE", "services/storageservices/{service_name}", (storage_arg(),),
        effect="delete", asynchronous=False, status=(200,), resource="storage account",
        doc="Delete a storage account.",
    ),
)
