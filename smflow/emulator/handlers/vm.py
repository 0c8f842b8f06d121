"""Emulator handlers and routes: virtual-machine deployments and roles."""

from __future__ import annotations

from smflow.emulator import writers
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.deployments import canonical_slot
from smflow.emulator.disks import name_role_disks, restore_taken, role_fault
from smflow.emulator.handlers import roles as role_handlers
from smflow.emulator.handlers.vm_images import capture_vm_image
from smflow.emulator.resources import AsmFault
from smflow.emulator.wire import body_root_name

__all__ = ["HANDLERS", "ROUTES"]

HS = "services/hostedservices/{service_name}"
DEP = HS + "/deployments/{deployment_name}"


def create_virtual_machine_deployment(ctx: Context) -> Reply:
    from smflow.emulator.vm_body import read_vm_deployment

    spec = read_vm_deployment(ctx.body)
    if spec.virtual_network is not None:
        raise AsmFault(400, "BadRequest", f"The virtual network {spec.virtual_network} does not exist.")
    service = ctx.params["service_name"]
    if spec.reserved_ip is not None:
        ctx.sub.usable_reserved_ip(spec.reserved_ip, service, canonical_slot(spec.slot))
    named, taken = [], []
    try:
        for role in spec.roles:
            size = ctx.sub.os_image(role.os_disk_source_image).logical_size_gb if role.os_disk_source_image else None
            role, took = name_role_disks(ctx.sub, ctx.params["service_name"], role, size)
            named.append(role)
            taken.extend(took)
    except AsmFault:
        restore_taken(ctx.sub, taken)
        raise
    roles = "".join(f'<Role name="{r.name}"><Instances count="1" /></Role>' for r in spec.roles)
    config = (
        '<ServiceConfiguration xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">'
        f"{roles}</ServiceConfiguration>"
    )
    try:
        ctx.sub.create_deployment(
            ctx.request_id, ctx.params["service_name"], spec.slot, spec.name, "", spec.label, config, named,
            True, {}, kind="create_virtual_machine_deployment",
        )  # fmt: skip
    except AsmFault:
        restore_taken(ctx.sub, taken)
        raise
    ctx.sub.deployment_by_name(service, spec.name).dns_servers = dict(spec.dns_servers)
    if spec.reserved_ip is not None:
        ctx.sub.take_reserved_ip(spec.reserved_ip, service, spec.name)
    return Reply(202)


def get_role(ctx: Context) -> Reply:
    dep = ctx.sub.deployment_by_name(ctx.params["service_name"], ctx.params["deployment_name"])
    for role in dep.roles:
        if role.name == ctx.params["role_name"] and role.role_type:
            return Reply(body=writers.role_xml(role))
    raise role_fault(ctx.params["role_name"])  # [REC add_update_delete_role_windows]


# One route each for the role operations and the roles operations: the body's root tells them apart.
_ROLE_OPERATIONS = {
    "ShutdownRoleOperation": "shutdown_role", "StartRoleOperation": "start_role",
    "RestartRoleOperation": "restart_role",
}
_ROLES_OPERATIONS = {"ShutdownRolesOperation": "shutdown_roles", "StartRolesOperation": "start_roles"}
# Other operations on the single-role route, by the body's root: each has its own handler.
_ROLE_ROOT_HANDLERS: dict[str, Handler] = {
    "CaptureRoleOperation": role_handlers.capture_role,
    "CaptureRoleAsVMImageOperation": capture_vm_image,
}


def _power(ctx: Context, table: dict[str, str], route: str) -> Reply:
    root = body_root_name(ctx.body)
    if "role_name" in ctx.params and root in _ROLE_ROOT_HANDLERS:
        return _ROLE_ROOT_HANDLERS[root](ctx)
    kind = table.get(root)
    if kind is None:
        raise AsmFault(400, "InvalidXmlRequest",
                       f"The request body's XML was invalid or not correctly specified. "
                       f"Expected the root element {' or '.join(table)}.")
    body = ctx.body_of(root, ("OperationType", "Roles", "PostShutdownAction"))
    if body.text("OperationType") != root:
        raise AsmFault(400, "BadRequest", f"The OperationType must be {root}.")
    if "role_name" in ctx.params:
        roles = [ctx.params["role_name"]]
    else:
        box = body.child("Roles")
        roles = [el.text or "" for el in (box if box is not None else ()) if isinstance(el.tag, str)]
    ctx.sub.vm_power_operation(
        ctx.request_id, kind, ctx.params["service_name"], ctx.params["deployment_name"], roles,
        body.text("PostShutdownAction") or ("Stopped" if "Shutdown" in root else ""),
    )  # fmt: skip
    return Reply(202)


def shutdown_role(ctx: Context) -> Reply:
    """Also start_role and restart_role: they share this route, the router finds this one first."""
    return _power(ctx, _ROLE_OPERATIONS, DEP + "/roleinstances/{role_name}/Operations")


def start_role(ctx: Context) -> Reply:
    return _power(ctx, _ROLE_OPERATIONS, DEP + "/roleinstances/{role_name}/Operations")


def restart_role(ctx: Context) -> Reply:
    return _power(ctx, _ROLE_OPERATIONS, DEP + "/roleinstances/{role_name}/Operations")


def shutdown_roles(ctx: Context) -> Reply:
    """Also start_roles (same route)."""
    return _power(ctx, _ROLES_OPERATIONS, DEP + "/roles/Operations")


def start_roles(ctx: Context) -> Reply:
    return _power(ctx, _ROLES_OPERATIONS, DEP + "/roles/Operations")


ROUTES: dict[str, RouteSpec] = {
    "create_virtual_machine_deployment": ("POST", HS + "/deployments", None),
    "get_role": ("GET", HS + "/deployments/{deployment_name}/roles/{role_name}", None),
    "shutdown_role": ("POST", DEP + "/roleinstances/{role_name}/Operations", None),
    "start_role": ("POST", DEP + "/roleinstances/{role_name}/Operations", None),
    "restart_role": ("POST", DEP + "/roleinstances/{role_name}/Operations", None),
    "shutdown_roles": ("POST", DEP + "/roles/Operations", None),
    "start_roles": ("POST", DEP + "/roles/Operations", None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_virtual_machine_deployment,
    get_role,
    shutdown_role,
    start_role,
    restart_role,
    shutdown_roles,
    start_roles,
])
