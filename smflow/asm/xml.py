"""XML of the Service Management API: request bodies out, result models in.

The only client-side module that knows element names, and the only one that catches lxml errors
(they become ``ApiError``). Requests follow wire.md §1.2/§3 exactly (root ``xmlns:i`` then
``xmlns``, no XML declaration, fixed element order, ``None`` left out, booleans ``true``/``false``,
base64 only where §1.4 says) but, unlike the SDK, text is escaped by lxml, so a description with
``&`` or ``<`` is a valid body (SDK bug 1).

Request bodies are built in the sibling ``xml_requests`` (re-exported here as ``encode_request``) to keep
each module one job; together they are the client's whole XML layer.

Responses are parsed namespace-tolerant (local names only, as the SDK does) but name-strict (case
matters, the root must be the expected one), with a hardened parser: no entity expansion, no DTD,
no network, no huge trees, a size cap checked before parsing, and any DOCTYPE refused. Field to
element mapping is derived from the model's attribute names (``instance_status`` ↔
``InstanceStatus``) with the irregular names listed in ``_ELEMENT``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import re
import types
import typing
from typing import Any

from lxml import etree

from smflow.asm import models as m
from smflow.asm.bodies import RESULTS
from smflow.asm.xml_requests import XMLNS, XSI, encode_request
from smflow.errors import ApiError

__all__ = ["MAX_BODY_BYTES", "XMLNS", "XSI", "decode_error", "decode_response", "encode_request", "parse"]

MAX_BODY_BYTES = 32 * 1024 * 1024
_NIL = f"{{{XSI}}}nil"

# Irregular element names; every other field maps by CamelCase (role_name -> RoleName).
_ELEMENT: dict[str, str] = {
    "id": "ID", "os": "OS", "io_type": "IOType", "private_id": "PrivateID", "fqdn": "FQDN",
    "logical_size_in_gb": "LogicalSizeInGB", "logical_disk_size_in_gb": "LogicalDiskSizeInGB",
    "persistent_vm_downtime_info": "PersistentVMDowntime", "vm_image_name": "VMImageName",
    "virtual_ips": "VirtualIPs", "os_virtual_hard_disk": "OSVirtualHardDisk", "os_state": "OSState",
    "static_virtual_network_ip_address": "StaticVirtualNetworkIPAddress", "reserved_ip_name": "ReservedIPName",
    "recommended_vm_size": "RecommendedVMSize", "error": "Error", "storage_account_types": "StorageCapabilities",
    "dns_servers": "Dns",
}
# Irregular element names of one model's field only (``id`` is <ID> elsewhere).
_ELEMENT_OF: dict[tuple[type, str], str] = {
    (m.ReservedIP, "id"): "Id", (m.VirtualNetworkSite, "id"): "Id", (m.SubscriptionOperationStatus, "status_id"): "ID",
    (m.Subscription, "subscription_id"): "SubscriptionID", (m.Subscription, "aad_tenant_id"): "AADTenantID",
    (m.OperationCaller, "client_ip"): "ClientIP", (m.ResourceExtension, "supported_os"): "SupportedOS",
    (m.VMImage, "os_disk_configuration"): "OSDiskConfiguration",
}
# List fields: the element name of each item.
_ITEM: dict[str, str] = {
    "role_instance_list": "RoleInstance", "role_list": "Role", "deployments": "Deployment",
    "hosted_services": "HostedService", "storage_services": "StorageService",
    "configuration_sets": "ConfigurationSet", "input_endpoints": "InputEndpoint",
    "input_endpoint_list": "InputEndpoint", "data_virtual_hard_disks": "DataVirtualHardDisk",
    "virtual_ips": "VirtualIP", "instance_endpoints": "InstanceEndpoint", "operating_systems": "OperatingSystem",
    "available_services": "AvailableService", "web_worker_role_sizes": "RoleSize",
    "virtual_machines_role_sizes": "RoleSize", "subnet_names": "SubnetName", "endpoints": "Endpoint",
    "capabilities": "Capability", "storage_account_types": "StorageAccountType",
    "dns_servers": "DnsServer",
    "data_disk_configurations": "DataDiskConfiguration", "replication_progress": "ReplicationProgressElement",
    "subnets": "Subnet", "subscription_operations": "SubscriptionOperation",
}
# Nested one level deeper than the field's element: <StorageCapabilities><StorageAccountTypes>...
_INNER: dict[str, str] = {"storage_account_types": "StorageAccountTypes", "dns_servers": "DnsServers"}
# Fields the wire carries base64-encoded (wire.md §1.4); OSImage labels are plain text.
_BASE64: set[tuple[type, str]] = {
    (m.HostedServiceProperties, "label"), (m.Deployment, "label"), (m.Deployment, "configuration"),
    (m.StorageServiceProperties, "label"), (m.AffinityGroup, "label"), (m.OperatingSystem, "label"),
    (m.OperatingSystem, "family_label"), (m.OperatingSystemFamily, "label"),
}

_RESULTS = RESULTS  # operation -> (expected root(s), model, list item element or None), from asm.bodies

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False,
    remove_comments=True, remove_pis=True,
)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _element_name(field_name: str) -> str:
    return _ELEMENT.get(field_name) or "".join(part.capitalize() for part in field_name.split("_"))


def parse(body: bytes, what: str) -> Any:
    """Parse a response body safely; ``what`` names the response in messages. Returns the root."""
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(f"{what}: response body of {len(body)} bytes is over the {MAX_BODY_BYTES}-byte limit")
    if _DOCTYPE.search(body[:65536].replace(b"\x00", b"")):  # NULs removed: UTF-16 bodies too
        raise ApiError(f"{what}: response contains a DTD or entity declaration (refused)")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ApiError(f"{what}: malformed XML in response: {exc.msg or exc}") from None
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise ApiError(f"{what}: unreadable XML in response: {exc}") from None
    if root is None:
        raise ApiError(f"{what}: empty XML response")
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype:
        raise ApiError(f"{what}: response contains a DTD (refused)")
    return root


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if _local(c) == name), None)


def _text(el: Any) -> str:
    return "".join(el.itertext()) if len(el) else (el.text or "")


def _decode_base64(text: str) -> str:
    try:
        return base64.b64decode(text, validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return text  # not base64 after all: keep what the service sent


def _scalar(t: Any, el: Any, parent: str, name: str) -> object:
    where = f"{parent}.{name}"
    text = _text(el).strip() if t in (int, bool) else _text(el)
    if t is int:
        if text == "":
            return None
        try:
            number = float(text)
            if number != int(number):
                raise ValueError
            return int(number)
        except (ValueError, OverflowError):
            raise ApiError(f"{where}: expected an integer, got {text[:40]!r}") from None
    if t is bool:
        if text == "":
            return None
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ApiError(f"{where}: expected true or false, got {text[:40]!r}")
    return text


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0]
    return annotation


def _kind(t: Any) -> tuple[str, Any]:
    origin = typing.get_origin(t)
    if origin is list:
        (item,) = typing.get_args(t)
        return ("models", item) if dataclasses.is_dataclass(item) else ("texts", item)
    if origin is dict:
        return "map", t
    return ("model", t) if dataclasses.is_dataclass(t) else ("scalar", t)


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, str, str, Any, bool], ...]:
    """Per field of a model, computed once: name, element, kind, type, base64-encoded on the wire."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, _ELEMENT_OF.get((cls, f.name)) or _element_name(f.name), *_kind(_unwrap(hints[f.name])), (cls, f.name) in _BASE64)
        for f in dataclasses.fields(cls)
    )


