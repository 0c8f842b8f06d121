"""Request bodies and response roots of locations, affinity groups, guest OS lists and operations."""

from __future__ import annotations

from smflow.asm import models as m
from smflow.asm.bodies.build import Builder, Result, b64, fields

__all__ = ["BODIES", "RESULTS"]




BODIES: dict[str, tuple[str, Builder]] = {
    "update_affinity_group": ("UpdateAffinityGroup", lambda r, a: fields(r, [
        ("Label", b64(a.get("label"))), ("Description", a.get("description"))])),
    "create_affinity_group": ("CreateAffinityGroup", lambda r, a: fields(r, [
        ("Name", a.get("name")), ("Label", b64(a.get("label"))), ("Description", a.get("description")),
        ("Location", a.get("location"))])),
}

RESULTS: dict[str, Result] = {
    "list_locations": (("Locations",), m.Location, "Location"),
    "list_affinity_groups": (("AffinityGroups",), m.AffinityGroup, "AffinityGroup"),
    "get_affinity_group_properties": (("AffinityGroup",), m.AffinityGroup, None),
    "list_operating_systems": (("OperatingSystems",), m.OperatingSystem, "OperatingSystem"),
    "list_operating_system_families": (("OperatingSystemFamilies",), m.OperatingSystemFamily, "OperatingSystemFamily"),
    "get_operation_status": (("Operation",), m.Operation, None),
    "list_role_sizes": (("RoleSizes",), m.RoleSize, "RoleSize"),
    "get_subscription": (("Subscription",), m.Subscription, None),
    "list_subscription_operations": (("SubscriptionOperationCollection",), m.SubscriptionOperationCollection, None),
    "list_resource_extensions": (("ResourceExtensions",), m.ResourceExtension, "ResourceExtension"),
    "list_resource_extension_versions": (("ResourceExtensions",), m.ResourceExtension, "ResourceExtension"),
}
