"""The emulator's request pipeline, with the single error boundary and the fault-injection hook.

``EmulatorApp.handle(Request) -> Response`` does, in order: request id; subscription from the
first path segment; client certificate (when TLS requires one); ``x-ms-version``; route; fault
decision; then, under the state lock, settle the subscription's operations and run the handler.
Every ``AsmFault`` becomes ``<Error><Code/><Message/></Error>`` here and nowhere else. The app is
transport-free (``server.py`` owns sockets), because a dropped connection is a decision the
server must carry out; ``__call__`` adapts it to WSGI for any other host.

The log never shows the subscription id nor a path segment a client chose (a name may hold a
flow's secret): a request is logged by its route, ``POST /<subscription>/services/
hostedservices/{service_name}``, and a path no route serves by the known words in it. A request
line in absolute form (``GET http://host/<subscription>/...``, which HTTP/1.1 servers must
accept) is served like its path.
"""

from __future__ import annotations

import io
import os
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from smflow.emulator.blobservice import BLOB_PREFIX, BlobReply, Readable, blob_query, serve_blob
from smflow.emulator.faults import Fault, FaultPlan
from smflow.emulator.handlers import HANDLERS, Context, Reply
from smflow.emulator.resources import AsmFault
from smflow.emulator.routes import Route, known_segment, match
from smflow.emulator.state import EmulatorState
from smflow.emulator.wire import error_body

__all__ = ["EmulatorApp", "Request", "Response"]

_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
AUTH_FAILED = (
    "The server failed to authenticate the request. Verify that the certificate is valid and is associated "
    "with this subscription."
)


@dataclass
class Request:
    method: str
    target: str  # path plus query, as on the request line
    headers: dict[str, str]  # lower-case names
    body: bytes = b""
    base: str = "http://127.0.0.1"  # scheme://host[:port] the client addressed
    client_cert: bool | None = None  # None: not TLS; else whether a verified certificate was presented
    stream: Readable | None = None  # a blob request's body, read by its handler (``body`` is then empty)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    drop: bool = False  # close the connection without answering
    delay: float = 0.0  # sleep this long before answering (a slow-response fault)

    @property
    def request_id(self) -> str:
        return next((v for k, v in self.headers if k == "x-ms-request-id"), "")