def _decode(cls: type, el: Any, where: str) -> Any:
    values: dict[str, object] = {}
    children: dict[str, Any] = {}
    for c in el:
        children.setdefault(_local(c), c)  # the first of a name wins, as in the SDK
    for name, element, kind, t, encoded in _plan(cls):
        child = children.get(element)
        if name in _INNER and child is not None:
            child = _child(child, _INNER[name])
        if child is None or child.get(_NIL) == "true":
            continue  # absent or nil: the model's default (None, "", [] ...)
        if kind == "models":
            item = _ITEM[name]
            items = [c for c in child if _local(c) == item]
            values[name] = [_decode(t, c, f"{where}.{name}[{i}]") for i, c in enumerate(items)]
        elif kind == "texts":
            item = _ITEM[name]
            values[name] = [_text(c) for c in child if _local(c) == item]
        elif kind == "map":
            values[name] = _extended_properties(child)
        elif kind == "model":
            values[name] = _decode(t, child, f"{where}.{name}")
        else:
            value = _scalar(t, child, where, name)
            if encoded and isinstance(value, str):
                value = _decode_base64(value)
            if value is not None:
                values[name] = value
    return cls(**values)


def _extended_properties(el: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for prop in el:
        if _local(prop) in ("ExtendedProperty", "OperationParameter"):  # the operation log's parameters too
            name, value = _child(prop, "Name"), _child(prop, "Value")
            if name is not None:
                out[_text(name)] = _text(value) if value is not None else ""
    return out


def decode_response(operation: str, body: bytes) -> Any:
    """The model (or list of models) that ``operation``'s response body holds."""
    roots, cls, item = _RESULTS[operation]
    what = f"{operation}"
    root = parse(body, what)
    if _local(root) not in roots:
        raise ApiError(f"{what}: expected <{roots[0]}> in the response, got <{_local(root)}>")
    if item is None:
        return _decode(cls, root, _local(root))
    return [_decode(cls, c, f"{_local(root)}[{i}]") for i, c in enumerate(x for x in root if _local(x) == item)]


def decode_error(body: bytes) -> tuple[str | None, str] | None:
    """``(code, message)`` of an ``<Error>`` body; None when the body is not one (HTML, empty...)."""
    if not body.strip() or len(body) > MAX_BODY_BYTES:
        return None
    try:
        root = parse(body, "error response")
    except ApiError:
        return None
    if _local(root) != "Error":
        return None
    code, message = _child(root, "Code"), _child(root, "Message")
    return (_text(code).strip() if code is not None else None, _text(message).strip() if message is not None else "")


def element_names_for(operation: str) -> tuple[str, ...]:
    """The response roots an operation accepts (used by tests and the emulator's fidelity checks)."""
    return _RESULTS[operation][0]

