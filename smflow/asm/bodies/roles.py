"""Request bodies of VM role writes and DNS servers (wire-extended.md §1, §2).

A role's body is the VM deployment's ``Role`` element under the root ``PersistentVMRole`` (no
``i:type``), so it is built by the same function as the deployment's, in the same order.
"""

from __future__ import annotations

from typing import Any

from smflow.asm.bodies.build import Args, Builder, Result, add, fields
from smflow.asm.bodies.vm import provisioning_set, role_body

__all__ = ["BODIES", "RESULTS"]


def _capture(root: Any, a: Args) -> None:
    """CaptureRoleOperation: the label comes before the name [SDK][REC]."""
    fields(root, [("OperationType", "CaptureRoleOperation"), ("PostCaptureAction", a.get("post_capture_action"))])
    config = a.get("provisioning_configuration")
    if config is not None:
        provisioning_set(add(root, "ProvisioningConfiguration", container=True), config)
    fields(root, [("TargetImageLabel", a.get("target_image_label")), ("TargetImageName", a.get("target_image_name"))])


def _dns_server(root: Any, a: Args) -> None:
    fields(root, [("Name", a.get("dns_server_name")), ("Address", a.get("address"))])


BODIES: dict[str, tuple[str, Builder]] = {
    "add_role": ("PersistentVMRole", role_body),
    "update_role": ("PersistentVMRole", role_body),
    "capture_role": ("CaptureRoleOperation", _capture),
    "add_dns_server": ("DnsServer", _dns_server),
    "update_dns_server": ("DnsServer", _dns_server),
}

RESULTS: dict[str, Result] = {}
