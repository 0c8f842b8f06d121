"""The client: arguments refused before sending, requests built exactly, errors mapped, secrets kept out."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from lxml import etree

from smflow.asm import ServiceManagementClient
from smflow.asm import models as m
from smflow.asm.catalogue import CATALOGUE
from smflow.asm.client import parse_retry_after
from smflow.asm.transport import HttpRequest, HttpResponse
from smflow.errors import ApiError, ArgumentError, ConflictError, NotFoundError, UsageError
from tests.asm.conftest import FakeTransport

SUB = "12345678-aaaa-bbbb-cccc-1234567890ab"
Make = Callable[[Callable[[HttpRequest], HttpResponse]], tuple[ServiceManagementClient, FakeTransport]]


def _never(request: HttpRequest) -> HttpResponse:
    raise AssertionError(f"nothing may be sent, but {request.method} was")


def _answer(status: int, body: bytes = b"", **headers: str) -> Callable[[HttpRequest], HttpResponse]:
    hdrs = {"x-ms-request-id": "0123456789abcdef0123456789abcdef", **{k.replace("_", "-"): v for k, v in headers.items()}}
    return lambda _req: HttpResponse(status, hdrs, body, "Reason")


@pytest.fixture
def client_for() -> Make:
    def make(respond: Callable[[HttpRequest], HttpResponse]) -> tuple[ServiceManagementClient, FakeTransport]:
        transport = FakeTransport(respond)
        return ServiceManagementClient(SUB, transport=transport), transport

    return make


# --- refused before any request ---------------------------------------------------------------

def test_both_location_and_affinity_group_refused_before_sending(client_for: Make) -> None:
    client, transport = client_for(_never)
    with pytest.raises(ArgumentError) as info:
        client.create_hosted_service("svc", "label", location="West US", affinity_group="ag")
    assert info.value.argument == "affinity_group"
    assert str(info.value) == "create_hosted_service(affinity_group): give only one of 'location' or 'affinity_group', not both"
    assert info.value.exit_code == 2 and transport.sent == []


def test_two_character_storage_name_refused(client_for: Make) -> None:
    client, transport = client_for(_never)
    with pytest.raises(ArgumentError) as info:
        client.create_storage_account("ab", "desc", "label", location="West US")
    assert info.value.argument == "service_name"
    assert "service_name must be 3 to 24 lowercase letters and digits, got 'ab'" in str(info.value)
    assert transport.sent == []


def test_missing_required_argument_refused(client_for: Make) -> None:
    client, transport = client_for(_never)
    with pytest.raises(ArgumentError) as info:
        client.call("create_deployment", {"service_name": "svc", "deployment_slot": "staging", "name": "v1",
                                          "package_url": "http://x/p.cspkg", "label": "v1"})
    assert str(info.value) == "create_deployment(configuration): missing required argument 'configuration' (string)"
    with pytest.raises(ArgumentError, match=r"get_role\(role_name\): missing required"):
        client.get_role("svc", "dep", None)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="unknown operation 'nope'"):
        client.call("nope", {})
    assert transport.sent == []


def test_vm_tail_is_keyword_only() -> None:
    """The SDK's role_size-as-8th-positional trap (quirk 6) is a TypeError here, not a crash later."""
    sig = inspect.signature(ServiceManagementClient.create_virtual_machine_deployment)
    kinds = {name: p.kind for name, p in sig.parameters.items()}
    assert kinds["os_virtual_hard_disk"] is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert kinds["network_config"] is kinds["role_size"] is inspect.Parameter.KEYWORD_ONLY
    assert inspect.signature(ServiceManagementClient.create_storage_account).parameters["location"].kind \
        is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_method_signatures_match_the_catalogue(name: str) -> None:
    params = [p for p in inspect.signature(getattr(ServiceManagementClient, name)).parameters.values()
              if p.name != "self"]
    spec = CATALOGUE[name]
    assert [p.name for p in params] == [a.name for a in spec.arguments]
    for p, a in zip(params, spec.arguments, strict=True):
        assert (p.default is inspect.Parameter.empty) == a.required, f"{name}.{a.name}"
        if not a.required:
            assert p.default == a.default, f"{name}.{a.name}"


# --- requests ---------------------------------------------------------------------------------

def test_requests_are_built_exactly(client_for: Make) -> None:
    client, transport = client_for(_answer(201))
    result = client.create_hosted_service("svc", "my label", "a & <b> \"c\"", location="Japan West")
    assert result == m.AsynchronousOperationResult(request_id="0123456789abcdef0123456789abcdef", http_status=201)
    [sent] = transport.sent
    assert sent.method == "POST" and sent.url == f"https://management.core.windows.net/{SUB}/services/hostedservices"
    assert sent.headers["x-ms-version"] == "2014-10-01"
    assert sent.headers["Content-Type"] == "application/atom+xml;type=entry;charset=utf-8"
    assert sent.body == (
        b'<CreateHostedService xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>svc</ServiceName>'
        b"<Label>bXkgbGFiZWw=</Label><Description>a &amp; &lt;b&gt; \"c\"</Description>"
        b"<Location>Japan West</Location></CreateHostedService>"
    )
    assert etree.fromstring(sent.body)[2].text == 'a & <b> "c"'  # escaped, so it round-trips (SDK bug 1)
    assert sent.headers["Content-Length"] == str(len(sent.body))


