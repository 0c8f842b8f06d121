"""Client methods: Virtual machines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Record, Result

__all__ = ["VirtualMachineMethods"]


class VirtualMachineMethods(MethodsBase):
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

    # --- power --------------------------------------------------------------------------------
    def shutdown_role(self, service_name: str, deployment_name: str, role_name: str,
                      post_shutdown_action: str = "Stopped") -> Result:
        return cast(Result, self._do("shutdown_role", locals()))

    def start_role(self, service_name: str, deployment_name: str, role_name: str) -> Result:
        return cast(Result, self._do("start_role", locals()))

    def restart_role(self, service_name: str, deployment_name: str, role_name: str) -> Result:
        return cast(Result, self._do("restart_role", locals()))

    def shutdown_roles(self, service_name: str, deployment_name: str, role_names: Sequence[str],
                       post_shutdown_action: str = "Stopped") -> Result:
        return cast(Result, self._do("shutdown_roles", locals()))

    def start_roles(self, service_name: str, deployment_name: str, role_names: Sequence[str]) -> Result:
        return cast(Result, self._do("start_roles", locals()))
