"""The emulator parses request headers itself (``server._parse_fields``), not through the ``email``
package: what a handler sees must be exactly what ``http.client.parse_headers`` would have given,
for any header block a client can send, and the server must still answer over a real socket with
the standard limits (431 for a header line too long or too many headers, Connection: close).
"""

from __future__ import annotations

import http.client
import io
import socket

from hypothesis import given, settings
from hypothesis import strategies as st

from smflow.emulator.server import EmulatorServer, _Headers, _parse_fields

SUB = "00000000-0000-0000-0000-000000000000"

_name = st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"), min_size=1, max_size=12)
_value = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=20).map(lambda v: v[:2] + "\r" + v[2:] if len(v) % 7 == 3 else v)
_line = st.one_of(
    st.tuples(_name, _value).map(lambda nv: f"{nv[0]}:{nv[1]}\r\n"),
    st.tuples(_name, _value).map(lambda nv: f"{nv[0]}: {nv[1]}\r\n"),
    _value.map(lambda v: f" {v}\r\n"),  # a folded continuation line
    _value.map(lambda v: f"\t{v}\r\n"),
    _value.map(lambda v: f"From {v}\r\n"),
    _value.map(lambda v: f"no colon {v}\r\n"),  # not a field: the header block ends here
    st.sampled_from(["Connection: close\r\n", "connection: Keep-Alive\r\n", "X-MS-Version: 2014-10-01\r\n",
                     "Content-Length: 3\r\n", "content-length: 4\r\n", ": nameless\r\n"]),
)


def _both(lines: list[str]) -> tuple[http.client.HTTPMessage, _Headers]:
    raw = "".join(lines).encode("iso-8859-1") + b"\r\n"
    reference = http.client.parse_headers(io.BytesIO(raw))
    ours = _Headers(_parse_fields(http.client._read_headers(io.BytesIO(raw))))  # type: ignore[attr-defined]
    return reference, ours


@settings(max_examples=400, deadline=None)
@given(st.lists(_line, max_size=12))
def test_fields_are_what_http_client_parses(lines: list[str]) -> None:
    reference, ours = _both(lines)
    assert ours.items() == list(reference.items())
    for name, _ in reference.items():
        for spelled in (name, name.lower(), name.upper()):
            assert ours.get(spelled) == reference.get(spelled)
    assert ours.get("Absent-Header") is None and ours.get("Absent-Header", "x") == "x"


def test_folded_duplicate_and_envelope_lines() -> None:
    reference, ours = _both(["From someone\r\n", "X-A: one\r\n", " two\r\n", "x-a: three\r\n", "Host: h\r\n"])
    assert ours.items() == list(reference.items()) == [("X-A", "one\r\n two"), ("x-a", "three"), ("Host", "h")]
    assert ours.get("X-A") == reference.get("X-A") == "one\r\n two"


def _exchange(url: str, raw: bytes) -> bytes:
    host, port = url.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(raw)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_server_keeps_the_standard_header_limits_and_connection_close() -> None:
    with EmulatorServer(latency=0) as server:
        ok = _exchange(server.url, f"GET /{SUB}/locations HTTP/1.1\r\nHost: x\r\nx-ms-version: 2014-10-01\r\n"
                                   "Connection: close\r\n\r\n".encode())
        assert ok.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\nConnection: close\r\n" in ok and b"<Locations" in ok
        too_long = _exchange(server.url, f"GET /{SUB}/locations HTTP/1.1\r\nX-Big: {'a' * 70000}\r\n\r\n".encode())
        assert too_long.startswith(b"HTTP/1.1 431 ")
        many = "".join(f"X-{n}: v\r\n" for n in range(101))
        too_many = _exchange(server.url, f"GET /{SUB}/locations HTTP/1.1\r\n{many}\r\n".encode())
        assert too_many.startswith(b"HTTP/1.1 431 ")
        bad_version = _exchange(server.url, f"GET /{SUB}/locations HTTP/x\r\n\r\n".encode())
        assert b"Error code: 400" in bad_version  # an HTTP/0.9-style answer, as http.server gives it
