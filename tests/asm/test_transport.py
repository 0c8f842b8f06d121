"""RequestsTransport against real loopback servers: client-certificate TLS, redirects, caps, timeouts."""

from __future__ import annotations

import http.server
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import trustme

from smflow.asm import ServiceManagementClient
from smflow.asm.transport import HttpRequest, RequestsTransport
from smflow.errors import ApiError, TransportError

SUB = "00000000-1111-2222-3333-444444444444"
OPERATION = (b'<Operation xmlns="http://schemas.microsoft.com/windowsazure"><ID>a</ID><Status>Succeeded</Status>'
             b"<HttpStatusCode>200</HttpStatusCode></Operation>")


class Handler(http.server.BaseHTTPRequestHandler):
    """Behaviour per path, chosen by the test through ``server.behave``."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _handle(self) -> None:
        server: Any = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        server.seen.append({"method": self.command, "path": self.path, "body": body, "peer": peer,
                            "headers": dict(self.headers)})
        server.behave(self)

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815 - http.server names them so


def reply(status: int, body: bytes = b"", **headers: str) -> Callable[[Handler], None]:
    def behave(h: Handler) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k.replace("_", "-"), v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return behave


@contextmanager
def serve(behave: Callable[[Handler], None], tls: ssl.SSLContext | None = None) -> Iterator[Any]:
    server: Any = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.behave, server.seen = behave, []
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def url(server: Any, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{server.server_address[1]}"


# --- TLS with a management certificate ------------------------------------------------------------

@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    ca = trustme.CA()
    other_ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1")
    client_cert = ca.issue_cert("mgmt-client@example.com")
    d: Path = tmp_path_factory.mktemp("pki")
    files = {
        "ca": d / "ca.pem", "other_ca": d / "other-ca.pem", "combined": d / "client.pem",
        "cert": d / "client-cert.pem", "key": d / "client-key.pem",
    }
    ca.cert_pem.write_to_path(str(files["ca"]))
    other_ca.cert_pem.write_to_path(str(files["other_ca"]))
    client_cert.private_key_and_cert_chain_pem.write_to_path(str(files["combined"]))
    client_cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    client_cert.private_key_pem.write_to_path(str(files["key"]))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(ctx)
    ca.configure_trust(ctx)
    ctx.verify_mode = ssl.CERT_REQUIRED
    return {"ctx": ctx, **{k: str(v) for k, v in files.items()}}


def _peer_name(seen: dict[str, Any]) -> str:
    return dict(x[0] for x in seen["peer"]["subject"]).get("organizationalUnitName", "") + "|" + str(seen["peer"])


@pytest.mark.parametrize("two_files", [False, True], ids=["one-pem", "cert-and-key"])
def test_client_certificate_is_presented_and_server_verified(pki: dict[str, Any], two_files: bool) -> None:
    with serve(reply(200, OPERATION, x_ms_request_id="f" * 32), tls=pki["ctx"]) as server:
        files = (pki["cert"], pki["key"]) if two_files else (pki["combined"], None)
        client = ServiceManagementClient(SUB, cert_file=files[0], key_file=files[1], endpoint=url(server, "https"),
                                         verify=pki["ca"], timeout=20)
        op = client.get_operation_status("abc")
    assert op.status == "Succeeded"
    [seen] = server.seen
    assert "mgmt-client@example.com" in _peer_name(seen)  # the server saw our certificate
    assert seen["path"] == f"/{SUB}/operations/abc" and seen["headers"]["x-ms-version"] == "2014-10-01"


def test_untrusted_server_is_refused(pki: dict[str, Any]) -> None:
    with serve(reply(200, OPERATION), tls=pki["ctx"]) as server:
        client = ServiceManagementClient(SUB, cert_file=pki["combined"], endpoint=url(server, "https"),
                                         verify=pki["other_ca"], timeout=20)
        with pytest.raises(TransportError) as info:
            client.get_operation_status("abc")
    assert "TLS error with https://127.0.0.1:" in str(info.value) and SUB not in str(info.value)
    assert server.seen == []


def test_missing_client_certificate_is_refused_by_the_server(pki: dict[str, Any]) -> None:
    with serve(reply(200, OPERATION), tls=pki["ctx"]) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server, "https"), verify=pki["ca"], timeout=20)
        with pytest.raises(TransportError):
            client.get_operation_status("abc")
    assert server.seen == []


def test_unreadable_certificate_file(tmp_path: Path) -> None:
    transport = RequestsTransport(cert_file=str(tmp_path / "missing.pem"), timeout=5)
    with pytest.raises(TransportError):
        transport.send(HttpRequest("GET", "https://127.0.0.1:9/x"))


# --- redirects, caps, timeouts, refusals ------------------------------------------------------------

def test_307_keeps_method_body_and_is_bounded() -> None:
    def behave(h: Handler) -> None:
        if h.path.startswith("/moved"):
            reply(202, x_ms_request_id="a" * 32)(h)
        else:
            reply(307, location=f"/moved{h.path}")(h)

    with serve(behave) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        result = client.swap_deployment("svc", "blue", "green")
    assert result.request_id == "a" * 32
    first, second = server.seen
    assert second["method"] == "POST" and second["path"] == f"/moved/{SUB}/services/hostedservices/svc"
    assert second["body"] == first["body"] and b"<Production>blue</Production>" in second["body"]

    with serve(lambda h: reply(307, location=h.path)(h)) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        with pytest.raises(TransportError, match="more than 5 redirects"):
            client.list_locations()
    assert len(server.seen) == 6


def test_body_size_cap_streams_and_stops() -> None:
    chunk = b"x" * 65536

    def endless(h: Handler) -> None:  # no Content-Length: chunked, far more than the cap
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for _ in range(200):
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up, as it should

    with serve(endless) as server:
        transport = RequestsTransport(timeout=20, max_response_bytes=1024 * 1024)
        with pytest.raises(ApiError, match="over the 1048576-byte limit"):
            transport.send(HttpRequest("GET", url(server) + "/big"))
    with serve(reply(200, b"y" * 2_000_000)) as server:
        transport = RequestsTransport(timeout=20, max_response_bytes=1024 * 1024)
        with pytest.raises(ApiError, match="response body of 2000000 bytes is over"):
            transport.send(HttpRequest("GET", url(server) + "/declared"))


def test_timeout_is_flagged() -> None:
    release = threading.Event()

    def slow(h: Handler) -> None:
        release.wait(10)
        reply(200)(h)

    with serve(slow) as server:
        transport = RequestsTransport(timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TransportError) as info:
            transport.send(HttpRequest("GET", url(server) + f"/{SUB}/locations"))
        release.set()
    assert info.value.timeout is True and time.monotonic() - started < 10
    assert SUB not in str(info.value)


def test_connection_refused() -> None:
    with serve(reply(200)) as server:
        port = server.server_address[1]
    transport = RequestsTransport(timeout=5)
    with pytest.raises(TransportError, match=f"could not connect to http://127.0.0.1:{port}") as info:
        transport.send(HttpRequest("GET", f"http://127.0.0.1:{port}/{SUB}/locations"))
    assert info.value.timeout is False and SUB not in str(info.value)
    assert isinstance(info.value.__cause__, Exception)


def test_plain_http_to_an_emulator_like_endpoint() -> None:
    with serve(reply(404, b"<Error><Code>ResourceNotFound</Code><Message>nope</Message></Error>",
                     x_ms_request_id="b" * 32)) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        with pytest.raises(ApiError) as info:
            client.get_hosted_service_properties("svc", embed_detail=True)
    assert (info.value.status, info.value.code, info.value.request_id) == (404, "ResourceNotFound", "b" * 32)
    assert server.seen[0]["path"] == f"/{SUB}/services/hostedservices/svc?embed-detail=true"


def test_loopback_bypasses_environment_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(reply(200, OPERATION)) as dead:
        dead_port = dead.server_address[1]
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(var, f"http://127.0.0.1:{dead_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with serve(reply(200, OPERATION)) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        assert client.get_operation_status("abc").status == "Succeeded"


def test_transport_adds_the_version_header_and_content_type() -> None:
    with serve(reply(200)) as server:
        transport = RequestsTransport(timeout=20)
        transport.send(HttpRequest("DELETE", url(server) + "/x"))
        transport.send(HttpRequest("GET", url(server) + "/y"))
    delete, get = server.seen
    assert delete["headers"]["x-ms-version"] == get["headers"]["x-ms-version"] == "2014-10-01"
    assert delete["headers"]["Content-Type"] == "application/atom+xml;type=entry;charset=utf-8"
    assert delete["headers"]["Content-Length"] == "0" and "Content-Type" not in get["headers"]


# --- redirects that would carry the request elsewhere, and answers that are not the API's -----------

def test_redirect_to_another_host_is_refused_and_nothing_is_resent() -> None:
    with serve(reply(202, x_ms_request_id="c" * 32)) as elsewhere:
        target = url(elsewhere).replace("127.0.0.1", "localhost")  # same machine, another host name
        with serve(lambda h: reply(307, location=f"{target}{h.path}")(h)) as server:
            client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
            with pytest.raises(TransportError, match="refused a redirect .* to another host") as info:
                client.change_deployment_configuration("svc", "v1", "PFNlcnZpY2VDb25maWd1cmF0aW9uLz4=")
    assert elsewhere.seen == [] and len(server.seen) == 1
    assert "its body and the subscription id" in str(info.value) and SUB not in str(info.value)


def test_redirect_from_https_to_http_is_refused(pki: dict[str, Any]) -> None:
    with serve(reply(200, OPERATION)) as plain:
        port = plain.server_address[1]
        with serve(lambda h: reply(307, location=f"http://127.0.0.1:{port}{h.path}")(h), tls=pki["ctx"]) as server:
            client = ServiceManagementClient(SUB, cert_file=pki["combined"], endpoint=url(server, "https"),
                                             timeout=20, verify=pki["ca"])
            with pytest.raises(TransportError, match="unencrypted"):
                client.get_operation_status("abc")
    assert plain.seen == [] and len(server.seen) == 1


def test_a_200_html_page_is_not_a_success() -> None:
    page = b"<!DOCTYPE html><html><head><title>Sign in to the proxy</title></head><body></body></html>"
    with serve(reply(200, page, content_type="text/html; charset=utf-8")) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        with pytest.raises(ApiError, match="expected XML from the Service Management API, got text/html"
                                           r" \(Sign in to the proxy") as read:
            client.get_operation_status("abc")
        with pytest.raises(ApiError, match="got text/html") as write:
            client.delete_deployment("svc", "v1")
    assert read.value.status == write.value.status == 200
    with serve(reply(200, page)) as server:  # no Content-Type at all: the body says what it is
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        with pytest.raises(ApiError, match="expected XML"):
            client.list_locations()


def test_an_asynchronous_write_accepted_without_a_request_id_fails() -> None:
    with serve(reply(202)) as server:
        client = ServiceManagementClient(SUB, endpoint=url(server), timeout=20)
        with pytest.raises(ApiError, match="HTTP 202.* no x-ms-request-id") as info:
            client.swap_deployment("svc", "blue", "green")
    assert info.value.operation == "swap_deployment"


def test_a_usable_management_certificate_has_no_problem(pki: dict[str, Any], tmp_path: Path) -> None:
    from smflow.asm.transport import client_certificate_problem

    assert client_certificate_problem(pki["combined"]) is None
    assert client_certificate_problem(pki["cert"], pki["key"]) is None
    assert "not a PEM certificate and its private key" in (client_certificate_problem(pki["cert"]) or "")
    assert "cannot read" in (client_certificate_problem(str(tmp_path / "missing.pem")) or "")
