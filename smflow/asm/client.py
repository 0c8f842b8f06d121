"""``ServiceManagementClient``: an operation call in, a request out; a response in, a model out.

Policy-free on purpose: no retrying and no sleeping (the executor owns both, with the
``retry_after`` this module parses). Every call is checked against the catalogue before anything
is sent (``ArgumentError`` naming the argument), then built by ``build_request`` (which
``smflow plan`` also uses, to show what would be sent without sending it), sent through a
``Transport``, and mapped: 2xx → the model, or ``AsynchronousOperationResult`` for writes (all
of them, including the affinity-group calls for which the SDK returns None: SDK bug 5); ≥ 300 →
``NotFoundError`` (404), ``ConflictError`` (409) or ``ApiError``, carrying the HTTP status, the
ASM code and message from ``<Error>``, the ``x-ms-request-id``, the operation and Retry-After.

The subscription id is part of every URL but never of a repr or an error message.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from smflow.asm import models as m
from smflow.asm import xml
from smflow.asm.catalogue import CATALOGUE, OperationSpec, validate_arguments
from smflow.asm.operations import OperationMethods
from smflow.asm.transport import (
    CONTENT_TYPE,
    USER_AGENT,
    X_MS_VERSION,
    HttpRequest,
    HttpResponse,
    Transport,
)
from smflow.errors import ApiError, ArgumentError, ConflictError, NotFoundError, UsageError

__all__ = ["DEFAULT_ENDPOINT", "REDACTED", "ServiceManagementClient", "redact_arguments"]

DEFAULT_ENDPOINT = "https://management.core.windows.net"
REDACTED = "***"
_SAFE = "()$=',"  # the SDK's safe characters, minus "/": a value stays one path segment


def redact_arguments(spec: OperationSpec, arguments: Mapping[str, object]) -> dict[str, object]:
    """A copy of ``arguments`` with secret values (and secret record fields, nested) masked."""

    def scrub(value: object, fields: frozenset[str]) -> object:
        if isinstance(value, Mapping):
            return {k: (REDACTED if k in fields and v is not None else scrub(v, fields)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [scrub(v, fields) for v in value]
        return value

    out: dict[str, object] = {}
    for name, value in arguments.items():
        arg = spec.argument(name)
        if arg is not None and arg.secret and value is not None:
            out[name] = REDACTED
        else:
            out[name] = scrub(value, arg.secret_fields) if arg is not None else value
    return out


class ServiceManagementClient(OperationMethods):
    """The classic Azure Service Management API, one method per operation of Microsoft's guide.

    ``endpoint`` may be ``http://127.0.0.1:PORT`` for the local emulator. Authentication is the
    management certificate: one PEM file holding certificate and key (``cert_file``), or two.
    """

    def __init__(
        self,
        subscription_id: str,
        cert_file: str | None = None,
        key_file: str | None = None,
        endpoint: str = DEFAULT_ENDPOINT,
        timeout: float = 65.0,
        transport: Transport | None = None,
        verify: bool | str = True,
    ) -> None:
        if not subscription_id or "/" in subscription_id:
            raise UsageError("a subscription id is required (and cannot contain '/')")
        if not re.match(r"https?://[^/]+", endpoint):
            raise UsageError(f"endpoint must be an http:// or https:// URL, got {endpoint!r}")
        self._subscription_id = subscription_id
        self.endpoint = endpoint.rstrip("/")
        if transport is None:
            from smflow.asm.transport import RequestsTransport

            transport = RequestsTransport(cert_file, key_file, verify=verify, timeout=timeout)
        self.transport: Transport = transport

    def __repr__(self) -> str:
        return f"ServiceManagementClient(subscription_id='***', endpoint={self.endpoint!r})"

    # --- requests -------------------------------------------------------------------------

    def _spec(self, operation: str) -> OperationSpec:
        spec = CATALOGUE.get(operation)
        if spec is None:
            raise ArgumentError(operation, None, f"unknown operation '{operation}'")
        return spec

    def build_request(self, operation: str, arguments: Mapping[str, object], *, redact: bool = False) -> HttpRequest:
        """The exact request ``call`` would send. ``redact=True`` masks secrets and the subscription."""
        spec = self._spec(operation)
        problems = validate_arguments(spec, arguments)
        if problems:
            name, message = problems[0]
            raise ArgumentError(operation, name, message)
        args: dict[str, object] = {}
        for a in spec.arguments:
            value = arguments.get(a.name)
            args[a.name] = a.default if value is None else value
        if redact:
            args = redact_arguments(spec, args)
        path = re.sub(r"{(\w+)}", lambda mt: quote(str(args[mt.group(1)]), safe=_SAFE), spec.path)
        query: list[str] = []
        for arg in spec.arguments:
            value = args.get(arg.name)
            if arg.query_name and value is not None:
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                query.append(f"{arg.query_name}={quote(text, safe='')}")
            elif arg.query_flag and value is True:
                query.append(arg.query_flag)
        if query:
            path += ("&" if "?" in path else "?") + "&".join(query)
        subscription = "<subscription-id>" if redact else quote(self._subscription_id, safe="")
        # A few operations need a newer API version than the rest (reserved IP association, image replication).
        headers = {"x-ms-version": str(spec.extra.get("x_ms_version", X_MS_VERSION)), "User-Agent": USER_AGENT}
        body = xml.encode_request(operation, args, spec.body_root)
        if spec.method != "GET":
            headers["Content-Type"] = CONTENT_TYPE
            headers["Content-Length"] = str(len(body or b""))
        url = f"{self.endpoint}/{subscription}" + (f"/{path}" if path else "")  # get_subscription: GET /<subscription>
        return HttpRequest(spec.method, url, headers, body)

    def call(self, operation: str, arguments: Mapping[str, object], *,
             before_send: Callable[[], None] | None = None, timeout: float | None = None) -> Any:
        """Run one operation with keyword-style arguments; the executor's entry point.
        ``before_send`` runs right before the request leaves and ``timeout`` bounds the whole
        exchange (see ``Transport``)."""
        spec = self._spec(operation)
        request = self.build_request(operation, arguments)
        response = self.transport.send(request, before_send, timeout=timeout)
        if not 200 <= response.status < 300:
            raise _error(spec, response)
        _check_success(spec, response)
        if spec.effect == "read":
            return xml.decode_response(operation, response.body)
        body = xml.decode_response(operation, response.body) if operation in _WRITES_WITH_BODY and response.body.strip() else None
        return m.AsynchronousOperationResult(request_id=response.header("x-ms-request-id"), body=body,
                                             http_status=response.status)


# Writes whose answer carries the resource they made or changed (result.body).
_WRITES_WITH_BODY = frozenset({"add_os_image", "update_os_image", "update_os_image_from_image_reference"})


def _error(spec: OperationSpec, response: HttpResponse) -> ApiError:
    parsed = xml.decode_error(response.body)
    if parsed is not None:
        code, message = parsed
    else:
        code, message = None, _describe_non_error(response)
    cls = {404: NotFoundError, 409: ConflictError}.get(response.status, ApiError)
    return cls(
        message or response.reason or "error",
        status=response.status,
        code=code,
        request_id=response.header("x-ms-request-id"),
        operation=spec.name,
        retry_after=parse_retry_after(response.header("retry-after")),
    )


def _check_success(spec: OperationSpec, response: HttpResponse) -> None:
    """A 2xx that is not what the Service Management API sends is not a success: a captive portal
    or a proxy's HTML page answers 200, and a 202 without ``x-ms-request-id`` leaves nothing to
    poll, so the operation's end could never be known."""
    body = response.body
    kind = (response.header("content-type") or "").split(";")[0].strip().lower()
    if body.strip() and ((kind and "xml" not in kind) or _looks_like_html(body)):
        raise ApiError(
            f"expected XML from the Service Management API, got {kind or 'HTML'} "
            f"({_describe_non_error(response)})",
            status=response.status, request_id=response.header("x-ms-request-id"), operation=spec.name,
        )
    if spec.asynchronous and response.status == 202 and not response.header("x-ms-request-id"):
        raise ApiError(
            "the service accepted the request (HTTP 202) but sent no x-ms-request-id, so the operation "
            "cannot be followed to its end",
            status=response.status, operation=spec.name,
        )


def _looks_like_html(body: bytes) -> bool:
    head = body[:256].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _describe_non_error(response: HttpResponse) -> str:
    """One line about a body that is not an ASM <Error> (a proxy's HTML page, nothing at all)."""
    kind = (response.header("content-type") or "no content type").split(";")[0]
    if not response.body.strip():
        return f"{response.reason or 'error'} (empty body)"
    title = re.search(rb"<title[^>]*>([^<]{1,200})</title>", response.body[:65536], re.IGNORECASE)
    what = title.group(1).decode("utf-8", "replace").strip() if title else (response.reason or "error")
    return f"{what} (not an ASM error: {kind}, {len(response.body)} bytes)"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    import email.utils  # only for an HTTP-date Retry-After: it imports socket and the email package

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
