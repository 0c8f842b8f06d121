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
endpoint cannot exhaust memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urljoin

from smflow.errors import ApiError, TransportError

if TYPE_CHECKING:
    import requests  # imported by RequestsTransport itself: building a request (smflow plan) needs no HTTP stack

__all__ = [
    "CONTENT_TYPE",
    "MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "X_MS_VERSION",
    "HttpRequest",
    "HttpResponse",
    "RequestsTransport",
    "Transport",
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
    """

    def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None) -> HttpResponse: ...


class RequestsTransport:
    """HTTPS with a PEM client certificate (``cert_file`` holding both parts, or ``cert_file`` +
    ``key_file``), TLS verification on (``verify`` may name a CA bundle), a timeout per request."""

    def __init__(
        self,
        cert_file: str | None = None,
        key_file: str | None = None,
        verify: bool | str = True,
        timeout: float | tuple[float, float] = 65.0,
        session: requests.Session | None = None,
        max_redirects: int = 5,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        import requests

        self.cert: str | tuple[str, str] | None = (cert_file, key_file) if cert_file and key_file else cert_file
        self.verify = verify
        self.timeout = timeout
        self.session = session if session is not None else requests.Session()
        self.max_redirects = max_redirects
        self.max_response_bytes = max_response_bytes

    def __repr__(self) -> str:
        return f"RequestsTransport(verify={self.verify!r}, timeout={self.timeout!r})"

    def send(self, request: HttpRequest, before_send: Callable[[], None] | None = None) -> HttpResponse:
        url = request.url
        for _ in range(self.max_redirects + 1):
            response = self._send_once(request, url, before_send)
            before_send = None  # a redirect re-sends what already left
            location = response.header("location")
            if response.status not in _REDIRECTS or not location:
                return response
            url = urljoin(url, location)
        raise TransportError(f"more than {self.max_redirects} redirects (last to {_host(url)})")

    def _send_once(self, request: HttpRequest, url: str, before_send: Callable[[], None] | None) -> HttpResponse:
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
            with session.send(prepared, timeout=self.timeout, allow_redirects=False, **settings) as raw:
                body = self._read(raw)
                headers = {k.lower(): v for k, v in raw.headers.items()}
                return HttpResponse(raw.status_code, headers, body, raw.reason or "")
        except requests.exceptions.Timeout as exc:
            raise TransportError(f"timed out talking to {_host(url)} after {self.timeout}s", timeout=True) from exc
        except requests.exceptions.SSLError as exc:
            raise TransportError(f"TLS error with {_host(url)}: {_reason(exc)}") from exc
        except requests.exceptions.ConnectionError as exc:
            raise TransportError(f"could not connect to {_host(url)}: {_reason(exc)}") from exc
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"request to {_host(url)} failed: {_reason(exc)}") from exc
        except OSError as exc:  # unreadable certificate or key file
            raise TransportError(f"cannot use the client certificate: {exc.strerror or exc}") from exc

    def _read(self, raw: requests.Response) -> bytes:
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise ApiError(
                f"response body of {declared} bytes is over the {self.max_response_bytes}-byte limit",
                status=raw.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in raw.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise ApiError(
                    f"response body is over the {self.max_response_bytes}-byte limit", status=raw.status_code
                )
            chunks.append(chunk)
        return b"".join(chunks)


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
