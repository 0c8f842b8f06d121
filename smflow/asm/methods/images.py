"""Client methods: OS images."""

from __future__ import annotations

from typing import cast

from smflow.asm import models as m
from smflow.asm.methods.base import MethodsBase, Result

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
