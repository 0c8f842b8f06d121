"""Emulator handlers and routes: VM roles of a deployment (add, update, delete, capture) and DNS servers."""

from __future__ import annotations

from dataclasses import replace

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.resources import AsmFault
from smflow.emulator.vm_body import read_role

__all__ = ["HANDLERS", "ROUTES", "capture_role"]

DEP = "services/hostedservices/{service_name}/deployments/{deployment_name}"


def add_role(ctx: Context) -> Reply:
    spec, _ = read_role(ctx.body)
    if spec.role_size is None:
        spec = replace(spec, role_size="Small")  # [REC add_role_linux]: no RoleSize sent, Small read back
    ctx.sub.add_role(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], spec)
    return Reply(202)


def update_role(ctx: Context) -> Reply:
    spec, body = read_role(ctx.body, need_disk=False)
    sent = frozenset(el.tag.rpartition("}")[2] for el in body.element if isinstance(el.tag, str))
    ctx.sub.update_role(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                        ctx.params["role_name"], spec, sent)
    return Reply(202)


def delete_role(ctx: Context) -> Reply:
    ctx.sub.delete_role(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                        ctx.params["role_name"], ctx.query.get("comp") == "media")
    return Reply(202)


def capture_role(ctx: Context) -> Reply:
    """Reached through the role-operations route (``handlers.vm``) when the body's root is CaptureRoleOperation."""
    body = ctx.body_of("CaptureRoleOperation", ("OperationType", "PostCaptureAction", "ProvisioningConfiguration",
                                                "TargetImageLabel", "TargetImageName"))
    if body.text("OperationType") != "CaptureRoleOperation":
        raise AsmFault(400, "BadRequest", "The OperationType must be CaptureRoleOperation.")
    ctx.sub.capture_role(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], ctx.params["role_name"],
        body.required("PostCaptureAction"), body.required("TargetImageName"), body.required("TargetImageLabel"),
    )  # fmt: skip
    return Reply(202)


def _dns(ctx: Context, kind: str) -> Reply:
    name, address = ctx.params.get("dns_server_name"), None
    if kind != "delete_dns_server":
        body = ctx.body_of("DnsServer", ("Name", "Address"))
        address = body.required("Address")
        sent = body.required("Name")
        if name is not None and sent != name:
            raise AsmFault(400, "BadRequest", f"The DNS server name {sent} does not match {name} in the URL.")
        name = sent
    ctx.sub.dns_server_operation(ctx.request_id, kind, ctx.params["service_name"], ctx.params["deployment_name"],
                                 name or "", address)
    return Reply(202)


def add_dns_server(ctx: Context) -> Reply:
    return _dns(ctx, "add_dns_server")


def update_dns_server(ctx: Context) -> Reply:
    return _dns(ctx, "update_dns_server")


def delete_dns_server(ctx: Context) -> Reply:
    return _dns(ctx, "delete_dns_server")


ROUTES: dict[str, RouteSpec] = {
    "add_role": ("POST", DEP + "/roles", None),
    "update_role": ("PUT", DEP + "/roles/{role_name}", None),
    "delete_role": ("DELETE", DEP + "/roles/{role_name}", None),
    "capture_role": ("POST", DEP + "/roleinstances/{role_name}/Operations", None),
    "add_dns_server": ("POST", DEP + "/dnsservers", None),
    "update_dns_server": ("PUT", DEP + "/dnsservers/{dns_server_name}", None),
    "delete_dns_server": ("DELETE", DEP + "/dnsservers/{dns_server_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    add_role,
    update_role,
    delete_role,
    capture_role,
    add_dns_server,
    update_dns_server,
    delete_dns_server,
])
