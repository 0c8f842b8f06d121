"""``EmulatorServer``: the emulator on a loopback socket, in-process, with a clean start and stop.

Standard library only: a threading ``HTTPServer`` speaking HTTP/1.1 with keep-alive (one thread
per connection), each response written in a single send with TCP_NODELAY so a keep-alive client
is never stalled by Nagle. ``start()`` returns the base URL once the serving thread runs;
``stop()`` shuts the loop down, closes every open connection and joins every thread, so a test
leaves nothing behind. With ``tls`` it serves HTTPS and asks for a client certificate: one not
signed by the configured CA fails the handshake; none at all gets 403 AuthenticationFailed.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any

from smflow.emulator.app import EmulatorApp, Request
from smflow.emulator.blobservice import BoundedReader, is_blob_request
from smflow.emulator.faults import FaultPlan, ScriptedFault
from smflow.emulator.state import EmulatorState
from smflow.emulator.wire import error_body
from smflow.errors import UsageError

__all__ = ["MAX_REQUEST_BYTES", "EmulatorServer", "StateCodec", "TlsConfig"]

# (encode, decode) of a saved snapshot: how a run keeps its secrets out of the state file.
StateCodec = tuple[Callable[[Any], Any], Callable[[Any], Any]]

# The largest body an ASM request needs is a create_deployment's base64 service configuration
# (kilobytes); a bigger one is answered 413 without being kept: one 100 MB POST used to take the
# emulator to 3.3 GB.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
_DRAIN_LIMIT = 256 * 1024 * 1024  # a refused body up to this size is read and dropped, so the client sees the 413


@dataclass(frozen=True)
class TlsConfig:
    cert_file: str | Path  # the server's certificate chain (PEM)
    key_file: str | Path
    client_ca_file: str | Path | None = None  # when set, clients must present a certificate it signed

    def context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        def no_pass_phrase() -> bytes:  # an encrypted key is an error, never a prompt on the terminal
            raise UsageError(f"the TLS private key {self.key_file} is encrypted, and smflow never asks for a "
                             "pass phrase: give it a key file without one")

        ctx.load_cert_chain(str(self.cert_file), str(self.key_file), password=no_pass_phrase)
        if self.client_ca_file is not None:
            ctx.load_verify_locations(str(self.client_ca_file))
            ctx.verify_mode = ssl.CERT_OPTIONAL  # no certificate → 403 from the app, a bad one → handshake fails
        return ctx


class _Headers:
    """A request's header fields as ``http.client.parse_headers`` gives them (``get`` is
    case-insensitive and returns the first value; ``items`` keeps every field in order), without
    the ``email`` parser it builds them with, which was a third of the emulator's time per request."""

    __slots__ = ("_fields", "_first")

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields
        self._first: dict[str, str] = {}
        for name, value in fields:
            self._first.setdefault(name.lower(), value)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._first.get(name.lower(), default)

    def items(self) -> list[tuple[str, str]]:
        return list(self._fields)

    def __getitem__(self, name: str) -> str | None:
        return self._first.get(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._first


# How the email parser behind ``http.client.parse_headers`` cuts and recognises lines
# (``email.feedparser``: NLCRE_crack and headerRE): a line ends at CRLF, CR or LF; a field starts
# with a name of printable characters up to a colon, a folded line with a space or tab.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_HEADER_LINE = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")


def _parse_fields(raw: list[bytes]) -> list[tuple[str, str]]:
    """Header fields from the raw lines ``http.client`` read, exactly as ``email.feedparser``
    (compat32 policy) makes them: the block ends at the first line that cannot start a field; a
    folded line joins the field before it; a ``From `` envelope line or a nameless field is
    dropped; a value loses its leading blanks and its last line end."""
    block: list[str] = []
    for line in _LINES.findall(b"".join(raw).decode("iso-8859-1")):
        if not _HEADER_LINE.match(line):
            break
        block.append(line)
    fields: list[list[str]] = []
    current: list[str] | None = None
    for line in block:
        if line[0] in " \t":
            if current is not None:
                current.append(line)
            continue
        if current is not None:
            fields.append(current)
            current = None
        if line.startswith("From "):
            continue
        if line.startswith(":"):
            continue
        current = [line]
    if current is not None:
        fields.append(current)
    parsed = []
    for first, *folded in fields:
        name, _, value = first.partition(":")
        parsed.append((name, (value.lstrip(" \t") + "".join(folded)).rstrip("\r\n")))
    return parsed


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "smflow-emulator"
    timeout = 60  # an idle keep-alive connection is closed after this long
    server: _HttpServer
    raw_requestline: bytes
    _date: tuple[int, str] = (-1, "")  # the Date header of the current second, formatted once

    def parse_request(self) -> bool:
        """``BaseHTTPRequestHandler.parse_request`` (Python 3.11), step for step, except that the
        header block, read by ``http.client``'s own line reader (same limits, same 431 answers),
        is parsed by ``_parse_fields`` rather than the ``email`` package."""
        self.command = None  # type: ignore[assignment]  # set in case of error on the first line
        self.request_version = version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if len(words) == 0:
            return False
        if len(words) >= 3:  # enough to determine the protocol version
            version = words[-1]
            try:
                if not version.startswith("HTTP/"):
                    raise ValueError
                base_version_number = version.split("/", 1)[1]
                numbers = base_version_number.split(".")
                if len(numbers) != 2 or any(not n.isdigit() or len(n) > 10 for n in numbers):
                    raise ValueError
                version_number = int(numbers[0]), int(numbers[1])
            except (ValueError, IndexError):
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request version ({version!r})")
                return False
            if version_number >= (1, 1):
                self.close_connection = False
            if version_number >= (2, 0):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, f"Invalid HTTP version ({base_version_number})")
                return False
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(HTTPStatus.BAD_REQUEST, f"Bad request syntax ({requestline!r})")
            return False
        command, path = words[:2]
        if len(words) == 2:
            self.close_connection = True
            if command != "GET":
                self.send_error(HTTPStatus.BAD_REQUEST, f"Bad HTTP/0.9 request type ({command!r})")
                return False
        self.command, self.path = command, path
        if self.path.startswith("//"):  # gh-87389: never an open redirect
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = _Headers(_parse_fields(http.client._read_headers(self.rfile)))  # type: ignore[assignment,attr-defined]
        except http.client.LineTooLong as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long", str(err))
            return False
        except http.client.HTTPException as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers", str(err))
            return False
        conntype = (self.headers.get("Connection") or "").lower()
        if conntype == "close":
            self.close_connection = True
        elif conntype == "keep-alive":
            self.close_connection = False
        expect = (self.headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version >= "HTTP/1.1":
            return self.handle_expect_100()
        return True

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, add=True)
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client_cert: bool | None = None
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()
            self.client_cert = bool(self.connection.getpeercert())

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: the app writes the one log line per request."""

    def _serve(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True  # where the body ends is unknown: answer, then hang up
            body = error_body("BadRequest", "The request must carry a valid Content-Length header.")
            self._write(400, [("Content-Type", "application/xml; charset=utf-8"), ("x-ms-request-id", os.urandom(16).hex())], body)
            return
        streamed = is_blob_request(self.path)  # blob bytes go to disk in pieces, never whole into memory
        if length > MAX_REQUEST_BYTES and not streamed:
            self._refuse_body(length)
            return
        body = self.rfile.read(length) if length > 0 and not streamed else b""
        stream = BoundedReader(self.rfile, length) if streamed else None
        headers = {k.lower(): v for k, v in self.headers.items()}
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        base = f"{scheme}://{self.headers.get('Host') or self.server.authority}"
        resp = self.server.app.handle(Request(self.command, self.path, headers, body, base, self.client_cert, stream))
        if stream is not None and not stream.drain(_DRAIN_LIMIT):
            self.close_connection = True  # a refused upload too big to read through: answer, then hang up
        if resp.delay:
            time.sleep(resp.delay)
        if resp.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(resp.status, resp.headers, resp.body)

    def _refuse_body(self, length: int) -> None:
        """413 with an ASM <Error>, then hang up. The body is read in small pieces and dropped
        (up to a limit) first: a client still sending gets the answer rather than a reset."""
        self.close_connection = True
        left = length if length <= _DRAIN_LIMIT else 0
        with contextlib.suppress(OSError):
            while left > 0:
                chunk = self.rfile.read(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)
        body = error_body("RequestBodyTooLarge",
                          f"The request body is {length} bytes; the limit is {MAX_REQUEST_BYTES} bytes.")
        self._write(413, [("Content-Type", "application/xml; charset=utf-8"), ("x-ms-request-id", os.urandom(16).hex())],
                    body)

    def _write(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """Status line, headers and body in one send (no Nagle stall on keep-alive connections)."""
        phrase = _PHRASES.get(status) or HTTPStatus(status).phrase
        lines = [f"HTTP/1.1 {status} {phrase}"]
        lines.extend(f"{k}: {v}" for k, v in headers)
        if not any(k == "Content-Length" for k, _ in headers):  # a HEAD may state the size it does not send
            lines.append(f"Content-Length: {len(body)}")
        lines.append(f"Date: {self._date_header()}")
        lines.append(f"Server: {self.server_version}")
        if self.close_connection:
            lines.append("Connection: close")
        sent = b"" if self.command == "HEAD" else body
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + sent)

    def _date_header(self) -> str:
        now = int(time.time())
        if _Handler._date[0] != now:
            _Handler._date = (now, self.date_time_string(now))
        return _Handler._date[1]

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve  # noqa: N815 - http.server's names


class _HttpServer(ThreadingMixIn, HTTPServer):
    daemon_threads = False  # stop() joins them
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: EmulatorApp, tls: ssl.SSLContext | None,
                 on_error: Callable[[str], None] | None) -> None:  # fmt: skip
        super().__init__(address, _Handler, bind_and_activate=False)
        self.app = app
        self.on_error = on_error
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        try:
            self.server_bind()
            if tls is not None:
                self.socket = tls.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.server_activate()
        except BaseException:
            self.server_close()
            raise
        host, port = self.server_address[:2]
        self.authority = f"{host!s}:{port}"

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._conns_lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A failed TLS handshake or a client that went away: one log line, never a traceback."""
        import sys

        err = sys.exc_info()[1]
        if self.on_error is not None and not isinstance(err, ConnectionError | TimeoutError):
            self.on_error(f"connection from {client_address[0]} failed: {type(err).__name__}: {err}")