class EmulatorApp:
    def __init__(
        self,
        state: EmulatorState,
        faults: FaultPlan | None = None,
        log: Callable[[str], None] | None = None,
        require_cert: bool = False,
        subscription: str | None = None,
    ) -> None:
        self.state = state
        self.faults = faults or FaultPlan()
        self.log = log
        self.require_cert = require_cert
        self.subscription = subscription  # when set, the management certificate is "associated" with it only

    def handle(self, req: Request) -> Response:
        request_id = os.urandom(16).hex()  # 32 lowercase hex digits, like the service's
        path, _, qs = _origin_form(req.target).partition("?")
        query = dict(parse_qsl(qs, keep_blank_values=True))
        sub_id, _, rel = path.lstrip("/").partition("/")
        if sub_id == BLOB_PREFIX:  # storage's query values are percent-encoded only: a '+' is a '+' (block ids)
            return self._blob(req, path, blob_query(qs), request_id)
        fault: Fault | None = None
        route: Route | None = None
        try:
            if not sub_id:
                raise AsmFault(404, "ResourceNotFound", "The requested URI does not represent any resource on the server.")
            if (self.require_cert and not req.client_cert) or (self.subscription and sub_id != self.subscription):
                raise AsmFault(403, "AuthenticationFailed", AUTH_FAILED)
            if not _VERSION.fullmatch(req.headers.get("x-ms-version", "")):
                raise AsmFault(
                    400,
                    "MissingOrIncorrectVersionHeader",
                    "The versioning header is not specified or was specified incorrectly.",
                )
            route, params = match("GET" if req.method == "HEAD" else req.method, rel, query)
            fault = self.faults.decide(route.operation)
            reply = self._run(route.operation, fault, sub_id, params, query, req, request_id)
        except AsmFault as err:
            reply = Reply(err.status, error_body(err.code, err.message))
            if err.retry_after is not None:
                reply.headers["Retry-After"] = str(err.retry_after)
        except Exception as exc:  # noqa: BLE001 - an emulator bug: answer like the service would, and say so in the log
            reply = Reply(500, error_body("InternalError", "The server encountered an internal error. Please retry the request."))
            if self.log is not None:
                # The exception's message may quote request data: name the type and where it was raised.
                frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
                at = f" at {os.path.basename(frame.filename)}:{frame.lineno}" if frame else ""
                self.log(f"internal error handling {req.method} {_shown(route, rel)}: {type(exc).__name__}{at}")
        response = _response(reply, request_id)
        if fault is not None and fault.kind in ("drop-before", "drop-after"):
            response.drop = True
        if fault is not None and fault.kind == "slow":
            response.delay = fault.delay
        self._log(req.method, _shown(route, rel), response, fault)
        return response

    def _run(
        self, operation: str, fault: Fault | None, sub_id: str, params: dict[str, str], query: dict[str, str],
        req: Request, request_id: str,
    ) -> Reply:  # fmt: skip
        if fault is not None and fault.kind == "error":
            raise AsmFault(fault.status, fault.code, fault.message, retry_after=fault.retry_after)
        if fault is not None and fault.kind == "drop-before":
            return Reply(500)  # never sent: the server closes the connection instead
        with self.state.lock:
            if fault is not None and fault.kind == "op-fail":
                self.state.doomed[request_id] = (500, "InternalError", "The operation failed with an internal error.")
            try:
                sub = self.state.subscription(sub_id)
                sub.settle()
                return HANDLERS[operation](Context(sub, params, query, req.body, request_id, req.base))
            finally:
                self.state.doomed.pop(request_id, None)

    def _blob(self, req: Request, path: str, query: dict[str, str], request_id: str) -> Response:
        """A request to the blob service (``blobservice``), logged without the names it carries."""
        stream: Readable = req.stream if req.stream is not None else io.BytesIO(req.body)
        try:
            reply = serve_blob(self.state.blobs, self.state.storage_keys, req.method, path, query, req.headers,
                               stream, request_id)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - an emulator bug: a 500, named in the log
            reply = BlobReply(500, [("x-ms-error-code", "InternalError"), ("x-ms-request-id", request_id)])
            if self.log is not None:
                self.log(f"internal error handling {req.method} /blob/*: {type(exc).__name__}")
        response = Response(reply.status, reply.headers, reply.body)
        if self.log is not None:
            self.log(f"{req.method} /blob/* {reply.status} {request_id}")
        return response

    def _log(self, method: str, shown: str, response: Response, fault: Fault | None) -> None:
        if self.log is None:
            return
        line = f"{method} {shown} {response.status} {response.request_id}"
        if fault is not None:
            line += f" fault={fault.label} applied={'yes' if fault.applied else 'no'}"
        self.log(line)

    # -- WSGI ----------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """WSGI adapter; a dropped connection becomes an empty 500 (WSGI cannot close a socket)."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        target = environ.get("PATH_INFO", "/") + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        base = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '127.0.0.1')}"
        resp = self.handle(Request(environ["REQUEST_METHOD"], target, headers, body, base))
        if resp.delay:
            time.sleep(resp.delay)
        status = 500 if resp.drop else resp.status
        start_response(f"{status} {HTTPStatus(status).phrase}", [] if resp.drop else resp.headers)
        return [b"" if resp.drop else resp.body]


def _origin_form(target: str) -> str:
    """The path and query of a request target, also when it came in absolute form."""
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return target


def _shown(route: Route | None, rel: str) -> str:
    """A request path as logged: the route's template, or the known words of an unserved path
    (anything else, a name or the subscription id, is a ``*``)."""
    if route is not None:
        return f"/<subscription>/{route.template}"
    words = [s if known_segment(s) else "*" for s in rel.split("/")] if rel else []
    return "/".join(["", "<subscription>", *words])


def _response(reply: Reply, request_id: str) -> Response:
    headers = [("Cache-Control", "no-cache")]
    if reply.body:
        headers.append(("Content-Type", "application/xml; charset=utf-8"))
    headers.extend(reply.headers.items())
    headers.append(("x-ms-request-id", request_id))
    headers.append(("x-ms-servedbyregion", "local"))
    return Response(reply.status, headers, reply.body)
