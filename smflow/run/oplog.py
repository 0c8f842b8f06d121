"""The operation log as a read-back, for writes that leave no state telling a done one from none.

A key regeneration leaves a new key that looks like any key (the old one is not among its
arguments), and a reboot, reimage or rebuild leaves its instance ReadyRole again, as it was. When
the answer to such a write is lost, reading the resource cannot tell whether to send it again.
The subscription's operation log (``list_subscription_operations``) can: the service logs every
write it accepts, with its name, the path of the object it acted on, its start time and its
status. So after an ambiguous failure, before sending again, ``started_since`` asks the log for an
operation of that kind on that object started after the call's intent was journaled; if there is
one, the call waits for it (by its id) instead of sending again.

Where this can go wrong, and the choices made:

- Clock skew. The intent's time is the machine's clock, the log's times are the service's. The
  log is asked from ``SKEW`` seconds before the intent, so a service clock up to ``SKEW`` behind
  the machine still shows our operation. The same margin could take the previous write of the
  same kind on the same object for ours (two regenerations in a row): the runner passes the time
  that previous write was answered (``floor``), before which nothing can be ours. A service clock
  more than ``SKEW`` behind the machine hides our operation (it is sent again, as without the log);
  one ahead by more than a request's round trip can make the previous write look like ours.
  NTP-synchronised clocks are well inside both.
- Lag. The log may show an accepted write a little late. An operation missing from the log is
  taken as never started only once ``LAG`` seconds (scaled like every other wait against an
  emulator) have passed since the intent; before that the log is asked once more at that time.
- Paging. The log is read page by page (``ContinuationToken``), at most ``MAX_PAGES`` pages; only
  ``StartTime`` is sent as a filter (``ObjectIdFilter`` would need the subscription id, which
  smflow keeps out of everything it writes), the name and object are matched here.
- Object ids. A regeneration is logged on the storage account; a role instance's reboot, reimage
  or rebuild on the instance (``…/deployments/<d>/roleinstances/<i>``) or, should the service log
  it there, on its deployment (the deployment is locked while one runs, so two cannot overlap).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from smflow.run.clock import Clock

__all__ = ["LAG", "LOGGED", "MAX_PAGES", "SKEW", "Logged", "LoggedOperation", "covers", "started_since"]

Args = Mapping[str, Any]
Reader = Callable[[str, dict[str, Any]], Any]

SKEW = 1.0  # seconds: how far behind the machine's clock the service's may be
LAG = 10.0  # seconds after the intent within which an accepted write shows in the log
MAX_PAGES = 50


@dataclass(frozen=True)
class Logged:
    """How the log names one write: its operation names, and the object paths (below
    ``/<subscription>/``) it may be logged on."""

    names: frozenset[str]
    objects: Callable[[Args], tuple[str, ...]]


@dataclass(frozen=True)
class LoggedOperation:
    """An operation the log shows: its id (the request id, for ``get_operation_status``) and status."""

    request_id: str
    status: str  # InProgress, Succeeded, Failed
    http_status: int | None = None


def _account(args: Args) -> tuple[str, ...]:
    return (f"services/storageservices/{args['service_name']}",)


def _instance(args: Args) -> tuple[str, ...]:
    dep = f"services/hostedservices/{args['service_name']}/deployments/{args['deployment_name']}"
    return (f"{dep}/roleinstances/{args['role_instance_name']}", dep)


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


LOGGED: dict[str, Logged] = {
    "regenerate_storage_account_keys": Logged(_names("RegenerateStorageServiceKeys"), _account),
    "reboot_role_instance": Logged(
        _names("RebootDeploymentRoleInstance", "RebootDeploymentRoleInstanceBySlot"), _instance),
    "reimage_role_instance": Logged(
        _names("ReimageDeploymentRoleInstance", "ReimageDeploymentRoleInstanceBySlot"), _instance),
    "rebuild_role_instance": Logged(
        _names("RebuildDeploymentRoleInstance", "RebuildDeploymentRoleInstanceBySlot"), _instance),
}


def covers(op: str) -> bool:
    """Whether the log, not the resource's state, tells whether ``op`` took effect."""
    return op in LOGGED


def objects(op: str, args: Args) -> tuple[str, ...]:
    """The object paths ``op`` is logged on (lower case), to key what the runner remembers."""
    return tuple(p.lower() for p in LOGGED[op].objects(args))


def started_since(
    op: str, args: Args, intent: datetime, read: Reader, *, clock: Clock, lag: float = LAG,
    floor: datetime | None = None,
) -> LoggedOperation | None:
    """The first operation of kind ``op`` on its object that the log shows started after the call's
    intent was journaled at ``intent`` (UTC), less ``SKEW`` and not before ``floor``; None when
    there is none, even ``lag`` seconds after the intent."""
    entry = LOGGED[op]
    wanted = {p.lower() for p in entry.objects(args)}
    since = intent - timedelta(seconds=SKEW)
    if floor is not None and floor > since:
        since = floor
    found = _look(entry.names, wanted, since, read)
    if found is None:
        wait = (intent + timedelta(seconds=lag) - clock.now()).total_seconds()
        if wait > 0:
            clock.sleep(wait)
            found = _look(entry.names, wanted, since, read)
    return found


def _look(names: frozenset[str], wanted: set[str], since: datetime, read: Reader) -> LoggedOperation | None:
    query: dict[str, Any] = {"start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    for _ in range(MAX_PAGES):
        page = read("list_subscription_operations", dict(query))
        for item in getattr(page, "subscription_operations", None) or []:
            if getattr(item, "operation_name", None) not in names or _object(item) not in wanted:
                continue
            started = _time(getattr(item, "operation_started_time", ""))
            if started is None or started < since:
                continue
            status = getattr(item, "operation_status", None)
            request_id = getattr(status, "status_id", "") or getattr(item, "operation_id", "")
            return LoggedOperation(request_id, str(getattr(status, "status", "") or "InProgress"),
                                   getattr(status, "http_status_code", None))
        token = getattr(page, "continuation_token", None)
        if not token:
            return None
        query["continuation_token"] = token
    return None


def _object(item: Any) -> str:
    """The object's path below ``/<subscription>/``, lower case."""
    parts = str(getattr(item, "operation_object_id", "") or "").strip("/").split("/", 1)
    return parts[1].rstrip("/").lower() if len(parts) == 2 else ""


def _time(text: str | None) -> datetime | None:
    """A log time (``2026-11-30T16:44:08.1234567Z``: up to seven fractional digits) as UTC."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
