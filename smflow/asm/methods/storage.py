"""Client methods: Storage accounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

__all__ = ["StorageMethods"]


class StorageMethods(MethodsBase):
    def create_storage_account(self, service_name: str, description: str, label: str, affinity_group: str | None = None,
                               *, location: str | None = None, geo_replication_enabled: bool | None = None,
                               extended_properties: Mapping[str, str] | None = None,
                               account_type: str = "Standard_GRS") -> Result:
        return cast(Result, self._do("create_storage_account", locals()))

    def list_storage_accounts(self) -> list[m.StorageService]:
        return cast("list[m.StorageService]", self._do("list_storage_accounts", {}))

    def get_storage_account_properties(self, service_name: str) -> m.StorageService:
        return cast(m.StorageService, self._do("get_storage_account_properties", locals()))

    def get_storage_account_keys(self, service_name: str) -> m.StorageService:
        return cast(m.StorageService, self._do("get_storage_account_keys", locals()))

    def delete_storage_account(self, service_name: str) -> Result:
        return cast(Result, self._do("delete_storage_account", locals()))

    def check_storage_account_name_availability(self, service_name: str) -> m.AvailabilityResponse:
        return cast(m.AvailabilityResponse, self._do("check_storage_account_name_availability", locals()))

    def update_storage_account(self, service_name: str, description: str | None = None, label: str | None = None,
                               geo_replication_enabled: bool | None = None,
                               extended_properties: Mapping[str, str] | None = None,
                               account_type: str = "Standard_GRS") -> Result:
        return cast(Result, self._do("update_storage_account", locals()))

    def regenerate_storage_account_keys(self, service_name: str, key_type: str) -> Result:
        return cast(Result, self._do("regenerate_storage_account_keys", locals()))
