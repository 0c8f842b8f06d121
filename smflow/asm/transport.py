"""How bytes reach the Service Management endpoint: one ``send(request) -> response`` seam.

``RequestsTransport`` is the real one (live HTTPS with a management certificate, or plain HTTP to
the local emulator). It uses ``requests`` on purpose: the recording harness patches ``requests``
with vcrpy, so recording and replay see exactly what production sends. It is the only module
that catches ``requests`` exceptions; they become ``TransportError`` (``timeout=True`` for
timeouts), chained ``from`` the original. Tests and the executor can pass any object with a
``send`` method instead (httpx's MockTransport idea).

Unlike the SDK: the caller's session is not mutated (SDK quirk 9), redirects are followed by this
module itself (307/308 keep method, body and certificate; at most ``max_redirects``, the Location's
query is kept: quirk 11), and the response body is read with a size cap so a hostile or broken
endpoint cannot exhaust memory. A redirect never leaves the host it came from nor drops from
https to http: the request carries the subscription id in its path and may carry passwords in its
body, and ASM never redirects across hosts, so such a redirect is refused, not followed.

``timeout`` is a deadline for the whole exchange (connect, send, every byte of the answer), not
requests' per-socket-operation timeout, which a server trickling one byte at a time never trips.
``send(..., timeout=)`` narrows it for one request (the executor passes what is left of the step).
A watchdog thread enforces it by shutting the connection's socket down when the time is up, which
wakes a read blocked in the middle of a status line, a header or the body.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import math
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit

from smflow.errors import ApiError, TransportError

if TYPE_CHECKING:
    # Imported by RequestsTransport itself (and the watched pools live in ``watched_pool``):
    # building a request (smflow plan) needs no HTTP stack.
    import requests

__all__ = [
    "CONTENT_TYPE",
    "MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "X_MS_VERSION",
    "HttpRequest",
    "HttpResponse",
    "RequestsTransport",
    "Transport",
    "client_certificate_problem",
    "could_not_connect",
    "following_redirects",
    "no_time_left",
    "response_too_big",
]

X_MS_VERSION = "2014-10-01"
CONTENT_TYPE = "application/atom+xml;type=entry;charset=utf-8"
USER_AGENT = "smflow (pyazure-compatible)"
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
_LOOPBACK = "127.0.0.1,localhost,::1"
_REDIRECTS = (307, 308)  # the ones that keep method and body


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str  # absolute: endpoint/<subscription-id>/path?query
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def __repr__(self) -> str:
        # The URL holds the subscription id and the body may hold passwords: neither goes in a repr.
        size = "no body" if self.body is None else f"{len(self.body)} bytes"
        return f"HttpRequest({self.method} {_mask_subscription(self.url)}, {size})"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    reason: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Transport(Protocol):
    """Sends one request and returns the answer; raises ``TransportError`` if it could not talk.

    ``before_send``, when given, is called once per request after it is built and prepared and
    right before its bytes leave; if it raises, nothing is sent and the error propagates. The
    executor waits there for the journal's intent to reach the disk, so that preparing the
    request overlaps the sync instead of queueing behind it.

    ``timeout``, when given, is the most seconds the whole exchange may take (the caller's
    remaining deadline); past it the transport raises ``TransportError(timeout=True)``.
    """

    def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None, *,
             timeout: float | None = None) -> HttpResponse: ...


class RequestsTransport:
    """HTTPS with a PEM client certificate (``cert_file`` holding both parts, or ``cert_file`` +
    ``key_file``), TLS verification on (``verify`` may name a CA bundle), and ``timeout`` seconds
    at most for each request from connect to the last byte of the answer."""

    def __init__(
        self,
        cert_file: str | None = None,
        key_file: str | None = None,
        verify: bool | str = True,
        timeout: float = 65.0,
        session: requests.Session | None = None,
        max_redirects: int = 5,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        import requests

        self.cert: str | tuple[str, str] | None = (cert_file, key_file) if cert_file and key_file else cert_file
        self.verify = verify
        self.timeout = timeout
        if session is None:
            from smflow.asm.watched_pool import WatchedAdapter

            session = requests.Session()
            # Only a session of our own gets the adapter whose connections the watchdog can cut.
            for prefix in ("https://", "http://"):
                session.mount(prefix, WatchedAdapter())
        self.session = session
        self.max_redirects = max_redirects
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        return f"RequestsTransport(verify={self.verify!r}, timeout={self.timeout!r})"

    def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None, *,
             timeout: float | None = None) -> HttpResponse:
        budget = self.timeout if timeout is None else max(min(timeout, self.timeout), 0.0)
        if budget <= 0:
            raise no_time_left(request.url)
        watch = _Watch(time.monotonic() + budget, budget)
        token = _CURRENT_WATCH.set(watch)
        _WATCHDOG.arm(watch)
        try:
            return following_redirects(request, lambda url, before: self._send_once(request, url, before, watch),
                                       before_send, self.max_redirects)
        finally:
            watch.finish()
            _CURRENT_WATCH.reset(token)

    def _send_once(self, request: HttpRequest, url: str, before_send: Callable[[], None] | None,
                   watch: _Watch) -> HttpResponse:
        import requests

        headers = {"x-ms-version": X_MS_VERSION, **request.headers}  # the API refuses a request without it
        if request.method != "GET":
            headers.setdefault("Content-Type", CONTENT_TYPE)
        session = self.session
        try:
            # What Session.request does, split so that before_send runs between prepare and send.
            prepared = session.prepare_request(requests.Request(request.method, url, headers=headers, data=request.body))
            settings = session.merge_environment_settings(
                prepared.url, {"no_proxy": _LOOPBACK},  # the local emulator is never reached through a proxy
                True, self.verify, self.cert)
            if before_send is not None:
                before_send()
            left = watch.left()
            if left <= 0:
                raise _TimeUpError()
            with session.send(prepared, timeout=left, allow_redirects=False, **settings) as raw:
                body = self._read(raw, watch)
                headers = {k.lower(): v for k, v in raw.headers.items()}
            if watch.fired:
                raise _TimeUpError()
            return HttpResponse(raw.status_code, headers, body, raw.reason or "")
        except (_TimeUpError, requests.exceptions.Timeout) as exc:
            raise _timed_out(url, watch) from exc
        except requests.exceptions.RequestException as exc:
            if watch.fired:  # the watchdog cut the connection: the deadline passed
                raise _timed_out(url, watch) from exc
            if isinstance(exc, requests.exceptions.SSLError):
                raise TransportError(f"TLS error with {_host(url)}: {_reason(exc)}") from exc
            if isinstance(exc, requests.exceptions.ConnectionError):
                raise could_not_connect(url, _reason(exc)) from exc
            raise TransportError(f"request to {_host(url)} failed: {_reason(exc)}") from exc
        except OSError as exc:  # unreadable certificate or key file
            if watch.fired:
                raise _timed_out(url, watch) from exc
            raise TransportError(f"cannot use the client certificate: {exc.strerror or exc}") from exc

    def _read(self, raw: requests.Response, watch: _Watch) -> bytes:
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise response_too_big(raw.status_code, self.max_response_bytes, declared)
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise response_too_big(raw.status_code, self.max_response_bytes)
            if watch.left() <= 0:
                raise _TimeUpError()
            chunks.append(chunk)
        return b"".join(chunks)


class _TimeUpError(Exception):
    """The request's deadline passed between two reads (turned into a TransportError at once)."""


