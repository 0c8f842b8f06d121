"""Response XML for storage accounts, affinity groups, OS images, locations and guest OS lists (wire.md §3)."""

from __future__ import annotations

import functools

from lxml import etree

from smflow.emulator.blobservice import blob_endpoint
from smflow.emulator.catalog_data import (
    GUEST_OS_FAMILIES,
    GUEST_OS_VERSIONS,
    LOCATIONS,
    STORAGE_ACCOUNT_TYPES,
    VM_ROLE_SIZES,
    WEB_WORKER_ROLE_SIZES,
)
from smflow.emulator.resources import AffinityGroup, HostedService, OsImage, StorageAccount
from smflow.emulator.wire import b64, document, el, root, serialize, text_list
from smflow.emulator.wire import tag as _tag
from smflow.emulator.writers import (
    compute_capabilities,
    extended_properties,
    extended_properties_text,
    hosted_service_into,
)

__all__ = [
    "affinity_group_xml",
    "affinity_groups_xml",
    "images_xml",
    "locations_xml",
    "operating_system_families_xml",
    "operating_systems_xml",
    "os_image_fields",
    "os_image_xml",
    "storage_keys_xml",
    "storage_service_xml",
    "storage_services_xml",
]


def _storage(parent: etree._Element, acct: StorageAccount, base: str, sub: str, *, listed: bool) -> None:
    el(parent, "Url", f"{base}/{sub}/services/storageservices/{acct.name}")
    el(parent, "ServiceName", acct.name)
    props = el(parent, "StorageServiceProperties")
    el(props, "Description", acct.description, nil=True)
    if acct.affinity_group is not None:
        el(props, "AffinityGroup", acct.affinity_group)
    else:
        el(props, "Location", acct.location)
    el(props, "Label", b64(acct.label))
    el(props, "Status", acct.status)
    endpoints = el(props, "Endpoints")
    el(endpoints, "Endpoint", blob_endpoint(base, acct.name))  # the emulator serves it (blobservice)
    for kind in ("queue", "table", "file"):
        el(endpoints, "Endpoint", f"https://{acct.name}.{kind}.core.windows.net/")
    el(props, "GeoPrimaryRegion", acct.geo_primary)
    el(props, "StatusOfPrimary", "Available" if acct.status == "Created" else None)
    el(props, "GeoSecondaryRegion", acct.geo_secondary)
    el(props, "StatusOfSecondary", "Available" if acct.geo_secondary and acct.status == "Created" else None)
    el(props, "CreationTime", acct.created)
    el(props, "CustomDomains")
    el(props, "AccountType", acct.account_type)
    extended_properties(parent, acct.extended_properties)
    if not listed:
        text_list(parent, "Capabilities", "Capability", ("PersistentVMRole",))


def storage_service_xml(acct: StorageAccount, base: str, sub: str) -> bytes:
    doc = root("StorageService")
    _storage(doc, acct, base, sub, listed=False)
    return serialize(doc)


def _listed_storage(acct: StorageAccount, base: str, sub: str) -> bytes:
    """What ``_storage(..., listed=True)`` builds, written as bytes."""
    where = _tag("AffinityGroup", acct.affinity_group) if acct.affinity_group is not None else _tag("Location", acct.location)
    endpoints = _tag("Endpoint", blob_endpoint(base, acct.name)) + "".join(
        _tag("Endpoint", f"https://{acct.name}.{kind}.core.windows.net/") for kind in ("queue", "table", "file"))
    return "".join((
        "<StorageService>", _tag("Url", f"{base}/{sub}/services/storageservices/{acct.name}"),
        _tag("ServiceName", acct.name), "<StorageServiceProperties>", _tag("Description", acct.description, nil=True),
        where, _tag("Label", b64(acct.label)), _tag("Status", acct.status), f"<Endpoints>{endpoints}</Endpoints>",
        _tag("GeoPrimaryRegion", acct.geo_primary),
        _tag("StatusOfPrimary", "Available" if acct.status == "Created" else None),
        _tag("GeoSecondaryRegion", acct.geo_secondary),
        _tag("StatusOfSecondary", "Available" if acct.geo_secondary and acct.status == "Created" else None),
        _tag("CreationTime", acct.created), "<CustomDomains/>", _tag("AccountType", acct.account_type),
        "</StorageServiceProperties>", extended_properties_text(acct.extended_properties), "</StorageService>",
    )).encode()


def storage_services_xml(accounts: list[StorageAccount], base: str, sub: str) -> bytes:
    """Each account written to bytes on its own: no tree of the whole list (see ``wire.document``)."""
    return document("StorageServices", [_listed_storage(acct, base, sub) for acct in accounts])


def storage_keys_xml(acct: StorageAccount, base: str, sub: str) -> bytes:
    doc = root("StorageService")
    el(doc, "Url", f"{base}/{sub}/services/storageservices/{acct.name}")
    keys = el(doc, "StorageServiceKeys")
    el(keys, "Primary", acct.primary_key)
    el(keys, "Secondary", acct.secondary_key)
    return serialize(doc)


def _affinity(parent: etree._Element, group: AffinityGroup) -> None:
    el(parent, "Name", group.name)
    el(parent, "Label", b64(group.label))
    el(parent, "Description", group.description, nil=True)
    el(parent, "Location", group.location)


