"""The client's per-operation methods, with the guide's names, argument names and order.

Real, introspectable, typed methods (so ``help()``, IDEs and mypy see them), each a one-line
delegation to ``call``. A test pins every signature to the catalogue, so the two cannot drift.
``create_virtual_machine_deployment`` makes everything after ``os_virtual_hard_disk``
keyword-only, so the SDK's positional trap (``role_size`` as 8th argument, quirk 6) cannot
happen; ``create_storage_account`` likewise takes ``location`` by keyword only (quirk 7).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, cast

from smflow.asm import models as m

__all__ = ["OperationMethods"]

Record = Mapping[str, Any]
Result = m.AsynchronousOperationResult


def _args(local: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in local.items() if k != "self"}


class OperationMethods(ABC):
    @abstractmethod
    def call(self, operation: str, arguments: Mapping[str, object]) -> Any:
        """Run one catalogue operation (implemented by ``ServiceManagementClient``)."""

    def _do(self, operation: str, local: dict[str, Any]) -> Any:
        return self.call(operation, _args(local))

    # --- locations and hosted services ---------------------------------------------------------
    def list_locations(self) -> list[m.Location]:
        return cast("list[m.Location]", self._do("list_locations", {}))

    def create_hosted_service(self, service_name: str, label: str, description: str | None = None,
                              location: str | None = None, affinity_group: str | None = None,
                              extended_properties: Mapping[str, str] | None = None) -> Result:
        return cast(Result, self._do("create_hosted_service", locals()))

    def update_hosted_service(self, service_name: str, label: str | None = None, description: str | None = None,
                              extended_properties: Mapping[str, str] | None = None) -> Result:
        return cast(Result, self._do("update_hosted_service", locals()))

    def list_hosted_services(self) -> list[m.HostedService]:
        return cast("list[m.HostedService]", self._do("list_hosted_services", {}))

    def get_hosted_service_properties(self, service_name: str, embed_detail: bool = False) -> m.HostedService:
        return cast(m.HostedService, self._do("get_hosted_service_properties", locals()))

    def delete_hosted_service(self, service_name: str, complete: bool = False) -> Result:
        return cast(Result, self._do("delete_hosted_service", locals()))

    # --- deployments -----------------------------------------------------------------------------
    def create_deployment(self, service_name: str, deployment_slot: str, name: str, package_url: str, label: str,
                          configuration: str, start_deployment: bool = False, treat_warnings_as_error: bool = False,
                          extended_properties: Mapping[str, str] | None = None) -> Result:
        return cast(Result, self._do("create_deployment", locals()))

    def get_deployment_by_slot(self, service_name: str, deployment_slot: str) -> m.Deployment:
        return cast(m.Deployment, self._do("get_deployment_by_slot", locals()))

    def get_deployment_by_name(self, service_name: str, deployment_name: str) -> m.Deployment:
        return cast(m.Deployment, self._do("get_deployment_by_name", locals()))

    def change_deployment_configuration(self, service_name: str, deployment_name: str, configuration: str,
                                        treat_warnings_as_error: bool = False, mode: str = "Auto",
                                        extended_properties: Mapping[str, str] | None = None) -> Result:
        return cast(Result, self._do("change_deployment_configuration", locals()))

    def update_deployment_status(self, service_name: str, deployment_name: str, status: str) -> Result:
        return cast(Result, self._do("update_deployment_status", locals()))

    def swap_deployment(self, service_name: str, production: str, source_deployment: str) -> Result:
        return cast(Result, self._do("swap_deployment", locals()))

    def delete_deployment(self, service_name: str, deployment_name: str, delete_vhd: bool = False) -> Result:
        return cast(Result, self._do("delete_deployment", locals()))

    # --- storage accounts ------------------------------------------------------------------------
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

    # --- affinity groups -------------------------------------------------------------------------
    def create_affinity_group(self, name: str, label: str, location: str, description: str | None = None) -> Result:
        return cast(Result, self._do("create_affinity_group", locals()))

    def get_affinity_group_properties(self, affinity_group_name: str) -> m.AffinityGroup:
        return cast(m.AffinityGroup, self._do("get_affinity_group_properties", locals()))

    def list_affinity_groups(self) -> list[m.AffinityGroup]:
        return cast("list[m.AffinityGroup]", self._do("list_affinity_groups", {}))

    def delete_affinity_group(self, affinity_group_name: str) -> Result:
        return cast(Result, self._do("delete_affinity_group", locals()))

    # --- guest OS and images ---------------------------------------------------------------------
    def list_operating_systems(self) -> list[m.OperatingSystem]:
        return cast("list[m.OperatingSystem]", self._do("list_operating_systems", {}))

    def list_operating_system_families(self) -> list[m.OperatingSystemFamily]:
        return cast("list[m.OperatingSystemFamily]", self._do("list_operating_system_families", {}))

    def add_os_image(self, label: str, media_link: str, name: str, os: str) -> Result:
        return cast(Result, self._do("add_os_image", locals()))

    def get_os_image(self, image_name: str) -> m.OSImage:
        return cast(m.OSImage, self._do("get_os_image", locals()))

    def list_os_images(self) -> list[m.OSImage]:
        return cast("list[m.OSImage]", self._do("list_os_images", {}))

    def delete_os_image(self, image_name: str, delete_vhd: bool = False) -> Result:
        return cast(Result, self._do("delete_os_image", locals()))

    # --- virtual machines ------------------------------------------------------------------------
    def create_virtual_machine_deployment(
        self, service_name: str, deployment_name: str, deployment_slot: str, label: str, role_name: str,
        system_config: Record | None = None, os_virtual_hard_disk: Record | None = None, *,
        network_config: Record | None = None, availability_set_name: str | None = None,
        data_virtual_hard_disks: Sequence[Record] | None = None, role_size: str | None = None,
        role_type: str = "PersistentVMRole", virtual_network_name: str | None = None,
        resource_extension_references: Sequence[Record] | None = None, provision_guest_agent: bool | None = None,
        vm_image_name: str | None = None, media_location: str | None = None,
        dns_servers: Sequence[Record] | None = None, reserved_ip_name: str | None = None,
    ) -> Result:
        return cast(Result, self._do("create_virtual_machine_deployment", locals()))

    def get_role(self, service_name: str, deployment_name: str, role_name: str) -> m.Role:
        return cast(m.Role, self._do("get_role", locals()))

    # --- asynchronous operations -----------------------------------------------------------------
    def get_operation_status(self, request_id: str) -> m.Operation:
        return cast(m.Operation, self._do("get_operation_status", locals()))
