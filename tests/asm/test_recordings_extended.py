"""The real recordings of ../shared/asm/recordings-extended for the operations smflow serves, replayed
request by request through the client (as test_recordings.py does for the guide's recordings).

For each interaction the client builds the request itself: the arguments come from the URL and,
for a body, from the recorded body's elements (so what is checked is that the client writes the
same elements, in the same order and encoding, as the SDK did). The recorded response is then
parsed, and the key fields of each file are asserted below.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from lxml import etree

from smflow.asm import models as m
from smflow.asm.client import ServiceManagementClient
from smflow.errors import ApiError, NotFoundError
from tests.asm.conftest import SHARED, FakeTransport, as_bytes, load_interactions, recorded_response
from tests.asm.test_recordings import c14n, route

EXTENDED = SHARED / "asm" / "recordings-extended"
pytestmark = [pytest.mark.shared, pytest.mark.skipif(
    not EXTENDED.is_dir(), reason=f"extended recordings not found at {EXTENDED} (../shared is absent)")]

THUMB = "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2"
# Request body element -> (argument, base64-decoded?), per operation.
_B = True
BODY_FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "create_hosted_service": {"ServiceName": ("service_name", False), "Label": ("label", _B),
                              "Description": ("description", False), "Location": ("location", False),
                              "AffinityGroup": ("affinity_group", False)},
    "create_storage_account": {"ServiceName": ("service_name", False), "Description": ("description", False),
                               "Label": ("label", _B), "Location": ("location", False),
                               "AffinityGroup": ("affinity_group", False), "AccountType": ("account_type", False)},
    "create_affinity_group": {"Name": ("name", False), "Label": ("label", _B), "Description": ("description", False),
                              "Location": ("location", False)},
    "add_service_certificate": {"Data": ("data", False), "CertificateFormat": ("certificate_format", False),
                                "Password": ("password", False)},
    "add_management_certificate": {"SubscriptionCertificatePublicKey": ("public_key", False),
                                   "SubscriptionCertificateThumbprint": ("thumbprint", False),
                                   "SubscriptionCertificateData": ("data", False)},
    "regenerate_storage_account_keys": {"KeyType": ("key_type", False)},
    "update_storage_account": {"Description": ("description", False), "Label": ("label", _B),
                               "AccountType": ("account_type", False)},
    "update_affinity_group": {"Label": ("label", _B), "Description": ("description", False)},
}


def _local(el: Any) -> str:
    return str(etree.QName(el).localname)


def body_arguments(operation: str, body: bytes) -> dict[str, Any]:
    root = etree.fromstring(body)
    args: dict[str, Any] = {}
    for child in root:
        name = _local(child)
        if name == "ExtendedProperties":
            args["extended_properties"] = {
                _local_text(p, "Name"): _local_text(p, "Value") for p in child}
            continue
        arg, encoded = BODY_FIELDS[operation][name]
        text = child.text or ""
        args[arg] = base64.b64decode(text).decode("utf-8") if encoded else text
    return args


def _local_text(el: Any, name: str) -> str:
    return next(c.text or "" for c in el if _local(c) == name)


def send_as_recorded(name: str, index: int, interaction: dict[str, Any], operation: str, args: dict[str, Any],
                     body: bytes | None) -> tuple[Any, Any]:
    """Make ``operation`` through the client against the recorded answer, and check that the
    request it sent is the recorded one (method, path, query, canonical body). Returns the
    result (or the ApiError raised) and the request sent."""
    req = interaction["request"]
    transport = FakeTransport(lambda _request: recorded_response(interaction))
    client = ServiceManagementClient("00000000-0000-0000-0000-000000000000", transport=transport)
    try:
        result: Any = client.call(operation, args)
    except ApiError as exc:
        result = exc
    [sent] = transport.sent
    want, got = urlsplit(req["uri"]), urlsplit(sent.url)
    assert (sent.method, got.path) == (req["method"], want.path), f"{name}[{index}]"
    assert parse_qsl(got.query) == parse_qsl(want.query), f"{name}[{index}] query"
    if body:
        assert sent.body is not None and c14n(sent.body) == c14n(body), f"{name}[{index}] body"
    else:
        assert sent.body is None, f"{name}[{index}] sends no body"
    return result, sent


def replay(name: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for index, interaction in enumerate(load_interactions(EXTENDED / name)):
        req = interaction["request"]
        operation, args = route(req["method"], req["uri"])
        recorded_body = as_bytes(req["body"])
        if recorded_body:
            args.update(body_arguments(operation, recorded_body))
        result, sent = send_as_recorded(name, index, interaction, operation, args, recorded_body)
        out.append((operation, result))
    return out


def _free(results: list[tuple[str, Any]]) -> None:
    assert results[-1][1] == m.AvailabilityResponse(True, None)


def _hosted_taken(results: list[tuple[str, Any]]) -> None:
    assert results[-1][1] == m.AvailabilityResponse(False, "A hosted service with the specified name already exists.")


def _storage_taken(results: list[tuple[str, Any]]) -> None:
    assert results[-1][1] == m.AvailabilityResponse(
        False, "A storage account named 'utstor942c21f2' already exists in the subscription.")


def _service_certificate(results: list[tuple[str, Any]]) -> None:
    add = dict(results)["add_service_certificate"]
    assert isinstance(add, m.AsynchronousOperationResult) and add.http_status == 202 and add.request_id
    cert = results[-1][1]
    assert isinstance(cert, m.Certificate) and cert.data.startswith("MIIC") and cert.thumbprint == ""


def _service_certificates(results: list[tuple[str, Any]]) -> None:
    [cert] = results[-1][1]
    assert (cert.thumbprint, cert.thumbprint_algorithm) == (THUMB, "sha1") and cert.data.startswith("MIIC")
    assert cert.certificate_url.endswith(f"/services/hostedservices/utsvc36b01562/certificates/sha1-{THUMB}")


def _service_certificate_deleted(results: list[tuple[str, Any]]) -> None:
    assert [op for op, _ in results].count("delete_service_certificate") == 1
    gone = results[-1][1]
    assert isinstance(gone, NotFoundError) and gone.message == "The certificate was not found."


def _management_added(results: list[tuple[str, Any]]) -> None:
    added = results[0][1]
    assert isinstance(added, m.AsynchronousOperationResult) and added.http_status == 201
    got = results[-1][1]
    assert isinstance(got, m.SubscriptionCertificate) and got.subscription_certificate_thumbprint == THUMB
    assert got.created.startswith("20") and got.subscription_certificate_public_key.startswith("MIIBCgKCAQEA")


def _management_listed(results: list[tuple[str, Any]]) -> None:
    certs = results[-1][1]
    assert len(certs) > 1 and all(c.subscription_certificate_thumbprint for c in certs)


def _management_deleted(results: list[tuple[str, Any]]) -> None:
    assert results[1][1].http_status == 200
    assert isinstance(results[-1][1], NotFoundError) and results[-1][1].message == "The certificate was not found."


def _keys(results: list[tuple[str, Any]]) -> None:
    keys = [r for op, r in results if op == "get_storage_account_keys"][-1].storage_service_keys
    assert keys is not None and len(keys.primary) == 88 and keys.primary != keys.secondary


def _regenerated(results: list[tuple[str, Any]]) -> None:
    _keys(results)
    regenerated = results[-1][1]
    assert isinstance(regenerated, m.AsynchronousOperationResult) and regenerated.http_status == 200
    assert regenerated.body is None  # the new keys stay secret: read them with get_storage_account_keys


def _storage_updated(results: list[tuple[str, Any]]) -> None:
    acct = results[-1][1]
    props = acct.storage_service_properties
    assert (props.description, props.label, props.account_type) == (
        "utstor3838156ddescriptionupdate", "utstor3838156dlabelupdate", "Standard_LRS")
    assert acct.extended_properties["ext3"] == "brandnew" and "ResourceGroup" in acct.extended_properties


def _group_updated(results: list[tuple[str, Any]]) -> None:
    group = results[-1][1]
    assert (group.label, group.description) == ("tstlabelupdate", "testmgmt affinity group update")


def _role_sizes(results: list[tuple[str, Any]]) -> None:
    sizes = results[-1][1]
    assert len(sizes) == 46 and sizes[0] == m.RoleSize("A10", "A10 (8 cores, 57344 MB)", 8, 57344, True, True, 16,
                                                        1861268, 391828)


MISC, STOR, MC = "test_legacy_mgmt_misc.", "test_legacy_mgmt_storage.", "test_legacy_mgmt_managementcertificate."
FILES: dict[str, Callable[[list[tuple[str, Any]]], None]] = {
    MISC + "test_check_hosted_service_name_availability_available.yaml": _free,
    MISC + "test_check_hosted_service_name_availability_not_available.EXCERPT.yaml": _hosted_taken,
    STOR + "test_check_storage_account_name_availability_available.yaml": _free,
    STOR + "test_check_storage_account_name_availability_not_available.EXCERPT.yaml": _storage_taken,
    MISC + "test_add_service_certificate.EXCERPT.yaml": _service_certificate,
    MISC + "test_get_service_certificate.EXCERPT.yaml": _service_certificate,
    MISC + "test_list_service_certificates.EXCERPT.yaml": _service_certificates,
    MISC + "test_delete_service_certificate.EXCERPT.yaml": _service_certificate_deleted,
    MC + "test_add_management_certificate.EXCERPT.yaml": _management_added,
    MC + "test_get_management_certificate.EXCERPT.yaml": _management_added,
    MC + "test_list_management_certificates.EXCERPT.yaml": _management_listed,
    MC + "test_delete_management_certificate.EXCERPT.yaml": _management_deleted,
    STOR + "test_get_storage_account_keys.EXCERPT.yaml": _keys,
    STOR + "test_regenerate_storage_account_keys.EXCERPT.yaml": _regenerated,
    STOR + "test_update_storage_account.EXCERPT.yaml": _storage_updated,
    "test_legacy_mgmt_affinitygroup.test_update_affinity_group.EXCERPT.yaml": _group_updated,
    MISC + "test_list_role_sizes.yaml": _role_sizes,
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_extended_recording(name: str) -> None:
    assert (EXTENDED / name).is_file(), name
    FILES[name](replay(name))


def test_every_extended_recording_is_replayed() -> None:
    """Every file of recordings-extended is replayed by one of the tables (issue 11: no recording left
    out, whatever operations it shows)."""
    from tests.asm.test_recordings_images import FILES as IMAGES_NETWORK_SUBSCRIPTION
    from tests.asm.test_recordings_media import FILES as MEDIA_FILES
    from tests.asm.test_recordings_roles import FILES as ROLE_FILES

    replayed = {*FILES, *ROLE_FILES, *IMAGES_NETWORK_SUBSCRIPTION, *MEDIA_FILES, POWER_FILE}
    on_disk = {path.name for path in EXTENDED.glob("*.yaml")}
    assert sorted(on_disk - replayed) == [], "replay these recordings"
    assert sorted(replayed - on_disk) == [], "these replayed recordings are gone from ../shared"


POWER_FILE = MISC + "test_shutdown_start_restart_role.EXCERPT.yaml"
# body root -> (operation, arguments the body carries besides the URL's)
POWER_ROOTS = {"ShutdownRoleOperation": "shutdown_role", "StartRoleOperation": "start_role",
               "RestartRoleOperation": "restart_role", "ShutdownRolesOperation": "shutdown_roles",
               "StartRolesOperation": "start_roles"}


def _power_arguments(body: bytes) -> tuple[str, dict[str, Any]]:
    root = etree.fromstring(body)
    args: dict[str, Any] = {}
    for child in root:
        if _local(child) == "PostShutdownAction":
            args["post_shutdown_action"] = child.text
        elif _local(child) == "Roles":
            args["role_names"] = [n.text for n in child]
    return POWER_ROOTS[_local(root)], args


def test_vm_power_operations_of_the_recording_replay_request_by_request() -> None:
    """The power operations of the recording (the rest of it shows add_role, not served yet), and the
    deployment reads between them, replayed through the client: same URL and body bytes, parsed
    answers, and the instance states each operation left."""
    seen: list[tuple[str, Any]] = []
    for index, interaction in enumerate(load_interactions(EXTENDED / POWER_FILE)):
        req = interaction["request"]
        if not req["uri"].endswith("/Operations") and "/deployments/" not in req["uri"]:
            continue
        try:
            operation, args = route(req["method"], req["uri"])
        except AssertionError:
            continue  # add_role and the like
        if operation not in ("get_deployment_by_name", *POWER_ROOTS.values()):
            continue
        body = as_bytes(req["body"])
        if body:
            operation, extra = _power_arguments(body)
            args.update(extra)
            if operation.endswith("roles"):
                args.pop("role_name", None)
        transport = FakeTransport(lambda _request, i=interaction: recorded_response(i))
        client = ServiceManagementClient("00000000-0000-0000-0000-000000000000", transport=transport)
        result = client.call(operation, args)
        [sent] = transport.sent
        assert (sent.method, urlsplit(sent.url).path) == (req["method"], urlsplit(req["uri"]).path), index
        if body:
            assert sent.body is not None and c14n(sent.body) == c14n(body), f"{POWER_FILE}[{index}] body"
            assert isinstance(result, m.AsynchronousOperationResult) and result.http_status == 202 and result.request_id
        seen.append((operation, result))
    ops = [op for op, _ in seen if op != "get_deployment_by_name"]
    assert ops == ["shutdown_role", "start_role", "restart_role", "shutdown_roles", "start_roles", "shutdown_role"]
    assert [args for args in (_power_arguments(as_bytes(i["request"]["body"]))[1]
                              for i in load_interactions(EXTENDED / POWER_FILE)
                              if i["request"]["uri"].endswith("/Operations"))][-1] == {
        "post_shutdown_action": "StoppedDeallocated"}
    states = [[(i.role_name, i.instance_status, i.power_state) for i in r.role_instance_list]
              for op, r in seen if op == "get_deployment_by_name"]
    a, b = "utsvc66ff167fa", "utsvc66ff167fb"
    assert states[4] == [(a, "StoppedVM", "Stopped"), (b, "ReadyRole", "Started")]  # after shutdown_role
    assert states[5] == [(a, "ReadyRole", "Started"), (b, "ReadyRole", "Started")]  # after start_role
    assert states[8] == [(a, "StoppedVM", "Stopped"), (b, "StoppedVM", "Stopped")]  # after shutdown_roles
    assert states[10] == [(b, "RoleStateUnknown", "Started"), (a, "StoppedDeallocated", "Stopped")]
    assert all(r.status == "Running" for op, r in seen if op == "get_deployment_by_name")  # [REC]