def _timed_out(url: str, watch: _Watch) -> TransportError:
    return TransportError(f"no complete answer from {_host(url)} within {watch.budget:g}s", timeout=True)


def following_redirects(request: HttpRequest, send_once: Callable[[str, Callable[[], None] | None], HttpResponse],
                        before_send: Callable[[], None] | None, max_redirects: int) -> HttpResponse:
    """``send_once(url, before_send)`` for the request's URL, then for each 307/308's Location,
    as every transport follows them (a cassette replays the redirects a live run followed)."""
    url = request.url
    for _ in range(max_redirects + 1):
        response = send_once(url, before_send)
        before_send = None  # a redirect re-sends what already left
        location = response.header("location")
        if response.status not in _REDIRECTS or not location:
            return response
        url = _follow(url, location, request)
    raise TransportError(f"more than {max_redirects} redirects (last to {_host(url)})")


def response_too_big(status: int, limit: int, declared: str | None = None) -> ApiError:
    """An answer over the size limit (``declared``: its Content-Length, when that says so)."""
    size = f" of {declared} bytes" if declared is not None else ""
    return ApiError(f"response body{size} is over the {limit}-byte limit", status=status)


def could_not_connect(url: str, reason: str) -> TransportError:
    """What every transport raises when no answer came (a cassette: when none was recorded)."""
    return TransportError(f"could not connect to {_host(url)}: {reason}")


def no_time_left(url: str) -> TransportError:
    """What every transport raises for a request whose deadline has already passed."""
    return TransportError(f"no time left to send a request to {_host(url)}", timeout=True)


def _follow(url: str, location: str, request: HttpRequest) -> str:
    """The next URL of a 307/308, refused when it would carry the request somewhere else."""
    target = urljoin(url, location)
    here, there = urlsplit(url), urlsplit(target)
    if here.scheme == "https" and there.scheme != "https":
        raise TransportError(f"refused a redirect from {_host(url)} to {_host(target)}: it would send the request "
                             "unencrypted (the Service Management API never redirects from https to http)")
    if (there.hostname, there.port) != (here.hostname, here.port) or there.scheme != here.scheme:
        what = "its body and the subscription id" if request.body else "the subscription id"
        raise TransportError(f"refused a redirect from {_host(url)} to another host, {_host(target)}: it would "
                             f"send {what} there (the Service Management API never redirects across hosts)")
    return target


