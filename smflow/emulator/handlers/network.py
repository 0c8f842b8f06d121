"""Emulator handlers and routes: reserved IP addresses and virtual network sites."""

from __future__ import annotations

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.network_writers import reserved_ip_xml, reserved_ips_xml, virtual_network_sites_xml

__all__ = ["HANDLERS", "ROUTES"]

IPS = "services/networking/reservedips"


def create_reserved_ip_address(ctx: Context) -> Reply:
    body = ctx.body_of("ReservedIP", ("Name", "Label", "Location"))
    ctx.sub.create_reserved_ip(ctx.request_id, body.required("Name"), body.text("Label"), body.text("Location"))
    return Reply(202)


def get_reserved_ip_address(ctx: Context) -> Reply:
    name = ctx.params["name"]
    return Reply(body=reserved_ip_xml(ctx.sub.reserved_ip(name), ctx.sub.association(name)))


def list_reserved_ip_addresses(ctx: Context) -> Reply:
    return Reply(body=reserved_ips_xml([(ip, ctx.sub.association(ip.name)) for ip in ctx.sub.reserved_ips.values()]))


def delete_reserved_ip_address(ctx: Context) -> Reply:
    ctx.sub.delete_reserved_ip(ctx.request_id, ctx.params["name"])
    return Reply(202)


def _association(ctx: Context) -> tuple[str, str]:
    body = ctx.body_of("ReservedIPAssociation", ("ServiceName", "DeploymentName", "VirtualIPName"))
    return body.required("ServiceName"), body.required("DeploymentName")


def associate_reserved_ip_address(ctx: Context) -> Reply:
    service, deployment = _association(ctx)
    ctx.sub.associate_reserved_ip(ctx.request_id, ctx.params["name"], service, deployment)
    return Reply(202)


def disassociate_reserved_ip_address(ctx: Context) -> Reply:
    service, deployment = _association(ctx)
    ctx.sub.disassociate_reserved_ip(ctx.request_id, ctx.params["name"], service, deployment)
    return Reply(202)


def list_virtual_network_sites(ctx: Context) -> Reply:
    return Reply(body=virtual_network_sites_xml())


ROUTES: dict[str, RouteSpec] = {
    "create_reserved_ip_address": ("POST", IPS, None),
    "get_reserved_ip_address": ("GET", IPS + "/{name}", None),
    "list_reserved_ip_addresses": ("GET", IPS, None),
    "delete_reserved_ip_address": ("DELETE", IPS + "/{name}", None),
    "associate_reserved_ip_address": ("POST", IPS + "/{name}/operations/associate", None),
    "disassociate_reserved_ip_address": ("POST", IPS + "/{name}/operations/disassociate", None),
    "list_virtual_network_sites": ("GET", "services/networking/virtualnetwork", None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_reserved_ip_address,
    get_reserved_ip_address,
    list_reserved_ip_addresses,
    delete_reserved_ip_address,
    associate_reserved_ip_address,
    disassociate_reserved_ip_address,
    list_virtual_network_sites,
])
