"""The subscription's own resource: its properties and quotas, and its operation log.

``get_subscription`` counts what the emulator holds: hosted services, storage accounts, reserved
IP addresses, and the cores of every role instance that holds compute (a StoppedDeallocated VM
has released its cores; a StoppedVM has not), by the size of each instance. The quotas are those
of the recorded subscription; the emulator reports them but does not enforce them (a load test
may create thousands of hosted services), so a current count can pass its maximum.

``list_subscription_operations`` is the log of the requests the emulator has answered for this
subscription (oldest first), filtered as the service filters it: by start time, end time, the
object (a resource path and everything below it), and result; ``PAGE`` entries per page, the
next page asked for with the continuation token the previous one returned.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from smflow.emulator.resources import AsmFault, Operation
from smflow.emulator.role_sizes import ROLE_SIZES
from smflow.emulator.subscription import SubscriptionBase
from smflow.emulator.wire import el, root, serialize

__all__ = ["LOG_NAMES", "PAGE", "object_id", "operations_log_xml", "subscription_xml"]

PAGE = 100
QUOTAS = {"MaxCoreCount": 20, "MaxStorageAccounts": 100, "MaxHostedServices": 20}  # [REC get_subscription]
NETWORK_QUOTAS = {"MaxVirtualNetworkSites": 50, "MaxLocalNetworkSites": 20, "MaxDnsServers": 20}
_CORES = {size.name: size.cores for size in ROLE_SIZES}
_RESULTS = ("Succeeded", "Failed", "InProgress")
# The names the service logs where they differ from the SDK method's (Microsoft.WindowsAzure.Management
# SubscriptionOperationNames: RegenerateStorageServiceKeys, ReimageDeploymentRoleInstance[BySlot], ...);
# the read-back of these writes (smflow.run.oplog) looks for exactly these.
LOG_NAMES = {
    "regenerate_storage_account_keys": "RegenerateStorageServiceKeys",
    "reboot_role_instance": "RebootDeploymentRoleInstance",
    "reimage_role_instance": "ReimageDeploymentRoleInstance",
    "rebuild_role_instance": "RebuildDeploymentRoleInstance",
}
_ONE_INSTANCE = frozenset({"reboot_role_instance", "reimage_role_instance", "rebuild_role_instance"})


def _cores(sub: SubscriptionBase) -> int:
    return sum(_CORES.get(inst.size, 1) for svc in sub.services.values() for dep in svc.slots.values()
               for inst in dep.instances if inst.status != "StoppedDeallocated")


def subscription_xml(sub: SubscriptionBase) -> bytes:
    doc = root("Subscription")
    el(doc, "SubscriptionID", sub.id)
    el(doc, "SubscriptionName", "smflow emulator")
    el(doc, "SubscriptionStatus", "Active")
    el(doc, "AccountAdminLiveEmailId", "admin@emulator.smflow.test")
    el(doc, "ServiceAdminLiveEmailId", "admin@emulator.smflow.test")
    for name, value in QUOTAS.items():
        el(doc, name, value)
    el(doc, "CurrentCoreCount", _cores(sub))
    el(doc, "CurrentHostedServices", len(sub.services))
    el(doc, "CurrentStorageAccounts", len(sub.storage))
    for name, value in NETWORK_QUOTAS.items():
        el(doc, name, value)
    el(doc, "OfferCategories", "Azure_Emulator")
    el(doc, "AADTenantID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"smflow-emulator/{sub.id}")))
    el(doc, "CreatedTime", "2015-01-01T00:00:00Z")
    el(doc, "MaxReservedIPs", 20)
    el(doc, "CurrentReservedIPs", len(sub.reserved_ips))
    return serialize(doc)


def object_id(sub: SubscriptionBase, op: Operation) -> str:
    """The path of the resource an operation acted on, as the log names it (a single role instance's
    reboot, reimage or rebuild: the instance, below its deployment)."""
    base = f"/{sub.id}"
    service = op.service or op.params.get("service")  # asynchronous operations, or synchronous ones' params
    if service:
        path = f"{base}/services/hostedservices/{service}"
        if op.deployment and op.kind in _ONE_INSTANCE:
            return f"{path}/deployments/{op.deployment}/roleinstances/{op.params.get('instances', '')}"
        return f"{path}/deployments/{op.deployment}" if op.deployment else path
    storage = op.storage or op.params.get("storage")
    if storage:
        return f"{base}/services/storageservices/{storage}"
    if "ip" in op.params:
        return f"{base}/services/networking/reservedips/{op.params['ip']}"
    if "image" in op.params:
        return f"{base}/services/vmimages/{op.params['image']}"
    if "os_image" in op.params:
        return f"{base}/services/images/{op.params['os_image']}"
    return base


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _when(text: str | None, name: str) -> float | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AsmFault(400, "BadRequest", f"The value of {name} is not a valid date and time.") from None
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).timestamp()


def operations_log_xml(sub: SubscriptionBase, query: dict[str, str]) -> bytes:
    start, end = _when(query.get("StartTime"), "StartTime"), _when(query.get("EndTime"), "EndTime")
    prefix = (query.get("ObjectIdFilter") or "").rstrip("/").lower()
    result = query.get("OperationResultFilter") or None
    if result is not None and result not in _RESULTS:
        raise AsmFault(400, "BadRequest", f"The OperationResultFilter '{result}' is not valid; use "
                       f"{', '.join(_RESULTS)}.")
    token = query.get("ContinuationToken") or "0"
    if not token.isdigit():
        raise AsmFault(400, "BadRequest", "The ContinuationToken is not valid.")
    wall = time.time() - sub.now()  # the state's clock is monotonic: this maps it to UTC
    entries = []
    for op in sub.operations.values():
        if op.kind.startswith("_"):
            continue  # internal timers are not requests
        started = wall + op.started
        target = object_id(sub, op)
        if (start is not None and started < start) or (end is not None and started > end):
            continue
        if prefix and not (target.lower() == prefix or target.lower().startswith(prefix + "/")):
            continue
        if result is not None and op.status != result:
            continue
        entries.append((op, target, started))
    first = int(token)
    doc = root("SubscriptionOperationCollection")
    box = el(doc, "SubscriptionOperations")
    for op, target, started in entries[first:first + PAGE]:
        item = el(box, "SubscriptionOperation")
        el(item, "OperationId", _dashed(op.id))
        el(item, "OperationObjectId", target)
        el(item, "OperationName", LOG_NAMES.get(op.kind) or _camel(op.kind))
        el(item, "OperationParameters")
        caller = el(item, "OperationCaller")
        el(caller, "UsedServiceManagementApi", True)
        el(caller, "ClientIP", "127.0.0.1")
        status = el(item, "OperationStatus")
        el(status, "ID", _dashed(op.id))
        el(status, "Status", op.status)
        if op.status != "InProgress":
            el(status, "HttpStatusCode", op.http_status)
        el(item, "OperationStartedTime", _iso(started))
        if op.status != "InProgress":
            el(item, "OperationCompletedTime", _iso(wall + op.ends))
    if first + PAGE < len(entries):
        el(doc, "ContinuationToken", str(first + PAGE))
    return serialize(doc)


def _dashed(request_id: str) -> str:
    h = request_id.replace("-", "")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" if len(h) == 32 else request_id
