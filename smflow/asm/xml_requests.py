"""Request bodies, element by element, in the order wire.md §3 gives (the SDK's order).

Built with lxml, so text is always escaped (SDK bug 1 fixed) while the bytes otherwise match the
SDK's: root carrying ``xmlns:i`` then ``xmlns``, no XML declaration, no whitespace, ``None``
left out, ``''`` as an empty element, booleans ``true``/``false``, base64 exactly where wire.md
§1.4 says (hosted service, deployment, storage and affinity-group labels; VM custom data). The
VM-deployment and OS-image labels go as plain text, and ``configuration`` is passed through: the
caller encodes it, as in the guide. Empty containers are written ``<X></X>`` like the SDK's.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lxml import etree

from smflow.errors import ArgumentError

__all__ = ["XMLNS", "XSI", "encode_request"]

XMLNS = "http://schemas.microsoft.com/windowsazure"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

Args = Mapping[str, Any]


def _b64(value: object) -> str | None:
    return None if value is None else base64.b64encode(str(value).encode("utf-8")).decode("ascii")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _add(parent: Any, name: str, value: object = "", *, container: bool = False) -> Any:
    """Append <name>value</name>; a None value appends nothing (returns None)."""
    if value is None:
        return None
    el = etree.SubElement(parent, f"{{{XMLNS}}}{name}")
    text = "" if container else _text(value)
    try:
        el.text = text
    except ValueError:  # lxml: "All strings must be XML compatible"
        raise _NotXmlTextError(name, text) from None
    return el


class _NotXmlTextError(Exception):
    """A value holds a character XML 1.0 cannot carry (NUL, most C0 controls, lone surrogates)."""

    def __init__(self, element: str, text: str) -> None:
        self.element = element
        self.char = next((c for c in text if not _xml_char(c)), "")
        super().__init__(element)


def _xml_char(c: str) -> bool:
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF


def _fields(parent: Any, pairs: Sequence[tuple[str, object]]) -> None:
    for name, value in pairs:
        _add(parent, name, value)


def _extended(parent: Any, props: Mapping[str, object] | None) -> None:
    if not props:
        return
    box = _add(parent, "ExtendedProperties", container=True)
    for key, value in props.items():
        prop = _add(box, "ExtendedProperty", container=True)
        _fields(prop, [("Name", key), ("Value", value)])


def _list(parent: Any, name: str, item: str, records: Sequence[Mapping[str, Any]] | None,
          keys: Sequence[tuple[str, str]]) -> None:
    box = _add(parent, name, container=True)
    for rec in records or ():
        _fields(_add(box, item, container=True), [(el, rec.get(key)) for el, key in keys])


_NSMAP: Any = {"i": XSI, None: XMLNS}  # this order gives xmlns:i first, as the SDK writes it


def _root(name: str) -> Any:
    return etree.Element(f"{{{XMLNS}}}{name}", nsmap=_NSMAP)


def _hosted_service(root: Any, a: Args) -> None:
    _fields(root, [("ServiceName", a.get("service_name")), ("Label", _b64(a.get("label"))),
                   ("Description", a.get("description")), ("Location", a.get("location")),
                   ("AffinityGroup", a.get("affinity_group"))])
    _extended(root, a.get("extended_properties"))


def _update_hosted_service(root: Any, a: Args) -> None:
    _fields(root, [("Label", _b64(a.get("label"))), ("Description", a.get("description"))])
    _extended(root, a.get("extended_properties"))


def _create_deployment(root: Any, a: Args) -> None:
    _fields(root, [("Name", a.get("name")), ("PackageUrl", a.get("package_url")), ("Label", _b64(a.get("label"))),
                   ("Configuration", a.get("configuration")), ("StartDeployment", a.get("start_deployment")),
                   ("TreatWarningsAsError", a.get("treat_warnings_as_error"))])
    _extended(root, a.get("extended_properties"))


def _change_configuration(root: Any, a: Args) -> None:
    _fields(root, [("Configuration", a.get("configuration")),
                   ("TreatWarningsAsError", a.get("treat_warnings_as_error")), ("Mode", a.get("mode"))])
    _extended(root, a.get("extended_properties"))


def _storage(root: Any, a: Args) -> None:
    account_type = "Standard_LRS" if a.get("geo_replication_enabled") is False else a.get("account_type")
    _fields(root, [("ServiceName", a.get("service_name")), ("Description", a.get("description")),
                   ("Label", _b64(a.get("label"))), ("AffinityGroup", a.get("affinity_group")),
                   ("Location", a.get("location"))])
    _extended(root, a.get("extended_properties"))
    _add(root, "AccountType", account_type)


def _linux(cs: Any, c: Args) -> None:
    _fields(cs, [("ConfigurationSetType", "LinuxProvisioningConfiguration"), ("HostName", c.get("host_name")),
                 ("UserName", c.get("user_name")), ("UserPassword", c.get("user_password")),
                 ("DisableSshPasswordAuthentication", c.get("disable_ssh_password_authentication"))])
    ssh = _add(cs, "SSH", container=True)
    _list(ssh, "PublicKeys", "PublicKey", c.get("ssh_public_keys"), [("Fingerprint", "fingerprint"), ("Path", "path")])
    _list(ssh, "KeyPairs", "KeyPair", c.get("ssh_key_pairs"), [("Fingerprint", "fingerprint"), ("Path", "path")])
    _add(cs, "CustomData", _b64(c.get("custom_data")))


def _windows(cs: Any, c: Args) -> None:
    _fields(cs, [("ConfigurationSetType", "WindowsProvisioningConfiguration"),
                 ("ComputerName", c.get("computer_name")), ("AdminPassword", c.get("admin_password")),
                 ("ResetPasswordOnFirstLogon", c.get("reset_password_on_first_logon", False)),
                 ("EnableAutomaticUpdates", c.get("enable_automatic_updates", False)),
                 ("TimeZone", c.get("time_zone"))])
    join = c.get("domain_join")
    if join is not None:  # unlike the SDK, no empty DomainJoin block when none is asked for (quirk 12)
        box = _add(cs, "DomainJoin", container=True)
        _fields(_add(box, "Credentials", container=True),
                [("Domain", join.get("domain")), ("Username", join.get("username")), ("Password", join.get("password"))])
        _fields(box, [("JoinDomain", join.get("join_domain")), ("MachineObjectOU", join.get("machine_object_ou"))])
    if c.get("stored_certificate_settings") is not None:
        _list(cs, "StoredCertificateSettings", "CertificateSetting", c.get("stored_certificate_settings"),
              [("StoreLocation", "store_location"), ("StoreName", "store_name"), ("Thumbprint", "thumbprint")])
    if c.get("win_rm_listeners") is not None:
        _list(_add(cs, "WinRM", container=True), "Listeners", "Listener", c.get("win_rm_listeners"),
              [("Protocol", "protocol"), ("CertificateThumbprint", "certificate_thumbprint")])
    _fields(cs, [("AdminUsername", c.get("admin_username")), ("CustomData", _b64(c.get("custom_data")))])


def _network(cs: Any, n: Args) -> None:
    _add(cs, "ConfigurationSetType", "NetworkConfiguration")
    endpoints = _add(cs, "InputEndpoints", container=True)
    for ep in n.get("input_endpoints") or ():
        _fields(_add(endpoints, "InputEndpoint", container=True), [
            ("LoadBalancedEndpointSetName", ep.get("load_balanced_endpoint_set_name", "")),
            ("LocalPort", ep.get("local_port")), ("Name", ep.get("name")), ("Port", ep.get("port")),
            ("Protocol", ep.get("protocol")), ("EnableDirectServerReturn", ep.get("enable_direct_server_return", False)),
            ("IdleTimeoutInMinutes", ep.get("idle_timeout_in_minutes", 4)),
        ])
    subnets = _add(cs, "SubnetNames", container=True)
    for name in n.get("subnet_names") or ():
        _add(subnets, "SubnetName", name)
    _add(cs, "StaticVirtualNetworkIPAddress", n.get("static_virtual_network_ip_address") or None)


def _role(role: Any, a: Args) -> None:
    _fields(role, [("RoleName", a.get("role_name")), ("RoleType", a.get("role_type") or "PersistentVMRole")])
    system, network = a.get("system_config"), a.get("network_config")
    if system is not None or network is not None:
        sets = _add(role, "ConfigurationSets", container=True)
        if system is not None:
            kind = str(system.get("type", "")).lower()
            (_linux if kind == "linux" else _windows)(_add(sets, "ConfigurationSet", container=True), system)
        if network is not None:
            _network(_add(sets, "ConfigurationSet", container=True), network)
    if a.get("resource_extension_references"):
        refs = _add(role, "ResourceExtensionReferences", container=True)
        for ref in a["resource_extension_references"]:
            box = _add(refs, "ResourceExtensionReference", container=True)
            _fields(box, [("ReferenceName", ref.get("reference_name")), ("Publisher", ref.get("publisher")),
                          ("Name", ref.get("name")), ("Version", ref.get("version"))])
            if ref.get("resource_extension_parameter_values"):
                _list(box, "ResourceExtensionParameterValues", "ResourceExtensionParameterValue",
                      ref["resource_extension_parameter_values"], [("Key", "key"), ("Value", "value"), ("Type", "type")])
            _add(box, "State", ref.get("state"))
    _fields(role, [("VMImageName", a.get("vm_image_name")), ("MediaLocation", a.get("media_location")),
                   ("AvailabilitySetName", a.get("availability_set_name"))])
    if a.get("data_virtual_hard_disks") is not None:
        _list(role, "DataVirtualHardDisks", "DataVirtualHardDisk", a["data_virtual_hard_disks"], [
            ("HostCaching", "host_caching"), ("DiskLabel", "disk_label"), ("DiskName", "disk_name"), ("Lun", "lun"),
            ("LogicalDiskSizeInGB", "logical_disk_size_in_gb"), ("MediaLink", "media_link"),
            ("SourceMediaLink", "source_media_link")])
    disk = a.get("os_virtual_hard_disk")
    if disk is not None:
        _fields(_add(role, "OSVirtualHardDisk", container=True), [
            ("HostCaching", disk.get("host_caching")), ("DiskLabel", disk.get("disk_label")),
            ("DiskName", disk.get("disk_name")), ("MediaLink", disk.get("media_link")),
            ("SourceImageName", disk.get("source_image_name")), ("OS", disk.get("os")),
            ("RemoteSourceImageLink", disk.get("remote_source_image_link"))])
    _fields(role, [("RoleSize", a.get("role_size")), ("ProvisionGuestAgent", a.get("provision_guest_agent"))])


def _vm_deployment(root: Any, a: Args) -> None:
    _fields(root, [("Name", a.get("deployment_name")), ("DeploymentSlot", a.get("deployment_slot")),
                   ("Label", a.get("label"))])
    _role(_add(_add(root, "RoleList", container=True), "Role", container=True), a)
    _add(root, "VirtualNetworkName", a.get("virtual_network_name"))
    if a.get("dns_servers"):
        _list(_add(root, "Dns", container=True), "DnsServers", "DnsServer", a["dns_servers"],
              [("Name", "name"), ("Address", "address")])
    _add(root, "ReservedIPName", a.get("reserved_ip_name"))


_BODIES: dict[str, tuple[str, Callable[[Any, Args], None]]] = {
    "create_hosted_service": ("CreateHostedService", _hosted_service),
    "update_hosted_service": ("UpdateHostedService", _update_hosted_service),
    "create_deployment": ("CreateDeployment", _create_deployment),
    "change_deployment_configuration": ("ChangeConfiguration", _change_configuration),
    "update_deployment_status": ("UpdateDeploymentStatus", lambda r, a: _add(r, "Status", a.get("status"))),
    "swap_deployment": ("Swap", lambda r, a: _fields(r, [("Production", a.get("production")),
                                                         ("SourceDeployment", a.get("source_deployment"))])),
    "create_storage_account": ("CreateStorageServiceInput", _storage),
    "create_affinity_group": ("CreateAffinityGroup", lambda r, a: _fields(r, [
        ("Name", a.get("name")), ("Label", _b64(a.get("label"))), ("Description", a.get("description")),
        ("Location", a.get("location"))])),
    "add_os_image": ("OSImage", lambda r, a: _fields(r, [
        ("Label", a.get("label")), ("MediaLink", a.get("media_link")), ("Name", a.get("name")), ("OS", a.get("os"))])),
    "create_virtual_machine_deployment": ("Deployment", _vm_deployment),
}


def encode_request(operation: str, args: Args, body_root: str | None = None) -> bytes | None:
    """The body for ``operation`` called with validated ``args`` (defaults filled); None if it has none.

    ``body_root`` (the catalogue's) is checked against this module's root, so the two cannot drift.
    """
    entry = _BODIES.get(operation)
    if entry is None:
        return None
    root_name, build = entry
    if body_root is not None and body_root != root_name:
        raise ValueError(f"catalogue body_root {body_root!r} != {root_name!r} for {operation}")
    root = _root(root_name)
    try:
        build(root, args)
    except _NotXmlTextError as bad:  # the value is never repeated: it may be a secret
        raise ArgumentError(operation, None, f"the value for <{bad.element}> contains the character "
                            f"U+{ord(bad.char or chr(0)):04X}, which XML cannot carry") from None
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=False))
