"""Client methods: Locations, affinity groups, guest OS lists and operation status."""

from __future__ import annotations

from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

__all__ = ["SubscriptionMethods"]


class SubscriptionMethods(MethodsBase):
    def list_locations(self) -> list[m.Location]:
        return cast("list[m.Location]", self._do("list_locations", {}))

    def create_affinity_group(self, name: str, label: str, location: str, description: str | None = None) -> Result:
        return cast(Result, self._do("create_affinity_group", locals()))

    def get_affinity_group_properties(self, affinity_group_name: str) -> m.AffinityGroup:
        return cast(m.AffinityGroup, self._do("get_affinity_group_properties", locals()))

    def list_affinity_groups(self) -> list[m.AffinityGroup]:
        return cast("list[m.AffinityGroup]", self._do("list_affinity_groups", {}))

    def delete_affinity_group(self, affinity_group_name: str) -> Result:
        return cast(Result, self._do("delete_affinity_group", locals()))

    def list_operating_systems(self) -> list[m.OperatingSystem]:
        return cast("list[m.OperatingSystem]", self._do("list_operating_systems", {}))

    def list_operating_system_families(self) -> list[m.OperatingSystemFamily]:
        return cast("list[m.OperatingSystemFamily]", self._do("list_operating_system_families", {}))

    def get_operation_status(self, request_id: str) -> m.Operation:
        return cast(m.Operation, self._do("get_operation_status", locals()))

    def update_affinity_group(self, affinity_group_name: str, label: str, description: str | None = None) -> Result:
        return cast(Result, self._do("update_affinity_group", locals()))

    def list_role_sizes(self) -> list[m.RoleSize]:
        return cast("list[m.RoleSize]", self._do("list_role_sizes", {}))

    def get_subscription(self) -> m.Subscription:
        return cast(m.Subscription, self._do("get_subscription", {}))

    def list_subscription_operations(
        self, start_time: str | None = None, end_time: str | None = None, object_id_filter: str | None = None,
        operation_result_filter: str | None = None, continuation_token: str | None = None,
    ) -> m.SubscriptionOperationCollection:
        return cast(m.SubscriptionOperationCollection, self._do("list_subscription_operations", locals()))

    def list_resource_extensions(self) -> list[m.ResourceExtension]:
        return cast("list[m.ResourceExtension]", self._do("list_resource_extensions", {}))

    def list_resource_extension_versions(self, publisher_name: str, extension_name: str) -> list[m.ResourceExtension]:
        return cast("list[m.ResourceExtension]", self._do("list_resource_extension_versions", locals()))
