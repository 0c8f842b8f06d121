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
from smflow.asm.types import BOOL, STRING, EnumType, ModelType

__all__ = ["SPECS"]

HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

KEY_TYPE = EnumType(("Primary", "Secondary"))

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
    read("check_storage_account_name_availability", "services/storageservices/operations/isavailable/{service_name}",
         (storage_arg("the storage account name to check"),), ModelType(m.AvailabilityResponse), "storage account",
         "Is a storage account name free? (The names are global DNS names.)"),
    write(
        "update_storage_account", "PUT", "services/storageservices/{service_name}",
        (storage_arg(), description_arg(), label_arg(required=False),
         Argument("geo_replication_enabled", BOOL, location="none", doc="false forces account_type Standard_LRS"),
         EXT, Argument("account_type", ACCOUNT_TYPE, default="Standard_GRS",
                       doc="replication type: always sent, as the SDK does (it defaults to Standard_GRS)")),
        effect="update", asynchronous=False, status=(200,), resource="storage account",
        body_root="UpdateStorageServiceInput",
        doc="Change a storage account's label, description, extended properties or replication type.",
    ),
    write(
        "regenerate_storage_account_keys", "POST", "services/storageservices/{service_name}/keys?action=regenerate",
        (storage_arg(), Argument("key_type", KEY_TYPE, required=True, doc="Primary or Secondary")),
        effect="update", asynchronous=False, status=(200,), resource="storage account", body_root="RegenerateKeys",
        doc="Make a new primary or secondary access key (read it with get_storage_account_keys: it stays secret).",
    ),
)
