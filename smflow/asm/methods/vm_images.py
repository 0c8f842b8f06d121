"""Client methods: VM images, and capturing a VM as one."""

from __future__ import annotations

from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Record, Result

__all__ = ["VMImageMethods"]


class VMImageMethods(MethodsBase):
    def create_vm_image(self, vm_image: Record) -> Result:
        return cast(Result, self._do("create_vm_image", locals()))

    def list_vm_images(self, location: str | None = None, publisher: str | None = None,
                       category: str | None = None) -> list[m.VMImage]:
        return cast("list[m.VMImage]", self._do("list_vm_images", locals()))

    def update_vm_image(self, vm_image_name: str, vm_image: Record) -> Result:
        return cast(Result, self._do("update_vm_image", locals()))

    def delete_vm_image(self, vm_image_name: str, delete_vhd: bool = False) -> Result:
        return cast(Result, self._do("delete_vm_image", locals()))

    def capture_vm_image(self, service_name: str, deployment_name: str, role_name: str, options: Record) -> Result:
        return cast(Result, self._do("capture_vm_image", locals()))
