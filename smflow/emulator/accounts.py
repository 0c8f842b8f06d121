"""Storage accounts, affinity groups and OS images: the non-compute rules of a subscription.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. Storage
names are DNS names (<name>.blob.core.windows.net), so they are unique across every subscription
the emulator holds, like hosted-service names.
"""

from __future__ import annotations

import base64
import os
import re

from smflow.emulator.catalog_data import LOCATIONS, STORAGE_ACCOUNT_TYPES, geo_secondary
from smflow.emulator.resources import AffinityGroup, AsmFault, HostedService, Operation, OsImage, StorageAccount
from smflow.emulator.subscription import EXCLUSIVE_ACCESS, PUBLIC, SubscriptionBase, utc_now

__all__ = ["AccountRules"]

_STORAGE_NAME = re.compile(r"[a-z0-9]{3,24}")
_LOCATION_NAMES = {loc.name for loc in LOCATIONS}


def new_storage_key() -> str:
    """A fresh account key, as the service issues them (64 random bytes, base64)."""
    return base64.b64encode(os.urandom(64)).decode("ascii")


_key = new_storage_key


class AccountRules(SubscriptionBase):
    # -- placement: exactly one of location and affinity group ---------------------------------
    def check_placement(self, location: str | None, affinity_group: str | None) -> str:
        """Validate a create's placement and return the location it ends up in."""
        if (location is None) == (affinity_group is None):
            raise AsmFault(400, "BadRequest", "Exactly one of Location and AffinityGroup must be specified.")
        if affinity_group is not None:
            group = self.affinity_groups.get(affinity_group)
            if group is None:
                raise AsmFault(400, "BadRequest", f"The affinity group {affinity_group} does not exist.")
            return group.location
        assert location is not None
        if location not in _LOCATION_NAMES:
            raise AsmFault(400, "BadRequest", f"The location constraint '{location}' is not valid.")
        return location

    # -- storage accounts ----------------------------------------------------------------------
    def create_storage_account(
        self,
        request_id: str,
        name: str,
        label: str,
        description: str | None,
        location: str | None,
        affinity_group: str | None,
        account_type: str,
        extended_properties: dict[str, str],
    ) -> None:
        if not _STORAGE_NAME.fullmatch(name):
            raise AsmFault(
                400,
                "BadRequest",
                "The name is not a valid storage account name. Storage account names must be between 3 and 24 "
                "characters in length and use numbers and lower-case letters only.",
            )
        if account_type not in STORAGE_ACCOUNT_TYPES:
            raise AsmFault(400, "BadRequest", f"The account type '{account_type}' is not valid.")
        where = self.check_placement(location, affinity_group)
        if self.owner.storage_name_taken(name):
            raise AsmFault(409, "ConflictError", f"The storage account named {name} is already taken.")
        geo = account_type in ("Standard_GRS", "Standard_RAGRS")
        self.storage[name] = StorageAccount(
            name, label, description, location, affinity_group, account_type, utc_now(), _key(), _key(),
            where, geo_secondary(where) if geo else None, dict(extended_properties),
        )  # fmt: skip
        self.start(request_id, "create_storage_account", storage=name)

    def complete_storage(self, op: Operation) -> None:
        acct = self.storage.get(op.storage or "")
        if acct is None:
            return
        if op.status == "Failed":
            del self.storage[acct.name]
        else:
            acct.status = "Created"
            where = acct.geo_primary
            acct.extended_properties.update(
                {"ResourceGroup": f"Default-Storage-{where.replace(' ', '')}", "ResourceLocation": where}
            )

    def delete_storage_account(self, request_id: str, name: str) -> None:
        acct = self.storage_account(name)
        if acct.status != "Created":
            raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS.replace("deployment", "storage account"))
        del self.storage[name]
        self.finished(request_id, "delete_storage_account")

    def update_storage_account(
        self, request_id: str, name: str, description: str | None, label: str | None,
        extended_properties: dict[str, str], account_type: str | None,
    ) -> None:  # fmt: skip
        """Set what is given; extended properties are merged (the system ones stay) [REC]."""
        acct = self.storage_account(name)
        if account_type is not None:
            if account_type not in STORAGE_ACCOUNT_TYPES:
                raise AsmFault(400, "BadRequest", f"The account type '{account_type}' is not valid.")
            acct.account_type = account_type
            geo = account_type in ("Standard_GRS", "Standard_RAGRS")
            acct.geo_secondary = geo_secondary(acct.geo_primary) if geo else None
        if description is not None:
            acct.description = description
        if label is not None:
            acct.label = label
        acct.extended_properties.update(extended_properties)
        self.finished(request_id, "update_storage_account")

    def regenerate_storage_keys(self, request_id: str, name: str, which: str) -> StorageAccount:
        acct = self.storage_account(name)
        if which == "Primary":
            acct.primary_key = _key()
        elif which == "Secondary":
            acct.secondary_key = _key()
        else:
            raise AsmFault(400, "BadRequest", f"The key type '{which}' is not valid; use Primary or Secondary.")
        self.finished(request_id, "regenerate_storage_account_keys", storage=name)
        return acct

    # -- affinity groups -----------------------------------------------------------------------
    def create_affinity_group(
        self, request_id: str, name: str, label: str, description: str | None, location: str
    ) -> None:
        if location not in _LOCATION_NAMES:
            raise AsmFault(400, "BadRequest", f"The location constraint '{location}' is not valid.")
        if name in self.affinity_groups:
            raise AsmFault(409, "ConflictError", f"An affinity group named {name} already exists in the subscription.")
        self.affinity_groups[name] = AffinityGroup(name, label, description, location, utc_now())
        self.finished(request_id, "create_affinity_group")

    def update_affinity_group(self, request_id: str, name: str, label: str, description: str | None) -> None:
        group = self.affinity_group(name)
        group.label = label
        if description is not None:
            group.description = description
        self.finished(request_id, "update_affinity_group")

    def affinity_members(self, name: str) -> tuple[list[HostedService], list[StorageAccount]]:
        """Members as the service lists them: a storage account still being created is not listed yet."""
        services = [s for s in self.services.values() if s.affinity_group == name]
        storage = [a for a in self.storage.values() if a.affinity_group == name and a.status == "Created"]
        return services, storage

    def delete_affinity_group(self, request_id: str, name: str) -> None:
        self.affinity_group(name)
        in_use = any(s.affinity_group == name for s in self.services.values()) or any(
            a.affinity_group == name for a in self.storage.values()
        )
        if in_use:
            raise AsmFault(
                409, "ConflictError", f"The affinity group {name} is in use by one or more services and cannot be deleted."
            )
        del self.affinity_groups[name]
        self.finished(request_id, "delete_affinity_group")

    # -- OS images -----------------------------------------------------------------------------
    def add_os_image(self, request_id: str, label: str, media_link: str, name: str, os_name: str) -> OsImage:
        if os_name not in ("Linux", "Windows"):
            raise AsmFault(400, "BadRequest", f"The OS '{os_name}' is not valid; use Linux or Windows.")
        if name in PUBLIC or name in self.images:
            raise AsmFault(409, "ConflictError", f"An image with the name {name} already exists.")
        img = OsImage(
            category="User", label=label, location="West US", logical_size_gb=30 if os_name == "Linux" else 127,
            name=name, os=os_name, media_link=media_link, os_state="Generalized", io_type="Standard",
        )  # fmt: skip
        self.images[name] = img
        self.finished(request_id, "add_os_image")
        return img

    def delete_os_image(self, request_id: str, name: str) -> None:
        if name in PUBLIC:
            raise AsmFault(400, "BadRequest", "A platform image cannot be deleted.")
        self.os_image(name)
        del self.images[name]
        self.finished(request_id, "delete_os_image")
