"""The emulator's state and rules, with no HTTP in them (moto's ``models.py``).

``EmulatorState`` holds one ``Subscription`` per subscription id (created on first use, any id
accepted) behind one re-entrant lock: callers take ``state.lock`` for a whole request, so every
request sees and leaves a consistent state. Asynchronous operations are timed on an injectable
clock and *settled lazily*: every request first calls ``Subscription.settle()``, which applies the
operations whose time has come, in order of completion. Nothing runs in the background, so a
test with a fake clock is fully deterministic.

``Subscription`` = ``SubscriptionBase`` (resources, lookups, operation registry) + the rules:
hosted services here, deployments in ``deployments.py``, in-place upgrades in ``upgrades.py``,
role instances in ``instances.py``, VM power in ``vm_power.py``, VM roles and DNS servers in
``vm_roles.py``, disks in ``disks.py``, certificates in ``certificates.py``, storage/affinity groups/images in ``accounts.py``,
reserved IPs in ``reserved_ips.py``, VM images and OS-image updates in ``vm_images.py``.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from smflow.emulator import certificates, disks, instances, reserved_ips, upgrades, vm_images, vm_power, vm_roles
from smflow.emulator import deployments as dep_rules
from smflow.emulator.accounts import AccountRules
from smflow.emulator.blobservice import BlobStore
from smflow.emulator.certificates import CertificateRules
from smflow.emulator.deployments import DeploymentRules, release_disks
from smflow.emulator.disks import DiskRules
from smflow.emulator.instances import RoleInstanceRules
from smflow.emulator.operations import check_latency
from smflow.emulator.reserved_ips import ReservedIpRules
from smflow.emulator.resources import AsmFault, HostedService, Operation
from smflow.emulator.subscription import EXCLUSIVE_ACCESS, not_found, utc_now
from smflow.emulator.upgrades import UpgradeRules
from smflow.emulator.vm_images import VmImageRules
from smflow.emulator.vm_power import VmPowerRules
from smflow.emulator.vm_roles import VmRoleRules

__all__ = ["EXCLUSIVE_ACCESS", "EmulatorState", "Subscription", "not_found", "utc_now"]

_SERVICE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9]|[A-Za-z0-9]")


def _rules(kind: str) -> ModuleType:
    """The rule module that moves and completes operations of this kind (deployments by default)."""
    if kind in upgrades.KINDS:
        return upgrades
    if kind in instances.KINDS:
        return instances
    if kind in certificates.KINDS:
        return certificates
    if kind in vm_power.KINDS:
        return vm_power
    if kind in vm_roles.KINDS:
        return vm_roles
    if kind in disks.KINDS:
        return disks
    if kind in reserved_ips.KINDS:
        return reserved_ips
    if kind in vm_images.KINDS:
        return vm_images
    return dep_rules


class Subscription(
    AccountRules, DeploymentRules, UpgradeRules, RoleInstanceRules, CertificateRules, VmPowerRules, VmRoleRules,
    DiskRules, ReservedIpRules, VmImageRules,
):
    """Everything one subscription owns, and the rules the service enforces on it."""

    def settle(self) -> None:
        """Apply every operation whose time has come, oldest deadline first; update the rest."""
        if not self.pending:
            return
        now = self.now()
        for op in sorted(self.pending.values(), key=lambda o: (o.ends, o.started)):
            if op.ends <= now:
                del self.pending[op.id]
                self._complete(op)
            else:
                span = op.ends - op.started
                _rules(op.kind).progress(self, op, (now - op.started) / span if span > 0 else 1.0)

    def _complete(self, op: Operation) -> None:
        if op.fail_with is not None:
            status, code, message = op.fail_with
            op.status, op.http_status, op.error_code, op.error_message = "Failed", status, code, message
        else:
            op.status, op.http_status = "Succeeded", 200
        if op.kind == "create_storage_account":
            self.complete_storage(op)
        elif op.kind == "_tag_hosted_service":
            svc = self.services.get(op.service or "")
            if svc is not None:
                where = svc.location or self.affinity_group(svc.affinity_group or "").location
                svc.extended_properties.update({"ResourceGroup": svc.name, "ResourceLocation": where})
        else:
            _rules(op.kind).complete(self, op)
        self.owner.changed(self.id)

    # -- hosted services -----------------------------------------------------------------------
    def create_hosted_service(
        self,
        request_id: str,
        name: str,
        label: str,
        description: str | None,
        location: str | None,
        affinity_group: str | None,
        extended_properties: dict[str, str],
    ) -> None:
        if not _SERVICE_NAME.fullmatch(name):
            raise AsmFault(400, "BadRequest", "The hosted service name is invalid.")
        self.check_placement(location, affinity_group)
        if self.owner.service_name_taken(name):
            raise AsmFault(409, "ConflictError", "The specified DNS name is already taken.")
        now = utc_now()
        self.services[name] = HostedService(
            name, label, description, location, affinity_group, now, now, dict(extended_properties)
        )
        self.finished(request_id, "create_hosted_service", service=name)
        self.start(f"_tag_{request_id}", "_tag_hosted_service", service=name)

    def update_hosted_service(
        self, request_id: str, name: str, label: str | None, description: str | None, extended: dict[str, str]
    ) -> None:
        svc = self.service(name)
        if label is not None:
            svc.label = label
        if description is not None:
            svc.description = description
        svc.extended_properties.update(extended)
        svc.last_modified = utc_now()
        self.finished(request_id, "update_hosted_service", service=name)

    def delete_hosted_service(self, request_id: str, name: str, complete: bool) -> None:
        """Refused while deployments exist, unless ``complete`` (``?comp=media``) deletes them too."""
        svc = self.service(name)
        if svc.slots and not complete:
            raise AsmFault(
                409,
                "ConflictError",
                "The hosted service has deployments; delete them before deleting the hosted service.",
            )
        if any(dep.busy_op for dep in svc.slots.values()):
            raise AsmFault(409, "ConflictError", EXCLUSIVE_ACCESS)
        for dep in svc.slots.values():
            release_disks(self, svc, dep, keep=False)
        del self.services[name]
        self.finished(request_id, "delete_hosted_service", service=name)


class EmulatorState:
    """All subscriptions, the lock that serialises requests, the clock, and the latency scale."""

    def __init__(
        self,
        latency: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.latency = check_latency(latency, "emulator latency")
        self.clock = clock
        self.lock = threading.RLock()
        self.subscriptions: dict[str, Subscription] = {}
        self.on_change = on_change
        # Request ids whose operation must end Failed (the "op-fail" fault): id -> (status, code, message)
        self.doomed: dict[str, tuple[int, str, str]] = {}
        self._blobs: BlobStore | None = None
        self.blob_root: Path | None = None  # where blob bytes live (beside a --state file); None: a temp dir

    @property
    def blobs(self) -> BlobStore:
        """The blob service's store (created on first use: most runs never upload)."""
        with self.lock:
            if self._blobs is None:
                self._blobs = BlobStore(self.blob_root)
            return self._blobs

    def storage_keys(self, account: str) -> tuple[str, ...] | None:
        """The keys the emulator issued for a created storage account (None: there is none)."""
        with self.lock:
            for s in self.subscriptions.values():
                acct = s.storage.get(account)
                if acct is not None and acct.status == "Created":
                    return (acct.primary_key, acct.secondary_key)
            return None

    def subscription(self, subscription_id: str) -> Subscription:
        sub = self.subscriptions.get(subscription_id)
        if sub is None:
            sub = self.subscriptions[subscription_id] = Subscription(self, subscription_id)
        return sub

    def changed(self, subscription_id: str) -> None:
        if self.on_change is not None:
            self.on_change(subscription_id)

    def service_name_taken(self, name: str) -> bool:
        """Hosted-service names are DNS names (<name>.cloudapp.net): unique across all subscriptions."""
        return any(name in s.services for s in self.subscriptions.values())

    def storage_name_taken(self, name: str) -> bool:
        return any(name in s.storage for s in self.subscriptions.values())

    def reset(self) -> None:
        with self.lock:
            ids = list(self.subscriptions)
            self.subscriptions.clear()
            self.doomed.clear()
            for sid in ids:
                self.changed(sid)
