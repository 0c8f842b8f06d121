"""Client methods: OS images."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Record, Result

__all__ = ["ImageMethods"]


class ImageMethods(MethodsBase):
    def add_os_image(self, label: str, media_link: str, name: str, os: str) -> Result:
        return cast(Result, self._do("add_os_image", locals()))

    def get_os_image(self, image_name: str) -> m.OSImage:
        return cast(m.OSImage, self._do("get_os_image", locals()))

    def list_os_images(self) -> list[m.OSImage]:
        return cast("list[m.OSImage]", self._do("list_os_images", {}))

    def delete_os_image(self, image_name: str, delete_vhd: bool = False) -> Result:
        return cast(Result, self._do("delete_os_image", locals()))

    def update_os_image(self, image_name: str, label: str, media_link: str, name: str, os: str) -> Result:
        return cast(Result, self._do("update_os_image", locals()))

    def update_os_image_from_image_reference(self, image_name: str, os_image: Record) -> Result:
        return cast(Result, self._do("update_os_image_from_image_reference", locals()))

    def get_os_image_details(self, image_name: str) -> m.OSImageDetails:
        return cast(m.OSImageDetails, self._do("get_os_image_details", locals()))

    def replicate_vm_image(self, vm_image_name: str, regions: Sequence[str], offer: str, sku: str,
                           version: str) -> Result:
        return cast(Result, self._do("replicate_vm_image", locals()))

    def unreplicate_vm_image(self, vm_image_name: str) -> Result:
        return cast(Result, self._do("unreplicate_vm_image", locals()))

    def share_vm_image(self, vm_image_name: str, permission: str) -> Result:
        return cast(Result, self._do("share_vm_image", locals()))
