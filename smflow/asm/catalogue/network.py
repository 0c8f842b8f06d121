"""Networking: reserved IP addresses and virtual network sites (wire-extended.md §7)."""

from __future__ import annotations

import dataclasses

from smflow.asm import models as m
from smflow.asm.catalogue.spec import Argument, OperationSpec, label_arg, listing, path_arg, read, write
from smflow.asm.types import STRING, ModelType

__all__ = ["SPECS"]

IPS = "services/networking/reservedips"
NAME = path_arg("name", "name of the reserved IP address")
# associate/disassociate: the deployment whose VIP the address becomes (or stops being)
ASSOCIATION = (
    Argument("service_name", STRING, required=True, doc="hosted service of the deployment", min_length=1),
    Argument("deployment_name", STRING, required=True, doc="the deployment", min_length=1),
    Argument("virtual_ip_name", STRING, doc="which VIP of the deployment (default: its only one)"),
)
NEWER: dict[str, object] = {"x_ms_version": "2015-02-01"}  # the SDK sends these two with a newer API version [SDK][REC]

SPECS: tuple[OperationSpec, ...] = (
    write(
        "create_reserved_ip_address", "POST", IPS,
        (Argument("name", STRING, required=True, doc="name of the reserved IP address", min_length=1),
         label_arg(required=False, doc="a name for people (plain text)"),
         Argument("location", STRING, doc="data-center location (the service refuses none)")),
        effect="create", asynchronous=True, status=(202,), resource="reserved IP address", body_root="ReservedIP",
        doc="Reserve a public IP address in a location.",
    ),
    read("get_reserved_ip_address", IPS + "/{name}", (NAME,), ModelType(m.ReservedIP), "reserved IP address",
         "Read a reserved IP address: its address, and the deployment using it."),
    listing("list_reserved_ip_addresses", IPS, m.ReservedIP, "reserved IP address", "List the reserved IP addresses."),
    write(
        "delete_reserved_ip_address", "DELETE", IPS + "/{name}", (NAME,),
        effect="delete", asynchronous=True, status=(202,), resource="reserved IP address",
        doc="Release a reserved IP address (refused while a deployment uses it).",
    ),
    dataclasses.replace(write(
        "associate_reserved_ip_address", "POST", IPS + "/{name}/operations/associate", (NAME, *ASSOCIATION),
        effect="update", asynchronous=True, status=(202,), resource="reserved IP address",
        body_root="ReservedIPAssociation",
        doc="Make a reserved IP address the VIP of a running deployment (it keeps it across a VIP swap).",
    ), extra=dict(NEWER)),
    dataclasses.replace(write(
        "disassociate_reserved_ip_address", "POST", IPS + "/{name}/operations/disassociate", (NAME, *ASSOCIATION),
        effect="update", asynchronous=True, status=(202,), resource="reserved IP address",
        body_root="ReservedIPAssociation",
        doc="Give a deployment its own VIP back; the reserved address stays reserved.",
    ), extra=dict(NEWER)),
    listing("list_virtual_network_sites", "services/networking/virtualnetwork", m.VirtualNetworkSite,
            "virtual network site", "List the virtual networks of the subscription."),
)
