"""Handlers for hosted services, deployments and VM deployments (registered in ``handlers.HANDLERS``)."""

from __future__ import annotations

from smflow.emulator import writers
from smflow.emulator.catalog_data import GUEST_OS_VERSIONS
from smflow.emulator.deployments import RoleSpec, canonical_slot
from smflow.emulator.handlers import Context, Reply, handler, location_header
from smflow.emulator.resources import AsmFault
from smflow.emulator.state import not_found
from smflow.emulator.wire import b64decode_field, parse_service_configuration

__all__: list[str] = []


def _configuration_roles(config: str) -> list[RoleSpec]:
    """Roles and instance counts from a ServiceConfiguration; one WebRole1 ×2 when it doesn't parse."""
    parsed = parse_service_configuration(config)
    if parsed is None:
        return [RoleSpec("WebRole1", 2)]
    roles, family = parsed
    version = next((g.version for g in GUEST_OS_VERSIONS if str(g.family) == family and g.is_default), None)
    return [RoleSpec(name, count, **({"os_version": version} if version else {})) for name, count in roles]


# -- hosted services ---------------------------------------------------------------------------
_CREATE_HS = ("ServiceName", "Label", "Description", "Location", "AffinityGroup", "ExtendedProperties")


@handler
def create_hosted_service(ctx: Context) -> Reply:
    body = ctx.body_of("CreateHostedService", _CREATE_HS)
    name = body.required("ServiceName")
    ctx.sub.create_hosted_service(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.text("Location"), body.text("AffinityGroup"), body.extended_properties(),
    )  # fmt: skip
    return Reply(201, headers=location_header(ctx, "compute", name))


@handler
def list_hosted_services(ctx: Context) -> Reply:
    return Reply(body=writers.hosted_services_xml(list(ctx.sub.services.values()), ctx.base, ctx.sub.id))


@handler
def get_hosted_service_properties(ctx: Context) -> Reply:
    svc = ctx.sub.service(ctx.params["service_name"])
    embed = ctx.query.get("embed-detail", "false").lower() == "true"
    return Reply(body=writers.hosted_service_xml(svc, ctx.base, ctx.sub.id, embed))


@handler
def update_hosted_service(ctx: Context) -> Reply:
    body = ctx.body_of("UpdateHostedService", ("Label", "Description", "ExtendedProperties"))
    label = body.text("Label")
    ctx.sub.update_hosted_service(
        ctx.request_id, ctx.params["service_name"], b64decode_field(label, "Label") if label else None,
        body.text("Description"), body.extended_properties(),
    )  # fmt: skip
    return Reply()


@handler
def delete_hosted_service(ctx: Context) -> Reply:
    ctx.sub.delete_hosted_service(ctx.request_id, ctx.params["service_name"], ctx.query.get("comp") == "media")
    return Reply()


# -- deployments -------------------------------------------------------------------------------
_CREATE_DEP = (
    "Name", "PackageUrl", "Label", "Configuration", "StartDeployment", "TreatWarningsAsError", "ExtendedProperties",
)  # fmt: skip


@handler
def create_deployment(ctx: Context) -> Reply:
    body = ctx.body_of("CreateDeployment", _CREATE_DEP)
    config = b64decode_field(body.required("Configuration"), "Configuration")
    ctx.sub.create_deployment(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_slot"], body.required("Name"),
        body.required("PackageUrl"), b64decode_field(body.required("Label"), "Label"), config,
        _configuration_roles(config), body.flag("StartDeployment"), body.extended_properties(),
    )  # fmt: skip
    return Reply(202)


@handler
def get_deployment_by_slot(ctx: Context) -> Reply:
    slot = canonical_slot(ctx.params["deployment_slot"])
    return Reply(body=writers.deployment_xml(ctx.sub.deployment_by_slot(ctx.params["service_name"], slot)))


@handler
def get_deployment_by_name(ctx: Context) -> Reply:
    dep = ctx.sub.deployment_by_name(ctx.params["service_name"], ctx.params["deployment_name"])
    return Reply(body=writers.deployment_xml(dep))


@handler
def change_deployment_configuration(ctx: Context) -> Reply:
    body = ctx.body_of("ChangeConfiguration", ("Configuration", "TreatWarningsAsError", "Mode", "ExtendedProperties"))
    mode = body.text("Mode") or "Auto"
    if mode not in ("Auto", "Manual", "Simultaneous"):
        raise AsmFault(400, "BadRequest", f"The upgrade mode '{mode}' is not valid; use Auto, Manual or Simultaneous.")
    config = b64decode_field(body.required("Configuration"), "Configuration")
    ctx.sub.change_deployment_configuration(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], config,
        _configuration_roles(config), body.extended_properties(),
    )  # fmt: skip
    return Reply(202)


@handler
def update_deployment_status(ctx: Context) -> Reply:
    body = ctx.body_of("UpdateDeploymentStatus", ("Status",))
    ctx.sub.update_deployment_status(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], body.required("Status")
    )
    return Reply(202)


@handler
def swap_deployment(ctx: Context) -> Reply:
    body = ctx.body_of("Swap", ("Production", "SourceDeployment"))
    ctx.sub.swap_deployment(
        ctx.request_id, ctx.params["service_name"], body.text("Production") or "", body.required("SourceDeployment")
    )
    return Reply(202)


@handler
def delete_deployment(ctx: Context) -> Reply:
    ctx.sub.delete_deployment(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"])
    return Reply(202)


@handler
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


@handler
def get_role(ctx: Context) -> Reply:
    dep = ctx.sub.deployment_by_name(ctx.params["service_name"], ctx.params["deployment_name"])
    for role in dep.roles:
        if role.name == ctx.params["role_name"] and role.role_type:
            return Reply(body=writers.role_xml(role))
    raise not_found("role")


