"""Request bodies and response roots of OS images (labels in plain text)."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.bodies.build import Builder, Result, fields

__all__ = ["BODIES", "RESULTS"]




BODIES: dict[str, tuple[str, Builder]] = {
    "add_os_image": ("OSImage", lambda r, a: fields(r, [
        ("Label", a.get("label")), ("MediaLink", a.get("media_link")), ("Name", a.get("name")), ("OS", a.get("os"))])),
}

RESULTS: dict[str, Result] = {
    "list_os_images": (("Images",), m.OSImage, "OSImage"),
    "get_os_image": (("OSImage",), m.OSImage, None),
    "add_os_image": (("OSImage",), m.OSImage, None),
}
