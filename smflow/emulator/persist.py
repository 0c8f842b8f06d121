"""``--state FILE``: the emulator's state in SQLite, so it survives a restart (and a kill -9).

One row per subscription holding a JSON snapshot, rewritten in a single transaction after every
change (SQLite's journal makes each write all-or-nothing, so a killed process leaves the previous
or the new snapshot, never half of one). Operation times are stored relative to the clock at
save time and rebased on load: an operation in progress when the emulator stopped resumes where
it was, as if the emulator had been paused.

A run's embedded emulator passes a ``codec`` (encode, decode): its snapshots then hold the
run's secrets (a password in a label, a secret in a service name) by reference only, and the
resumed run, given the secrets again, puts them back (``smflow.run.codec``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from smflow.emulator.accounts import new_storage_key
from smflow.emulator.reserved_ips import ReservedIp
from smflow.emulator.resources import (
    AffinityGroup,
    DataDisk,
    Deployment,
    Disk,
    Endpoint,
    HostedService,
    ManagementCertificate,
    Operation,
    OsImage,
    Role,
    RoleInstance,
    ServiceCertificate,
    StorageAccount,
    Upgrade,
)
from smflow.emulator.state import EmulatorState, Subscription
from smflow.emulator.vm_images import DiskConfig, VmImage
from smflow.errors import UsageError

__all__ = ["StateStore", "copy_state"]

FORMAT = 1


def _deployment(d: dict[str, Any]) -> Deployment:
    d = dict(d)
    d["roles"] = [_role(r) for r in d["roles"]]
    d["instances"] = [RoleInstance(**i) for i in d["instances"]]
    if d.get("upgrade") is not None:
        d["upgrade"] = Upgrade(**d["upgrade"])
    return Deployment(**d)


def _role(r: dict[str, Any]) -> Role:
    r = dict(r)
    r["endpoints"] = [Endpoint(**e) for e in r.get("endpoints", [])]
    r["data_disks"] = [DataDisk(**x) for x in r.get("data_disks", [])]
    return Role(**r)
def _vm_image(d: dict[str, Any]) -> VmImage:
    d = dict(d)
    d["os_disk"] = DiskConfig(**d["os_disk"])
    d["data_disks"] = [DiskConfig(**disk) for disk in d["data_disks"]]
    return VmImage(**d)


def _operation(d: dict[str, Any], shift: float) -> Operation:
    d = dict(d)
    d["started"] += shift
    d["ends"] += shift
    if d.get("fail_with") is not None:
        d["fail_with"] = tuple(d["fail_with"])
    return Operation(**d)


def snapshot(sub: Subscription) -> dict[str, Any]:
    asdict = dataclasses.asdict
    return {
        "format": FORMAT,
        "clock": sub.now(),
        "services": [asdict(s) for s in sub.services.values()],
        "storage": [asdict(a) for a in sub.storage.values()],
        "affinity_groups": [asdict(g) for g in sub.affinity_groups.values()],
        "images": [asdict(i) for i in sub.images.values()],
        "disks": [asdict(x) for x in sub.disks.values()],
        "management_certificates": [asdict(c) for c in sub.management_certificates.values()],
        "reserved_ips": [asdict(ip) for ip in sub.reserved_ips.values()],
        "vm_images": [asdict(img) for img in sub.vm_images.values()],
        "operations": [asdict(o) for o in sub.operations.values()],
        "pending": list(sub.pending),
    }


def restore(sub: Subscription, data: dict[str, Any]) -> None:
    shift = sub.now() - float(data["clock"])
    for s in data["services"]:
        s = dict(s)
        s["slots"] = {slot: _deployment(d) for slot, d in s["slots"].items()}
        s["certificates"] = {k: ServiceCertificate(**c) for k, c in s.get("certificates", {}).items()}
        sub.services[s["name"]] = HostedService(**s)
    sub.storage = {a["name"]: StorageAccount(**a) for a in data["storage"]}
    sub.affinity_groups = {g["name"]: AffinityGroup(**g) for g in data["affinity_groups"]}
    sub.images = {i["name"]: OsImage(**i) for i in data["images"]}
    sub.disks = {x["name"]: Disk(**x) for x in data.get("disks", [])}
    sub.management_certificates = {
        c["thumbprint"]: ManagementCertificate(**c) for c in data.get("management_certificates", [])
    }
    sub.reserved_ips = {ip["name"]: ReservedIp(**ip) for ip in data.get("reserved_ips", [])}
    sub.vm_images = {img["name"]: _vm_image(img) for img in data.get("vm_images", [])}
    for img in sub.images.values():
        if img.replicated_at is not None:
            img.replicated_at += shift
    sub.operations = {o["id"]: _operation(o, shift) for o in data["operations"]}
    sub.pending = {op_id: sub.operations[op_id] for op_id in data["pending"]}


def _same(data: Any) -> Any:
    return data


class StateStore:
    """Loads the state from ``path`` and saves each subscription after every change."""

    def __init__(self, path: Path, state: EmulatorState,
                 codec: tuple[Callable[[Any], Any], Callable[[Any], Any]] | None = None,
                 keep_storage_keys: bool = True) -> None:
        self.path = path
        self.state = state
        self._encode, self._decode = codec or (_same, _same)
        # False for the state a run keeps beside its journal: storage keys are secrets, and no
        # file a run writes may hold one. A restored account then gets new keys, as if they had
        # been regenerated while the run was down (a resumed run reads them again anyway: a key
        # bound before the crash is journaled masked).
        self.keep_storage_keys = keep_storage_keys
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, snapshot TEXT NOT NULL)")
        except sqlite3.DatabaseError as err:
            raise _state_error(path, err) from None

    def load(self) -> None:
        """Fill the state from the file, then save every later change to it."""
        with self.state.lock:
            try:
                rows = self._db.execute("SELECT id, snapshot FROM subscriptions").fetchall()
            except sqlite3.DatabaseError as err:
                raise _state_error(self.path, err) from None
            for sub_id, text in rows:
                try:
                    data = self._decode(json.loads(text))
                except (TypeError, ValueError):
                    raise UsageError(f"emulator state file {self.path}: not a state file of smflow's emulator "
                                     "(a snapshot is not JSON)") from None
                if not isinstance(data, dict) or not isinstance(sub_id, str):
                    raise UsageError(f"emulator state file {self.path}: not a state file of smflow's emulator") from None
                if data.get("format") != FORMAT:
                    raise UsageError(f"emulator state file {self.path}: written by another emulator version (format {data.get('format')})")
                try:
                    restore(self.state.subscription(sub_id), data)
                    for account in self.state.subscription(sub_id).storage.values():
                        account.primary_key = account.primary_key or new_storage_key()
                        account.secondary_key = account.secondary_key or new_storage_key()
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    self.state.subscriptions.pop(sub_id, None)  # nothing half-restored is served
                    raise UsageError(f"emulator state file {self.path}: a snapshot is damaged "
                                     f"({type(exc).__name__}); the file was left as it is") from None
            self.state.on_change = self.save

    def save_all(self) -> None:
        """Save every subscription now (on a clean stop, so in-progress operations keep their progress)."""
        with self.state.lock:
            for sub_id in list(self.state.subscriptions):
                try:
                    self.save(sub_id)
                except sqlite3.Error as err:
                    raise _state_error(self.path, err) from None

    def _snapshot(self, sub: Subscription) -> dict[str, Any]:
        data = snapshot(sub)
        if not self.keep_storage_keys:
            for account in data["storage"]:
                account["primary_key"] = account["secondary_key"] = ""
        return data

    def close(self) -> None:
        """Stop saving and close the file (the state stays in memory)."""
        with self.state.lock:
            self.state.on_change = None
            self._db.close()

    def save(self, subscription_id: str) -> None:
        """Write one subscription's snapshot (or drop it after a reset) in one transaction."""
        sub = self.state.subscriptions.get(subscription_id)
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if sub is None:
                self._db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO subscriptions (id, snapshot) VALUES (?, ?)",
                    (subscription_id, json.dumps(self._encode(self._snapshot(sub)), separators=(",", ":"))),
                )
            self._db.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (a full disk does): the first error is the one to tell.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise


