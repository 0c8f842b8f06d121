"""Client methods: Hosted services and deployments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

__all__ = ["ComputeMethods"]


class ComputeMethods(MethodsBase):
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

    # --- in-place upgrade ---------------------------------------------------------------------
    def upgrade_deployment(self, service_name: str, deployment_name: str, mode: str, package_url: str,
                           configuration: str, label: str, force: bool, role_to_upgrade: str | None = None,
                           extended_properties: Mapping[str, str] | None = None) -> Result:
        return cast(Result, self._do("upgrade_deployment", locals()))

    def walk_upgrade_domain(self, service_name: str, deployment_name: str, upgrade_domain: int) -> Result:
        return cast(Result, self._do("walk_upgrade_domain", locals()))

    def rollback_update_or_upgrade(self, service_name: str, deployment_name: str, mode: str, force: bool) -> Result:
        return cast(Result, self._do("rollback_update_or_upgrade", locals()))

    # --- role instances -----------------------------------------------------------------------
    def reboot_role_instance(self, service_name: str, deployment_name: str, role_instance_name: str) -> Result:
        return cast(Result, self._do("reboot_role_instance", locals()))

    def reimage_role_instance(self, service_name: str, deployment_name: str, role_instance_name: str) -> Result:
        return cast(Result, self._do("reimage_role_instance", locals()))

    def rebuild_role_instance(self, service_name: str, deployment_name: str, role_instance_name: str) -> Result:
        return cast(Result, self._do("rebuild_role_instance", locals()))

    def delete_role_instances(self, service_name: str, deployment_name: str,
                              role_instance_names: Sequence[str]) -> Result:
        return cast(Result, self._do("delete_role_instances", locals()))

    def check_hosted_service_name_availability(self, service_name: str) -> m.AvailabilityResponse:
        return cast(m.AvailabilityResponse, self._do("check_hosted_service_name_availability", locals()))
