"""The last two recordings of ../shared/asm/recordings-extended, replayed, and what they show
checked against the emulator.

* ``test_delete_deployment_with_vhd``: its management requests replayed request by request through
  the client (same method, path, query and canonical body as the SDK sent; answers parsed). Its
  ``storagename.blob.core.windows.net`` HEADs are the SDK test's own look at the OS disk's blob
  (there while the VM lives, 404 after ``delete_deployment(comp=media)``): not requests smflow sends,
  so they are read from the file and the same is asserted of the emulator's blob service.
* ``test_unicode_create_storage_account_unicode_name``: the service refused a non-ASCII account name
  with 400 BadRequest. The client refuses it before sending, naming the argument; the emulator,
  sent the recorded request raw, answers the recorded code and message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from lxml import etree

from smflow.asm import models as m
from smflow.asm.client import ServiceManagementClient
from smflow.emulator.server import EmulatorServer
from smflow.errors import ArgumentError
from tests.asm.conftest import FakeTransport, as_bytes, load_interactions, recorded_response
from tests.asm.test_recordings import route
from tests.asm.test_recordings_extended import EXTENDED, body_arguments, send_as_recorded

pytestmark = [pytest.mark.shared, pytest.mark.skipif(
    not EXTENDED.is_dir(), reason=f"extended recordings not found at {EXTENDED} (../shared is absent)")]

MISC, STOR = "test_legacy_mgmt_misc.", "test_legacy_mgmt_storage."
VHD_FILE = MISC + "test_delete_deployment_with_vhd.EXCERPT.yaml"
UNICODE_FILE = STOR + "test_unicode_create_storage_account_unicode_name.EXCERPT.yaml"
FILES = (VHD_FILE, UNICODE_FILE)
SVC = "utsvc4b1415d0"
KEY = "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2"
UBUNTU = "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-15_04-amd64-server-20150616.1-en-us-30GB"
VHD = f"http://storagename.blob.core.windows.net/utctnr4b1415d0/{SVC}.vhd"
VM_DEPLOYMENT: dict[str, Any] = dict(
    deployment_name=SVC, deployment_slot="production", label=f"{SVC}label", role_name=SVC, role_size="Small",
    system_config={"type": "linux", "host_name": f"hn{SVC}", "user_name": "unittest", "user_password": "REDACTED",
                   "disable_ssh_password_authentication": False,
                   "ssh_public_keys": [{"fingerprint": KEY, "path": "/home/unittest/.ssh/authorized_keys"}],
                   "ssh_key_pairs": [{"fingerprint": KEY, "path": "/home/unittest/.ssh/id_rsa"}]},
    network_config={"input_endpoints": [{"name": "utendpoint", "protocol": "tcp", "port": 59913, "local_port": 3394}]},
    os_virtual_hard_disk={"disk_label": f"{SVC}.vhd", "media_link": VHD, "source_image_name": UBUNTU})


def _is_blob(uri: str) -> bool:
    return urlsplit(uri).netloc.endswith(".blob.core.windows.net")


def replay_management(name: str) -> list[tuple[str, Any]]:
    """Every management request of the file, through the client; the blob requests are skipped."""
    out: list[tuple[str, Any]] = []
    for index, interaction in enumerate(load_interactions(EXTENDED / name)):
        req = interaction["request"]
        if _is_blob(req["uri"]):
            continue
        operation, args = route(req["method"], req["uri"])
        body = as_bytes(req["body"])
        if operation == "create_virtual_machine_deployment":
            args.update(VM_DEPLOYMENT)
        elif body:
            args.update(body_arguments(operation, body))
        result, sent = send_as_recorded(name, index, interaction, operation, args, body)
        assert sent.headers["x-ms-version"] == req["headers"]["x-ms-version"][0], index
        out.append((operation, result))
    return out


def blob_heads(name: str) -> list[tuple[str, int]]:
    """The file's blob requests, in order, as (the management operation just before them, status)."""
    heads: list[tuple[str, int]] = []
    last = ""
    for interaction in load_interactions(EXTENDED / name):
        req = interaction["request"]
        if _is_blob(req["uri"]):
            assert (req["method"], urlsplit(req["uri"]).path) == ("HEAD", f"/utctnr4b1415d0/{SVC}.vhd")
            heads.append((last, int(interaction["response"]["status"]["code"])))
        else:
            last = route(req["method"], req["uri"])[0]
    return heads


