"""What the emulator takes in: a body over the limit is answered 413 and never held in memory,
an encrypted TLS key is an error rather than a pass-phrase prompt, and latencies are finite."""

from __future__ import annotations

import math
import socket
import tracemalloc
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives import serialization

from smflow.emulator.server import MAX_REQUEST_BYTES, EmulatorServer, TlsConfig
from smflow.errors import UsageError

SUB = "00000000-0000-0000-0000-000000000000"


def _post(port: int, length: int, send: int) -> bytes:
    """POST ``send`` bytes of a body announced as ``length``; the whole answer (the server hangs up)."""
    piece = memoryview(b"a" * (1 << 20))
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST /{SUB}/services/hostedservices HTTP/1.1\r\nHost: 127.0.0.1\r\nx-ms-version: 2014-10-01\r\n"
                     f"Content-Type: application/xml\r\nConnection: close\r\nContent-Length: {length}\r\n\r\n".encode())
        left = send
        try:
            while left > 0:
                n = min(left, len(piece))
                sock.sendall(piece[:n])
                left -= n
        except OSError:
            pass  # the server answered and hung up before the whole body went out
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_body_over_the_limit_is_answered_413_without_being_kept() -> None:
    size = MAX_REQUEST_BYTES * 4  # 64 MiB
    with EmulatorServer(latency=0) as server:
        port = int(server.url.rsplit(":", 1)[1])
        tracemalloc.start()
        try:
            answer = _post(port, size, size)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"<Code>RequestBodyTooLarge</Code>" in body and str(MAX_REQUEST_BYTES).encode() in body
    assert b"Connection: close" in head
    assert peak < 8 * 1024 * 1024, f"{peak / 2**20:.1f} MiB traced while a {size >> 20} MiB body went by"


def test_a_body_announced_far_over_the_limit_is_refused_without_reading_it() -> None:
    with EmulatorServer(latency=0) as server:
        port = int(server.url.rsplit(":", 1)[1])
        answer = _post(port, 10**15, 0)  # a petabyte announced, nothing sent: answered at once
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_body_at_the_limit_still_reaches_the_api() -> None:
    with EmulatorServer(latency=0) as server:
        port = int(server.url.rsplit(":", 1)[1])
        answer = _post(port, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES)
    assert answer.startswith(b"HTTP/1.1 400 ")  # not XML: the API's own answer, not the size limit's


def test_an_encrypted_tls_key_is_an_error_not_a_prompt(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    key = serialization.load_pem_private_key(cert.private_key_pem.bytes(), None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"pass phrase"))
    (tmp_path / "cert.pem").write_bytes(cert.cert_chain_pems[0].bytes())
    (tmp_path / "key.pem").write_bytes(encrypted)
    with pytest.raises(UsageError, match=r"key\.pem is encrypted, and smflow never asks for a pass phrase"):
        TlsConfig(tmp_path / "cert.pem", tmp_path / "key.pem").context()


@pytest.mark.parametrize("latency", [math.nan, math.inf, 1e308, -1.0])
def test_latency_must_be_finite_and_bounded(latency: float) -> None:
    with pytest.raises(UsageError, match="emulator latency must be a number of seconds from 0 to 3600"):
        EmulatorServer(latency=latency)