class EmulatorServer:
    """The emulator, served from a background thread on 127.0.0.1 (port 0: any free port)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 1.0,
        fault_rate: float = 0.0,
        seed: int | None = None,
        state_file: str | Path | None = None,
        tls: TlsConfig | None = None,
        scripted_faults: tuple[ScriptedFault, ...] | list[ScriptedFault] = (),
        log: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        subscription: str | None = None,
        state_codec: StateCodec | None = None,
        keep_storage_keys: bool = True,
    ) -> None:
        self.host, self.port = host, port
        self.tls = tls
        self.log = log
        self.faults = FaultPlan(fault_rate, seed, tuple(scripted_faults))
        self.state = EmulatorState(latency=latency, clock=clock)
        self._store = None
        if state_file is not None:
            from smflow.emulator.persist import StateStore

            self._store = StateStore(Path(state_file), self.state, state_codec, keep_storage_keys)
            self.state.blob_root = Path(f"{state_file}.blobs")
            self._store.load()
        self.app = EmulatorApp(
            self.state, self.faults, log, require_cert=bool(tls and tls.client_ca_file), subscription=subscription
        )
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> str:
        """Bind, start serving, and return the base URL (e.g. ``http://127.0.0.1:54321``)."""
        if self._server is not None:
            return self.url
        ctx = self.tls.context() if self.tls else None
        self._server = _HttpServer((self.host, self.port), self.app, ctx, self.log)
        ready = threading.Event()

        def serve() -> None:
            ready.set()
            assert self._server is not None
            self._server.serve_forever(poll_interval=0.05)

        self._thread = threading.Thread(target=serve, name="smflow-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(5.0):
            self.stop()
            raise RuntimeError("the emulator's serving thread did not start")
        scheme = "https" if ctx else "http"
        self.url = f"{scheme}://{self._server.authority}"
        return self.url

    def stop(self) -> None:
        """Stop serving, close open connections, join every thread. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        store, self._store = self._store, None
        if store is not None:
            try:
                store.save_all()
            finally:
                store.close()

    def reset(self) -> None:
        """Forget every resource and operation, and restart the fault plan (same seed, same faults)."""
        self.state.reset()
        self.faults.reset()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
