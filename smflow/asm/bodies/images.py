"""Request bodies and response roots of OS images (labels in plain text) and their replication."""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, add, fields

__all__ = ["BODIES", "RESULTS"]


def _os_image(r: Any, a: Args) -> None:
    fields(r, [("Label", a.get("label")), ("MediaLink", a.get("media_link")), ("Name", a.get("name")), ("OS", a.get("os"))])


def _from_reference(root: Any, a: Args) -> None:
    """The SDK's order; a '' field goes out as an empty element, which clears it (quirk 8)."""
    image = a.get("os_image") or {}
    fields(root, [("Label", image.get("label")), ("Eula", image.get("eula")), ("Description", image.get("description")),
                  ("ImageFamily", image.get("image_family")), ("ShowInGui", image.get("show_in_gui")),
                  ("PublishedDate", image.get("published_date") or None), ("IconUri", image.get("icon_uri")),
                  ("PrivacyUri", image.get("privacy_uri")), ("RecommendedVMSize", image.get("recommended_vm_size")),
                  ("SmallIconUri", image.get("small_icon_uri")), ("Language", image.get("language"))])


def _replication(root: Any, a: Args) -> None:
    regions = add(root, "TargetLocations", container=True)
    for region in a.get("regions") or ():
        add(regions, "Region", region)
    fields(add(root, "ComputeImageAttributes", container=True),
           [("Offer", a.get("offer")), ("Sku", a.get("sku")), ("Version", a.get("version"))])


BODIES: dict[str, tuple[str, Builder]] = {
    "add_os_image": ("OSImage", _os_image),
    "update_os_image": ("OSImage", _os_image),
    "update_os_image_from_image_reference": ("OSImage", _from_reference),
    "replicate_vm_image": ("ReplicationInput", _replication),
}

RESULTS: dict[str, Result] = {
    "list_os_images": (("Images",), m.OSImage, "OSImage"),
    "get_os_image": (("OSImage",), m.OSImage, None),
    "add_os_image": (("OSImage",), m.OSImage, None),
    "update_os_image": (("OSImage",), m.OSImage, None),
    "update_os_image_from_image_reference": (("OSImage",), m.OSImage, None),
    "get_os_image_details": (("OSImageDetails",), m.OSImageDetails, None),
}
