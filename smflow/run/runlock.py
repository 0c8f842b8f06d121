"""One run at a time per target resource: two ``smflow run`` on one machine never interleave.

Two releases of the same hosted service started at once (two terminals, two CI jobs on one
runner) would each read production, then each swap: the second swaps back what the first put
live. As Terraform locks its state, a run locks what it touches before it sends anything:

- the **target** is the endpoint plus the subscription, hashed (the subscription id appears in
  no file name and no file);
- the **resources** are the hosted services, storage accounts, affinity groups and OS images
  the flow's calls name, when every name is known before the run (a literal or a param);
  if one is not (a name read from a result), the run locks the whole target.

Each lock is an OS file lock (``flock``) on a file under the lock directory: released by the
kernel when the process ends, however it ends, so a ``kill -9`` never leaves a stale lock. A
run that names its resources holds the target's file shared and each resource's file
exclusive (in sorted order, so two runs never wait on each other crosswise); a run that locks
the whole target holds the target's file exclusive. A holder writes who it is (run id, pid,
flow, start time) into the files it holds exclusive, which a refused run quotes.

The embedded emulator (each run its own) and a replay (nothing sent) take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smflow.asm.catalogue import get_operation
from smflow.dsl import ast
from smflow.dsl.evaluate import Evaluator
from smflow.errors import LockedError, UsageError

__all__ = ["ENV_LOCK_DIR", "Holder", "default_lock_dir", "flow_resources", "hold", "target_key"]

ENV_LOCK_DIR = "SMFLOW_LOCK_DIR"
_RETRY_EVERY = 0.1  # seconds between attempts while waiting for a lock
_UNSAID = "another run (it has not written who it is yet)"

# Resource collections (path prefixes of the catalogue) -> the argument naming the resource a
# POST to the collection itself creates.
_COLLECTIONS = {
    "services/hostedservices": ("service_name", "hosted service"),
    "services/storageservices": ("service_name", "storage account"),
    "services/images": ("name", "OS image"),
    "affinitygroups": ("name", "affinity group"),
}
WHOLE_TARGET = None  # what flow_resources returns when a name is known only at run time


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as written into the lock file (nothing secret)."""

    run_id: str
    pid: int
    flow: str
    started: str

    def describe(self) -> str:
        return f"run {self.run_id} (pid {self.pid}, flow {self.flow}, started {self.started})"


def default_lock_dir(env: dict[str, str] | None = None) -> Path:
    """``$SMFLOW_LOCK_DIR``, else a per-user directory in the machine's temp dir (local disk,
    where flock is reliable; runs of other users on the machine do not see these locks)."""
    env = dict(os.environ) if env is None else env
    if env.get(ENV_LOCK_DIR):
        return Path(env[ENV_LOCK_DIR])
    return Path(tempfile.gettempdir()) / f"smflow-{os.getuid()}" / "locks"


def target_key(endpoint: str, subscription_id: str) -> str:
    """The target's lock name: a hash, so the subscription id is in no file name."""
    text = f"{endpoint.rstrip('/').lower()}\n{subscription_id.lower()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# -- what a flow touches --------------------------------------------------------------------------


class _Unknown(Exception):  # noqa: N818 - a control-flow signal, never raised to users
    pass


def flow_resources(calls: Iterable[ast.Call], params: dict[str, Any], base_dir: Path) -> frozenset[str] | None:
    """The resources the calls name, e.g. ``hosted service 'svc'``; None (the whole target)
    when a name is not known before the run."""
    found: set[str] = set()
    for call in calls:
        spec = get_operation(call.name)
        if spec is None:
            return WHOLE_TARGET
        named = ("storage_account", "storage account") if spec.plane == "blob" else _named_argument(spec.method, spec.path)
        if named is None:
            continue  # names no resource: a list, locations, an operation's status
        arg_name, kind = named
        arg = call.arg(arg_name)
        value = _static(arg.value, params, base_dir) if arg is not None else None
        if not isinstance(value, str) or not value:
            return WHOLE_TARGET
        found.add(f"{kind} '{value}'")
    return frozenset(found)


def loop_resources(found: frozenset[str] | None, loop: ast.StepLoop | None, calls: Iterable[ast.Call],
                   params: dict[str, Any], base_dir: Path) -> frozenset[str] | None:
    """``found`` plus the resources a step in ``loop`` names for each item of the loop's list,
    when the list is known from the params (None, the whole target, otherwise)."""
    if found is None or loop is None:
        return WHOLE_TARGET
    items = _static(loop.items, params, base_dir)
    if not isinstance(items, list):
        return WHOLE_TARGET
    out = set(found)
    for item in items:
        named = flow_resources(calls, {**params, loop.var: item}, base_dir)
        if named is None:
            return WHOLE_TARGET
        out |= named
    return frozenset(out)


def _named_argument(method: str, path: str) -> tuple[str, str] | None:
    path = path.split("?", 1)[0].strip("/")
    for collection, (create_arg, kind) in _COLLECTIONS.items():
        if path == collection:
            return None if method == "GET" else (create_arg, kind)
        if path.startswith(collection + "/{"):
            return path[len(collection) + 2:].split("}", 1)[0], kind
    return None


