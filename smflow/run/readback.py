"""Reading state back after an ambiguous failure, before a non-idempotent call is repeated.

A create whose connection dropped may have created the resource; a swap that timed out may
have swapped. Blindly retrying would create twice or swap back. So after such a failure (and
on resume, for a call whose intent was journaled but whose answer was not), the executor asks
this table: which read tells whether the call's effect is already in place? One entry per
operation, keyed by name; an operation without an entry is simply retried (its effect is a
plain "set", safe to repeat), unless the subscription's operation log tells instead (a key
regeneration, a role instance's reboot, reimage or rebuild leave nothing a read can tell from
no write at all: ``oplog.py``).
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


def _dep(args: Args) -> dict[str, Any]:
    return {"service_name": args["service_name"], "deployment_name": args["deployment_name"]}


def _walked(args: Args, result: Any) -> bool:
    """A walk of domain n is in place once the upgrade is past n, walking n, or over."""
    status = getattr(result, "upgrade_status", None)
    if status is None:
        return True
    current, n = getattr(status, "current_upgrade_domain", None), int(args["upgrade_domain"])
    if current is None:
        return False
    return bool(current > n or (current == n and getattr(status, "current_upgrade_domain_state", "") == "During"))


def _instances_deleted(args: Args, result: Any) -> bool:
    """A delete of role instances is in place while the deployment is locked by an operation, or
    once none of its instances is ReadyRole (they are going, or gone)."""
    if getattr(result, "locked", False):
        return True
    statuses = {i.instance_name: i.instance_status for i in getattr(result, "role_instance_list", [])}
    return all(statuses.get(n, "gone") != "ReadyRole" for n in args.get("role_instance_names") or [])


_STOPPED = frozenset({"StoppedVM", "StoppedDeallocated"})


def _vm_power(stopping: bool) -> Callable[[Args, Any], bool]:
    """A shutdown is in place once the VMs are stopping or stopped, a start or restart once they are
    not stopped (a restart: not ReadyRole), or while an operation holds the deployment. A restart
    answered long after it ended looks like none: retried then, the VM restarts once more."""

    def check(args: Args, result: Any) -> bool:
        if getattr(result, "locked", False):
            return True
        roles = set(args.get("role_names") or [args.get("role_name")])
        states = [i.instance_status for i in getattr(result, "role_instance_list", []) if i.role_name in roles]
        if not states:
            return False
        if stopping:
            return all(s in _STOPPED or s.startswith("Stopping") for s in states)
        return all(s not in _STOPPED for s in states)

    return check


def _restarted(args: Args, result: Any) -> bool:
    if getattr(result, "locked", False):
        return True
    states = [i.instance_status for i in getattr(result, "role_instance_list", []) if i.role_name == args.get("role_name")]
    return any(s != "ReadyRole" for s in states)


def _role(args: Args) -> dict[str, Any]:
    return {**_dep(args), "role_name": args["role_name"]}


def _has_role(args: Args, result: Any) -> bool:
    return any(getattr(r, "role_name", None) == args.get("role_name") for r in getattr(result, "role_list", []))


def _dns_names(result: Any) -> set[Any]:
    return {getattr(d, "name", None) for d in getattr(result, "dns_servers", [])}


def _data_disk(args: Args) -> dict[str, Any]:
    """The LUN a data-disk write leaves the disk in (an update may move it: ``updated_lun``)."""
    moved = args.get("updated_lun")
    return {**_role(args), "lun": args["lun"] if moved is None else moved}


def _data_disk_updated(args: Args, result: Any) -> bool:
    """In place once the disk at its (new) LUN shows every value sent."""
    wanted = {"host_caching": args.get("host_caching"), "disk_label": args.get("disk_label"),
              "logical_disk_size_in_gb": args.get("logical_disk_size_in_gb")}
    return all(getattr(result, k, None) == v for k, v in wanted.items() if v is not None)


# VM roles, DNS servers and disks (wire-extended.md §1, §2). A role or a DNS server shows in the
# deployment read, which also says (locked) while the write still runs; an update_role or
# update_dns_server is a plain set, safe to repeat, so it has no entry.
_ROLES: dict[str, ReadBack] = {
    "add_role": ReadBack("get_deployment_by_name", _dep, _has_role),
    "delete_role": ReadBack("get_role", _role, None, gone_means_done=True),
    "capture_role": ReadBack("get_os_image", lambda a: {"image_name": a["target_image_name"]}, _exists),
    "add_dns_server": ReadBack("get_deployment_by_name", _dep, lambda a, r: a.get("dns_server_name") in _dns_names(r)),
    "delete_dns_server": ReadBack(
        "get_deployment_by_name", _dep, lambda a, r: a.get("dns_server_name") not in _dns_names(r), gone_means_done=True
    ),
    "add_disk": ReadBack("get_disk", lambda a: {"disk_name": a["name"]}, _exists),
    "delete_disk": ReadBack("get_disk", lambda a: {"disk_name": a["disk_name"]}, None, gone_means_done=True),
    "add_data_disk": ReadBack("get_data_disk", _data_disk, _exists),
    "update_data_disk": ReadBack("get_data_disk", _data_disk, _data_disk_updated),
    "delete_data_disk": ReadBack("get_data_disk", _data_disk, None, gone_means_done=True),
}
def _ip(args: Args) -> dict[str, Any]:
    return {"name": args["name"]}


def _ip_used_by(args: Args, result: Any) -> bool:
    """An associate is in place once the address shows the deployment (it does while the operation runs)."""
    return bool(getattr(result, "in_use", False) and getattr(result, "service_name", None) == args.get("service_name")
                and getattr(result, "deployment_name", None) == args.get("deployment_name"))


def _listed(name: Callable[[Args], Any]) -> Callable[[Args, Any], bool]:
    """A VM image create or capture is in place once the image is listed (it is while it is Creating)."""
    return lambda args, result: any(getattr(i, "name", None) == name(args) for i in result or [])


def _vm_image_name(args: Args) -> Any:
    return (args.get("vm_image") or {}).get("name")


def _capture_name(args: Args) -> Any:
    return (args.get("options") or {}).get("vm_image_name")


def _no_filter(args: Args) -> dict[str, Any]:
    return {}


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
    # An upgrade sets the new label at once (and keeps it); a rollback ends RollbackAllowed.
    "upgrade_deployment": ReadBack(
        "get_deployment_by_name", _dep, lambda a, r: getattr(r, "label", None) == a.get("label")
    ),
    "walk_upgrade_domain": ReadBack("get_deployment_by_name", _dep, _walked),
    "rollback_update_or_upgrade": ReadBack(
        "get_deployment_by_name", _dep, lambda a, r: not getattr(r, "rollback_allowed", False)
    ),
    # a reboot, reimage or rebuild is read back from the operation log (oplog.py)
    "delete_role_instances": ReadBack("get_deployment_by_name", _dep, _instances_deleted),
    "shutdown_role": ReadBack("get_deployment_by_name", _dep, _vm_power(stopping=True)),
    "shutdown_roles": ReadBack("get_deployment_by_name", _dep, _vm_power(stopping=True)),
    "start_role": ReadBack("get_deployment_by_name", _dep, _vm_power(stopping=False)),
    "start_roles": ReadBack("get_deployment_by_name", _dep, _vm_power(stopping=False)),
    "restart_role": ReadBack("get_deployment_by_name", _dep, _restarted),
    # add_service_certificate needs none: adding the same certificate again changes nothing.
    "delete_service_certificate": ReadBack(
        "get_service_certificate",
        lambda a: {"service_name": a["service_name"], "thumbalgorithm": a["thumbalgorithm"],
                   "thumbprint": a["thumbprint"]},
        None, gone_means_done=True,
    ),
    "add_management_certificate": ReadBack(
        "get_management_certificate", lambda a: {"thumbprint": a["thumbprint"]}, _exists
    ),
    "delete_management_certificate": ReadBack(
        "get_management_certificate", lambda a: {"thumbprint": a["thumbprint"]}, None, gone_means_done=True
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
    # reserved IPs: an associate shows on the address at once, a disassociate frees it at once
    "create_reserved_ip_address": ReadBack("get_reserved_ip_address", _ip, _exists),
    "delete_reserved_ip_address": ReadBack("get_reserved_ip_address", _ip, None, gone_means_done=True),
    "associate_reserved_ip_address": ReadBack("get_reserved_ip_address", _ip, _ip_used_by),
    "disassociate_reserved_ip_address": ReadBack(
        "get_reserved_ip_address", _ip, lambda a, r: not _ip_used_by(a, r)),
    # VM images are read back from the list (there is no get); updates are plain sets, safe to repeat
    "create_vm_image": ReadBack("list_vm_images", _no_filter, _listed(_vm_image_name)),
    "capture_vm_image": ReadBack("list_vm_images", _no_filter, _listed(_capture_name)),
    "delete_vm_image": ReadBack(
        "list_vm_images", _no_filter, lambda a, r: not _listed(lambda x: x["vm_image_name"])(a, r)),
    "delete_os_image": ReadBack(
        "get_os_image", lambda a: {"image_name": a["image_name"]}, None, gone_means_done=True
    ),
    **_ROLES,
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
    if getattr(result, "locked", False):  # an operation still holds it (a walk, a reboot...)
        return False, f"{status or 'present'}, locked"
    return status not in TRANSITIONAL_STATUSES, status or "present"