# --- the deadline watchdog ---------------------------------------------------------------------------

class _Watch:
    """One request's deadline and the connections it used, which the watchdog shuts when it passes."""

    def __init__(self, deadline: float, budget: float) -> None:
        self.deadline = deadline
        self.budget = budget
        self.connections: list[Any] = []
        self.fired = False
        self.done = False
        self._lock = threading.Lock()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def attach(self, connection: Any) -> None:
        with self._lock:
            self.connections.append(connection)

    def finish(self) -> None:
        with self._lock:
            self.done = True
            self.connections.clear()

    def cut(self) -> bool:
        """Shut the sockets down; True when one had no socket yet (still connecting: cut again soon)."""
        with self._lock:
            if self.done:
                return False
            self.fired = True
            pending = False
            for connection in self.connections:
                sock = getattr(connection, "sock", None)
                shutdown = getattr(sock, "shutdown", None)
                if shutdown is None:
                    pending = True
                    continue
                try:
                    shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already closed
            return pending or not self.connections


class _Watchdog:
    """One daemon thread for every request's deadline (a thread per request would cost more than
    a request to the local emulator)."""

    RECHECK = 0.05  # a watch whose connection had no socket yet is cut again this much later

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._sleeping_until = math.inf  # when the thread wakes next on its own

    def arm(self, watch: _Watch) -> None:
        with self._wake:
            # Requests that finished in time leave the heap as soon as they reach its top, so it
            # holds about as many entries as there are requests in flight.
            while self._heap and self._heap[0][2].done:
                heapq.heappop(self._heap)
            heapq.heappush(self._heap, (watch.deadline, next(self._order), watch))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="smflow-deadlines", daemon=True)
                self._thread.start()
            elif watch.deadline < self._sleeping_until:
                self._wake.notify()  # due before the thread would wake: wake it to sleep less

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)  # finished in time: forget it
                wait = self._heap[0][0] - time.monotonic() if self._heap else math.inf
                if wait > 0:
                    self._sleeping_until = time.monotonic() + wait
                    self._wake.wait(None if wait == math.inf else wait)
                    self._sleeping_until = math.inf  # awake: the next loop looks at the heap again
                    continue
                _, _, watch = heapq.heappop(self._heap)
            if watch.cut():
                with self._wake:
                    heapq.heappush(self._heap, (time.monotonic() + self.RECHECK, next(self._order), watch))


_WATCHDOG = _Watchdog()
_CURRENT_WATCH: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar("smflow_watch", default=None)


def client_certificate_problem(cert_file: str, key_file: str | None = None) -> str | None:
    """Why the management certificate cannot be used, or None when it can.

    Loaded once before anything is sent, with a pass-phrase callback that refuses: left to
    itself, OpenSSL asks for the pass phrase of an encrypted key on the terminal, and a run
    would hang there (or, under CI, fail on its first request instead of before it).
    """
    import ssl

    def no_pass_phrase() -> bytes:
        raise _EncryptedKeyError

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(cert_file, key_file, password=no_pass_phrase)
    except _EncryptedKeyError:
        return (f"the private key in {key_file or cert_file} is encrypted, and smflow never asks for a pass phrase: "
                "give it a key file without one (openssl pkey -in KEY -out KEY.pem), readable only by you")
    except ssl.SSLError as exc:
        return f"{cert_file}{' and ' + key_file if key_file else ''}: not a PEM certificate and its private key " \
               f"({exc.reason or exc})"
    except OSError as exc:
        return f"cannot read {exc.filename or cert_file}: {exc.strerror or exc}"
    return None


class _EncryptedKeyError(Exception):
    """Raised by the pass-phrase callback: the key is encrypted."""


def _mask_subscription(url: str) -> str:
    """``https://host/<sub>/path`` with the subscription segment replaced by ``***``."""
    parts = url.split("/", 4)
    if len(parts) >= 4:
        parts[3] = "***"
    return "/".join(parts)


def _host(url: str) -> str:
    """The URL without its path: the path holds the subscription id, which is never printed."""
    parts = url.split("/", 3)
    return "/".join(parts[:3]) if len(parts) >= 3 else url


def _reason(exc: BaseException) -> str:
    """The innermost useful text of a requests/urllib3 error, without URLs that hold the subscription."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner) or type(inner).__name__
    text = re.sub(r"url: \S+", "url: <hidden>", text.split(" (Caused by ")[0])
    return text[:300]
