"""The operation clock: how long each asynchronous operation takes, and what things look like meanwhile.

Times are those of the 2015 recordings (wire.md §1.5), normalised so that ``latency=1.0`` makes
``create_deployment`` take about one second and every other operation takes its proportional
share. ``latency=0`` makes every operation complete on the first poll (still 202 + InProgress-free
polls, so polling code runs, just not for long).

    operation                          recorded   latency=1.0
    create_deployment                  ~52 s      1.00 s
    change_deployment_configuration    ~74 s      1.42 s
    create_storage_account             ~21 s      0.40 s
    update_deployment_status           ~5 s       0.10 s
    create_virtual_machine_deployment  ~180 s     3.46 s
    swap_deployment                    (not recorded; a VIP swap, taken as ~5 s)   0.10 s
    delete_deployment                  (not recorded; taken as ~10 s)              0.19 s
    upgrade_deployment (Manual)        (not recorded; taken as ~5 s to accept)     0.10 s
    walk_upgrade_domain, per domain    (not recorded; taken as ~60 s)              1.15 s
    upgrade/rollback (Auto)            one walk per domain, in order
    upgrade (Simultaneous)             one walk, every domain at once
    reboot_role_instance               (not recorded; taken as ~60 s)              1.15 s
    reimage_role_instance              (not recorded; taken as ~120 s)             2.31 s
    rebuild_role_instance              (not recorded; taken as ~150 s)             2.88 s
    delete_role_instances              (not recorded; taken as ~30 s)              0.58 s
    add_service_certificate            ~5 s                                        0.10 s
    delete_service_certificate         ~6 s                                        0.12 s
    add_role / update_role / delete_role  ~37 / 32 / 37 s                          0.71 / 0.62 / 0.71 s
    capture_role                       ~16 s                                       0.31 s
    add/update/delete_dns_server       ~20 s each                                  0.38 s
    add/update/delete_data_disk        (not recorded; taken as ~30 s)              0.58 s

A new hosted service gets the ResourceGroup/ResourceLocation extended properties the real
service adds on its own ~10 s (0.19 s) after its creation; a storage account gets them when its
create completes.

Everything else (hosted services, affinity groups, OS images, storage deletes) is synchronous:
its operation is already Succeeded when the response is sent.
"""

from __future__ import annotations

import math

from smflow.errors import UsageError

__all__ = [
    "INSTANCE_PHASES", "MAX_LATENCY", "RECORDED_SECONDS", "REFERENCE_SECONDS", "check_latency", "duration",
    "instance_phase", "phase_at", "transitioning_status",
]

MAX_LATENCY = 3600.0  # create_deployment taking an hour: slower than Azure ever was

RECORDED_SECONDS: dict[str, float] = {
    "create_deployment": 52.0,
    "change_deployment_configuration": 74.0,
    "create_storage_account": 21.0,
    "update_deployment_status": 5.0,
    "create_virtual_machine_deployment": 180.0,
    "swap_deployment": 5.0,
    "delete_deployment": 10.0,
    "upgrade_deployment": 5.0,
    "rollback_update_or_upgrade": 5.0,
    "walk_upgrade_domain": 60.0,
    "reboot_role_instance": 60.0,
    "reimage_role_instance": 120.0,
    "rebuild_role_instance": 150.0,
    "delete_role_instances": 30.0,
    "shutdown_role": 64.0,  # wire-extended.md, latency [REC]
    "start_role": 37.0,
    "restart_role": 68.0,
    "shutdown_roles": 7.0,
    "start_roles": 89.0,
    "add_service_certificate": 5.0,
    "delete_service_certificate": 6.0,
    "add_role": 37.0,  # wire-extended.md §0 [REC]: 31-43 s
    "update_role": 32.0,
    "delete_role": 37.0,
    "capture_role": 16.0,
    "add_dns_server": 20.0,
    "update_dns_server": 20.0,
    "delete_dns_server": 20.0,
    "add_data_disk": 30.0,  # not recorded: taken as an attach of ~30 s
    "update_data_disk": 30.0,
    "delete_data_disk": 30.0,
    "create_reserved_ip_address": 8.0,  # wire-extended.md §0, latency [REC]
    "delete_reserved_ip_address": 16.0,
    "associate_reserved_ip_address": 58.0,
    "disassociate_reserved_ip_address": 57.0,
    "create_vm_image": 8.0,
    "delete_vm_image": 5.0,
    "capture_vm_image": 6.0,
    "share_vm_image": 5.0,  # not recorded
    "replicate_vm_image": 15.0,  # not an operation's time: how long replicas take to reach 100 % (not recorded)
    # Not a request: the service tags a new hosted service with ResourceGroup/ResourceLocation
    # extended properties some seconds after creating it (absent at 1 s, present at 20 s) [REC].
    "_tag_hosted_service": 10.0,
}
REFERENCE_SECONDS = RECORDED_SECONDS["create_deployment"]


