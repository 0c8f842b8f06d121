"""The crash-safe run journal: an append-only JSON-lines file per run under ``.smflow/runs/``.

Each record is one line, written with a single ``write`` before the executor moves on, so that
after a ``kill -9`` the journal says exactly how far the run got (a killed process loses nothing
already written: the page cache survives it). Against a machine crash, the file is fsync'd
before every request that changes something (``call_intent``, ``durable=True``) and at the end
of the run: an fsync covers every earlier line of an append-only file, so this group commit
keeps the rule "the intent is on disk before the call is sent" at a few fsyncs per run instead
of one per line (each costs milliseconds):

    run          header: flow path, sha256 of the flow text, params (secrets masked), target
    step_started index, step
    call_intent  key, op, args (masked)        written BEFORE the request is sent
    call_sent    key, request_id               written right after a 202 names the operation
    call_done    key                           the call (and its operation) finished
    bind         index, key, value             an assignment's value, replayed if the step re-runs
    step_done    index, step, bound            names the step bound -> their bind keys (rebound on resume)
    step_failed  index, step, error
    rolled_back  index, step, ok               an undone step runs again on resume
    run_done     status, error

A torn last line (the process died mid-write) is ignored on read and cut off before the
resumed run appends. Any other unreadable line makes the journal unusable: ``JournalError``.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets as _secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from smflow.durable import fsync_dir
from smflow.errors import JournalError

__all__ = ["CallRecord", "Journal", "JournalState", "new_run_id", "read_journal", "journal_path"]

FORMAT = 1
_NAME_TRIES = 8
# One encoder for every line (json.dumps with options builds a new one per call).
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)
RUN_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{6}-[A-Za-z0-9_.-]+-[0-9a-f]{4}$")


def new_run_id(flow_path: str | Path, now: datetime) -> str:
    """``YYYYMMDD-HHMMSS-<flowname>-<4hex>``: sortable, readable, unique enough per machine."""
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(flow_path).stem) or "flow"
    return f"{now:%Y%m%d-%H%M%S}-{stem}-{_secrets.token_hex(2)}"


def journal_path(directory: Path, run_id: str) -> Path:
    if not RUN_ID_RE.match(run_id):
        raise JournalError(f"'{run_id}' is not a run id (expected YYYYMMDD-HHMMSS-<flow>-<4hex>)")
    return directory / f"{run_id}.jsonl"


@dataclass
class CallRecord:
    """What the journal knows about one non-read call, by its call key."""

    key: str
    op: str
    request_id: str | None = None
    done: bool = False


@dataclass
class JournalState:
    """A journal read back: enough to decide what a resumed run may skip."""

    header: dict[str, Any]
    steps_done: dict[int, dict[str, Any]] = field(default_factory=dict)  # index -> step_done record
    steps_started: set[int] = field(default_factory=set)
    calls: dict[str, CallRecord] = field(default_factory=dict)
    binds: dict[int, dict[str, Any]] = field(default_factory=dict)  # step index -> key -> encoded value
    run_status: str | None = None  # "succeeded" / "failed" once run_done was written
    good_bytes: int = 0  # length of the readable prefix (a torn tail is cut off before appending)
    records: int = 0


def read_journal(path: Path) -> JournalState:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise JournalError(f"no journal for this run: {path} does not exist") from None
    except OSError as exc:
        raise JournalError(f"cannot read the journal {path}: {exc.strerror}") from None
    lines = raw.split(b"\n")
    state: JournalState | None = None
    offset = 0
    for number, line in enumerate(lines, start=1):
        is_last = number == len(lines)
        if not line.strip():
            offset += len(line) + (0 if is_last else 1)
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "t" not in record:
                raise ValueError("not a journal record")
        except ValueError:
            if is_last:
                break  # torn by a crash mid-write: everything before it stands
            raise JournalError(f"{path}:{number}: unreadable journal line; the run cannot be resumed") from None
        if is_last:
            break  # no newline yet, so the write may not have completed: treat as torn
        if state is None:
            if record["t"] != "run" or record.get("format") != FORMAT:
                raise JournalError(f"{path}: not an smflow run journal (format {FORMAT})")
            state = JournalState(header=record)
        else:
            _apply(state, record)
        state.records += 1
        offset += len(line) + 1
        state.good_bytes = offset
    if state is None:
        raise JournalError(f"{path}: the journal is empty (the run died before it started)")
    return state


def _apply(state: JournalState, record: dict[str, Any]) -> None:
    kind = record["t"]
    if kind == "step_started":
        state.steps_started.add(int(record["index"]))
    elif kind == "step_done":
        state.steps_done[int(record["index"])] = record
    elif kind == "call_intent":
        key = str(record["key"])
        state.calls.setdefault(key, CallRecord(key, str(record["op"])))
    elif kind == "call_sent":
        call = state.calls.setdefault(str(record["key"]), CallRecord(str(record["key"]), str(record.get("op", ""))))
        call.request_id = record.get("request_id")
    elif kind == "call_done":
        call = state.calls.setdefault(str(record["key"]), CallRecord(str(record["key"]), str(record.get("op", ""))))
        call.done = True
    elif kind == "bind":
        state.binds.setdefault(int(record["index"]), {})[str(record["key"])] = record.get("value")
    elif kind == "rolled_back" and record.get("ok"):
        # Undone: on resume the step runs again, its calls included.
        index = int(record["index"])
        state.steps_done.pop(index, None)
        state.binds.pop(index, None)
        for key in [k for k in state.calls if k.startswith(f"{index}/")]:
            del state.calls[key]
    elif kind == "run_done":
        state.run_status = str(record["status"])
    elif kind == "run_resumed":
        state.run_status = None


class Journal:
    """An open journal file that records are appended to, one fsync'd line each."""

    def __init__(self, path: Path, run_id: str, fd: int) -> None:
        self.path = path
        self.run_id = run_id
        self._fd = fd
        self._new_in: Path | None = None  # a new file's directory, until its entry is made durable

    @classmethod
    def create(cls, directory: Path, run_id: str, header: dict[str, Any], *,
               fresh_id: Callable[[], str] | None = None) -> Journal:
        """A new journal named ``run_id``. When that name is taken (two runs of one flow started
        in the same second drew the same 4 hex digits) and ``fresh_id`` is given, the run is
        named again by it, a few times, instead of failing: ``journal.run_id`` says which."""
        for _ in range(_NAME_TRIES):
            path = journal_path(directory, run_id)
            try:
                directory.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            except FileExistsError as exc:
                if fresh_id is None:
                    raise JournalError(f"cannot create the run journal {path}: {exc.strerror}") from None
                run_id = fresh_id()
                continue
            except OSError as exc:
                raise JournalError(f"cannot create the run journal {path}: {exc.strerror}") from None
            break
        else:
            raise JournalError(f"cannot create a run journal in {directory}: {_NAME_TRIES} run ids were all taken")
        _lock(fd, path, run_id)
        journal = cls(path, run_id, fd)
        # The header and the file's directory entry are made durable by the first intent (the
        # directory right after the file: on a journalling filesystem the file's fsync has then
        # already committed the new entry, so the directory's costs next to nothing), or on close.
        journal._new_in = directory
        journal.append("run", format=FORMAT, run_id=run_id, **header)
        return journal

    @classmethod
    def reopen(cls, directory: Path, run_id: str) -> tuple[Journal, JournalState]:
        path = journal_path(directory, run_id)
        read_journal(path)  # refuse an unreadable journal before anything else
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise JournalError(f"cannot append to the run journal {path}: {exc.strerror}") from None
        _lock(fd, path, run_id)
        state = read_journal(path)  # again, now that no other process can be appending
        try:
            if os.fstat(fd).st_size > state.good_bytes:
                os.ftruncate(fd, state.good_bytes)  # drop a torn tail so the next line starts clean
        except OSError as exc:
            raise JournalError(f"cannot append to the run journal {path}: {exc.strerror}") from None
        return cls(path, run_id, fd), state

    def append(self, kind: str, *, durable: bool = False, **fields: Any) -> None:
        """Append one record; ``durable`` also forces it (and every line before it) to disk."""
        record = {"t": kind, **fields}
        data = (_ENCODER.encode(record) + "\n").encode()
        try:
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            if durable:
                os.fdatasync(self._fd)
        except OSError as exc:
            raise JournalError(f"cannot write the run journal {self.path}: {exc.strerror}") from None
        if durable:
            self._sync_entry()

    def _sync_entry(self) -> None:
        """A new journal is only as durable as its directory entry (POSIX: fsync the directory)."""
        if self._new_in is not None:
            fsync_dir(self._new_in)
            self._new_in = None

    def close(self) -> None:
        if self._fd >= 0:
            self._sync_entry()
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _lock(fd: int, path: Path, run_id: str) -> None:
    """One process per run: a second ``--resume`` of a run still going is refused. The lock dies
    with its process, so a run killed with -9 can be resumed at once."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise JournalError(f"run {run_id} is still running in another process ({path} is locked)") from None
    except OSError:
        pass  # a filesystem without locks: nothing more we can do
