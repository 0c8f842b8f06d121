"""Structured arguments of the image operations, as record types (the SDK's objects as data).

The SDK takes a ``VMImage`` for ``create_vm_image``/``update_vm_image``, an ``OSImage`` for
``update_os_image_from_image_reference`` and a ``CaptureRoleAsVMImage`` for ``capture_vm_image``;
a flow writes them as ``{key: value}`` records with the SDK's attribute names:

    vm_image: {name: "web-golden", label: "web golden", os_disk_configuration:
               {os_state: "Generalized", os: "Linux", media_link: "https://acct.blob.core.windows.net/vhds/web.vhd"}}

Create and update share ``VM_IMAGE``: the request XML takes the fields each operation sends
(an update names data disks by ``name``, a create locates them by ``media_link``).
"""

from __future__ import annotations

from smflow.asm.types import BOOL, INT, STRING, EnumType, ListType, RecordField, RecordType

__all__ = ["CAPTURE_OPTIONS", "OS_IMAGE_UPDATE", "OS_STATE", "VM_IMAGE"]

OS_STATE = EnumType(("Generalized", "Specialized"))
_CACHING = EnumType(("None", "ReadOnly", "ReadWrite"))


def _f(name: str, type_: object = STRING, required: bool = False) -> RecordField:
    return RecordField(name, type_, required)  # type: ignore[arg-type]


OS_DISK_CONFIGURATION = RecordType("OSDiskConfiguration", (
    _f("host_caching", _CACHING), _f("os_state", OS_STATE), _f("os", EnumType(("Linux", "Windows"))),
    _f("media_link"),
))
DATA_DISK_CONFIGURATION = RecordType("DataDiskConfiguration", (
    _f("name"), _f("host_caching", _CACHING), _f("lun", INT), _f("media_link"), _f("logical_disk_size_in_gb", INT),
))
_PUBLISHING = (
    _f("language"), _f("image_family"), _f("recommended_vm_size"), _f("eula"), _f("icon_uri"), _f("small_icon_uri"),
    _f("privacy_uri"), _f("published_date"), _f("show_in_gui", BOOL),
)
VM_IMAGE = RecordType("VMImage", (
    _f("name"), _f("label"), _f("description"), _f("os_disk_configuration", OS_DISK_CONFIGURATION),
    _f("data_disk_configurations", ListType(DATA_DISK_CONFIGURATION)), *_PUBLISHING,
))
OS_IMAGE_UPDATE = RecordType("OSImage", (_f("label", required=True), _f("description"), *_PUBLISHING))
CAPTURE_OPTIONS = RecordType("CaptureRoleAsVMImage", (
    _f("os_state", OS_STATE, True), _f("vm_image_name", required=True), _f("vm_image_label", required=True),
    _f("description"), _f("language"), _f("image_family"), _f("recommended_vm_size"),
))