def check_latency(value: float, flag: str) -> float:
    """``value`` if it is a usable latency scale; a ``UsageError`` naming ``flag`` otherwise.
    NaN slips through every comparison and inf or 1e308 make every deadline infinite, so only
    finite values from 0 to ``MAX_LATENCY`` are taken."""
    if not math.isfinite(value) or not 0 <= value <= MAX_LATENCY:
        raise UsageError(f"{flag} must be a number of seconds from 0 to {MAX_LATENCY:g}, got {value!r}")
    return value


def duration(kind: str, latency: float) -> float:
    """Seconds an operation of this kind takes at the given latency scale (0 for synchronous ones)."""
    return max(latency, 0.0) * RECORDED_SECONDS.get(kind, 0.0) / REFERENCE_SECONDS


def transitioning_status(running: bool) -> str:
    """The deployment status while an operation changes it."""
    return "RunningTransitioning" if running else "SuspendedTransitioning"


def instance_phase(fraction: float, running: bool) -> tuple[str, str]:
    """(InstanceStatus, PowerState) of a role instance being (re)built, ``fraction`` of the way through.

    Instances are created first (CreatingVM), then booted (StartingVM) if the deployment is to
    run; a suspended deployment's instances stay CreatingVM until the operation ends (StoppedVM).
    """
    if fraction < 0.5 or not running:
        return "CreatingVM", "Stopped"
    return "StartingVM", "Started"


def settled_phase(running: bool) -> tuple[str, str]:
    return ("ReadyRole", "Started") if running else ("StoppedVM", "Stopped")


# (InstanceStatus, PowerState) an instance goes through, in equal shares of its operation's time,
# before it is ReadyRole again (or gone, for a delete).
INSTANCE_PHASES: dict[str, tuple[tuple[str, str], ...]] = {
    "walk": (("StoppingRole", "Started"), ("StoppedVM", "Stopped"), ("StartingVM", "Started"), ("BusyRole", "Started")),
    "reboot_role_instance": (("RestartingRole", "Started"), ("StartingRole", "Started"), ("BusyRole", "Started")),
    "reimage_role_instance": (("StoppingRole", "Started"), ("StoppedVM", "Stopped"), ("CreatingVM", "Stopped"),
                              ("StartingVM", "Started"), ("BusyRole", "Started")),
    "rebuild_role_instance": (("StoppingRole", "Started"), ("StoppedVM", "Stopped"), ("CreatingVM", "Stopped"),
                              ("StartingVM", "Started"), ("BusyRole", "Started")),
    "delete_role_instances": (("StoppingRole", "Started"), ("StoppedVM", "Stopped")),
}


def phase_at(kind: str, fraction: float) -> tuple[str, str]:
    """Where an instance is, ``fraction`` (0..1) of the way through an operation of ``kind``."""
    phases = INSTANCE_PHASES[kind]
    return phases[min(int(max(fraction, 0.0) * len(phases)), len(phases) - 1)]