def test_queries_slots_and_deletes(client_for: Make) -> None:
    client, transport = client_for(_answer(202))
    client.delete_deployment("svc", "dep", delete_vhd=True)
    client.delete_hosted_service("svc")
    client.update_deployment_status("svc", "dep", "Running")
    urls = [r.url.split(SUB)[1] for r in transport.sent]
    assert urls == ["/services/hostedservices/svc/deployments/dep?comp=media", "/services/hostedservices/svc",
                    "/services/hostedservices/svc/deployments/dep/?comp=status"]
    assert transport.sent[0].body is None and transport.sent[0].headers["Content-Length"] == "0"
    assert transport.sent[0].headers["Content-Type"].startswith("application/atom+xml")


def test_get_sends_no_content_type(client_for: Make) -> None:
    body = b'<Operation xmlns="http://schemas.microsoft.com/windowsazure"><ID>x</ID><Status>InProgress</Status></Operation>'
    client, transport = client_for(_answer(200, body))
    op = client.get_operation_status("0123456789abcdef0123456789abcdef")
    assert op == m.Operation(id="x", status="InProgress")
    assert "Content-Type" not in transport.sent[0].headers


def test_failed_operation_status(client_for: Make) -> None:
    body = (b'<Operation xmlns="http://schemas.microsoft.com/windowsazure"><ID>a-b</ID><Status>Failed</Status>'
            b"<HttpStatusCode>409</HttpStatusCode><Error><Code>ConflictError</Code><Message>busy</Message></Error>"
            b"</Operation>")
    client, _ = client_for(_answer(200, body))
    op = client.get_operation_status("ab")
    assert (op.status, op.http_status_code, op.error) == ("Failed", 409, m.OperationError("ConflictError", "busy"))


def test_affinity_group_calls_return_a_request_id(client_for: Make) -> None:
    client, _ = client_for(_answer(201))
    assert client.create_affinity_group("ag", "label", "West US").request_id  # the SDK returns None
    assert client.delete_affinity_group("ag").request_id


def test_path_values_are_quoted(client_for: Make) -> None:
    client, transport = client_for(_answer(404))
    with pytest.raises(NotFoundError):
        client.get_os_image("a b/../c")
    assert transport.sent[0].url.endswith("/services/images/a%20b%2F..%2Fc")


# --- errors -----------------------------------------------------------------------------------

ERROR = (b'<Error xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
         b"<Code>{code}</Code><Message>{message}</Message></Error>")


def _error(code: str, message: str) -> bytes:
    return ERROR.replace(b"{code}", code.encode()).replace(b"{message}", message.encode())


def test_error_mapping(client_for: Make) -> None:
    cases: list[tuple[int, str, type[ApiError]]] = [
        (404, "ResourceNotFound", NotFoundError), (409, "ConflictError", ConflictError),
        (400, "BadRequest", ApiError), (503, "ServerBusy", ApiError),
    ]
    for status, code, cls in cases:
        client, _ = client_for(_answer(status, _error(code, "said the service"), retry_after="7"))
        with pytest.raises(cls) as info:
            client.get_hosted_service_properties("svc")
        err = info.value
        assert type(err) is cls
        assert (err.status, err.code, err.message, err.retry_after) == (status, code, "said the service", 7.0)
        assert err.operation == "get_hosted_service_properties"
        assert err.request_id == "0123456789abcdef0123456789abcdef"
        assert str(err) == (f"get_hosted_service_properties: HTTP {status} {code}: said the service"
                            " (request id 0123456789abcdef0123456789abcdef)")
        assert SUB not in str(err)


def test_proxy_html_error_page(client_for: Make) -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"
    client, _ = client_for(_answer(502, page, content_type="text/html"))
    with pytest.raises(ApiError) as info:
        client.list_locations()
    assert info.value.status == 502 and info.value.code is None
    assert info.value.message == f"502 Bad Gateway (not an ASM error: text/html, {len(page)} bytes)"


def test_empty_error_and_unfollowed_redirect(client_for: Make) -> None:
    client, _ = client_for(_answer(500))
    with pytest.raises(ApiError, match=r"HTTP 500 Reason \(empty body\)"):
        client.list_locations()
    client, _ = client_for(_answer(307, location="https://elsewhere/"))
    with pytest.raises(ApiError) as info:
        client.list_locations()
    assert info.value.status == 307


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 30.0
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


# --- secrets ----------------------------------------------------------------------------------

def test_subscription_is_never_in_a_repr(client_for: Make) -> None:
    client, _ = client_for(_never)
    assert SUB not in repr(client) and "***" in repr(client)
    request = client.build_request("list_locations", {})
    assert SUB in request.url and SUB not in repr(request)


def test_build_request_redacts_secrets(client_for: Make) -> None:
    client, transport = client_for(_never)
    args: dict[str, Any] = dict(
        service_name="svc", deployment_name="d", deployment_slot="Production", label="l", role_name="vm",
        vm_image_name="img", system_config={"type": "linux", "host_name": "h", "user_name": "u",
                                            "user_password": "Hunter2!", "custom_data": "#!/bin/sh"})
    plain = client.build_request("create_virtual_machine_deployment", args)
    assert plain.body is not None and b"Hunter2!" in plain.body
    shown = client.build_request("create_virtual_machine_deployment", args, redact=True)
    assert shown.body is not None and b"Hunter2!" not in shown.body and b"<UserPassword>***</UserPassword>" in shown.body
    assert SUB not in shown.url and "<subscription-id>" in shown.url
    assert b"#!/bin/sh" not in shown.body and b"IyEvYmluL3No" not in shown.body
    assert transport.sent == []


def test_construction_errors() -> None:
    with pytest.raises(UsageError, match="subscription id is required"):
        ServiceManagementClient("")
    with pytest.raises(UsageError, match="endpoint must be an http"):
        ServiceManagementClient(SUB, endpoint="management.core.windows.net")
    assert ServiceManagementClient(SUB, endpoint="http://127.0.0.1:8080/").endpoint == "http://127.0.0.1:8080"
