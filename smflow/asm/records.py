"""Structured arguments of ``create_virtual_machine_deployment``, as record types.

The SDK takes objects (``LinuxConfigurationSet(...)``, ``OSVirtualHardDisk(...)``,
``ConfigurationSet()`` with ``input_endpoints``...). A flow is data, so smflow takes them as
records written ``{key: value}``; a Python caller passes plain dicts with the same keys. Field
names are the SDK constructor/attribute names.

``system_config`` is one record type, ``SystemConfig``, with a ``type`` discriminator:

    system_config: {type: "linux", host_name: "web1", user_name: "azureuser",
                    user_password: secret_password, disable_ssh_password_authentication: false}
    system_config: {type: "windows", computer_name: "web1", admin_username: "azureuser",
                    admin_password: secret_password, time_zone: "Tokyo Standard Time"}

One type (rather than two record types) keeps the argument's type a single ``RecordType`` for the
checker, while ``SYSTEM_CONFIG_VARIANTS`` says which fields belong to which ``type``, so putting
``computer_name`` in a Linux config is refused by ``validate_arguments`` with a clear message.
Secret fields (passwords, custom data) are listed in ``SECRET_FIELDS``.
"""

from __future__ import annotations

from smflow.asm.types import BOOL, INT, STRING, EnumType, ListType, RecordField, RecordType

__all__ = [
    "DATA_VIRTUAL_HARD_DISK",
    "DNS_SERVER",
    "NETWORK_CONFIG",
    "OS_VIRTUAL_HARD_DISK",
    "RESOURCE_EXTENSION_REFERENCE",
    "SECRET_FIELDS",
    "SYSTEM_CONFIG",
    "SYSTEM_CONFIG_VARIANTS",
]


def _f(name: str, type_: object = STRING, required: bool = False) -> RecordField:
    return RecordField(name, type_, required)  # type: ignore[arg-type]


_KEY = RecordType("SshKey", (_f("fingerprint", required=True), _f("path", required=True)))
_CERTIFICATE_SETTING = RecordType(
    "CertificateSetting",
    (_f("store_location", required=True), _f("store_name", required=True), _f("thumbprint", required=True)),
)
_LISTENER = RecordType("WinRMListener", (_f("protocol", EnumType(("Http", "Https")), True), _f("certificate_thumbprint")))
_DOMAIN_JOIN = RecordType(
    "DomainJoin",
    (_f("domain"), _f("username"), _f("password"), _f("join_domain"), _f("machine_object_ou")),
)

_LINUX_FIELDS = (
    _f("host_name", required=True),
    _f("user_name", required=True),
    _f("user_password"),
    _f("disable_ssh_password_authentication", BOOL),
    _f("ssh_public_keys", ListType(_KEY)),
    _f("ssh_key_pairs", ListType(_KEY)),
)
_WINDOWS_FIELDS = (
    _f("computer_name", required=True),
    _f("admin_password"),
    _f("reset_password_on_first_logon", BOOL),
    _f("enable_automatic_updates", BOOL),
    _f("time_zone"),
    _f("domain_join", _DOMAIN_JOIN),
    _f("stored_certificate_settings", ListType(_CERTIFICATE_SETTING)),
    _f("win_rm_listeners", ListType(_LISTENER)),
    _f("admin_username", required=True),
)

SYSTEM_CONFIG = RecordType(
    "SystemConfig",
    (_f("type", EnumType(("linux", "windows"), case_insensitive=True), True),)
    + tuple(RecordField(f.name, f.type, False) for f in _LINUX_FIELDS + _WINDOWS_FIELDS)
    + (_f("custom_data"),),
)

# type value -> (fields allowed, fields required). "type" and "custom_data" are common to both.
SYSTEM_CONFIG_VARIANTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    variant: (
        frozenset({"type", "custom_data"} | {f.name for f in fields}),
        frozenset(f.name for f in fields if f.required),
    )
    for variant, fields in (("linux", _LINUX_FIELDS), ("windows", _WINDOWS_FIELDS))
}

# Record fields never shown in plans, journals or cassettes (also nested: domain_join.password).
SECRET_FIELDS = frozenset({"user_password", "admin_password", "custom_data", "password"})

OS_VIRTUAL_HARD_DISK = RecordType(
    "OSVirtualHardDisk",
    (
        _f("source_image_name"),
        _f("media_link"),
        _f("host_caching", EnumType(("None", "ReadOnly", "ReadWrite"))),
        _f("disk_label"),
        _f("disk_name"),
        _f("os", EnumType(("Linux", "Windows"))),
        _f("remote_source_image_link"),
    ),
)

_INPUT_ENDPOINT = RecordType(
    "InputEndpoint",
    (
        _f("name", required=True),
        _f("protocol", EnumType(("tcp", "udp"), case_insensitive=True), True),
        _f("port", INT, True),
        _f("local_port", INT, True),
        _f("load_balanced_endpoint_set_name"),
        _f("enable_direct_server_return", BOOL),
        _f("idle_timeout_in_minutes", INT),
    ),
)

NETWORK_CONFIG = RecordType(
    "NetworkConfigurationSet",
    (
        _f("input_endpoints", ListType(_INPUT_ENDPOINT)),
        _f("subnet_names", ListType(STRING)),
        _f("static_virtual_network_ip_address"),
    ),
)

DATA_VIRTUAL_HARD_DISK = RecordType(
    "DataVirtualHardDisk",
    (
        _f("media_link"),
        _f("host_caching", EnumType(("None", "ReadOnly", "ReadWrite"))),
        _f("disk_label"),
        _f("disk_name"),
        _f("lun", INT),
        _f("logical_disk_size_in_gb", INT),
        _f("source_media_link"),
    ),
)

DNS_SERVER = RecordType("DnsServer", (_f("name", required=True), _f("address", required=True)))

_PARAMETER_VALUE = RecordType(
    "ResourceExtensionParameterValue", (_f("key", required=True), _f("value", required=True), _f("type"))
)

RESOURCE_EXTENSION_REFERENCE = RecordType(
    "ResourceExtensionReference",
    (
        _f("reference_name", required=True),
        _f("publisher", required=True),
        _f("name", required=True),
        _f("version", required=True),
        _f("resource_extension_parameter_values", ListType(_PARAMETER_VALUE)),
        _f("state"),
    ),
)
