"""Client methods: reserved IP addresses and virtual network sites."""

from __future__ import annotations

from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

__all__ = ["NetworkMethods"]


class NetworkMethods(MethodsBase):
    def create_reserved_ip_address(self, name: str, label: str | None = None, location: str | None = None) -> Result:
        return cast(Result, self._do("create_reserved_ip_address", locals()))

    def get_reserved_ip_address(self, name: str) -> m.ReservedIP:
        return cast(m.ReservedIP, self._do("get_reserved_ip_address", locals()))

    def list_reserved_ip_addresses(self) -> list[m.ReservedIP]:
        return cast("list[m.ReservedIP]", self._do("list_reserved_ip_addresses", {}))

    def delete_reserved_ip_address(self, name: str) -> Result:
        return cast(Result, self._do("delete_reserved_ip_address", locals()))

    def associate_reserved_ip_address(self, name: str, service_name: str, deployment_name: str,
                                      virtual_ip_name: str | None = None) -> Result:
        return cast(Result, self._do("associate_reserved_ip_address", locals()))

    def disassociate_reserved_ip_address(self, name: str, service_name: str, deployment_name: str,
                                         virtual_ip_name: str | None = None) -> Result:
        return cast(Result, self._do("disassociate_reserved_ip_address", locals()))

    def list_virtual_network_sites(self) -> list[m.VirtualNetworkSite]:
        return cast("list[m.VirtualNetworkSite]", self._do("list_virtual_network_sites", {}))
