"""Reserved IP addresses: reserve one, make it a deployment's VIP, keep it across a VIP swap, release it.

A mixin of ``state.Subscription`` over ``SubscriptionBase``. Which deployment uses an address is
said in one place, the deployment (``Deployment.reserved_ip``), so a deleted deployment frees
its address and a VIP swap carries it to the new production deployment with nothing to keep in
step. While an associate or disassociate runs (52–64 s recorded), the deployment is claimed
(Locked, a second write is the usual 409) and the address already shows the deployment it is
going to (``InUse``), so a caller that lost the answer reads the association back instead of
sending it twice; the deployment's VIP changes when the operation ends.

The service's rules, as far as the recordings and the documentation show them: an address is
reserved in a location and serves only a deployment of a hosted service in that location; only
a production deployment gets one (a VIP swap keeps it in production); one address per
deployment and one deployment per address; an address in use cannot be released. A VM
deployment created with a ``ReservedIPName`` takes the address as its VIP from the start, under
the same rules (checked before anything is made).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from smflow.emulator.catalog_data import LOCATIONS
from smflow.emulator.deployments import claim, release
from smflow.emulator.resources import AsmFault, Deployment, HostedService, Operation
from smflow.emulator.subscription import SubscriptionBase

__all__ = [
    "ASSOCIATE", "DISASSOCIATE", "KINDS", "ReservedIp", "ReservedIpRules", "complete", "keep_in_production",
    "progress",
]

CREATE, DELETE = "create_reserved_ip_address", "delete_reserved_ip_address"
ASSOCIATE, DISASSOCIATE = "associate_reserved_ip_address", "disassociate_reserved_ip_address"
KINDS = frozenset({CREATE, DELETE, ASSOCIATE, DISASSOCIATE})
_addresses = itertools.count(1)
_LOCATIONS = frozenset(loc.name for loc in LOCATIONS if loc.available)


def _address(first: int) -> str:
    n = next(_addresses)
    return f"{first}.{40 + n // 65536 % 100}.{n // 256 % 256}.{n % 256}"


@dataclass
class ReservedIp:
    name: str
    address: str
    id: str  # a GUID
    label: str | None
    location: str
    state: str = "Created"


@dataclass(frozen=True)
class Association:
    """What ``get_reserved_ip_address`` shows: the deployment using the address (or about to)."""

    service: str
    deployment: str


def _missing(name: str) -> AsmFault:
    return AsmFault(404, "ResourceNotFound", f"The reserved IP address {name} does not exist.")


def keep_in_production(svc: HostedService) -> None:
    """After a VIP swap: a reserved address stays with the production slot (its deployment
    changed), so the two deployments exchange their VIPs when the one that left production had
    one. Applying it twice (a swap undone) restores both."""
    prod, stag = svc.slots.get("Production"), svc.slots.get("Staging")
    if prod is None or stag is None or stag.reserved_ip is None:
        return
    prod.vip, stag.vip = stag.vip, prod.vip
    prod.reserved_ip, stag.reserved_ip = stag.reserved_ip, None


class ReservedIpRules(SubscriptionBase):
    def reserved_ip(self, name: str) -> ReservedIp:
        ip = self.reserved_ips.get(name)
        if ip is None:
            raise _missing(name)
        return ip

    def association(self, name: str) -> Association | None:
        """The deployment using (or being given) the address; a pending disassociate ends it at once."""
        for op in self.pending.values():
            if op.params.get("ip") == name and op.kind in (ASSOCIATE, DISASSOCIATE):
                return Association(op.service or "", op.deployment or "") if op.kind == ASSOCIATE else None
        for svc in self.services.values():
            for dep in svc.slots.values():
                if dep.reserved_ip == name:
                    return Association(svc.name, dep.name)
        return None

    def create_reserved_ip(self, request_id: str, name: str, label: str | None, location: str | None) -> None:
        if not location:
            raise AsmFault(400, "BadRequest", "The location of the reserved IP address must be specified.")
        if location not in _LOCATIONS:
            raise AsmFault(400, "BadRequest", f"The location constraint '{location}' is not valid.")
        if name in self.reserved_ips:
            raise AsmFault(409, "ConflictError", f"A reserved IP address named {name} already exists.")
        self.reserved_ips[name] = ReservedIp(name, _address(23), str(uuid.uuid4()), label, location, "Creating")
        self.start(request_id, CREATE, ip=name)

    def delete_reserved_ip(self, request_id: str, name: str) -> None:
        self.reserved_ip(name)
        used = self.association(name)
        if used is not None:
            raise AsmFault(409, "ConflictError", f"The reserved IP address {name} is in use by the deployment "
                           f"{used.deployment} of the hosted service {used.service}; disassociate it first.")
        del self.reserved_ips[name]  # gone at once: a read-back after a lost answer sees the delete
        self.start(request_id, DELETE, ip=name)

    def usable_reserved_ip(self, name: str, service: str, slot: str) -> ReservedIp:
        """The address, if a deployment in this slot of the service may take it as its VIP."""
        ip = self.reserved_ip(name)
        svc = self.service(service)
        where = svc.location or self.affinity_group(svc.affinity_group or "").location
        if where != ip.location:
            raise AsmFault(400, "BadRequest", f"The reserved IP address {name} is in {ip.location}; the hosted "
                           f"service {service} is in {where}.")
        if slot != "Production":
            raise AsmFault(400, "BadRequest", "A reserved IP address can only be the VIP of a production deployment.")
        used = self.association(name)
        if used is not None:
            raise AsmFault(409, "ConflictError", f"The reserved IP address {name} is already in use by the deployment "
                           f"{used.deployment} of the hosted service {used.service}.")
        return ip

    def take_reserved_ip(self, name: str, service: str, deployment: str) -> None:
        """A VM deployment created with ``ReservedIPName``: the address is its VIP from the start
        (``usable_reserved_ip`` was asked first); deleting the deployment frees it."""
        dep = self.deployment_by_name(service, deployment)
        dep.reserved_ip, dep.vip = name, self.reserved_ip(name).address

    def associate_reserved_ip(self, request_id: str, name: str, service: str, deployment: str) -> None:
        self.reserved_ip(name)
        dep = self.deployment_by_name(service, deployment)
        self.usable_reserved_ip(name, service, dep.slot)
        if dep.reserved_ip is not None:
            raise AsmFault(409, "ConflictError",
                           f"The deployment {deployment} already uses the reserved IP address {dep.reserved_ip}.")
        claim(dep, request_id)
        self.start(request_id, ASSOCIATE, service=service, deployment=deployment, ip=name)

    def disassociate_reserved_ip(self, request_id: str, name: str, service: str, deployment: str) -> None:
        self.reserved_ip(name)
        dep = self.deployment_by_name(service, deployment)
        if self.association(name) != Association(service, deployment):
            raise AsmFault(400, "BadRequest",
                           f"The reserved IP address {name} is not associated with the deployment {deployment}.")
        claim(dep, request_id)
        self.start(request_id, DISASSOCIATE, service=service, deployment=deployment, ip=name)


def progress(sub: SubscriptionBase, op: Operation, fraction: float) -> None:
    """Nothing moves while an address is (dis)associated: the deployment stays Locked."""


def complete(sub: SubscriptionBase, op: Operation) -> None:
    name = op.params.get("ip", "")
    if op.kind == CREATE:
        ip = sub.reserved_ips.get(name)
        if ip is not None:
            if op.status == "Failed":
                del sub.reserved_ips[name]
            else:
                ip.state = "Created"
        return
    if op.kind == DELETE:
        return
    dep: Deployment | None = release(sub, op)
    ip = sub.reserved_ips.get(name)
    if dep is None or ip is None or op.status == "Failed":
        return
    if op.kind == ASSOCIATE:
        dep.reserved_ip, dep.vip = name, ip.address
    elif dep.reserved_ip == name:
        dep.reserved_ip, dep.vip = None, _address(104)  # the deployment's own VIP: a new address [REC]