def test_delete_deployment_with_vhd_replays_request_by_request() -> None:
    r = replay_management(VHD_FILE)
    ops = [op for op, _ in r]
    assert ops == ["create_hosted_service", "get_operation_status", "add_service_certificate",
                   "get_operation_status", "get_operation_status", "list_os_images",
                   "create_virtual_machine_deployment", "get_operation_status", "get_operation_status",
                   "get_deployment_by_name", "get_deployment_by_name", "delete_deployment",
                   "get_operation_status", "get_operation_status"]
    created, cert, images, vm, deleted = (r[i][1] for i in (0, 2, 5, 6, 11))
    assert isinstance(created, m.AsynchronousOperationResult) and created.http_status == 201
    assert isinstance(cert, m.AsynchronousOperationResult) and cert.http_status == 202
    assert UBUNTU in [i.name for i in images] and len(images) == 4
    assert isinstance(vm, m.AsynchronousOperationResult) and vm.request_id == "87d1c68bbe72b0148e768ff994e64475"
    assert isinstance(deleted, m.AsynchronousOperationResult) and deleted.http_status == 202
    assert deleted.request_id == "ae93c1126eb3be17a47b13db8cdb4e59"
    assert [x.status for op, x in r if op == "get_operation_status"] == [
        "Succeeded", "InProgress", "Succeeded", "InProgress", "Succeeded", "InProgress", "Succeeded"]
    dep = r[10][1]
    assert isinstance(dep, m.Deployment) and (dep.name, dep.deployment_slot, dep.status) == (SVC, "Production", "Running")
    [role] = dep.role_list
    disk = role.os_virtual_hard_disk
    assert disk is not None and (disk.media_link, disk.source_image_name, disk.os) == (VHD, UBUNTU, "Linux")


def test_the_recorded_blob_heads_show_the_vhd_gone_after_comp_media() -> None:
    """What the SDK test looked at: the .vhd there while the VM lived, 404 once the delete ended."""
    assert blob_heads(VHD_FILE) == [("get_deployment_by_name", 200), ("get_operation_status", 200),
                                    ("get_operation_status", 404)]
    [delete] = [i for i in load_interactions(EXTENDED / VHD_FILE) if i["request"]["method"] == "DELETE"]
    assert parse_qsl(urlsplit(delete["request"]["uri"]).query, keep_blank_values=True) == [("comp", "media")]


def _code_and_message(body: bytes) -> tuple[str, str]:
    root = etree.fromstring(body)
    ns = {"a": "http://schemas.microsoft.com/windowsazure"}
    return root.findtext("a:Code", namespaces=ns) or "", root.findtext("a:Message", namespaces=ns) or ""


def test_unicode_storage_account_name_is_refused_before_sending() -> None:
    """The service's 400 says the rule (3 to 24 characters, numbers and lower-case letters only);
    the client says the same rule, names the argument, and sends nothing."""
    [interaction] = load_interactions(EXTENDED / UNICODE_FILE)
    req = interaction["request"]
    operation, args = route(req["method"], req["uri"])
    args.update(body_arguments(operation, as_bytes(req["body"])))
    assert (operation, args["service_name"]) == ("create_storage_account", "utstor55f51dea啊齄丂狛狜")
    transport = FakeTransport(lambda _request: recorded_response(interaction))
    client = ServiceManagementClient("00000000-0000-0000-0000-000000000000", transport=transport)
    with pytest.raises(ArgumentError) as info:
        client.call(operation, args)
    assert transport.sent == []
    assert info.value.argument == "service_name"
    assert str(info.value) == ("create_storage_account(service_name): service_name must be 3 to 24 lowercase "
                               "letters and digits, got 'utstor55f51dea啊齄丂狛狜'")
    code, message = _code_and_message(as_bytes(interaction["response"]["body"]["string"]))
    assert (interaction["response"]["status"]["code"], code) == (400, "BadRequest")
    assert "between 3 and 24 characters" in message and "numbers and lower-case letters only" in message


def test_the_emulator_answers_the_recorded_request_as_the_service_did() -> None:
    """The recorded request, sent raw (its own body bytes and headers) to the emulator: the recorded
    status, code and message, and no account made."""
    [interaction] = load_interactions(EXTENDED / UNICODE_FILE)
    req, want = interaction["request"], interaction["response"]
    headers = {k: v[0] for k, v in req["headers"].items() if k.lower() in ("content-type", "x-ms-version")}
    with EmulatorServer(latency=0.0) as server, requests.Session() as session:
        base = server.url + urlsplit(req["uri"]).path
        got = session.post(base, data=as_bytes(req["body"]), headers=headers, timeout=10)
        listed = session.get(base, headers={"x-ms-version": headers["x-ms-version"]}, timeout=10)
    assert (got.status_code, got.reason) == (want["status"]["code"], want["status"]["message"])
    assert _code_and_message(got.content) == _code_and_message(as_bytes(want["body"]["string"]))
    assert got.headers["Content-Type"] == want["headers"]["Content-Type"][0]
    assert listed.status_code == 200 and b"<StorageService>" not in listed.content