def copy_state(source: Path, dest: Path, *, flag: str = "--emulator-state") -> None:
    """Copy a state file saved by ``smflow emulator --state`` to ``dest``, to seed an emulator.

    The source is opened read-only and copied with SQLite's backup API (a consistent copy even
    while an emulator is writing it), so it is never modified: a seed serves any number of runs.
    Refused, naming ``flag`` and the file, unless it holds emulator state of this version.
    """
    if not source.is_file():
        raise UsageError(f"{flag} {source}: no such file")
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as err:
        raise UsageError(f"{flag} {source}: not a usable SQLite state file ({err})") from None
    try:
        try:
            rows = src.execute("SELECT snapshot FROM subscriptions").fetchall()
            formats = {json.loads(text).get("format") for (text,) in rows}
        except (sqlite3.Error, ValueError, AttributeError):
            raise UsageError(f"{flag} {source}: not a state file saved by `smflow emulator --state`") from None
        if formats - {FORMAT}:
            raise UsageError(f"{flag} {source}: written by another emulator version (format {sorted(map(str, formats))})")
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst)
        except sqlite3.Error as err:
            raise UsageError(f"{flag} {source}: cannot copy it to {dest} ({err})") from None
        finally:
            dst.close()
    finally:
        src.close()


def _state_error(path: Path, err: sqlite3.Error) -> UsageError:
    """One line naming the file and what is wrong with it (a full disk is not a corrupt file)."""
    if getattr(err, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(err):
        return UsageError(f"emulator state file {path}: cannot save to it: the disk is full")
    if isinstance(err, sqlite3.OperationalError) and "readonly" in str(err):
        return UsageError(f"emulator state file {path}: cannot save to it: the file is read-only")
    return UsageError(f"emulator state file {path}: not a usable SQLite state file ({err})")
