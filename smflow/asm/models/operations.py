"""Asynchronous operations: what every write returns and what polling reads.

Conventions: see ``smflow.asm.models``."""

from __future__ import annotations

from dataclasses import dataclass

from smflow.asm.models.images import OSImage

__all__ = ["AsynchronousOperationResult", "Operation", "OperationError"]



@dataclass
class OperationError:
    code: str = ""
    message: str = ""



@dataclass
class Operation:
    """The state of an asynchronous operation (``get_operation_status``)."""

    id: str = ""  # the dashed GUID form of the request id (read from <ID>: SDK bug 2 fixed)
    status: str = ""  # InProgress, Succeeded, Failed
    http_status_code: int | None = None  # absent while InProgress
    error: OperationError | None = None  # present when Failed



@dataclass
class AsynchronousOperationResult:
    """What every write returns: the ``x-ms-request-id`` to poll with ``get_operation_status``.

    Synchronous writes (create hosted service, the deletes, affinity groups) return one too: polling
    it answers Succeeded at once. ``body`` holds a decoded model when the write answers with one
    (``add_os_image`` returns the new ``OSImage``).
    """

    request_id: str | None = None
    body: OSImage | None = None
    # The HTTP status of the answer: 202 means the work goes on after the answer (poll request_id)
    # even for calls the catalogue marks synchronous (e.g. deletes with comp=media).
    http_status: int | None = None
