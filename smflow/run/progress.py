"""Rendering events for people (plain lines, or a live line on a TTY) and for CI (``--json``).

Plain output is one line per step (``[2/6] deploy to staging … ok 12.3s``), a line per retry,
and while a step waits, a line at most every ``plain_wait_every`` seconds so a CI log shows
life without drowning. On a TTY the wait is one live line, rewritten in place: what is awaited,
for how long, the last status and when the next poll is. ``--json`` writes each event as one
JSON object per line, flushed, for machines.
"""

from __future__ import annotations

import json
import shutil
from typing import Any, TextIO

from smflow.run.events import (
    BlobUploaded,
    Event,
    LogMessage,
    RequestSent,
    Retrying,
    RolledBack,
    RunFinished,
    RunStarted,
    StepFailed,
    StepFinished,
    StepSkipped,
    StepStarted,
    UploadProgress,
    Waiting,
)

__all__ = ["JsonProgress", "TextProgress", "make_progress"]


def _secs(value: float) -> str:
    if value < 60:
        return f"{value:.1f}s"
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}m{seconds:02d}s"


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / (1024 * 1024):.1f} MiB"


class JsonProgress:
    """One JSON object per event per line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, event: Event) -> None:
        self.stream.write(json.dumps(event.to_dict(), default=str) + "\n")
        self.stream.flush()


class TextProgress:
    """Human-readable progress; ``live`` rewrites a status line in place (TTYs only)."""

    def __init__(self, stream: TextIO, *, live: bool, plain_wait_every: float = 30.0) -> None:
        self.stream = stream
        self.live = live
        self.plain_wait_every = plain_wait_every
        self._live_shown = False
        self._step_label = ""
        self._last_wait_print: float | None = None
        self._embedded = False
        # Steps under way, and their labels: the iterations of a parallel for run several at once.
        self._running: dict[str, str] = {}

    def _line(self, text: str) -> None:
        if self._live_shown:
            self.stream.write("\r\x1b[K")
            self._live_shown = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def _status(self, text: str) -> None:
        # A line wider than the terminal would wrap, and "\r" only returns to the last row of it.
        width = shutil.get_terminal_size((100, 24)).columns - 1
        if len(text) > width:
            text = text[: max(width - 1, 10)] + "…"
        self.stream.write("\r\x1b[K" + text)
        self.stream.flush()
        self._live_shown = True

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._embedded = event.target.startswith("embedded")
            self._line(f"target: {event.target}")
            verb = "resuming" if event.resumed else "run"
            self._line(f"{verb} {event.run_id}: {event.flow} ({event.steps} step{'' if event.steps == 1 else 's'}, journal {event.journal})")
        elif isinstance(event, StepStarted):
            self._step_label = self._running[event.step] = f"[{event.index}/{event.total}] {event.step}"
            self._last_wait_print = None
            if self.live:
                self._status(f"{self._step_label} …")
        elif isinstance(event, StepSkipped):
            self._line(f"[{event.index}/{event.total}] {event.step} … already done (skipped)")
        elif isinstance(event, RequestSent):
            if self.live:
                self._status(f"{self._running.get(event.step, self._step_label)} … {event.operation}")
        elif isinstance(event, Retrying):
            self._line(
                f"    retrying {event.operation} in {_secs(event.delay)} "
                f"(attempt {event.attempt}/{event.attempts} failed: {event.error})"
            )
        elif isinstance(event, Waiting):
            text = (
                f"{self._running.get(event.step, self._step_label)} … waiting {_secs(event.elapsed)} for {event.what}: "
                f"{event.last_state}; next poll in {_secs(event.next_poll)}"
            )
            which = f" ({event.step})" if len(self._running) > 1 else ""  # several steps wait at once
            if self.live:
                self._status(text)
            elif self._last_wait_print is None or event.elapsed - self._last_wait_print >= self.plain_wait_every:
                self._last_wait_print = event.elapsed
                self._line(f"    waiting {_secs(event.elapsed)} for {event.what}{which}: {event.last_state}")
        elif isinstance(event, StepFinished):
            self._running.pop(event.step, None)
            self._line(f"[{event.index}/{event.total}] {event.step} … ok {_secs(event.elapsed)}")
        elif isinstance(event, StepFailed):
            self._running.pop(event.step, None)
            self._line(f"[{event.index}/{event.total}] {event.step} … FAILED {_secs(event.elapsed)}: {event.error}")
        elif isinstance(event, LogMessage):
            self._line(f"    log: {event.message}")
        elif isinstance(event, RolledBack):
            if event.ok:
                self._line(f"    rolled back '{event.step}'")
            else:
                self._line(f"    rollback of '{event.step}' FAILED: {event.error}")
        elif isinstance(event, RunFinished):
            self._finish(event)
        elif isinstance(event, (UploadProgress, BlobUploaded)):
            self._upload(event)

    def _upload(self, event: UploadProgress | BlobUploaded) -> None:
        """A live line while a file uploads (TTY only), one line when it is there."""
        if isinstance(event, UploadProgress):
            if self.live and event.total:
                self._status(f"{self._step_label} … uploading {event.blob}: {_size(event.sent)} of "
                             f"{_size(event.total)} ({100 * event.sent // event.total}%)")
        elif event.skipped:
            self._line(f"    {event.blob} already holds this file ({_size(event.size)}): not uploaded again")
        else:
            self._line(f"    uploaded {event.blob} ({_size(event.size)}, content MD5 {event.md5})")

    def _outputs(self, outputs: dict[str, Any]) -> None:
        for line in _output_lines(outputs):
            self._line(line)

    def _finish(self, event: RunFinished) -> None:
        if event.status == "succeeded":
            self._line(f"run {event.run_id} succeeded in {_secs(event.elapsed)} ({event.requests} request{'' if event.requests == 1 else 's'})")
            if event.outputs:
                self._outputs(event.outputs)
            return
        where = f" at step '{event.failed_step}'" if event.failed_step else ""
        self._line(f"run {event.run_id} FAILED{where}: {event.error}")
        if event.rolled_back:
            self._line("rolled back: " + ", ".join(f"'{s}'" for s in event.rolled_back))
        else:
            self._line("rolled back: nothing")
        if event.failed_step is None:  # every step succeeded; an output could not be given
            self._line(f"every step succeeded; to give the outputs once the flow is fixed: smflow run --resume "
                       f"{event.run_id} --force")
        else:
            self._line(f"to continue from the failed step: smflow run --resume {event.run_id}")
        if self._embedded:
            self._line("(the embedded emulator's state is kept beside the journal: --resume starts it from "
                       "there)")


def _output_lines(outputs: dict[str, Any]) -> list[str]:
    """``    name = value`` per output (rendered as in ``--outputs FILE``, the ``=`` aligned); a
    value's later lines are indented under its first, so they cannot pass for another output."""
    from smflow.run.outputs import render_value

    lines = ["Outputs:"]
    width = max(len(name) for name in outputs)
    for name, value in outputs.items():
        head = f"    {name.ljust(width)} = "
        text = render_value(value).splitlines() or [""]
        lines.append(head + text[0])
        lines.extend(" " * len(head) + more for more in text[1:])
    return lines


def make_progress(stream: TextIO, *, json_lines: bool, live: bool | None = None) -> JsonProgress | TextProgress:
    if json_lines:
        return JsonProgress(stream)
    if live is None:
        live = bool(getattr(stream, "isatty", lambda: False)())
    return TextProgress(stream, live=live)
