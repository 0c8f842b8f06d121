"""A tiny ASM-shaped HTTP server on 127.0.0.1 for recording tests that need no emulator.

It answers like the service does where the recording harness cares: a create returns 202 with
an ``x-ms-request-id`` and a ``Location`` naming the subscription, an operation is polled
InProgress a few times and then Succeeded, and a GET returns XML echoing the subscription id.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

NS = 'xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'


@dataclass
class MiniAsm:
    base_url: str = ""
    polls_before_success: int = 2
    drops: int = 0  # the next N requests to a path holding "/drop" get no answer at all
    polls: dict[str, int] = field(default_factory=dict)
    received: list[tuple[str, str, bytes]] = field(default_factory=list)
    next_id: int = 0


def _handler(state: MiniAsm) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:
            state.received.append(("GET", self.path, b""))
            if "/drop" in self.path and state.drops > 0:
                state.drops -= 1
                self.close_connection = True  # hang up without a status line
                return
            sub, _, rest = self.path.lstrip("/").partition("/")
            if rest.startswith("operations/"):
                op = rest.split("/")[1]
                count = state.polls.get(op, 0)
                state.polls[op] = count + 1
                status = "Succeeded" if count >= state.polls_before_success else "InProgress"
                body = f"<Operation {NS}><ID>{op}</ID><Status>{status}</Status></Operation>"
                self._reply(200, body.encode())
                return
            url = f"https://management.core.windows.net/{sub}/{rest.split('?')[0]}"
            self._reply(200, f"<HostedService {NS}><Url>{url}</Url><ServiceName>svc</ServiceName></HostedService>".encode())

        def do_POST(self) -> None:
            body = self._body()
            state.received.append(("POST", self.path, body))
            sub = self.path.lstrip("/").split("/")[0]
            state.next_id += 1
            request_id = f"{state.next_id:032x}"
            headers = {"x-ms-request-id": request_id, "Location": f"https://management.core.windows.net/subscriptions/{sub}/compute/svc"}
            self._reply(202, b"", headers)

        def do_PUT(self) -> None:
            self.do_POST()

        def do_DELETE(self) -> None:
            self.do_POST()

    return Handler


@pytest.fixture
def mini_asm() -> Iterator[MiniAsm]:
    state = MiniAsm()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
