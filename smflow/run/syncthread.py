"""One background thread for the journal's waits on the disk (fdatasync, creating the file).

Why a thread: an fdatasync costs a few hundred microseconds to milliseconds, and during that
time the executor has useful work to do (building and preparing the request the sync guards).
Why a start handshake: a Python thread needs the interpreter lock to reach the system call,
and a busy main thread only lets go of it when it blocks or after the 5 ms switch interval,
which is exactly when the request is about to be sent. ``start`` therefore returns once the
job has begun; the job then releases the lock inside its system call and the two overlap.

Jobs run one at a time, in the order started (a sync queued behind another runs after it).
Plain locks instead of ``concurrent.futures``: a submit, a future and an event cost tens of
microseconds of Python per job, which is what this module exists to save.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Job", "start"]

T = TypeVar("T")


class Job(Generic[T]):
    """A call running (or run) on the sync thread; ``wait`` gives its result or raises its error."""

    __slots__ = ("_begun", "_done", "_error", "_fn", "_result")

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._begun = threading.Lock()
        self._begun.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._result: T | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        self._begun.release()
        try:
            self._result = self._fn()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            self._error = exc
        finally:
            self._done.release()

    def _await_start(self) -> None:
        self._begun.acquire()

    def done(self) -> bool:
        if self._done.acquire(blocking=False):
            self._done.release()
            return True
        return False

    def wait(self) -> T:
        with self._done:
            pass
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


_JOBS: queue.SimpleQueue[Job[object]] = queue.SimpleQueue()
_THREAD: threading.Thread | None = None
_THREAD_LOCK = threading.Lock()


def _work() -> None:
    while True:
        _JOBS.get().run()


def _ensure_thread() -> bool:
    """Start the thread once per process; False when no thread can be started (the
    interpreter is shutting down), and jobs then run in the caller."""
    global _THREAD
    with _THREAD_LOCK:
        if _THREAD is None or not _THREAD.is_alive():
            thread = threading.Thread(target=_work, name="smflow-journal-sync", daemon=True)
            try:
                thread.start()
            except RuntimeError:
                return False
            _THREAD = thread
    return True


def start(fn: Callable[[], T]) -> Job[T]:
    """Run ``fn`` on the sync thread and return once it has begun (daemon thread: every
    caller waits for its jobs, so none is cut short at exit)."""
    job = Job(fn)
    if not _ensure_thread():
        job.run()
        return job
    _JOBS.put(job)  # type: ignore[arg-type]
    job._await_start()
    return job
