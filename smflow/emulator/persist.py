"""``--state FILE``: the emulator's state in SQLite, so it survives a restart (and a kill -9).

One row per subscription holding a JSON snapshot, rewritten in a single transaction after every
change (SQLite's journal makes each write all-or-nothing, so a killed process leaves the previous
or the new snapshot, never half of one). Operation times are stored relative to the clock at
save time and rebased on load: an operation in progress when the emulator stopped resumes where
it was, as if the emulator had been paused.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path
from typing import Any

from smflow.emulator.resources import (
    AffinityGroup,
    Deployment,
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
from smflow.errors import UsageError

__all__ = ["StateStore"]

FORMAT = 1


def _deployment(d: dict[str, Any]) -> Deployment:
    d = dict(d)
    d["roles"] = [Role(**r) for r in d["roles"]]
    d["instances"] = [RoleInstance(**i) for i in d["instances"]]
    if d.get("upgrade") is not None:
        d["upgrade"] = Upgrade(**d["upgrade"])
    return Deployment(**d)


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
        "management_certificates": [asdict(c) for c in sub.management_certificates.values()],
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
    sub.management_certificates = {
        c["thumbprint"]: ManagementCertificate(**c) for c in data.get("management_certificates", [])
    }
    sub.operations = {o["id"]: _operation(o, shift) for o in data["operations"]}
    sub.pending = {op_id: sub.operations[op_id] for op_id in data["pending"]}


class StateStore:
    """Loads the state from ``path`` and saves each subscription after every change."""

    def __init__(self, path: Path, state: EmulatorState) -> None:
        self.path = path
        self.state = state
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, snapshot TEXT NOT NULL)")
        except sqlite3.DatabaseError as err:
            raise UsageError(f"--state {path}: not a usable SQLite state file ({err})") from None

    def load(self) -> None:
        """Fill the state from the file, then save every later change to it."""
        with self.state.lock:
            try:
                rows = self._db.execute("SELECT id, snapshot FROM subscriptions").fetchall()
            except sqlite3.DatabaseError as err:
                raise UsageError(f"--state {self.path}: not a usable SQLite state file ({err})") from None
            for sub_id, text in rows:
                data = json.loads(text)
                if data.get("format") != FORMAT:
                    raise UsageError(f"--state {self.path}: written by another emulator version (format {data.get('format')})")
                restore(self.state.subscription(sub_id), data)
            self.state.on_change = self.save

    def save_all(self) -> None:
        """Save every subscription now (on a clean stop, so in-progress operations keep their progress)."""
        with self.state.lock:
            for sub_id in list(self.state.subscriptions):
                self.save(sub_id)

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
                    (subscription_id, json.dumps(snapshot(sub), separators=(",", ":"))),
                )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
