"""A step's ``timeout`` bounds every wait inside it, against real misbehaving servers on loopback.

Each server is a plain socket server started by the test: one trickles its answer a byte at a
time (requests' per-read timeout never trips on it), one never answers, one asks to be retried
in three years. The flow runs through ``run_flow`` on the real clock, as ``smflow run`` does.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from smflow.run.api import RunResult, run_flow

OPERATION_ACCEPTED = b"HTTP/1.1 202 Accepted\r\nx-ms-request-id: " + b"a" * 32 + b"\r\nContent-Length: 0\r\n\r\n"
STATUS_ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nContent-Length: 160\r\n\r\n"
                 b'<Operation xmlns="http://schemas.microsoft.com/windowsazure"><ID>' + b"a" * 32
                 + b"</ID><Status>InProgress</Status></Operation>" + b" " * 14)
THROTTLED = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 99999999\r\nContent-Type: application/xml\r\n"
             b"Content-Length: 93\r\n\r\n<Error><Code>ServerBusy</Code><Message>The server is busy."
             b"</Message></Error>" + b" " * 18)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: Any = self.server
        sock: socket.socket = self.request
        sock.settimeout(30)
        try:
            while not server.stop.is_set():
                head = _read_request(sock)
                if head is None:
                    return
                server.seen.append(head.split(b"\r\n", 1)[0].decode())
                if not server.behave(sock, head, server.stop):
                    return
        except OSError:
            return  # the client hung up: what a deadline does


def _read_request(sock: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += sock.recv(65536)
    return head


Behaviour = Callable[[socket.socket, bytes, threading.Event], bool]  # False: close the connection


@contextmanager
def serving(behave: Behaviour) -> Iterator[Any]:
    server: Any = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.behave, server.stop, server.seen = behave, threading.Event(), []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def trickle(answer: bytes, every: float) -> Behaviour:
    """Sends ``answer`` one byte every ``every`` seconds: each read gets data, none ever times out."""
    def behave(sock: socket.socket, head: bytes, stop: threading.Event) -> bool:
        for byte in answer:
            if stop.wait(every):
                return False
            sock.sendall(bytes([byte]))
        return True

    return behave


def silent(sock: socket.socket, head: bytes, stop: threading.Event) -> bool:
    stop.wait(120)
    return False


def run(tmp_path: Path, server: Any, step: str) -> tuple[RunResult, float]:
    """The run's result and how long its one step took (from the step's start, as its deadline
    counts: loading the flow and opening the journal come before it)."""
    flow = tmp_path / "deadline.flow"
    flow.write_text(f'flow deadline "one step with a deadline"\n\n{step}\n')
    started = time.monotonic()
    result = run_flow(flow, endpoint=f"http://127.0.0.1:{server.server_address[1]}",
                      journal_dir=tmp_path / "runs", assume_yes=True)
    assert time.monotonic() - started < 30  # the whole run, set-up included: nothing hung
    return result, result.steps[0].elapsed


def test_a_read_trickled_a_byte_at_a_time_ends_at_the_step_deadline(tmp_path: Path) -> None:
    with serving(trickle(STATUS_ANSWER, every=1.0)) as server:
        result, elapsed = run(tmp_path, server, 'step "look" timeout 5s {\n'
                                                '    get_hosted_service_properties(service_name: "svc")\n}')
    assert result.status == "failed" and result.failed_step == "look"
    assert 4.9 <= elapsed < 5 + 1.0, elapsed
    assert result.error is not None
    assert "step 'look'" in result.error and "get_hosted_service_properties" in result.error
    assert "the step's 5s deadline" in result.error and "no complete answer" in result.error
    assert len(server.seen) == 1  # cut at the deadline: no retry started after it


def test_a_poll_trickled_a_byte_at_a_time_ends_at_the_step_deadline(tmp_path: Path) -> None:
    def accept_then_trickle(sock: socket.socket, head: bytes, stop: threading.Event) -> bool:
        if head.startswith(b"POST"):
            sock.sendall(OPERATION_ACCEPTED)
            return True
        return trickle(STATUS_ANSWER, every=1.0)(sock, head, stop)

    with serving(accept_then_trickle) as server:
        result, elapsed = run(tmp_path, server, 'step "swap" timeout 5s {\n'
                                                '    swap_deployment(service_name: "svc", production: "blue", '
                                                'source_deployment: "green")\n}')
    assert result.status == "failed" and result.failed_step == "swap"
    assert elapsed < 5 + 0.25 + 1.0, elapsed  # the deadline, one poll interval (0.25 s), slack
    assert result.error is not None
    assert "step 'swap'" in result.error and "swap_deployment" in result.error and "5s" in result.error


def test_a_silent_server_costs_the_step_deadline_not_a_minute_per_attempt(tmp_path: Path) -> None:
    with serving(silent) as server:
        result, elapsed = run(tmp_path, server, 'step "look" timeout 2s {\n'
                                                '    list_locations()\n}')
    assert result.status == "failed" and elapsed < 2 + 1.0, elapsed
    assert result.error is not None
    assert "step 'look'" in result.error and "list_locations" in result.error
    assert "the step's 2s deadline" in result.error


def test_a_retry_after_past_the_deadline_ends_the_step_at_once(tmp_path: Path) -> None:
    def throttled(sock: socket.socket, head: bytes, stop: threading.Event) -> bool:
        sock.sendall(THROTTLED)
        return True

    with serving(throttled) as server:
        result, elapsed = run(tmp_path, server, 'step "look" timeout 20s {\n'
                                                '    list_locations()\n}')
    assert result.status == "failed" and elapsed < 3.0, elapsed
    assert len(server.seen) == 1
    assert result.error is not None
    assert "step 'look'" in result.error and "list_locations" in result.error and "ServerBusy" in result.error
    assert "retry after 99999999s, past the step's 20s deadline" in result.error


@pytest.mark.parametrize("every", [0.3])
def test_without_a_step_timeout_the_transport_deadline_is_total(every: float) -> None:
    """The transport's own ``timeout`` is for the whole answer too, not for each read."""
    from smflow.asm.transport import HttpRequest, RequestsTransport
    from smflow.errors import TransportError

    with serving(trickle(STATUS_ANSWER, every=every)) as server:
        transport = RequestsTransport(timeout=1.5)
        started = time.monotonic()
        with pytest.raises(TransportError, match=r"no complete answer from http://127\.0\.0\.1:\d+ within 1\.5s") as info:
            transport.send(HttpRequest("GET", f"http://127.0.0.1:{server.server_address[1]}/sub/operations/x"))
    assert info.value.timeout is True
    assert 1.4 <= time.monotonic() - started < 2.5


def test_a_short_deadline_armed_after_a_long_one_still_fires_on_time() -> None:
    """The watchdog sleeps until the earliest deadline: a later, shorter one must wake it."""
    from smflow.asm.transport import HttpRequest, RequestsTransport
    from smflow.errors import TransportError

    with serving(trickle(STATUS_ANSWER, every=0.3)) as server:  # only the watchdog can cut a trickle
        url = f"http://127.0.0.1:{server.server_address[1]}/sub/operations/x"
        long_one = threading.Thread(target=lambda: pytest.raises(TransportError, RequestsTransport(timeout=8).send,
                                                                 HttpRequest("GET", url)), daemon=True)
        long_one.start()
        time.sleep(0.3)  # the long request is armed and the watchdog asleep for it
        started = time.monotonic()
        with pytest.raises(TransportError, match="within 1s"):
            RequestsTransport(timeout=1).send(HttpRequest("GET", url))
        assert time.monotonic() - started < 2.0
    long_one.join(timeout=10)
