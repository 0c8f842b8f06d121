"""Client methods: the disk repository and a VM's data disks."""

from __future__ import annotations

from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

__all__ = ["DiskMethods"]


class DiskMethods(MethodsBase):
    def list_disks(self) -> list[m.Disk]:
        return cast(list[m.Disk], self._do("list_disks", locals()))

    def get_disk(self, disk_name: str) -> m.Disk:
        return cast(m.Disk, self._do("get_disk", locals()))

    def add_disk(self, has_operating_system: bool | None, label: str, media_link: str, name: str, os: str) -> Result:
        return cast(Result, self._do("add_disk", locals()))

    def update_disk(
        self, disk_name: str, has_operating_system: bool | None = None, label: str | None = None,
        media_link: str | None = None, name: str | None = None, os: str | None = None,
    ) -> Result:
        return cast(Result, self._do("update_disk", locals()))

    def delete_disk(self, disk_name: str, delete_vhd: bool = False) -> Result:
        return cast(Result, self._do("delete_disk", locals()))

    # --- data disks of a VM -------------------------------------------------------------------
    def get_data_disk(self, service_name: str, deployment_name: str, role_name: str, lun: int) -> m.DataVirtualHardDisk:
        return cast(m.DataVirtualHardDisk, self._do("get_data_disk", locals()))

    def add_data_disk(
        self, service_name: str, deployment_name: str, role_name: str, lun: int, host_caching: str | None = None,
        media_link: str | None = None, disk_label: str | None = None, disk_name: str | None = None,
        logical_disk_size_in_gb: int | None = None, source_media_link: str | None = None,
    ) -> Result:
        return cast(Result, self._do("add_data_disk", locals()))

    def update_data_disk(
        self, service_name: str, deployment_name: str, role_name: str, lun: int, host_caching: str | None = None,
        media_link: str | None = None, updated_lun: int | None = None, disk_label: str | None = None,
        disk_name: str | None = None, logical_disk_size_in_gb: int | None = None,
    ) -> Result:
        return cast(Result, self._do("update_data_disk", locals()))

    def delete_data_disk(
        self, service_name: str, deployment_name: str, role_name: str, lun: int, delete_vhd: bool = False
    ) -> Result:
        return cast(Result, self._do("delete_data_disk", locals()))
