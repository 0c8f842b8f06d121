"""The operation catalogue: the single source of truth about the Service Management API.

One ``OperationSpec`` per operation, named as in Microsoft's Python guide and SDK. The client
builds requests from it, the flow checker type-checks calls against it, ``smflow ops`` and
``smflow plan`` print it, and the emulator routes requests with it. Adding an operation is
adding one entry here (plus its XML in ``asm.xml`` and its handler in the emulator).

How the client builds a request from a spec:
- ``path`` is relative to ``/<subscription>/``; each ``{name}`` is replaced by the URL-quoted
  argument (``location="path"``). A path may carry a fixed query, kept verbatim with the
  service's trailing-slash quirk: ``.../deployments/{deployment_name}/?comp=config``.
- A ``location="query"`` argument with ``query_name`` is always sent as ``name=value``
  (booleans ``true``/``false``): ``?embed-detail=false``.
- A ``location="query"`` boolean with ``query_flag`` appends that literal only when true:
  ``delete_deployment(..., delete_vhd=True)`` → ``?comp=media``.
- ``location="body"`` arguments go in the XML body whose root is ``body_root`` (element names
  and order live in ``asm.xml``); ``location="none"`` ones only steer the client.

Every write returns ``AsynchronousOperationResult`` (its ``request_id`` can always be polled);
``asynchronous`` says whether the service answers 202 and the caller *must* poll before the
effect is visible. ``result`` is the model type the client returns for reads and
``AsynchronousOperationResult`` for writes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

from smflow.asm import models as m
from smflow.asm import records as r
from smflow.asm.types import BOOL, STRING, EnumType, ListType, MapType, ModelType, Type
from smflow.asm.validation import UNKNOWN, validate_arguments

__all__ = [
    "CATALOGUE",
    "UNKNOWN",
    "Argument",
    "Effect",
    "OperationSpec",
    "get_operation",
    "operation_names",
    "validate_arguments",
]

# What an operation does to the world, so the executor knows whether a blind retry is safe
# and how to read state back after an ambiguous failure.
Effect = Literal["read", "create", "update", "delete", "swap"]


@dataclass(frozen=True)
class Argument:
    """One argument of an operation, with the guide's name."""

    name: str
    type: Type
    required: bool = False
    default: object = None
    doc: str = ""
    # Where the value goes: "path" (a {name} in the path template), "query", "body", or
    # "none" (client-side only, e.g. it selects a query flag).
    location: Literal["path", "query", "body", "none"] = "body"
    secret: bool = False  # passwords, custom data: masked in plans, journals, cassettes
    # Extra constraints checked before any request (client and checker alike).
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None  # a full-match regular expression
    pattern_doc: str = ""  # how the pattern reads to a person ("3-24 lowercase letters and digits")
    query_name: str | None = None  # location="query": sent as query_name=value
    query_flag: str | None = None  # location="query", bool: this literal is appended when true
    secret_fields: frozenset[str] = frozenset()  # record fields to mask (user_password...)


@dataclass(frozen=True)
class OperationSpec:
    """One ASM operation on the wire and in the flow language."""

    name: str
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str  # relative to /<subscription>/, with {argument} placeholders, e.g. "services/hostedservices/{service_name}"
    arguments: tuple[Argument, ...]
    asynchronous: bool  # the service answers 202: the caller must poll the request id
    effect: Effect
    result: Type | None = None  # the model the client returns (AsynchronousOperationResult for writes)
    body_root: str | None = None  # the request body's root element, e.g. "CreateHostedService"
    success_status: tuple[int, ...] = (200,)
    # Groups of arguments of which exactly one must be given (location / affinity_group).
    exactly_one_of: tuple[tuple[str, ...], ...] = ()
    # Groups of arguments of which at least one must be given (update: label or description).
    at_least_one_of: tuple[tuple[str, ...], ...] = ()
    doc: str = ""
    resource: str = ""  # what it acts on, for messages ("hosted service", "deployment")
    extra: dict[str, object] = field(default_factory=dict)

    def argument(self, name: str) -> Argument | None:
        return self._by_name.get(name)

    @functools.cached_property
    def _by_name(self) -> dict[str, Argument]:
        """Arguments by name, the first of a name winning (looked up for every argument of
        every request and every checked call)."""
        by_name: dict[str, Argument] = {}
        for a in self.arguments:
            by_name.setdefault(a.name, a)
        return by_name

    @property
    def required(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.required)


# --- argument helpers -------------------------------------------------------------------------

SLOT = EnumType(("staging", "production"), case_insensitive=True)
DEPLOYMENT_STATUS = EnumType(("Running", "Suspended"))
OS = EnumType(("Linux", "Windows"))
MODE = EnumType(("Auto", "Manual"))
ACCOUNT_TYPE = EnumType(("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Premium_LRS"))
BASE64 = r"[A-Za-z0-9+/=\s]*"
ASYNC_RESULT = ModelType(m.AsynchronousOperationResult)


