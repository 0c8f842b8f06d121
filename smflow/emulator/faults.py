"""Fault injection: a random rate of transient faults (deterministic under a seed) plus scripted ones.

A faulted request happened whole or not at all, and the log says which:

    kind          what the client sees                                     applied?
    500           500 InternalError                                        no
    503           503 ServerBusy + Retry-After                             no
    429           429 TooManyRequests + Retry-After (throttling)           no
    409           409 ConflictError "…requires exclusive access"           no  (deployment writes only)
    drop-before   the connection closes, no response                       no
    drop-after    the connection closes, no response                       yes (ambiguous success)
    slow          a normal answer after 0.2-1 s                            yes
    op-fail       202 as usual; the operation later ends Failed (500)      yes, then undone

Scripted faults name an operation and which call of it to hit: ``ScriptedFault("swap_deployment",
nth=2, status=503)``, or on the command line ``--fault swap_deployment#2=503``.
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass

from smflow.errors import UsageError

__all__ = ["DEPLOYMENT_WRITES", "Fault", "FaultPlan", "ScriptedFault", "parse_fault_spec"]

DEPLOYMENT_WRITES = frozenset(
    {
        "create_deployment",
        "change_deployment_configuration",
        "update_deployment_status",
        "swap_deployment",
        "delete_deployment",
        "create_virtual_machine_deployment",
        "upgrade_deployment",
        "walk_upgrade_domain",
        "rollback_update_or_upgrade",
        "reboot_role_instance",
        "reimage_role_instance",
        "rebuild_role_instance",
        "delete_role_instances",
    }
)
_MESSAGES = {
    (500, "InternalError"): "The server encountered an internal error. Please retry the request.",
    (503, "ServerBusy"): "The server is currently unable to receive requests. Please retry your request.",
    (429, "TooManyRequests"): "Too many requests received. Retry after some time.",
    (409, "ConflictError"): (
        "Windows Azure is currently performing an operation on this deployment that requires exclusive access."
    ),
}
_DEFAULT_CODES = {500: "InternalError", 503: "ServerBusy", 429: "TooManyRequests", 409: "ConflictError"}
KINDS = ("drop-before", "drop-after", "slow", "op-fail")


@dataclass(frozen=True)
class Fault:
    """What to do to one request."""

    kind: str  # "error", "drop-before", "drop-after", "slow", "op-fail"
    status: int = 0
    code: str = ""
    message: str = ""
    retry_after: int | None = None
    delay: float = 0.0

    @property
    def label(self) -> str:
        return str(self.status) if self.kind == "error" else self.kind

    @property
    def applied(self) -> bool:
        return self.kind in ("drop-after", "slow", "op-fail")


def error_fault(status: int, code: str | None = None, message: str | None = None) -> Fault:
    code = code or _DEFAULT_CODES.get(status, "InternalError")
    text = message or _MESSAGES.get((status, code), f"Injected fault {status} {code}.")
    return Fault("error", status, code, text, retry_after=1 if status in (429, 503) else None)


@dataclass(frozen=True)
class ScriptedFault:
    """Hit the ``nth`` call (1-based) of ``operation`` with an HTTP error or one of the other kinds."""

    operation: str
    nth: int
    status: int | None = None
    code: str | None = None
    kind: str | None = None  # drop-before, drop-after, slow, op-fail (when status is None)
    message: str | None = None

    def fault(self) -> Fault:
        if self.status is not None:
            return error_fault(self.status, self.code, self.message)
        if self.kind == "slow":
            return Fault("slow", delay=0.5)
        if self.kind in KINDS:
            return Fault(self.kind)
        raise UsageError(f"scripted fault for {self.operation}: give a status or a kind ({', '.join(KINDS)})")


_SPEC = re.compile(r"(?P<op>[a-z_]+)#(?P<nth>[1-9][0-9]*)=(?P<what>[0-9]{3}|[a-z-]+)(?::(?P<code>[A-Za-z]+))?")


def parse_fault_spec(spec: str) -> ScriptedFault:
    """``swap_deployment#2=503``, ``create_deployment#1=drop-after``, ``get_deployment_by_name#3=404:ResourceNotFound``."""
    m = _SPEC.fullmatch(spec.strip())
    if m is None:
        raise UsageError(
            f"--fault {spec!r}: expected OPERATION#N=STATUS[:CODE] or OPERATION#N=KIND "
            f"(KIND one of {', '.join(KINDS)}), e.g. swap_deployment#2=503"
        )
    what = m["what"]
    if what.isdigit():
        status = int(what)
        if not 400 <= status <= 599:
            raise UsageError(f"--fault {spec!r}: the status must be an HTTP error (400-599)")
        return ScriptedFault(m["op"], int(m["nth"]), status=status, code=m["code"])
    if what not in KINDS:
        raise UsageError(f"--fault {spec!r}: unknown kind {what!r}; expected a status or one of {', '.join(KINDS)}")
    return ScriptedFault(m["op"], int(m["nth"]), kind=what)


class FaultPlan:
    """Decides, per request, whether and how to misbehave. Thread-safe; deterministic for a seed."""

    def __init__(self, rate: float = 0.0, seed: int | None = None, scripted: tuple[ScriptedFault, ...] = ()) -> None:
        if not 0.0 <= rate <= 1.0:
            raise UsageError(f"fault rate must be between 0 and 1, got {rate}")
        self.rate = rate
        self.seed = seed
        self.scripted = tuple(scripted)
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._counts: Counter[str] = Counter()

    def reset(self) -> None:
        with self._lock:
            self._rng = random.Random(self.seed)
            self._counts.clear()

    def decide(self, operation: str) -> Fault | None:
        with self._lock:
            self._counts[operation] += 1
            n = self._counts[operation]
            for s in self.scripted:
                if s.operation == operation and s.nth == n:
                    return s.fault()
            if self.rate <= 0.0 or self._rng.random() >= self.rate:
                return None
            choices = ["500", "503", "429", "drop-before", "drop-after", "slow"]
            if operation in DEPLOYMENT_WRITES:
                choices.append("409")
            pick = self._rng.choice(choices)
            if pick == "slow":
                return Fault("slow", delay=self._rng.uniform(0.2, 1.0))
            if pick.isdigit():
                return error_fault(int(pick))
            return Fault(pick)
