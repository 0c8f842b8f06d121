"""Emulator handlers and routes: in-place upgrades and role instances (compute area)."""

from __future__ import annotations

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name
from smflow.emulator.handlers.compute import configuration_roles
from smflow.emulator.resources import AsmFault
from smflow.emulator.wire import b64decode_field

__all__ = ["HANDLERS", "ROUTES"]

DEP = "services/hostedservices/{service_name}/deployments/{deployment_name}"
_UPGRADE = ("Mode", "PackageUrl", "Configuration", "Label", "RoleToUpgrade", "Force", "ExtendedProperties")


def upgrade_deployment(ctx: Context) -> Reply:
    body = ctx.body_of("UpgradeDeployment", _UPGRADE)
    config = b64decode_field(body.required("Configuration"), "Configuration")
    body.flag("Force")
    ctx.check_package(body.required("PackageUrl"))
    ctx.sub.upgrade_deployment(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], body.required("Mode"),
        body.required("PackageUrl"), config, b64decode_field(body.required("Label"), "Label"),
        configuration_roles(config), body.text("RoleToUpgrade") or None, body.extended_properties(),
    )  # fmt: skip
    return Reply(202)


def walk_upgrade_domain(ctx: Context) -> Reply:
    text = ctx.body_of("WalkUpgradeDomain", ("UpgradeDomain",)).required("UpgradeDomain")
    if not text.strip().isdigit():
        raise AsmFault(400, "BadRequest", f"The upgrade domain '{text}' is not a valid integer.")
    ctx.sub.walk_upgrade_domain(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], int(text))
    return Reply(202)


def rollback_update_or_upgrade(ctx: Context) -> Reply:
    body = ctx.body_of("RollbackUpdateOrUpgrade", ("Mode", "Force"))
    body.flag("Force")
    ctx.sub.rollback_update_or_upgrade(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], body.required("Mode")
    )
    return Reply(202)


def _one_instance(ctx: Context, kind: str) -> Reply:
    ctx.sub.role_instance_operation(
        ctx.request_id, kind, ctx.params["service_name"], ctx.params["deployment_name"],
        [ctx.params["role_instance_name"]],
    )  # fmt: skip
    return Reply(202)


def reboot_role_instance(ctx: Context) -> Reply:
    return _one_instance(ctx, "reboot_role_instance")


def reimage_role_instance(ctx: Context) -> Reply:
    return _one_instance(ctx, "reimage_role_instance")


def rebuild_role_instance(ctx: Context) -> Reply:
    if ctx.query.get("resources") != "allLocalDrives":
        raise AsmFault(400, "BadRequest", "The resources query parameter must be allLocalDrives.")
    return _one_instance(ctx, "rebuild_role_instance")


def delete_role_instances(ctx: Context) -> Reply:
    body = ctx.body_of("RoleInstances", ("Name",))
    names = [(c.text or "").strip() for c in body.children("Name")]
    ctx.sub.role_instance_operation(
        ctx.request_id, "delete_role_instances", ctx.params["service_name"], ctx.params["deployment_name"], names
    )
    return Reply(202)


ROUTES: dict[str, RouteSpec] = {
    "upgrade_deployment": ("POST", DEP, {"comp": "upgrade"}),
    "walk_upgrade_domain": ("POST", DEP, {"comp": "walkupgradedomain"}),
    "rollback_update_or_upgrade": ("POST", DEP, {"comp": "rollback"}),
    "reboot_role_instance": ("POST", DEP + "/roleinstances/{role_instance_name}", {"comp": "reboot"}),
    "reimage_role_instance": ("POST", DEP + "/roleinstances/{role_instance_name}", {"comp": "reimage"}),
    "rebuild_role_instance": (
        "POST", DEP + "/roleinstances/{role_instance_name}", {"comp": "rebuild", "resources": "allLocalDrives"}
    ),
    "delete_role_instances": ("POST", DEP + "/roleinstances", {"comp": "delete"}),
}
HANDLERS: dict[str, Handler] = by_name([
    upgrade_deployment,
    walk_upgrade_domain,
    rollback_update_or_upgrade,
    reboot_role_instance,
    reimage_role_instance,
    rebuild_role_instance,
    delete_role_instances,
])