def _path(name: str, doc: str = "") -> Argument:
    return Argument(name, STRING, required=True, location="path", doc=doc, min_length=1)


def _service(doc: str = "name of the hosted service") -> Argument:
    return _path("service_name", doc)


def _storage(doc: str = "name of the storage account") -> Argument:
    return Argument(
        "service_name", STRING, required=True, location="path", doc=doc,
        pattern="[a-z0-9]{3,24}", pattern_doc="3 to 24 lowercase letters and digits",
    )


def _label(required: bool = True, doc: str = "a name for people (sent base64-encoded)") -> Argument:
    return Argument("label", STRING, required=required, doc=doc, max_length=100)


def _description(required: bool = False) -> Argument:
    return Argument("description", STRING, required=required, doc="free text", max_length=1024)


def _configuration(doc: str = "ServiceConfiguration (.cscfg), base64-encoded by the caller: base64(file(...))") -> Argument:
    return Argument(
        "configuration", STRING, required=True, doc=doc, pattern=BASE64,
        pattern_doc="base64 text; encode the .cscfg with base64(...)",
    )


_SLOT_ARG = Argument("deployment_slot", SLOT, required=True, location="path", doc="staging or production")
_EXT = Argument("extended_properties", MapType(), doc="name/value pairs (up to 50)")
_TREAT = Argument("treat_warnings_as_error", BOOL, default=False, doc="fail on package warnings")
_WHERE = (("location", "affinity_group"),)


def _read(name: str, path: str, args: tuple[Argument, ...], result: Type, resource: str, doc: str) -> OperationSpec:
    return OperationSpec(name, "GET", path, args, asynchronous=False, effect="read", result=result,
                         resource=resource, doc=doc)


def _list(name: str, path: str, model: type, resource: str, doc: str) -> OperationSpec:
    return _read(name, path, (), ListType(ModelType(model)), resource, doc)


def _write(
    name: str, method: Literal["POST", "PUT", "DELETE"], path: str, args: tuple[Argument, ...], *,
    effect: Effect, asynchronous: bool, status: tuple[int, ...], resource: str, doc: str,
    body_root: str | None = None, exactly_one_of: tuple[tuple[str, ...], ...] = (),
    at_least_one_of: tuple[tuple[str, ...], ...] = (),
) -> OperationSpec:
    return OperationSpec(
        name, method, path, args, asynchronous=asynchronous, effect=effect, result=ASYNC_RESULT,
        body_root=body_root, success_status=status, exactly_one_of=exactly_one_of,
        at_least_one_of=at_least_one_of, doc=doc, resource=resource,
    )


HS = "services/hostedservices"
DEP = HS + "/{service_name}/deployments/{deployment_name}"

