"""Raw XML over loopback: headers, status codes, error bodies, the reader's strictness (moto's test_server)."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from smflow.emulator.server import EmulatorServer

from .conftest import NS, SUB, Api, FakeClock, b64, config_xml

WA = "{http://schemas.microsoft.com/windowsazure}"


def _xml(text: str) -> etree._Element:
    return etree.fromstring(text.encode())


def _error(r: object) -> tuple[int, str, str]:
    doc = _xml(r.text)  # type: ignore[attr-defined]
    assert doc.tag == f"{WA}Error"
    return r.status_code, doc.findtext(f"{WA}Code"), doc.findtext(f"{WA}Message")  # type: ignore[attr-defined,return-value]


def test_every_response_has_a_32_hex_request_id(api: Api) -> None:
    for r in (api.get("locations"), api.get("services/hostedservices/nope"), api.get("nothing/here")):
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-ms-request-id"])
        assert r.headers["Cache-Control"] == "no-cache"


def test_missing_version_header_is_refused(api: Api) -> None:
    r = api.session.get(api.base + "locations", timeout=10)
    assert _error(r)[:2] == (400, "MissingOrIncorrectVersionHeader")


def test_bodies_have_no_declaration_and_declare_both_namespaces(api: Api) -> None:
    r = api.get("locations")
    assert r.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert r.text.startswith(
        '<Locations xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
    )
    names = [e.text for e in _xml(r.text).iter(f"{WA}Name")]
    assert len(names) == 18 and "Japan West" in names and "West Europe" in names


def test_create_hosted_service_201_with_location_then_404_after_delete(api: Api, server: EmulatorServer) -> None:
    r = api.create_service("svc1")
    assert r.status_code == 201 and r.content == b""
    assert r.headers["Location"] == f"{server.url}/subscriptions/{SUB}/compute/svc1"
    assert "<Status>Succeeded</Status><HttpStatusCode>200</HttpStatusCode>" in api.operation(r.headers["x-ms-request-id"])
    got = api.get("services/hostedservices/svc1?embed-detail=false")
    doc = _xml(got.text)
    assert doc.findtext(f"{WA}HostedServiceProperties/{WA}Label") == b64("svc1")
    assert api.request("DELETE", "services/hostedservices/svc1").status_code == 200
    assert _error(api.get("services/hostedservices/svc1")) == (404, "ResourceNotFound", "The hosted service does not exist.")


def test_a_taken_dns_name_conflicts(api: Api) -> None:
    api.create_service("taken")
    assert _error(Api(api.base.split(f"/{SUB}/")[0], "othersub").create_service("taken")) == (
        409, "ConflictError", "The specified DNS name is already taken.",
    )  # fmt: skip


def test_nil_description_and_empty_lists(api: Api) -> None:
    body = f"<CreateHostedService {NS}><ServiceName>nodesc</ServiceName><Label>{b64('x')}</Label><Location>West US</Location></CreateHostedService>"
    assert api.request("POST", "services/hostedservices", body).status_code == 201
    text = api.get("services/hostedservices").text
    assert '<Description i:nil="true"/>' in text and "<ExtendedProperties/>" in text
    assert "<ComputeCapabilities><WebWorkerRoleSizes><RoleSize>" in text
    empty = api.get("services/storageservices").text
    assert empty.startswith("<StorageServices ") and empty.endswith("/>")


@pytest.mark.parametrize(
    "content_type", ["application/atom+xml;type=entry;charset=utf-8", "application/xml", "text/xml; charset=utf-8"]
)
def test_either_content_type_and_an_optional_declaration(api: Api, content_type: str) -> None:
    name = "ct" + str(abs(hash(content_type)) % 10000)
    body = f'<?xml version="1.0" encoding="utf-8"?>\n<CreateHostedService {NS}>\n  <ServiceName>{name}</ServiceName>\n  <Label>{b64(name)}</Label>\n  <Location>West US</Location>\n</CreateHostedService>'
    assert api.request("POST", "services/hostedservices", body, Content_Type=content_type).status_code == 201


def test_namespace_tolerant_but_name_strict(api: Api) -> None:
    body = f"<a:CreateHostedService xmlns:a='urn:other'><a:ServiceName>nsx</a:ServiceName><a:Label>{b64('x')}</a:Label><a:Location>West US</a:Location></a:CreateHostedService>"
    assert api.request("POST", "services/hostedservices", body).status_code == 201
    body = f"<CreateHostedService {NS}><Servicename>x</Servicename><Label>{b64('x')}</Label></CreateHostedService>"
    assert _error(api.request("POST", "services/hostedservices", body))[:2] == (400, "InvalidXmlRequest")


@pytest.mark.parametrize(
    "body",
    [
        f"<CreateHostedService {NS}><ServiceName>a</ServiceName><Description>a & <b></Description></CreateHostedService>",
        "<CreateHostedService",
        "",
        '<!DOCTYPE x [<!ENTITY e "boom">]><CreateHostedService><ServiceName>&e;</ServiceName></CreateHostedService>',
        f"<CreateDeployment {NS}/>",
    ],
    ids=["unescaped-sdk-text", "truncated", "empty", "dtd-entity", "wrong-root"],
)
def test_malformed_or_hostile_xml_is_400_invalid_xml(api: Api, body: str) -> None:
    assert _error(api.request("POST", "services/hostedservices", body))[:2] == (400, "InvalidXmlRequest")


def test_label_must_be_base64(api: Api) -> None:
    body = f"<CreateHostedService {NS}><ServiceName>lbl</ServiceName><Label>not base64!</Label><Location>West US</Location></CreateHostedService>"
    assert _error(api.request("POST", "services/hostedservices", body))[:2] == (400, "BadRequest")


def test_unknown_routes_and_verbs(api: Api) -> None:
    assert _error(api.get("services/nothing"))[:2] == (404, "ResourceNotFound")
    assert _error(api.request("PUT", "locations", ""))[:2] == (400, "InvalidHttpVerb")
    api.create_service("verbs")
    r = api.request("POST", "services/hostedservices/verbs/deployments/x/", "<x/>")
    assert _error(r)[:2] == (400, "MissingOrInvalidRequiredQueryParameter")


def test_every_sdk_operation_is_served(api: Api) -> None:
    """The routes that answered 501 NotImplemented until issue 11 are answered as the service does."""
    api.create_service("later")
    add_role = api.request("POST", "services/hostedservices/later/deployments/d/roles", "<PersistentVMRole/>")
    assert _error(add_role)[:2] == (400, "BadRequest")  # served: the body is refused, not the operation
    update = api.request("PUT", "services/images/some-image", f"<OSImage {NS}><Label>l</Label></OSImage>")
    assert _error(update)[:2] == (404, "ResourceNotFound")
    assert api.get("").status_code == 200 and api.get("services/resourceextensions").status_code == 200


def test_deployment_lifecycle_over_http(api: Api, clock: FakeClock) -> None:
    api.create_service("dep")
    r = api.create_deployment("dep", "production", "v1", start=False, count=3)
    assert r.status_code == 202 and r.content == b""
    rid = r.headers["x-ms-request-id"]
    polled = api.operation(rid)
    assert f"<ID>{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:]}</ID><Status>InProgress</Status></Operation>" in polled
    assert "HttpStatusCode" not in polled
    doc = _xml(api.get("services/hostedservices/dep/deploymentslots/PRODUCTION").text)
    assert doc.findtext(f"{WA}DeploymentSlot") == "Production"
    assert doc.findtext(f"{WA}Status") == "SuspendedTransitioning"
    assert doc.findtext(f"{WA}Configuration") == b64(config_xml(count=3))
    assert len(doc.findall(f"{WA}RoleInstanceList/{WA}RoleInstance")) == 3
    clock.advance(1.0)
    assert "<Status>Succeeded</Status><HttpStatusCode>200</HttpStatusCode>" in api.operation(rid)
    doc = _xml(api.get("services/hostedservices/dep/deployments/v1").text)
    assert doc.findtext(f"{WA}Status") == "Suspended"
    body = f"<UpdateDeploymentStatus {NS}><Status>Running</Status></UpdateDeploymentStatus>"
    r = api.request("POST", "services/hostedservices/dep/deployments/v1/?comp=status", body)
    assert r.status_code == 202
    again = api.request("POST", "services/hostedservices/dep/deployments/v1/?comp=status", body)
    assert _error(again) == (
        409, "ConflictError",
        "Windows Azure is currently performing an operation on this deployment that requires exclusive access.",
    )  # fmt: skip
    clock.advance(1.0)
    assert "<Status>Running</Status>" in api.get("services/hostedservices/dep/deployments/v1").text
    embedded = api.get("services/hostedservices/dep?embed-detail=true").text
    assert "<Deployments><Deployment><Name>v1</Name>" in embedded
    assert _error(api.get("services/hostedservices/dep/deploymentslots/staging"))[:2] == (404, "ResourceNotFound")


def test_storage_create_is_202_with_location_and_keys(api: Api, server: EmulatorServer, clock: FakeClock) -> None:
    body = (
        f"<CreateStorageServiceInput {NS}><ServiceName>stor1</ServiceName><Description>d</Description>"
        f"<Label>{b64('s')}</Label><Location>West US</Location><AccountType>Standard_LRS</AccountType>"
        "</CreateStorageServiceInput>"
    )
    r = api.request("POST", "services/storageservices", body)
    assert r.status_code == 202
    assert r.headers["Location"] == f"{server.url}/subscriptions/{SUB}/storage/stor1"
    clock.advance(1)
    text = api.get("services/storageservices/stor1").text
    assert "<GeoSecondaryRegion/><StatusOfSecondary/>" in text and "<Status>Created</Status>" in text
    keys = _xml(api.get("services/storageservices/stor1/keys").text)
    assert len(keys.findtext(f"{WA}StorageServiceKeys/{WA}Primary") or "") == 88
    bad = body.replace("stor1", "Bad_Name")
    assert _error(api.request("POST", "services/storageservices", bad))[:2] == (400, "BadRequest")


def test_add_os_image_answers_200_with_the_image(api: Api) -> None:
    body = f"<OSImage {NS}><Label>my img</Label><MediaLink>http://a.blob.core.windows.net/v/x.vhd</MediaLink><Name>img1</Name><OS>Linux</OS></OSImage>"
    r = api.request("POST", "services/images", body)
    assert r.status_code == 200
    assert "<Category>User</Category><Label>my img</Label>" in r.text
    assert "<Name>img1</Name>" in api.get("services/images").text
    assert api.request("DELETE", "services/images/img1").status_code == 200
    assert _error(api.get("services/images/img1"))[2] == "The image with the specified name does not exist."


def test_guest_os_lists_are_base64_labelled_and_string_sorted(api: Api) -> None:
    doc = _xml(api.get("operatingsystems").text)
    versions = [e.text for e in doc.iter(f"{WA}Version")]
    assert versions == sorted(versions)
    assert doc.findtext(f"{WA}OperatingSystem/{WA}FamilyLabel") == b64("Windows Server 2008 SP2")
    fam = _xml(api.get("operatingsystemfamilies").text)
    assert [e.text for e in fam.findall(f"{WA}OperatingSystemFamily/{WA}Name")] == ["1", "2", "3", "4"]
    assert fam.find(f"{WA}OperatingSystemFamily/{WA}OperatingSystems/{WA}OperatingSystem/{WA}Family") is None


def test_routes_agree_with_the_operation_catalogue() -> None:
    from smflow.asm.catalogue import CATALOGUE
    from smflow.emulator.handlers import HANDLERS
    from smflow.emulator.routes import ROUTES, catalogue_disagreements

    assert catalogue_disagreements() == []
    served = {r.operation for r in ROUTES}
    assert set(CATALOGUE) <= served
    assert served == set(HANDLERS)


def test_head_has_headers_and_no_body(api: Api) -> None:
    r = api.request("HEAD", "locations")
    assert r.status_code == 200 and r.content == b"" and int(r.headers["Content-Length"]) > 0
    assert api.get("locations").status_code == 200  # the connection is still in step


def test_a_request_without_valid_framing_gets_a_400_and_a_hang_up(server: EmulatorServer) -> None:
    import socket

    host, port = server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(b"POST /sub/services/hostedservices HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\nx-ms-version: 2014-10-01\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Connection: close" in data and b"<Code>BadRequest</Code>" in data and b"x-ms-request-id: " in data
