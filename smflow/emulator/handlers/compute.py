"""Emulator handlers and routes: hosted services and deployments."""

from __future__ import annotations

from smflow.emulator import writers
from smflow.emulator.catalog_data import GUEST_OS_VERSIONS
from smflow.emulator.context import Context, Handler, Reply, RouteSpec, by_name, location_header
from smflow.emulator.deployments import RoleSpec, canonical_slot
from smflow.emulator.resources import AsmFault
from smflow.emulator.wire import availability_xml, b64decode_field, parse_service_configuration, upgrade_domain_count

__all__ = ["HANDLERS", "ROUTES", "configuration_roles"]

HS = "services/hostedservices/{service_name}"


def configuration_roles(config: str) -> list[RoleSpec]:
    """Roles and instance counts from a ServiceConfiguration; one WebRole1 ×2 when it doesn't parse."""
    parsed = parse_service_configuration(config)
    if parsed is None:
        return [RoleSpec("WebRole1", 2)]
    roles, family = parsed
    version = next((g.version for g in GUEST_OS_VERSIONS if str(g.family) == family and g.is_default), None)
    return [RoleSpec(name, count, os_version=version) if version else RoleSpec(name, count) for name, count in roles]


_CREATE_HS = ("ServiceName", "Label", "Description", "Location", "AffinityGroup", "ExtendedProperties")
_CREATE_DEP = (
    "Name", "PackageUrl", "Label", "Configuration", "StartDeployment", "TreatWarningsAsError", "ExtendedProperties",
)  # fmt: skip


def create_hosted_service(ctx: Context) -> Reply:
    body = ctx.body_of("CreateHostedService", _CREATE_HS)
    name = body.required("ServiceName")
    ctx.sub.create_hosted_service(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.text("Location"), body.text("AffinityGroup"), body.extended_properties(),
    )  # fmt: skip
    return Reply(201, headers=location_header(ctx, "compute", name))


def list_hosted_services(ctx: Context) -> Reply:
    return Reply(body=writers.hosted_services_xml(list(ctx.sub.services.values()), ctx.base, ctx.sub.id))


def get_hosted_service_properties(ctx: Context) -> Reply:
    svc = ctx.sub.service(ctx.params["service_name"])
    embed = ctx.query.get("embed-detail", "false").lower() == "true"
    return Reply(body=writers.hosted_service_xml(svc, ctx.base, ctx.sub.id, embed))


def update_hosted_service(ctx: Context) -> Reply:
    body = ctx.body_of("UpdateHostedService", ("Label", "Description", "ExtendedProperties"))
    label = body.text("Label")
    ctx.sub.update_hosted_service(
        ctx.request_id, ctx.params["service_name"], b64decode_field(label, "Label") if label else None,
        body.text("Description"), body.extended_properties(),
    )  # fmt: skip
    return Reply()


def check_hosted_service_name_availability(ctx: Context) -> Reply:
    taken = ctx.sub.owner.service_name_taken(ctx.params["service_name"])
    return Reply(body=availability_xml(not taken, "A hosted service with the specified name already exists." if taken else None))


def delete_hosted_service(ctx: Context) -> Reply:
    ctx.sub.delete_hosted_service(ctx.request_id, ctx.params["service_name"], ctx.query.get("comp") == "media")
    return Reply()


def create_deployment(ctx: Context) -> Reply:
    body = ctx.body_of("CreateDeployment", _CREATE_DEP)
    config = b64decode_field(body.required("Configuration"), "Configuration")
    ctx.check_package(body.required("PackageUrl"))
    ctx.sub.create_deployment(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_slot"], body.required("Name"),
        body.required("PackageUrl"), b64decode_field(body.required("Label"), "Label"), config,
        configuration_roles(config), body.flag("StartDeployment"), body.extended_properties(),
        upgrade_domain_count=upgrade_domain_count(config),
    )  # fmt: skip
    return Reply(202)


def get_deployment_by_slot(ctx: Context) -> Reply:
    slot = canonical_slot(ctx.params["deployment_slot"])
    return Reply(body=writers.deployment_xml(ctx.sub.deployment_by_slot(ctx.params["service_name"], slot)))


def get_deployment_by_name(ctx: Context) -> Reply:
    dep = ctx.sub.deployment_by_name(ctx.params["service_name"], ctx.params["deployment_name"])
    return Reply(body=writers.deployment_xml(dep))


def change_deployment_configuration(ctx: Context) -> Reply:
    body = ctx.body_of("ChangeConfiguration", ("Configuration", "TreatWarningsAsError", "Mode", "ExtendedProperties"))
    mode = body.text("Mode") or "Auto"
    if mode not in ("Auto", "Manual", "Simultaneous"):
        raise AsmFault(400, "BadRequest", f"The upgrade mode '{mode}' is not valid; use Auto, Manual or Simultaneous.")
    config = b64decode_field(body.required("Configuration"), "Configuration")
    ctx.sub.change_deployment_configuration(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], config,
        configuration_roles(config), body.extended_properties(),
    )  # fmt: skip
    return Reply(202)


def update_deployment_status(ctx: Context) -> Reply:
    body = ctx.body_of("UpdateDeploymentStatus", ("Status",))
    ctx.sub.update_deployment_status(
        ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"], body.required("Status")
    )
    return Reply(202)


def swap_deployment(ctx: Context) -> Reply:
    body = ctx.body_of("Swap", ("Production", "SourceDeployment"))
    ctx.sub.swap_deployment(
        ctx.request_id, ctx.params["service_name"], body.text("Production") or "", body.required("SourceDeployment")
    )
    return Reply(202)


def delete_deployment(ctx: Context) -> Reply:
    ctx.sub.delete_deployment(ctx.request_id, ctx.params["service_name"], ctx.params["deployment_name"],
                              ctx.query.get("comp") == "media")
    return Reply(202)


ROUTES: dict[str, RouteSpec] = {
    "create_hosted_service": ("POST", "services/hostedservices", None),
    "list_hosted_services": ("GET", "services/hostedservices", None),
    "get_hosted_service_properties": ("GET", HS, None),
    "update_hosted_service": ("PUT", HS, None),
    "check_hosted_service_name_availability": (
        "GET", "services/hostedservices/operations/isavailable/{service_name}", None
    ),
    "delete_hosted_service": ("DELETE", HS, None),
    "create_deployment": ("POST", HS + "/deploymentslots/{deployment_slot}", None),
    "get_deployment_by_slot": ("GET", HS + "/deploymentslots/{deployment_slot}", None),
    "get_deployment_by_name": ("GET", HS + "/deployments/{deployment_name}", None),
    "change_deployment_configuration": ("POST", HS + "/deployments/{deployment_name}", {"comp": "config"}),
    "update_deployment_status": ("POST", HS + "/deployments/{deployment_name}", {"comp": "status"}),
    "swap_deployment": ("POST", HS, None),
    "delete_deployment": ("DELETE", HS + "/deployments/{deployment_name}", None),
}
HANDLERS: dict[str, Handler] = by_name([
    create_hosted_service,
    list_hosted_services,
    get_hosted_service_properties,
    update_hosted_service,
    check_hosted_service_name_availability,
    delete_hosted_service,
    create_deployment,
    get_deployment_by_slot,
    get_deployment_by_name,
    change_deployment_configuration,
    update_deployment_status,
    swap_deployment,
    delete_deployment,
])