_SPECS: tuple[OperationSpec, ...] = (
    _list("list_locations", "locations", m.Location, "location", "List the data-center locations."),
    _write(
        "create_hosted_service", "POST", HS,
        (Argument("service_name", STRING, required=True, min_length=1, max_length=63,
                  doc="name of the hosted service (DNS prefix <name>.cloudapp.net)"), _label(), _description(),
         Argument("location", STRING, doc="data-center location, e.g. 'West US' (or affinity_group)"),
         Argument("affinity_group", STRING, doc="affinity group name (or location)"), _EXT),
        effect="create", asynchronous=False, status=(201,), resource="hosted service",
        body_root="CreateHostedService", exactly_one_of=_WHERE,
        doc="Create a hosted (cloud) service in a location or an affinity group.",
    ),
    _write(
        "update_hosted_service", "PUT", HS + "/{service_name}",
        (_service(), _label(required=False), _description(), _EXT),
        effect="update", asynchronous=False, status=(200,), resource="hosted service",
        body_root="UpdateHostedService", at_least_one_of=(("label", "description"),),
        doc="Change the label and/or description of a hosted service.",
    ),
    _list("list_hosted_services", HS, m.HostedService, "hosted service", "List the hosted services of the subscription."),
    _read(
        "get_hosted_service_properties", HS + "/{service_name}",
        (_service(), Argument("embed_detail", BOOL, default=False, location="query", query_name="embed-detail",
                              doc="also return the deployments")),
        ModelType(m.HostedService), "hosted service", "Read a hosted service (and its deployments with embed_detail).",
    ),
    _write(
        "delete_hosted_service", "DELETE", HS + "/{service_name}",
        (_service(), Argument("complete", BOOL, default=False, location="query", query_flag="comp=media",
                              doc="also delete the OS/data disks and their blobs")),
        effect="delete", asynchronous=False, status=(200, 202), resource="hosted service",
        doc="Delete a hosted service (it must have no deployments).",
    ),
    _write(
        "create_deployment", "POST", HS + "/{service_name}/deploymentslots/{deployment_slot}",
        (_service(), _SLOT_ARG, Argument("name", STRING, required=True, doc="deployment name", min_length=1),
         Argument("package_url", STRING, required=True, doc="URL of the .cspkg in blob storage"),
         _label(), _configuration(),
         Argument("start_deployment", BOOL, default=False, doc="start at once (else it stays Suspended)"),
         _TREAT, _EXT),
        effect="create", asynchronous=True, status=(202,), resource="deployment", body_root="CreateDeployment",
        doc="Deploy a package to the staging or production slot.",
    ),
    _read(
        "get_deployment_by_slot", HS + "/{service_name}/deploymentslots/{deployment_slot}", (_service(), _SLOT_ARG),
        ModelType(m.Deployment), "deployment", "Read the deployment in a slot.",
    ),
    _read(
        "get_deployment_by_name", DEP, (_service(), _path("deployment_name", "name of the deployment")),
        ModelType(m.Deployment), "deployment", "Read a deployment by name.",
    ),
    _write(
        "change_deployment_configuration", "POST", DEP + "/?comp=config",
        (_service(), _path("deployment_name", "name of the deployment"), _configuration(), _TREAT,
         Argument("mode", MODE, default="Auto", doc="Auto or Manual upgrade-domain walk"), _EXT),
        effect="update", asynchronous=True, status=(202,), resource="deployment", body_root="ChangeConfiguration",
        doc="Replace the service configuration of a deployment.",
    ),
    _write(
        "update_deployment_status", "POST", DEP + "/?comp=status",
        (_service(), _path("deployment_name", "name of the deployment"), Argument("status", DEPLOYMENT_STATUS, required=True, doc="Running or Suspended")),
        effect="update", asynchronous=True, status=(202,), resource="deployment", body_root="UpdateDeploymentStatus",
        doc="Start (Running) or stop (Suspended) a deployment.",
    ),
    _write(
        "swap_deployment", "POST", HS + "/{service_name}",
        (_service(), Argument("production", STRING, required=True, doc="name of the deployment now in production"),
         Argument("source_deployment", STRING, required=True, doc="name of the deployment to move into production")),
        effect="swap", asynchronous=True, status=(200, 202), resource="deployment", body_root="Swap",
        doc="Swap the staging and production deployments (VIP swap).",
    ),
    _write(
        "delete_deployment", "DELETE", DEP,
        (_service(), _path("deployment_name", "name of the deployment"),
         Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                  doc="also delete the disks and their blobs")),
        effect="delete", asynchronous=True, status=(200, 202), resource="deployment",
        doc="Delete a deployment.",
    ),
    _write(
        "create_storage_account", "POST", "services/storageservices",
        (Argument("service_name", STRING, required=True, pattern="[a-z0-9]{3,24}",
                  pattern_doc="3 to 24 lowercase letters and digits", doc="storage account name"),
         _description(required=True), _label(), Argument("affinity_group", STRING, doc="affinity group (or location)"),
         Argument("location", STRING, doc="location (or affinity_group); pass by keyword"),
         Argument("geo_replication_enabled", BOOL, location="none", doc="false forces account_type Standard_LRS"),
         _EXT, Argument("account_type", ACCOUNT_TYPE, default="Standard_GRS", doc="replication type")),
        effect="create", asynchronous=True, status=(202,), resource="storage account",
        body_root="CreateStorageServiceInput", exactly_one_of=_WHERE,
        doc="Create a storage account.",
    ),
    _list("list_storage_accounts", "services/storageservices", m.StorageService, "storage account",
          "List the storage accounts."),
    _read("get_storage_account_properties", "services/storageservices/{service_name}", (_storage(),),
          ModelType(m.StorageService), "storage account", "Read a storage account."),
    _read("get_storage_account_keys", "services/storageservices/{service_name}/keys", (_storage(),),
          ModelType(m.StorageService), "storage account",
          "Read the access keys of a storage account (secret: never printed)."),
    _write(
        "delete_storage_account", "DELETE", "services/storageservices/{service_name}", (_storage(),),
        effect="delete", asynchronous=False, status=(200,), resource="storage account",
        doc="Delete a storage account.",
    ),
    _write(
        "create_affinity_group", "POST", "affinitygroups",
        (Argument("name", STRING, required=True, doc="affinity group name", min_length=1), _label(),
         Argument("location", STRING, required=True, doc="data-center location"), _description()),
        effect="create", asynchronous=False, status=(201,), resource="affinity group",
        body_root="CreateAffinityGroup", doc="Create an affinity group (returns a request id, unlike the SDK).",
    ),
    _read("get_affinity_group_properties", "affinitygroups/{affinity_group_name}",
          (_path("affinity_group_name", "name of the affinity group"),), ModelType(m.AffinityGroup), "affinity group",
          "Read an affinity group with its hosted services and storage accounts."),
    _list("list_affinity_groups", "affinitygroups", m.AffinityGroup, "affinity group", "List the affinity groups."),
    _write(
        "delete_affinity_group", "DELETE", "affinitygroups/{affinity_group_name}",
        (_path("affinity_group_name", "name of the affinity group"),),
        effect="delete", asynchronous=False, status=(200,), resource="affinity group",
        doc="Delete an affinity group (returns a request id, unlike the SDK).",
    ),
    _list("list_operating_systems", "operatingsystems", m.OperatingSystem, "guest OS", "List the guest OS versions."),
    _list("list_operating_system_families", "operatingsystemfamilies", m.OperatingSystemFamily, "guest OS family",
          "List the guest OS families and their versions."),
    _write(
        "add_os_image", "POST", "services/images",
        (Argument("label", STRING, required=True, doc="image label (plain text)"),
         Argument("media_link", STRING, required=True, doc="URL of the .vhd blob"),
         Argument("name", STRING, required=True, doc="image name", min_length=1),
         Argument("os", OS, required=True, doc="Linux or Windows")),
        effect="create", asynchronous=False, status=(200,), resource="OS image", body_root="OSImage",
        doc="Register a .vhd as an OS image (result.body is the new OSImage).",
    ),
    _read("get_os_image", "services/images/{image_name}", (_path("image_name", "name of the image"),),
          ModelType(m.OSImage), "OS image", "Read an OS image."),
    _list("list_os_images", "services/images", m.OSImage, "OS image", "List the OS images (public and own)."),
    _write(
        "delete_os_image", "DELETE", "services/images/{image_name}",
        (_path("image_name", "name of the image"),
         Argument("delete_vhd", BOOL, default=False, location="query", query_flag="comp=media",
                  doc="also delete the .vhd blob")),
        effect="delete", asynchronous=False, status=(200, 202), resource="OS image", doc="Delete an OS image.",
    ),
    _write(
        "create_virtual_machine_deployment", "POST", HS + "/{service_name}/deployments",
        (_service(), Argument("deployment_name", STRING, required=True, doc="deployment name", min_length=1),
         Argument("deployment_slot", SLOT, required=True, doc="staging or production (sent in the body)"),
         _label(doc="label (sent as plain text, returned base64)"),
         Argument("role_name", STRING, required=True, doc="name of the VM role", min_length=1),
         Argument("system_config", r.SYSTEM_CONFIG, doc="{type: 'linux'|'windows', ...} provisioning set",
                  secret_fields=r.SECRET_FIELDS),
         Argument("os_virtual_hard_disk", r.OS_VIRTUAL_HARD_DISK, doc="OS disk (or vm_image_name)"),
         Argument("network_config", r.NETWORK_CONFIG, doc="endpoints and subnets"),
         Argument("availability_set_name", STRING),
         Argument("data_virtual_hard_disks", ListType(r.DATA_VIRTUAL_HARD_DISK)),
         Argument("role_size", STRING, doc="e.g. Small, Medium, Basic_A1 (keyword-only in the client)"),
         Argument("role_type", STRING, default="PersistentVMRole"),
         Argument("virtual_network_name", STRING),
         Argument("resource_extension_references", ListType(r.RESOURCE_EXTENSION_REFERENCE)),
         Argument("provision_guest_agent", BOOL), Argument("vm_image_name", STRING, doc="VM image (or os_virtual_hard_disk)"),
         Argument("media_location", STRING), Argument("dns_servers", ListType(r.DNS_SERVER)),
         Argument("reserved_ip_name", STRING)),
        effect="create", asynchronous=True, status=(202,), resource="deployment", body_root="Deployment",
        exactly_one_of=(("os_virtual_hard_disk", "vm_image_name"),),
        doc="Create a deployment holding one virtual machine.",
    ),
    _read(
        "get_role", DEP + "/roles/{role_name}",
        (_service(), _path("deployment_name", "name of the deployment"), _path("role_name", "name of the VM role")),
        ModelType(m.Role), "role", "Read a VM role of a deployment.",
    ),
    _read("get_operation_status", "operations/{request_id}",
          (_path("request_id", "the x-ms-request-id of an earlier write"),),
          ModelType(m.Operation), "operation", "Read the state of an asynchronous operation."),
)

# In the order of Microsoft's guide.
CATALOGUE: dict[str, OperationSpec] = {spec.name: spec for spec in _SPECS}


def operation_names() -> list[str]:
    return list(CATALOGUE)


def get_operation(name: str) -> OperationSpec | None:
    return CATALOGUE.get(name)
