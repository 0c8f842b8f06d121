"""Reading state back after an ambiguous failure, before a non-idempotent call is repeated.

A create whose connection dropped may have created the resource; a swap that timed out may
have swapped. Blindly retrying would create twice or swap back. So after such a failure (and
on resume, for a call whose intent was journaled but whose answer was not), the executor asks
this table: which read tells whether the call's effect is already in place? One entry per
operation, keyed by name; an operation without an entry is simply retried (its effect is a
plain "set", safe to repeat).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from smflow.errors import NotFoundError

__all__ = ["READBACKS", "ReadBack", "TRANSITIONAL_STATUSES", "effect_in_place", "settled"]

Args = Mapping[str, Any]
Reader = Callable[[str, dict[str, Any]], Any]

# Deployment statuses that mean an operation is still running on it.
TRANSITIONAL_STATUSES = frozenset(
    {"Deploying", "RunningTransitioning", "SuspendedTransitioning", "Starting", "Suspending", "Deleting"}
)


@dataclass(frozen=True)
class ReadBack:
    """How to tell whether one operation's effect is already in place."""

    read: str  # the read operation
    args: Callable[[Args], dict[str, Any]]  # its arguments, from the write's arguments
    present: Callable[[Args, Any], bool] | None  # the read succeeded: is the effect in place?
    gone_means_done: bool = False  # a 404 means the effect is in place (deletes)


def _same_name(key: str) -> Callable[[Args, Any], bool]:
    def check(args: Args, result: Any) -> bool:
        return bool(_name(result) == args.get(key))

    return check


def _exists(args: Args, result: Any) -> bool:
    return result is not None


def _name(result: Any) -> Any:
    return getattr(result, "name", None) if not isinstance(result, Mapping) else result.get("name")


def _svc(args: Args) -> dict[str, Any]:
    return {"service_name": args["service_name"]}


READBACKS: dict[str, ReadBack] = {
    "create_hosted_service": ReadBack("get_hosted_service_properties", _svc, _exists),
    "delete_hosted_service": ReadBack("get_hosted_service_properties", _svc, None, gone_means_done=True),
    "create_deployment": ReadBack(
        "get_deployment_by_slot",
        lambda a: {"service_name": a["service_name"], "deployment_slot": a["deployment_slot"]},
        _same_name("name"),
    ),
    "create_virtual_machine_deployment": ReadBack(
        "get_deployment_by_name",
        lambda a: {"service_name": a["service_name"], "deployment_name": a["deployment_name"]},
        _exists,
    ),
    "delete_deployment": ReadBack(
        "get_deployment_by_name",
        lambda a: {"service_name": a["service_name"], "deployment_name": a["deployment_name"]},
        None,
        gone_means_done=True,
    ),
    "swap_deployment": ReadBack(
        "get_deployment_by_slot",
        lambda a: {"service_name": a["service_name"], "deployment_slot": "production"},
        _same_name("source_deployment"),
    ),
    "update_deployment_status": ReadBack(
        "get_deployment_by_name",
        lambda a: {"service_name": a["service_name"], "deployment_name": a["deployment_name"]},
        lambda a, r: str(getattr(r, "status", "")).lower() == str(a.get("status", "")).lower(),
    ),
    "create_storage_account": ReadBack("get_storage_account_properties", _svc, _exists),
    "delete_storage_account": ReadBack("get_storage_account_properties", _svc, None, gone_means_done=True),
    "create_affinity_group": ReadBack(
        "get_affinity_group_properties", lambda a: {"affinity_group_name": a["name"]}, _exists
    ),
    "delete_affinity_group": ReadBack(
        "get_affinity_group_properties",
        lambda a: {"affinity_group_name": a["affinity_group_name"]},
        None,
        gone_means_done=True,
    ),
    "add_os_image": ReadBack("get_os_image", lambda a: {"image_name": a["name"]}, _exists),
    "delete_os_image": ReadBack(
        "get_os_image", lambda a: {"image_name": a["image_name"]}, None, gone_means_done=True
    ),
}


def effect_in_place(op: str, args: Args, read: Reader) -> bool | None:
    """True/False when a read answers the question, None when this operation has no read-back.

    ``read`` performs a read operation (with its own transient retries); its ``NotFoundError``
    is an answer, not a failure.
    """
    entry = READBACKS.get(op)
    if entry is None:
        return None
    try:
        read_args = entry.args(args)
    except KeyError:
        return None
    try:
        result = read(entry.read, read_args)
    except NotFoundError:
        return entry.gone_means_done
    if entry.present is None:
        return False  # it still exists, so the delete has not happened
    return entry.present(args, result)


def settled(op: str, args: Args, read: Reader) -> tuple[bool, str]:
    """Whether the resource a create/update acted on has stopped transitioning (and its status)."""
    entry = READBACKS.get(op)
    if entry is None or entry.present is None:
        return True, "done"
    try:
        result = read(entry.read, entry.args(args))
    except NotFoundError:
        return False, "not found"
    status = str(getattr(result, "status", "") or "")
    return status not in TRANSITIONAL_STATUSES, status or "present"
