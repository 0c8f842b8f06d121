"""Networking: reserved IP addresses and virtual network sites.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ReservedIP", "Subnet", "VirtualNetworkSite"]


@dataclass
class ReservedIP:
    """A reserved public IP address. ``in_use`` with ``service_name``/``deployment_name`` say which
    deployment's VIP it is; an unassociated one has none of them on the wire (``False``, ``""``)."""

    name: str = ""
    address: str = ""
    id: str = ""  # a GUID, read from <Id>
    label: str = ""  # plain text on the wire
    state: str = ""  # Created
    in_use: bool = False
    service_name: str = ""
    deployment_name: str = ""
    location: str = ""


@dataclass
class Subnet:
    name: str = ""
    address_prefix: str = ""


@dataclass
class VirtualNetworkSite:
    name: str = ""
    id: str = ""  # read from <Id>
    affinity_group: str | None = None
    subnets: list[Subnet] = field(default_factory=list)
