"""Emulator handlers and routes: virtual-machine deployments and roles."""

from __future__ import annotations

from smflow.emulator import writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.resources import AsmFault
from smflow.emulator.state import not_found

__all__ = ["HANDLERS", "ROUTES"]

HS = "services/hostedservices/{service_name}"


def create_virtual_machine_deployment(ctx: Context) -> Reply:
    from smflow.emulator.vm_body import read_vm_deployment

    spec = read_vm_deployment(ctx.body)
    if spec.virtual_network is not None:
        raise AsmFault(400, "BadRequest", f"The virtual network {spec.virtual_network} does not exist.")
    for role in spec.roles:
        if role.os_disk_source_image is not None:
            ctx.sub.os_image(role.os_disk_source_image)
    roles = "".join(f'<Role name="{r.name}"><Instances count="1" /></Role>' for r in spec.roles)
    config = (
        '<ServiceConfiguration xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">'
        f"{roles}</ServiceConfiguration>"
    )
    ctx.sub.create_deployment(
        ctx.request_id, ctx.params["service_name"], spec.slot, spec.name, "", spec.label, config, spec.roles,
        True, {}, kind="create_virtual_machine_deployment",
    )  # fmt: skip
    return Reply(202)


def get_role(ctx: Context) -> Reply:
    dep = ctx.sub.deployment_by_name(ctx.params["service_name"], ctx.params["deployment_name"])
    for role in dep.roles:
        if role.name == ctx.params["role_name"] and role.role_type:
            return Reply(body=writers.role_xml(role))
    raise not_found("role")


ROUTES: dict[str, RouteSpec] = {
    "create_virtual_machine_deployment": ("POST", HS + "/deployments", None),
    "get_role": ("GET", HS + "/deployments/{deployment_name}/roles/{role_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_virtual_machine_deployment,
    get_role,
])
