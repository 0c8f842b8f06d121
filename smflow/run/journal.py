"""The crash-safe run journal: an append-only JSON-lines file per run under ``.smflow/runs/``.

Each record is one line, written with a single ``write`` before the executor moves on, so that
after a ``kill -9`` the journal says exactly how far the run got (a killed process loses nothing
already written: the page cache survives it). Against a machine crash, the file is fdatasync'd
before every request that changes something (``call_intent``, ``durable=True``): an fdatasync
covers every earlier line of an append-only file, so this group commit keeps the rule "the
intent is on disk before the call is sent" at one sync per write instead of one per line. A
run that cannot lose anything real (a replay, the embedded emulator) skips the syncs
(``Journal.syncs``); its lines are written whole all the same.

The sync runs on a background thread from the moment the intent line is written, and the
request waits for it (``wait_durable``, called by the transport right before the bytes leave,
after the request is built and prepared): the rule is kept, and the build of the request no
longer queues behind the disk. A sync that fails fails the call, which is then never sent.

    run          header: format, flow path, sha256 of the flow text, public params, target
    step_started index, step
    call_intent  key, op, args (masked), at    written BEFORE the request is sent (at: UTC, ISO 8601)
    call_sent    key, request_id               written right after a 202 names the operation
    call_done    key                           the call (and its operation) finished
    bind         step, index, key, value       an assignment's value, replayed if the step re-runs
    drawn        step, key, value, bind        a now() or uuid() value, given back if the step re-runs
    step_done    index, step, bound            names the step bound -> their bind keys (rebound on resume)
    step_failed  index, step, error
    rolling_back index, step                   an undo block is about to run
    rolled_back  index, step, ok               it ran (ok) or failed
    run_done     status, error, outputs (the declared outputs of a succeeded run, else null)
    loop         key, items                    the evaluated list of a loop (a resume iterates the same items)

A step inside a loop around steps is recorded under its expanded name (``deploy West US``), with
``template`` naming the step as written (``deploy ${region}``).

Records name their step by its identity, the step's name (unique in a flow, which the checker
enforces), not by its position: a flow edited between a crash and ``--resume --force`` may have
gained, lost or moved steps, and each record must still be matched to the step that wrote it.
A call key is ``<op>#<n>@<step>`` (the step's n-th call of ``op``; an op name holds no ``@``).
``index`` is the step's position in the flow as it was run, for people reading the file.
Format 1 (smflow before identities) keyed binds and calls by index; it is read by mapping each
index to the name its latest ``step_started`` gave it.

A step whose undo began runs again on resume, whether the undo finished, failed, or was cut
short by a kill: its bindings are replayed and each of its writes is read back before it is
sent again, so a half-undone step is completed rather than trusted or repeated.

Every record passes through one masker (``Journal.mask``, the run's ``Masker.strings``) on its
way to the file, so no secret reaches the disk whichever field it sits in, in whatever form.

A torn last line (the process died mid-write) is ignored on read and cut off before the
resumed run appends. Any other unreadable line makes the journal unusable: ``JournalError``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets as _secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, overload

from smflow.durable import fsync_dir
from smflow.errors import JournalError
from smflow.run import syncthread
from smflow.run.journal_schema import record_problem

__all__ = ["CallRecord", "Journal", "JournalState", "PendingJournal", "emulator_state_path", "journal_path",
           "new_run_id", "read_journal"]

FORMAT = 2
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


def emulator_state_path(directory: Path, run_id: str) -> Path:
    """Where a run against the embedded emulator keeps the emulator's state, beside its journal:
    a resumed run starts the emulator from it instead of from nothing."""
    return journal_path(directory, run_id).with_suffix(".emulator.sqlite")


@dataclass
class CallRecord:
    """What the journal knows about one non-read call, by its call key."""

    key: str
    op: str
    request_id: str | None = None
    done: bool = False
    result: Any = None  # what a done data-plane call returned (upload_blob: the blob's URL)
    intent_at: datetime | None = None  # when its first intent was journaled (None: a journal from before)

    @property
    def step(self) -> str:
        """The identity of the step that made the call (``<op>#<n>@<step>``)."""
        return self.key.partition("@")[2]


@dataclass
class JournalState:
    """A journal read back: enough to decide what a resumed run may skip."""

    header: dict[str, Any]
    steps_done: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> its step_done record
    steps_started: set[str] = field(default_factory=set)
    calls: dict[str, CallRecord] = field(default_factory=dict)
    binds: dict[str, dict[str, Any]] = field(default_factory=dict)  # step -> bind key -> encoded value
    # step -> bind key -> how many writes of each operation its evaluation made (see Executor._value)
    bind_calls: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    drawn: dict[str, dict[str, tuple[str, str | None]]] = field(default_factory=dict)  # smflow.run.drawn
    run_status: str | None = None  # "succeeded" / "failed" once run_done was written
    outputs: dict[str, Any] | None = None  # the declared outputs run_done recorded (a succeeded run's)
    loops: dict[str, Any] = field(default_factory=dict)  # loop key -> its evaluated list (encoded)
    templates: dict[str, str] = field(default_factory=dict)  # a loop step's expanded name -> its name as written
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
    upgrade: _Format1 | None = None
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
        problem = record_problem(record)
        if problem:
            raise JournalError(f"{path}:{number}: unusable journal record: {problem}; the run cannot be resumed")
        if state is None:
            _check_format(path, record)
            state = JournalState(header=record)
            upgrade = _Format1() if record["format"] == 1 else None
        else:
            _apply(state, upgrade.record(record) if upgrade is not None else record)
        state.records += 1
        offset += len(line) + 1
        state.good_bytes = offset
    if state is None:
        raise JournalError(f"{path}: the journal is empty (the run died before it started)")
    return state


def _check_format(path: Path, header: dict[str, Any]) -> None:
    """The first line says which format the rest is in: one this smflow reads, one written by a
    newer smflow (named, so the user knows to resume with that version), or not a journal."""
    version = header.get("format")
    if header["t"] != "run" or not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise JournalError(f"{path}: not an smflow run journal (no run header with a format version)")
    if version > FORMAT:
        raise JournalError(f"{path}: journal format {version} was written by a newer smflow (this one reads "
                           f"formats 1 to {FORMAT}); resume the run with the smflow that started it")


class _Format1:
    """Reads format-1 records as format 2: binds and call keys named their step by index, which
    is mapped to the step name the latest ``step_started`` of that index gave (a record of a
    step is always written after its ``step_started``, by the same process)."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        kind = record["t"]
        if kind == "step_started":
            self.names[int(record["index"])] = str(record["step"])
        elif kind == "bind":
            return {**record, "step": self.names.get(int(record["index"]), "")}
        elif kind.startswith("call_") and "key" in record:
            prefix, _, call = str(record["key"]).partition("/")
            if prefix.isdigit():  # a step's call ("undo3/", "on_failure/" are never resumed)
                return {**record, "key": f"{call}@{self.names.get(int(prefix), '')}"}
        return record


def _apply(state: JournalState, record: dict[str, Any]) -> None:
    kind = record["t"]
    if kind in ("step_started", "step_done") and "template" in record:
        state.templates[str(record["step"])] = str(record["template"])
    if kind == "step_started":
        state.steps_started.add(str(record["step"]))
    elif kind == "step_done":
        state.steps_done[str(record["step"])] = record
    elif kind == "loop":
        state.loops.setdefault(str(record["key"]), record["items"])
    elif kind == "call_intent":
        key = str(record["key"])
        state.calls.setdefault(key, CallRecord(key, str(record["op"]), intent_at=_utc(record.get("at"))))
    elif kind == "call_sent":
        call = state.calls.setdefault(str(record["key"]), CallRecord(str(record["key"]), str(record.get("op", ""))))
        call.request_id = record.get("request_id")
    elif kind == "call_done":
        call = state.calls.setdefault(str(record["key"]), CallRecord(str(record["key"]), str(record.get("op", ""))))
        call.done = True
        call.result = record.get("result")
    elif kind == "bind":
        state.binds.setdefault(str(record["step"]), {})[str(record["key"])] = record.get("value")
        if record.get("calls"):
            state.bind_calls.setdefault(str(record["step"]), {})[str(record["key"])] = dict(record["calls"])
    elif kind == "drawn":  # step -> key -> (value, the bind it was drawn for)
        state.drawn.setdefault(str(record["step"]), {})[str(record["key"])] = (str(record["value"]), record.get("bind"))
    elif kind in ("rolling_back", "rolled_back"):  # rolled_back alone: journals written before rolling_back
        _half_undone(state, str(record["step"]))
    elif kind == "run_done":
        state.run_status = str(record["status"])
        outputs = record.get("outputs")
        state.outputs = dict(outputs) if isinstance(outputs, dict) else None
    elif kind == "run_resumed":
        state.run_status = None


def _utc(text: Any) -> datetime | None:
    """An intent's ``at`` (absent in journals written before it was recorded)."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _half_undone(state: JournalState, step: str) -> None:
    """The step runs again on resume; its bindings are kept (``old`` must still name the
    deployment it named before the swap, whether or not the undo swapped back) and its writes
    become ambiguous, so each is read back and sent again only if its effect is gone. A later
    re-run of the step writes its own records, which are read after these."""
    state.steps_done.pop(step, None)
    # A binding whose evaluation wrote (``r = create_deployment(...)``, ``n = a_proc(...)``) is
    # evaluated again, so that its writes are read back and sent again if the undo removed them;
    # a binding of reads keeps its value.
    for key in state.bind_calls.get(step, {}):
        state.binds.get(step, {}).pop(key, None)
    for call in state.calls.values():
        # A proc's calls are keyed "<op>#<n>@<step>/<proc>@<site>": they are the step's too.
        if call.step == step or call.step.startswith(step + "/"):
            call.done = False
            call.request_id = None


class Journal:
    """An open journal file that records are appended to, one fsync'd line each."""

    def __init__(self, path: Path, run_id: str, fd: int) -> None:
        self.path = path
        self.run_id = run_id
        self._fd = fd
        self._new_in: Path | None = None  # a new file's directory, until its entry is made durable
        self._sync: syncthread.Job[None] | None = None  # the sync of the latest durable line, until awaited
        # Set once a sync fails, for good: after a failed fsync the kernel may have dropped the
        # unwritten pages and report success next time, so nothing written since can be trusted.
        self._sync_error: str | None = None
        # False for a run that cannot lose anything real (a replay, the embedded emulator): its
        # lines are still written whole, and survive a kill -9 in the page cache, but are not
        # forced to disk against a machine crash (one fdatasync per write, +17% on a replay).
        self.syncs = True
        # The run's masker: every record is passed through it before it is written.
        self.mask: Callable[[Any], Any] = _unmasked
        # Iterations of a ``parallel for`` append from several threads: each line is written
        # whole (one holder at a time) and the chain of syncs stays in order.
        self._lock = threading.Lock()

    @classmethod
    def create(cls, directory: Path, run_id: str, header: dict[str, Any], *,
               fresh_id: Callable[[], str] | None = None) -> Journal:
        """A new journal named ``run_id``. When that name is taken (two runs of one flow started
        in the same second drew the same 4 hex digits) and ``fresh_id`` is given, the run is
        named again by it, a few times, instead of failing: ``journal.run_id`` says which."""
        return cls._start(*_create_file(directory, run_id, fresh_id), directory, header)

    @classmethod
    def _start(cls, path: Path, run_id: str, fd: int, directory: Path, header: dict[str, Any],
               mask: Callable[[Any], Any] | None = None) -> Journal:
        journal = cls(path, run_id, fd)
        if mask is not None:
            journal.mask = mask
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
        try:
            state = read_journal(path)  # again, now that no other process can be appending
            if os.fstat(fd).st_size > state.good_bytes:
                os.ftruncate(fd, state.good_bytes)  # drop a torn tail so the next line starts clean
        except BaseException as exc:
            os.close(fd)  # and with it the lock: a failed reopen must not hold the run
            if isinstance(exc, OSError):
                raise JournalError(f"cannot append to the run journal {path}: {exc.strerror}") from None
            raise
        return cls(path, run_id, fd), state

    def append(self, kind: str, *, durable: bool = False, **fields: Any) -> None:
        """Append one record, masked; ``durable`` also starts forcing it (and every line before
        it) to disk, which ``wait_durable`` waits for."""
        record = {"t": kind, **self.mask(fields)}
        data = (_ENCODER.encode(record) + "\n").encode()
        with self._lock:
            try:
                written = 0
                while written < len(data):
                    written += os.write(self._fd, data[written:])
            except OSError as exc:
                raise JournalError(f"cannot write the run journal {self.path}: {exc.strerror}") from None
            if durable and self.syncs:
                self._start_sync()

    def _start_sync(self) -> None:
        """Hand the sync to the sync thread and return once it is under way (see
        ``syncthread``: the wait is for the thread to get going, not for the disk)."""
        previous = self._sync  # not awaited yet: its outcome is carried into this one

        def sync() -> None:
            if previous is not None:
                previous.wait()  # already run (one thread, in order); a failure stands
            self._sync_now()

        self._sync = syncthread.start(sync)

    def wait_durable(self) -> None:
        """Return once every durable line appended so far is on disk; ``JournalError`` if it
        cannot be (the caller must then not act on it), now and for the rest of the run."""
        pending = self._sync
        if pending is not None:
            try:
                pending.wait()  # the latest sync: it waits for every earlier one (another thread's too)
            except OSError as exc:
                self._sync_error = f"cannot write the run journal {self.path}: {exc.strerror}"
            with self._lock:
                if self._sync is pending:
                    self._sync = None
        if self._sync_error is not None:
            raise JournalError(self._sync_error)

    def _sync_now(self) -> None:
        os.fdatasync(self._fd)
        # A new journal is only as durable as its directory entry (POSIX: fsync the directory);
        # right after the file's own sync it costs next to nothing on a journalling filesystem.
        if self._new_in is not None:
            fsync_dir(self._new_in)
            self._new_in = None

    def close(self) -> None:
        if self._fd >= 0:
            try:
                self.wait_durable()
                if self._new_in is not None and self.syncs:
                    fsync_dir(self._new_in)
                    self._new_in = None
            finally:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PendingJournal:
    """A new journal's file, created on the sync thread while the flow is loaded and checked.

    Creating a file costs a directory update that, on ext4 right after another run's syncs,
    takes half a millisecond or more of waiting on the filesystem's own journal: long enough to
    matter against a 12-request run, and nothing the flow check needs to wait for. ``open``
    writes the header once it is known; ``discard`` removes the file if the run never starts
    (the flow did not check, the target could not be set up), so no empty journal is left.
    The first run in a directory makes it in ``open``, so a flow that fails its check leaves
    no ``.smflow/runs`` behind.
    """

    def __init__(self, directory: Path, run_id: str, fresh_id: Callable[[], str] | None = None) -> None:
        self.directory = directory
        self._run_id = run_id
        self._fresh_id = fresh_id
        self._job: syncthread.Job[tuple[Path, str, int] | None] | None = syncthread.start(
            lambda: _create_file(directory, run_id, fresh_id, make_directory=False))
        self._made: tuple[Path, str, int] | None = None  # the file, once waited for
        self._opened = False

    @property
    def run_id(self) -> str:
        """The run's id once its file exists (another is drawn if the first was taken)."""
        return self._file()[1]

    def _file(self) -> tuple[Path, str, int]:
        if self._made is None:
            assert self._job is not None
            job, self._job = self._job, None
            made = job.wait()
            if made is None:  # no directory yet: the flow has checked, so make it now
                made = _create_file(self.directory, self._run_id, self._fresh_id, make_directory=True)
            self._made = made
        return self._made

    def open(self, header: dict[str, Any], mask: Callable[[Any], Any] | None = None) -> Journal:
        """The journal, header written (through ``mask``, which then masks every record);
        ``JournalError`` if its file could not be made."""
        assert not self._opened, "a pending journal is opened once"
        made = self._file()
        self._opened = True
        return Journal._start(*made, self.directory, header, mask)

    def discard(self) -> None:
        """Remove the file unless ``open`` took it (a no-op then)."""
        if self._opened:
            return
        made = self._made
        if made is None and self._job is not None:
            job, self._job = self._job, None
            try:
                made = job.wait()
            except JournalError:
                return
        self._made, self._opened = None, True
        if made is None:
            return
        path, _run_id, fd = made
        os.close(fd)
        with contextlib.suppress(OSError):
            path.unlink()


def _unmasked(fields: Any) -> Any:
    return fields


@overload
def _create_file(directory: Path, run_id: str, fresh_id: Callable[[], str] | None, *,
                 make_directory: Literal[True] = ...) -> tuple[Path, str, int]: ...
@overload
def _create_file(directory: Path, run_id: str, fresh_id: Callable[[], str] | None, *,
                 make_directory: bool) -> tuple[Path, str, int] | None: ...


def _create_file(directory: Path, run_id: str, fresh_id: Callable[[], str] | None, *,
                 make_directory: bool = True) -> tuple[Path, str, int] | None:
    """Create and lock ``<directory>/<run_id>.jsonl``, drawing another id while the name is
    taken; None if the directory does not exist and ``make_directory`` is off."""
    for _ in range(_NAME_TRIES):
        path = journal_path(directory, run_id)
        try:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
            except FileNotFoundError:  # the first run here: make the directory
                if not make_directory:
                    return None
                _make_directory(directory, path)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError as exc:
            if fresh_id is None:
                raise JournalError(f"cannot create the run journal {path}: {exc.strerror}") from None
            run_id = fresh_id()
            continue
        except OSError as exc:
            raise JournalError(f"cannot create the run journal {path}: {exc.strerror}") from None
        _lock(fd, path, run_id)
        return path, run_id, fd
    raise JournalError(f"cannot create a run journal in {directory}: {_NAME_TRIES} run ids were all taken")


def _make_directory(directory: Path, path: Path) -> None:
    """Make the journal directory; any failure names the journal (a name that is taken by a
    file or a dangling link must not read as "every run id was taken")."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise JournalError(f"cannot create the run journal {path}: {directory} exists and is not a directory "
                           "(a file, or a link to nothing)") from None
    except OSError as exc:
        raise JournalError(f"cannot create the run journal {path}: {exc.strerror}") from None


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
