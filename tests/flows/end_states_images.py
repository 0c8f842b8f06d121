"""The states the reserved-IP and image flows must leave on the emulator (merged into
``test_emulator_runs.END_STATES``)."""

from __future__ import annotations

from collections.abc import Callable

from smflow.emulator.state import Subscription

__all__ = ["END_STATES"]


def _reserved_ip(sub: Subscription) -> None:
    slots = sub.services["smflow-vip"].slots
    assert set(slots) == {"Production"} and slots["Production"].name == "v2"  # v1 swapped out and retired
    ip = sub.reserved_ips["smflow-vip-web"]
    assert (slots["Production"].reserved_ip, slots["Production"].vip) == ("smflow-vip-web", ip.address)


def _reserved_ip_release(sub: Subscription) -> None:
    assert "smflow-vip-old-web" not in sub.reserved_ips
    (dep,) = sub.services["smflow-vip-old"].slots.values()
    assert dep.reserved_ip is None and not dep.vip.startswith("23.")  # a dynamic VIP again


def _vm_image(sub: Subscription) -> None:
    assert set(sub.vm_images) == {"smflow-golden-web"}  # the second image was dropped again
    img = sub.vm_images["smflow-golden-web"]
    assert (img.label, img.os_disk.host_caching, img.role_name, img.state) == (
        "web tier, golden", "ReadOnly", "web1", "VMImageReadyForUse")


def _image_publishing(sub: Subscription) -> None:
    img = sub.images["smflow-ubuntu-golden"]
    assert (img.label, img.image_family, img.share_permission) == ("smflow-ubuntu-golden 1.0.0", "smflow golden", None)
    assert img.replica_regions == []  # unpublish = "true": shared, then withdrawn


END_STATES: dict[str, Callable[[Subscription], None]] = {
    "reserved_ip": _reserved_ip,
    "reserved_ip_release": _reserved_ip_release,
    "vm_image": _vm_image,
    "image_publishing": _image_publishing,
}