def affinity_group_xml(group: AffinityGroup, services: list[HostedService], storage: list[StorageAccount],
                       base: str, sub: str) -> bytes:  # fmt: skip
    doc = root("AffinityGroup")
    _affinity(doc, group)
    hs = el(doc, "HostedServices")
    for svc in services:
        hosted_service_into(el(hs, "HostedService"), svc, base, sub, listed=False, embed=False)
    ss = el(doc, "StorageServices")
    for acct in storage:
        item = el(ss, "StorageService")
        el(item, "Url", f"{base}/{sub}/services/storageservices/{acct.name}")
        el(item, "ServiceName", acct.name)
    text_list(doc, "Capabilities", "Capability", ("PersistentVMRole", "HighMemory"))
    el(doc, "CreatedTime", group.created)
    return serialize(doc)


def affinity_groups_xml(groups: list[AffinityGroup]) -> bytes:
    doc = root("AffinityGroups")
    for group in groups:
        item = el(doc, "AffinityGroup")
        _affinity(item, group)
        text_list(item, "Capabilities", "Capability", ("PersistentVMRole", "HighMemory"))
        el(item, "CreatedTime", group.created)
        compute_capabilities(item)
    return serialize(doc)


@functools.cache  # the same answer to every request: built once (34.7 KB for locations)
def locations_xml() -> bytes:
    doc = root("Locations")
    for loc in LOCATIONS:
        item = el(doc, "Location")
        el(item, "Name", loc.name)
        el(item, "DisplayName", loc.name)
        services = ("Compute", "Storage", "PersistentVMRole", "HighMemory") if loc.available else ("None",)
        text_list(item, "AvailableServices", "AvailableService", services)
        caps = el(item, "ComputeCapabilities")
        text_list(caps, "WebWorkerRoleSizes", "RoleSize", WEB_WORKER_ROLE_SIZES if loc.available else ())
        text_list(caps, "VirtualMachinesRoleSizes", "RoleSize", VM_ROLE_SIZES if loc.available else ())
        if loc.available:
            storage = el(item, "StorageCapabilities")
            text_list(storage, "StorageAccountTypes", "StorageAccountType", STORAGE_ACCOUNT_TYPES)
    return serialize(doc)


@functools.cache  # the same answer to every request: built once (34.7 KB for locations)
def operating_systems_xml() -> bytes:
    doc = root("OperatingSystems")
    for g in GUEST_OS_VERSIONS:
        item = el(doc, "OperatingSystem")
        el(item, "Version", g.version)
        el(item, "Label", b64(g.label))
        el(item, "IsDefault", g.is_default)
        el(item, "IsActive", g.is_active)
        el(item, "Family", g.family)
        el(item, "FamilyLabel", b64(GUEST_OS_FAMILIES[g.family]))
    return serialize(doc)


@functools.cache  # the same answer to every request: built once (34.7 KB for locations)
def operating_system_families_xml() -> bytes:
    doc = root("OperatingSystemFamilies")
    for family, label in GUEST_OS_FAMILIES.items():
        item = el(doc, "OperatingSystemFamily")
        el(item, "Name", family)
        el(item, "Label", b64(label))
        systems = el(item, "OperatingSystems")
        for g in GUEST_OS_VERSIONS:
            if g.family == family:
                os_el = el(systems, "OperatingSystem")
                el(os_el, "Version", g.version)
                el(os_el, "Label", b64(g.label))
                el(os_el, "IsDefault", g.is_default)
                el(os_el, "IsActive", g.is_active)
    return serialize(doc)


def os_image_fields(parent: etree._Element, img: OsImage) -> None:
    """An OS image's elements (OSImage, or the start of OSImageDetails)."""
    el(parent, "Category", img.category)
    el(parent, "Label", img.label)
    el(parent, "Location", img.location)
    el(parent, "LogicalSizeInGB", img.logical_size_gb)
    for tag, value in (
        ("MediaLink", img.media_link), ("Name", img.name), ("OS", img.os), ("Eula", img.eula),
        ("Description", img.description), ("ImageFamily", img.image_family), ("PublishedDate", img.published_date),
    ):  # fmt: skip
        if value is not None:
            el(parent, tag, value)
    el(parent, "IsPremium", img.is_premium)
    for tag, value in (
        ("IconUri", img.icon_uri), ("PrivacyUri", img.privacy_uri), ("RecommendedVMSize", img.recommended_vm_size),
        ("PublisherName", img.publisher_name), ("PricingDetailLink", img.pricing_detail_link),
        ("SmallIconUri", img.small_icon_uri), ("OSState", img.os_state), ("Language", img.language),
    ):  # fmt: skip
        if value is not None:
            el(parent, tag, value)
    if img.show_in_gui is not None:
        el(parent, "ShowInGui", img.show_in_gui)
    el(parent, "IOType", img.io_type)


def os_image_xml(img: OsImage) -> bytes:
    doc = root("OSImage")
    os_image_fields(doc, img)
    return serialize(doc)


def images_xml(images: list[OsImage]) -> bytes:
    doc = root("Images")
    for img in images:
        os_image_fields(el(doc, "OSImage"), img)
    return serialize(doc)
