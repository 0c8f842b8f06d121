"""Typed progress events: the executor's only way of telling anyone what it is doing.

The executor never prints. It hands each event to an ``on_event`` callback; ``progress.py``
turns them into human lines, a live TTY line, or JSON lines (``--json``) for CI. Every event
carries the run id and a timestamp (from the run's clock, so replays are reproducible), and
its ``kind`` is the stable name used in JSON output.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "Event",
    "EventSink",
    "LogMessage",
    "RequestSent",
    "Retrying",
    "RolledBack",
    "RunFinished",
    "RunStarted",
    "StepFailed",
    "StepFinished",
    "StepSkipped",
    "StepStarted",
    "Waiting",
    # blob uploads (run.uploads)
    "BlobUploaded",
    "UploadProgress",
]


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"
    run_id: str = field(kw_only=True)
    time: str = field(kw_only=True)  # ISO-8601 UTC, from the run's clock

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"event": self.kind}
        for f in dataclasses.fields(self):
            data[f.name] = getattr(self, f.name)
        return data


EventSink = Callable[[Event], None]


@dataclass(frozen=True)
class RunStarted(Event):
    kind: ClassVar[str] = "run_started"
    flow: str
    target: str  # a sentence naming where requests go, e.g. "embedded emulator at http://..."
    steps: int
    journal: str
    resumed: bool = False


@dataclass(frozen=True)
class StepStarted(Event):
    kind: ClassVar[str] = "step_started"
    index: int  # 1-based
    total: int
    step: str


@dataclass(frozen=True)
class StepSkipped(Event):
    """A step already completed in the run being resumed."""

    kind: ClassVar[str] = "step_skipped"
    index: int
    total: int
    step: str


@dataclass(frozen=True)
class RequestSent(Event):
    kind: ClassVar[str] = "request_sent"
    step: str
    operation: str
    attempt: int
    request_id: str | None = None  # the x-ms-request-id of an asynchronous operation


@dataclass(frozen=True)
class Retrying(Event):
    kind: ClassVar[str] = "retrying"
    step: str
    operation: str
    attempt: int  # the attempt that just failed
    attempts: int  # the policy's maximum
    delay: float  # seconds until the next attempt
    error: str


@dataclass(frozen=True)
class Waiting(Event):
    kind: ClassVar[str] = "waiting"
    step: str
    what: str
    elapsed: float
    last_state: str
    next_poll: float  # seconds until the next poll
    timeout: float


@dataclass(frozen=True)
class StepFinished(Event):
    kind: ClassVar[str] = "step_finished"
    index: int
    total: int
    step: str
    elapsed: float


@dataclass(frozen=True)
class StepFailed(Event):
    kind: ClassVar[str] = "step_failed"
    index: int
    total: int
    step: str
    elapsed: float
    error: str


@dataclass(frozen=True)
class RolledBack(Event):
    kind: ClassVar[str] = "rolled_back"
    step: str
    ok: bool
    error: str | None = None


@dataclass(frozen=True)
class LogMessage(Event):
    """A flow's ``log`` statement."""

    kind: ClassVar[str] = "log"
    step: str | None
    message: str


@dataclass(frozen=True)
class RunFinished(Event):
    kind: ClassVar[str] = "run_finished"
    status: str  # "succeeded" | "failed"
    elapsed: float
    requests: int
    failed_step: str | None = None
    error: str | None = None
    rolled_back: list[str] = field(default_factory=list)
    # The declared outputs (``output NAME = EXPR``) when the run succeeded; None when it failed
    # (outputs are evaluated only after the last step succeeded, and none is written otherwise).
    outputs: dict[str, Any] | None = None


# -- blob uploads (``upload_blob``, run.uploads) -------------------------------------------------


@dataclass(frozen=True)
class UploadProgress(Event):
    """Bytes of a file sent so far: at most a few a second (and the last), never one per block."""

    kind: ClassVar[str] = "upload_progress"
    step: str
    blob: str  # container/name
    sent: int
    total: int


@dataclass(frozen=True)
class BlobUploaded(Event):
    kind: ClassVar[str] = "blob_uploaded"
    step: str
    blob: str  # container/name
    url: str
    size: int
    md5: str  # base64, the content MD5 (the MD5 of the block MD5s: storage.upload.content_md5)
    skipped: bool  # the blob already held this content: nothing was sent
