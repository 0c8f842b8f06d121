"""Request bodies and response roots of reserved IP addresses and virtual network sites (labels in plain text)."""

from __future__ import annotations

from typing import Any

from smflow.asm import models as m
from smflow.asm.bodies.build import Args, Builder, Result, fields

__all__ = ["BODIES", "RESULTS"]


def _association(root: Any, a: Args) -> None:
    fields(root, [("ServiceName", a.get("service_name")), ("DeploymentName", a.get("deployment_name")),
                  ("VirtualIPName", a.get("virtual_ip_name"))])


BODIES: dict[str, tuple[str, Builder]] = {
    "create_reserved_ip_address": ("ReservedIP", lambda r, a: fields(r, [
        ("Name", a.get("name")), ("Label", a.get("label")), ("Location", a.get("location"))])),
    "associate_reserved_ip_address": ("ReservedIPAssociation", _association),
    "disassociate_reserved_ip_address": ("ReservedIPAssociation", _association),
}

RESULTS: dict[str, Result] = {
    "get_reserved_ip_address": (("ReservedIP",), m.ReservedIP, None),
    "list_reserved_ip_addresses": (("ReservedIPs",), m.ReservedIP, "ReservedIP"),
    "list_virtual_network_sites": (("VirtualNetworkSites",), m.VirtualNetworkSite, "VirtualNetworkSite"),
}
