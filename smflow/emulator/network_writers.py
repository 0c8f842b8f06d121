"""Response XML of reserved IP addresses and virtual network sites (wire-extended.md §7)."""

from __future__ import annotations

from lxml import etree

from smflow.emulator.reserved_ips import Association, ReservedIp
from smflow.emulator.wire import el, root, serialize

__all__ = ["reserved_ip_xml", "reserved_ips_xml", "virtual_network_sites_xml"]


def _reserved_ip(parent: etree._Element, ip: ReservedIp, used: Association | None) -> None:
    el(parent, "Name", ip.name)
    el(parent, "Address", ip.address)
    el(parent, "Id", ip.id)
    if ip.label is not None:
        el(parent, "Label", ip.label)
    el(parent, "State", ip.state)
    if used is not None:  # an unassociated address sends none of these [REC]
        el(parent, "InUse", True)
        el(parent, "ServiceName", used.service)
        el(parent, "DeploymentName", used.deployment)
    el(parent, "Location", ip.location)


def reserved_ip_xml(ip: ReservedIp, used: Association | None) -> bytes:
    doc = root("ReservedIP")
    _reserved_ip(doc, ip, used)
    return serialize(doc)


def reserved_ips_xml(ips: list[tuple[ReservedIp, Association | None]]) -> bytes:
    doc = root("ReservedIPs")
    for ip, used in ips:
        _reserved_ip(el(doc, "ReservedIP"), ip, used)
    return serialize(doc)


def virtual_network_sites_xml() -> bytes:
    """No virtual network can be made through ServiceManagementService (the network configuration
    is not among its operations), and a VM deployment naming one is refused: the list is empty."""
    return serialize(root("VirtualNetworkSites"))
