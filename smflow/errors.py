"""The one exception tree of smflow.

Every error a user can meet is an ``SmflowError``; ``str(err)`` is the complete message and
``err.exit_code`` the process exit status. The CLI (``smflow.cli.main``) is the only place
that renders them, so library code raises and never prints.

    SmflowError
    ├── UsageError                 bad flags, config, marker arguments            (exit 2)
    ├── FlowError                  something wrong in a .flow file, with a span   (exit 2)
    │   ├── FlowSyntaxError        lark could not parse it
    │   ├── FlowCheckError         one static-check diagnostic
    │   ├── CheckFailedError       every diagnostic of a check, sorted by position
    │   └── FlowRuntimeError       an expression failed while running (index, None, file)  (exit 1)
    ├── ArgumentError              an operation argument refused before sending   (exit 2)
    ├── ApiError                   the service answered with an <Error>           (exit 1)
    │   ├── NotFoundError          404
    │   └── ConflictError          409
    ├── TransportError             could not talk: connection, TLS, timeout       (exit 1)
    ├── OperationFailedError       an asynchronous operation ended Failed         (exit 1)
    ├── WaitTimeoutError           a wait passed its deadline                     (exit 1)
    ├── FlowFailedError            a step failed while running a flow             (exit 1)
    │   └── ConfirmUnansweredError a confirm nobody could answer: the run stops, nothing undone
    ├── ReplayError                cassette problems                              (exit 2)
    │   ├── CassetteNotFoundError
    │   ├── CassetteFormatError
    │   └── ReplayDriftError       a request the cassette does not hold           (exit 1)
    ├── SecretLeakError            a secret would have reached the disk           (exit 1)
    ├── JournalError               a run journal that cannot be resumed           (exit 2)
    ├── LockedError                another run holds the target's lock            (exit 2)
    └── FormatterError             smflow fmt's own output failed its safety checks (exit 3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smflow.source import Span

__all__ = [
    "ApiError",
    "ArgumentError",
    "CassetteFormatError",
    "CassetteNotFoundError",
    "CheckFailedError",
    "ConfirmUnansweredError",
    "ConflictError",
    "FlowCheckError",
    "FlowError",
    "FlowFailedError",
    "FlowRuntimeError",
    "FlowSyntaxError",
    "FormatterError",
    "JournalError",
    "LockedError",
    "NotFoundError",
    "OperationFailedError",
    "ReplayDriftError",
    "ReplayError",
    "SecretLeakError",
    "SmflowError",
    "TransportError",
    "UsageError",
    "WaitTimeoutError",
]


class SmflowError(Exception):
    """Base of every error smflow raises on purpose."""

    exit_code: int = 1


class UsageError(SmflowError):
    """The command line, a config value or a pytest marker was wrong."""

    exit_code = 2


class FlowError(SmflowError):
    """Something is wrong at a place in a .flow file."""

    exit_code = 2

    def __init__(self, message: str, span: Span, code: str = "FlowError") -> None:
        self.message = message
        self.span = span
        self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        return self.span.render("error", self.code, self.message)


class FlowSyntaxError(FlowError):
    """The text does not parse."""


class FlowCheckError(FlowError):
    """One diagnostic of the static checker."""


class CheckFailedError(FlowError):
    """All the errors of one check, sorted by position (rendered one after another)."""

    def __init__(self, errors: list[FlowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.span.sort_key())
        first = self.errors[0]
        super().__init__(first.message, first.span, first.code)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class FlowRuntimeError(FlowError):
    """An expression of the flow failed while running: index out of range, attribute of null,
    a missing ``file()``, an unset ``env()``. Points at the expression; the flow ran, so exit 1."""

    exit_code = 1

    def __init__(self, message: str, span: Span, code: str = "RuntimeError") -> None:
        super().__init__(message, span, code)


class ArgumentError(SmflowError):
    """An operation argument was refused before any request was sent."""

    exit_code = 2

    def __init__(self, operation: str, argument: str | None, message: str) -> None:
        self.operation = operation
        self.argument = argument
        self.message = message
        where = f"{operation}({argument})" if argument else operation
        super().__init__(f"{where}: {message}")


class ApiError(SmflowError):
    """The service answered with an error status and (usually) an <Error> body."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.operation = operation
        self.retry_after = retry_after
        super().__init__(message)

    def __str__(self) -> str:
        parts = []
        if self.operation:
            parts.append(f"{self.operation}:")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"{self.code}:")
        parts.append(self.message)
        text = " ".join(parts)
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class NotFoundError(ApiError):
    """404: the resource does not exist."""


class ConflictError(ApiError):
    """409: a name is taken, a resource is busy or in use."""


class TransportError(SmflowError):
    """Could not talk to the endpoint: connection refused or dropped, TLS, timeout."""

    def __init__(self, message: str, *, operation: str | None = None, timeout: bool = False) -> None:
        self.message = message
        self.operation = operation
        self.timeout = timeout
        super().__init__(f"{operation}: {message}" if operation else message)


class OperationFailedError(SmflowError):
    """An asynchronous operation ended with status Failed."""

    def __init__(
        self,
        *,
        operation: str,
        request_id: str,
        code: str | None,
        message: str | None,
        http_status: int | None = None,
        step: str | None = None,
    ) -> None:
        self.operation = operation
        self.request_id = request_id
        self.code = code
        self.error_message = message
        self.http_status = http_status
        self.step = step
        where = f"step '{step}': " if step else ""
        super().__init__(
            f"{where}{operation} failed: {code or 'UnknownError'}: {message or '(no message)'}"
            f" (operation {request_id})"
        )


class WaitTimeoutError(SmflowError):
    """A wait reached its deadline; says what it waited for, how long, and the last state."""

    def __init__(self, *, waiting_for: str, waited: float, last_state: Any = None, step: str | None = None) -> None:
        self.waiting_for = waiting_for
        self.waited = waited
        self.last_state = last_state
        self.step = step
        where = f"step '{step}': " if step else ""
        super().__init__(
            f"{where}timed out after {waited:.0f}s waiting for {waiting_for}; last state: {last_state!s}"
        )


class FlowFailedError(SmflowError):
    """A flow ran and failed; carries the step and the underlying error."""

    def __init__(self, message: str, *, step: str | None = None, cause: BaseException | None = None) -> None:
        self.step = step
        self.cause = cause
        super().__init__(message)


class ConfirmUnansweredError(FlowFailedError):
    """A ``confirm`` with no terminal to ask and no ``--yes``: nobody approved and nobody
    refused, so the run stops at the gate without rolling anything back, and can be resumed."""


class ReplayError(SmflowError):
    """A cassette could not be used."""

    exit_code = 2


class CassetteNotFoundError(ReplayError):
    """The cassette file does not exist."""


class CassetteFormatError(ReplayError):
    """The cassette is unreadable, of another format version, or not written by smflow."""


class ReplayDriftError(ReplayError):
    """The flow sent a request that the recording does not hold."""

    exit_code = 1


class SecretLeakError(SmflowError):
    """A secret value was found in something about to be written; nothing was kept."""


class JournalError(SmflowError):
    """A run journal is missing, unreadable or incompatible, so the run cannot resume."""

    exit_code = 2


class LockedError(SmflowError):
    """Another run on this machine holds the lock on the target (or the resources) this run
    would touch; nothing was sent."""

    exit_code = 2


class FormatterError(SmflowError):
    """``smflow fmt`` caught itself: its output would not parse to the same flow, would lose a
    comment, or would change on a second format. A bug in smflow; the file is left untouched."""

    exit_code = 3