def _static(expr: ast.Expr, params: dict[str, Any], base_dir: Path) -> Any:
    """The expression's value from params alone, or None if it needs anything else."""
    def no_calls(node: ast.Call, args: dict[str, Any]) -> Any:
        raise _Unknown()

    def drawn() -> Any:  # now() and uuid() are drawn by the run: a name made from one is not known yet
        raise _Unknown()

    try:
        return Evaluator(dict(params), no_calls, base_dir, drawn, new_uuid=drawn).evaluate(expr)
    except Exception:  # noqa: BLE001 - a name bound at run time, a call, an env(): not static
        return None


# -- holding the lock -------------------------------------------------------------------------------


@contextlib.contextmanager
def hold(directory: Path, target: str, resources: frozenset[str] | None, holder: Holder, *,
         timeout: float = 0.0, on_wait: Callable[[str], None] | None = None,
         describe_target: str = "the target") -> Iterator[None]:
    """Hold the target's lock for the block, waiting up to ``timeout`` seconds for another run
    to let go; ``LockedError`` naming the holder after that."""
    folder = _folder(directory / target)
    files = [("target", folder / "target.lock")]
    if resources is not None:
        files += [(name, folder / f"{hashlib.sha256(name.encode()).hexdigest()[:24]}.lock")
                  for name in sorted(resources)]
    deadline = time.monotonic() + max(timeout, 0.0)
    told = False
    while True:
        held, blocker = _try(files, exclusive_target=resources is None, holder=holder)
        if blocker is None:
            break
        who, what = _holder_of(blocker[1], folder)
        if time.monotonic() >= deadline:
            wait = f"waited {timeout:g}s; " if timeout > 0 else ""
            raise LockedError(
                f"{describe_target} is locked by {who}, which holds {what}: two runs on one target must not "
                f"interleave ({wait}pass --lock-timeout DURATION to wait for it)")
        if on_wait is not None and not told:
            on_wait(f"waiting up to {timeout:g}s for {what} on {describe_target}, locked by {who}")
            told = True
        time.sleep(_RETRY_EVERY)
    try:
        yield
    finally:
        for fd in held:
            os.close(fd)  # closing the descriptor releases its flock


def _folder(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)  # holders' records: the user's business only
    except OSError as exc:
        raise UsageError(f"cannot make the run lock directory {path}: {exc.strerror} (set {ENV_LOCK_DIR})") from None
    return path


def _try(files: list[tuple[str, Path]], *, exclusive_target: bool,
         holder: Holder) -> tuple[list[int], tuple[str, Path] | None]:
    """Take every lock without waiting: (descriptors held, None), or release them all and
    return ([], the lock that is taken)."""
    held: list[int] = []
    for position, (name, path) in enumerate(files):
        exclusive = position > 0 or exclusive_target
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            for other in held:
                os.close(other)
            raise UsageError(f"cannot open the run lock {path}: {exc.strerror} (set {ENV_LOCK_DIR})") from None
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            for other in held:
                os.close(other)
            return [], (name, path)
        held.append(fd)
        if exclusive:
            _write_holder(fd, holder, "the whole target" if position == 0 else name)
    return held, None


def _write_holder(fd: int, holder: Holder, holds: str) -> None:
    """Overwrite the record in place, padded with spaces over what an earlier holder wrote (JSON
    allows trailing blanks). No truncate: on ext4 a truncated file is flushed on close, which
    cost milliseconds per lock."""
    data = json.dumps({**holder.__dict__, "holds": holds}).encode()
    os.pwrite(fd, data.ljust(max(os.fstat(fd).st_size, 512)), 0)


def _holder_of(path: Path, folder: Path) -> tuple[str, str]:
    """Who holds ``path``, and what: its own record when held exclusive; for the target file
    held shared by runs that named their resources, the holder of a resource lock taken."""
    if path.name != "target.lock":
        return _read_holder(path)
    # The target's file is held shared by runs that named their resources (each has its record
    # in a resource file it holds), or exclusive by one run, whose record is in it. A record
    # left in it by a finished run is stale, so resource holders are looked for first.
    for other in sorted(folder.glob("*.lock")):
        if other.name != "target.lock" and _taken(other):
            return _read_holder(other)
    return _read_holder(path)


def _taken(path: Path) -> bool:
    """Is ``path`` held exclusive by a live process? (An exclusive attempt fails; a file held
    only shared, like the target's by resource holders, fails it too, which we want here.)"""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _read_holder(path: Path) -> tuple[str, str]:
    """(who, what they hold) from a lock file's record."""
    try:
        data = json.loads(path.read_bytes() or b"null")
        holder = Holder(str(data["run_id"]), int(data["pid"]), str(data["flow"]), str(data["started"]))
        return holder.describe(), str(data["holds"])
    except (OSError, ValueError, TypeError, KeyError):
        return _UNSAID, "a lock on it"
