"""One function per operation (moto's ``responses.py``): read the request, call the state, shape the answer.

Each handler runs with the state lock held and the subscription already settled; it raises
``AsmFault`` for anything the service refuses and returns a ``Reply``. Names are those of the
operation catalogue (Microsoft's guide), which is also how ``routes.py`` finds them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from smflow.emulator import writers
from smflow.emulator.deployments import RoleSpec, canonical_slot
from smflow.emulator.resources import AsmFault
from smflow.emulator.state import Subscription, not_found
from smflow.emulator.wire import Body, b64decode_field, parse_body, parse_service_configuration

__all__ = ["HANDLERS", "Context", "Reply"]


@dataclass
class Context:
    sub: Subscription
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    request_id: str
    base: str  # scheme://host[:port] as the client addressed us

    def body_of(self, root: str, allowed: tuple[str, ...] | None = None) -> Body:
        return parse_body(self.body, root, allowed)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Context], Reply]
HANDLERS: dict[str, Handler] = {}


def handler(fn: Handler) -> Handler:
    HANDLERS[fn.__name__] = fn
    return fn


def _location(ctx: Context, kind: str, name: str) -> dict[str, str]:
    return {"Location": f"{ctx.base}/subscriptions/{ctx.sub.id}/{kind}/{name}"}


def _configuration_roles(config: str) -> list[RoleSpec]:
    """Roles and instance counts from a ServiceConfiguration; one WebRole1 ×2 when it doesn't parse."""
    from smflow.emulator.catalog_data import GUEST_OS_VERSIONS

    parsed = parse_service_configuration(config)
    if parsed is None:
        return [RoleSpec("WebRole1", 2)]
    roles, family = parsed
    version = next((g.version for g in GUEST_OS_VERSIONS if str(g.family) == family and g.is_default), None)
    return [RoleSpec(name, count, **({"os_version": version} if version else {})) for name, count in roles]


# -- locations and guest OS --------------------------------------------------------------------
@handler
def list_locations(ctx: Context) -> Reply:
    return Reply(body=writers.locations_xml())


@handler
def list_operating_systems(ctx: Context) -> Reply:
    return Reply(body=writers.operating_systems_xml())


@handler
def list_operating_system_families(ctx: Context) -> Reply:
    return Reply(body=writers.operating_system_families_xml())


@handler
def get_operation_status(ctx: Context) -> Reply:
    return Reply(body=writers.operation_xml(ctx.sub.operation(ctx.params["request_id"])))


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
    return Reply(201, headers=_location(ctx, "compute", name))


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


# -- storage accounts --------------------------------------------------------------------------
_CREATE_SA = (
    "ServiceName", "Description", "Label", "AffinityGroup", "Location", "GeoReplicationEnabled", "ExtendedProperties",
    "AccountType",
)  # fmt: skip


@handler
def create_storage_account(ctx: Context) -> Reply:
    body = ctx.body_of("CreateStorageServiceInput", _CREATE_SA)
    name = body.required("ServiceName")
    account_type = body.text("AccountType") or ("Standard_LRS" if body.text("GeoReplicationEnabled") == "false" else "Standard_GRS")
    ctx.sub.create_storage_account(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.text("Location"), body.text("AffinityGroup"), account_type, body.extended_properties(),
    )  # fmt: skip
    return Reply(202, headers=_location(ctx, "storage", name))


@handler
def list_storage_accounts(ctx: Context) -> Reply:
    return Reply(body=writers.storage_services_xml(list(ctx.sub.storage.values()), ctx.base, ctx.sub.id))


@handler
def get_storage_account_properties(ctx: Context) -> Reply:
    acct = ctx.sub.storage_account(ctx.params["service_name"])
    return Reply(body=writers.storage_service_xml(acct, ctx.base, ctx.sub.id))


@handler
def get_storage_account_keys(ctx: Context) -> Reply:
    acct = ctx.sub.storage_account(ctx.params["service_name"])
    return Reply(body=writers.storage_keys_xml(acct, ctx.base, ctx.sub.id))


@handler
def regenerate_storage_account_keys(ctx: Context) -> Reply:
    body = ctx.body_of("RegenerateKeys", ("KeyType",))
    acct = ctx.sub.regenerate_storage_keys(ctx.request_id, ctx.params["service_name"], body.required("KeyType"))
    return Reply(body=writers.storage_keys_xml(acct, ctx.base, ctx.sub.id))


@handler
def delete_storage_account(ctx: Context) -> Reply:
    ctx.sub.delete_storage_account(ctx.request_id, ctx.params["service_name"])
    return Reply()


# -- affinity groups ---------------------------------------------------------------------------
@handler
def create_affinity_group(ctx: Context) -> Reply:
    body = ctx.body_of("CreateAffinityGroup", ("Name", "Label", "Description", "Location"))
    name = body.required("Name")
    ctx.sub.create_affinity_group(
        ctx.request_id, name, b64decode_field(body.required("Label"), "Label"), body.text("Description"),
        body.required("Location"),
    )  # fmt: skip
    return Reply(201, headers=_location(ctx, "affinitygroup", name))


@handler
def list_affinity_groups(ctx: Context) -> Reply:
    return Reply(body=writers.affinity_groups_xml(list(ctx.sub.affinity_groups.values())))


@handler
def get_affinity_group_properties(ctx: Context) -> Reply:
    name = ctx.params["affinity_group_name"]
    group = ctx.sub.affinity_group(name)
    services, storage = ctx.sub.affinity_members(name)
    return Reply(body=writers.affinity_group_xml(group, services, storage, ctx.base, ctx.sub.id))


@handler
def delete_affinity_group(ctx: Context) -> Reply:
    ctx.sub.delete_affinity_group(ctx.request_id, ctx.params["affinity_group_name"])
    return Reply()


# -- OS images ---------------------------------------------------------------------------------
@handler
def add_os_image(ctx: Context) -> Reply:
    body = ctx.body_of("OSImage", ("Label", "MediaLink", "Name", "OS"))
    img = ctx.sub.add_os_image(
        ctx.request_id, body.required("Label"), body.required("MediaLink"), body.required("Name"), body.required("OS")
    )
    return Reply(body=writers.os_image_xml(img))


@handler
def list_os_images(ctx: Context) -> Reply:
    return Reply(body=writers.images_xml(ctx.sub.all_images()))


@handler
def get_os_image(ctx: Context) -> Reply:
    return Reply(body=writers.os_image_xml(ctx.sub.os_image(ctx.params["image_name"])))


@handler
def delete_os_image(ctx: Context) -> Reply:
    ctx.sub.delete_os_image(ctx.request_id, ctx.params["image_name"])
    return Reply()
