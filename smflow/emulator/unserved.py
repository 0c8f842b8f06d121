"""The ServiceManagementService operations the emulator does not serve yet, by route.

A request for one of them is answered 501 NotImplemented with a message that names the
operation and its route, rather than a 404 that a client would read as "that resource does not
exist" (``exists`` would then be false) or a 400 about the verb. The table lists the SDK's
operations outside the catalogue (wire-extended.md), not scheduler, service bus, SQL or websites.
capture_role shares the route of shutdown_role (the body's root tells them apart), so the handler
there answers the 501 for it.
"""

from __future__ import annotations

import re

from smflow.emulator.resources import AsmFault

__all__ = ["UNSERVED", "refuse_unserved"]

DEP = "services/hostedservices/{service_name}/deployments/{deployment_name}"

# operation -> (method, path template relative to /<subscription>/, the query key that tells it apart)
UNSERVED: dict[str, tuple[str, str, str | None]] = {
    "add_role": ("POST", DEP + "/roles", None),
    "update_role": ("PUT", DEP + "/roles/{role_name}", None),
    "delete_role": ("DELETE", DEP + "/roles/{role_name}", None),
    "add_data_disk": ("POST", DEP + "/roles/{role_name}/DataDisks", None),
    "get_data_disk / update_data_disk / delete_data_disk": ("*", DEP + "/roles/{role_name}/DataDisks/{lun}", None),
    "add_dns_server": ("POST", DEP + "/dnsservers", None),
    "update_dns_server / delete_dns_server": ("*", DEP + "/dnsservers/{dns_server_name}", None),
    "add_disk / list_disks": ("*", "services/disks", None),
    "get_disk / update_disk / delete_disk": ("*", "services/disks/{disk_name}", None),
}

_PATTERNS = [
    (name, method, template, re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "/?"))
    for name, (method, template, _query) in UNSERVED.items()
]


def refuse_unserved(method: str, path: str) -> None:
    """Raise 501 naming the operation when ``method path`` is one the emulator does not serve yet."""
    for name, want, template, pattern in _PATTERNS:
        if (want == "*" or want == method) and pattern.fullmatch(path):
            shown = f"{method} /<subscription>/{template}"
            raise AsmFault(501, "NotImplemented",
                           f"The smflow emulator does not serve {name} ({shown}) yet.")
