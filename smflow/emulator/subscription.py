"""What every rule module of a subscription shares: its resources, lookups, and the operation clock.

``state.Subscription`` is assembled from this base plus the rule mixins (``deployments.py``,
``accounts.py``); keeping the shared part here lets each mixin be typed without import cycles.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from smflow.emulator.catalog_data import PUBLIC_IMAGES
from smflow.emulator.operations import duration
from smflow.emulator.resources import (
    AffinityGroup,
    AsmFault,
    Deployment,
    Disk,
    HostedService,
    ManagementCertificate,
    Operation,
    OsImage,
    StorageAccount,
)

if TYPE_CHECKING:
    from smflow.emulator.reserved_ips import ReservedIp
    from smflow.emulator.state import EmulatorState
    from smflow.emulator.vm_images import VmImage

__all__ = ["EXCLUSIVE_ACCESS", "SubscriptionBase", "new_private_id", "not_found", "utc_now"]

NOT_FOUND_MESSAGES = {
    "hosted service": "The hosted service does not exist.",
    "deployment": "No deployments were found.",
    "affinity group": "The affinity group does not exist.",
    "OS image": "The image with the specified name does not exist.",
    "operation": "The operation request ID was not found.",
    "role": "The role does not exist.",
    "certificate": "The certificate was not found.",
}
EXCLUSIVE_ACCESS = (
    "Windows Azure is currently performing an operation on this deployment that requires exclusive access."
)
PUBLIC = {img.name: img for img in PUBLIC_IMAGES}


def not_found(kind: str, name: str = "") -> AsmFault:
    """404 ResourceNotFound with the service's own per-type wording (wire.md §5.2)."""
    if kind == "storage account":
        return AsmFault(404, "ResourceNotFound", f"The storage account '{name}' was not found.")
    return AsmFault(404, "ResourceNotFound", NOT_FOUND_MESSAGES[kind])


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_private_id() -> str:
    return uuid.uuid4().hex


class SubscriptionBase:
    """One subscription's resources and its operation registry."""

    def __init__(self, owner: EmulatorState, subscription_id: str) -> None:
        self.owner = owner
        self.id = subscription_id
        self.services: dict[str, HostedService] = {}
        self.storage: dict[str, StorageAccount] = {}
        self.affinity_groups: dict[str, AffinityGroup] = {}
        self.images: dict[str, OsImage] = {}  # user images; public ones are shared
        self.disks: dict[str, Disk] = {}  # registered disks no VM uses (disks.py)
        self.management_certificates: dict[str, ManagementCertificate] = {}  # thumbprint -> certificate
        self.reserved_ips: dict[str, ReservedIp] = {}  # name -> address (emulator/reserved_ips.py)
        self.vm_images: dict[str, VmImage] = {}  # user VM images (emulator/vm_images.py)
        self.operations: dict[str, Operation] = {}
        self.pending: dict[str, Operation] = {}

    # -- the operation clock -------------------------------------------------------------------
    def now(self) -> float:
        return self.owner.clock()

    def finished(self, request_id: str, kind: str, **params: str) -> None:
        """Register a synchronous request's operation: already Succeeded (HttpStatusCode 200, even after a 201).
        ``params`` name what it acted on, for the operation log (``subscription_info.object_id``)."""
        t = self.now()
        self.operations[request_id] = Operation(request_id, kind, t, t, "Succeeded", 200, params=dict(params))
        self.owner.changed(self.id)

    def start(self, request_id: str, kind: str, **subject: str) -> Operation:
        """Register an asynchronous operation; it completes ``duration(kind)`` seconds from now."""
        t = self.now()
        params = {k: v for k, v in subject.items() if k not in ("service", "deployment", "storage")}
        op = Operation(
            request_id,
            kind,
            t,
            t + duration(kind, self.owner.latency),
            service=subject.get("service"),
            deployment=subject.get("deployment"),
            storage=subject.get("storage"),
            params=params,
        )
        fail = self.owner.doomed.pop(request_id, None)
        if fail is not None:
            op.fail_with = fail
        self.operations[request_id] = op
        self.pending[request_id] = op
        self.owner.changed(self.id)
        return op

    def operation(self, request_id: str) -> Operation:
        op = self.operations.get(request_id.replace("-", "").lower())
        if op is None or op.kind.startswith("_"):  # internal timers are not requests
            raise not_found("operation")
        return op

    # -- lookups -------------------------------------------------------------------------------
    def service(self, name: str) -> HostedService:
        svc = self.services.get(name)
        if svc is None:
            raise not_found("hosted service")
        return svc

    def deployment_by_name(self, service: str, name: str) -> Deployment:
        for dep in self.service(service).slots.values():
            if dep.name == name:
                return dep
        raise not_found("deployment")

    def deployment_by_slot(self, service: str, slot: str) -> Deployment:
        dep = self.service(service).slots.get(slot)
        if dep is None:
            raise not_found("deployment")
        return dep

    def storage_account(self, name: str) -> StorageAccount:
        acct = self.storage.get(name)
        if acct is None:
            raise not_found("storage account", name)
        return acct

    def affinity_group(self, name: str) -> AffinityGroup:
        group = self.affinity_groups.get(name)
        if group is None:
            raise not_found("affinity group")
        return group

    def os_image(self, name: str) -> OsImage:
        img = PUBLIC.get(name) or self.images.get(name)
        if img is None:
            raise not_found("OS image")
        return img

    def all_images(self) -> list[OsImage]:
        return [*PUBLIC_IMAGES, *self.images.values()]
