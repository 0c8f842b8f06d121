"""Client methods: VM roles of a deployment and its DNS servers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from smflow.asm.methods.base import MethodsBase, Record, Result

__all__ = ["RoleMethods"]


class RoleMethods(MethodsBase):
    def add_role(
        self, service_name: str, deployment_name: str, role_name: str, system_config: Record,
        os_virtual_hard_disk: Record | None = None, network_config: Record | None = None,
        availability_set_name: str | None = None, data_virtual_hard_disks: Sequence[Record] | None = None,
        role_size: str | None = None, role_type: str = "PersistentVMRole",
        resource_extension_references: Sequence[Record] | None = None, provision_guest_agent: bool | None = None,
        vm_image_name: str | None = None, media_location: str | None = None,
    ) -> Result:
        return cast(Result, self._do("add_role", locals()))

    def update_role(
        self, service_name: str, deployment_name: str, role_name: str, os_virtual_hard_disk: Record | None = None,
        network_config: Record | None = None, availability_set_name: str | None = None,
        data_virtual_hard_disks: Sequence[Record] | None = None, role_size: str | None = None,
        role_type: str = "PersistentVMRole", resource_extension_references: Sequence[Record] | None = None,
        provision_guest_agent: bool | None = None,
    ) -> Result:
        return cast(Result, self._do("update_role", locals()))

    def delete_role(self, service_name: str, deployment_name: str, role_name: str, complete: bool = False) -> Result:
        return cast(Result, self._do("delete_role", locals()))

    def capture_role(
        self, service_name: str, deployment_name: str, role_name: str, post_capture_action: str,
        target_image_name: str, target_image_label: str, provisioning_configuration: Record | None = None,
    ) -> Result:
        return cast(Result, self._do("capture_role", locals()))

    # --- DNS servers --------------------------------------------------------------------------
    def add_dns_server(self, service_name: str, deployment_name: str, dns_server_name: str, address: str) -> Result:
        return cast(Result, self._do("add_dns_server", locals()))

    def update_dns_server(self, service_name: str, deployment_name: str, dns_server_name: str, address: str) -> Result:
        return cast(Result, self._do("update_dns_server", locals()))

    def delete_dns_server(self, service_name: str, deployment_name: str, dns_server_name: str) -> Result:
        return cast(Result, self._do("delete_dns_server", locals()))
