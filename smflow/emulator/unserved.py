"""The ServiceManagementService operations the emulator does not serve yet, by route.

A request for one of them is answered 501 NotImplemented with a message that names the
operation and its route, rather than a 404 that a client would read as "that resource does not
exist" (``exists`` would then be false) or a 400 about the verb. The table lists the SDK's
operations outside the catalogue (wire-extended.md), not scheduler, service bus, SQL or websites.
capture_vm_image shares the route of shutdown_role (the body's root tells them apart), so the
handler there answers the 501 for it.
"""

from __future__ import annotations

import re

from smflow.emulator.resources import AsmFault

__all__ = ["UNSERVED", "refuse_unserved"]

DEP = "services/hostedservices/{service_name}/deployments/{deployment_name}"

# operation -> (method, path template relative to /<subscription>/, the query key that tells it apart)
UNSERVED: dict[str, tuple[str, str, str | None]] = {
    "create_vm_image / list_vm_images": ("*", "services/vmimages", None),
    "share_vm_image": ("PUT", "services/vmimages/{vm_image_name}/share", None),
    "update_vm_image / delete_vm_image": ("*", "services/vmimages/{vm_image_name}", None),
    "update_os_image / update_os_image_from_image_reference": ("PUT", "services/images/{image_name}", None),
    "get_os_image_details": ("GET", "services/images/{image_name}/details", None),
    "replicate_vm_image": ("PUT", "services/images/{image_name}/replicate", None),
    "unreplicate_vm_image": ("PUT", "services/images/{image_name}/unreplicate", None),
    "create_reserved_ip_address / list_reserved_ip_addresses": ("*", "services/networking/reservedips", None),
    "get_reserved_ip_address / delete_reserved_ip_address": ("*", "services/networking/reservedips/{name}", None),
    "associate_reserved_ip_address / disassociate_reserved_ip_address": (
        "POST", "services/networking/reservedips/{name}/operations/{action}", None),
    "list_virtual_network_sites": ("GET", "services/networking/virtualnetwork", None),
    "get_subscription": ("GET", "", None),
    "list_subscription_operations": ("GET", "operations", None),
    "list_resource_extensions": ("GET", "services/resourceextensions", None),
    "list_resource_extension_versions": ("GET", "services/resourceextensions/{publisher}/{extension_name}", None),
}

_PATTERNS = [
    (name, method, template, re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "/?"))
    for name, (method, template, _query) in UNSERVED.items()
]


def refuse_unserved(method: str, path: str) -> None:
    """Raise 501 naming the operation when ``method path`` is one the emulator does not serve yet."""
    for name, want, template, pattern in _PATTERNS:
        if (want == "*" or want == method) and pattern.fullmatch(path):
            shown = f"{method} /<subscription>/{template}"
            raise AsmFault(501, "NotImplemented",
                           f"The smflow emulator does not serve {name} ({shown}) yet.")
