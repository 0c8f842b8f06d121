"""The real recordings of VM role writes and DNS servers (../shared/asm/recordings-extended),
replayed request by request through the client: for each of these operations the client builds
the request from the arguments below and must send the recorded method, URL and body (canonical
XML); the recorded answers are parsed and their key fields asserted. The other requests of each
file (creating the service, its certificate, the VM deployment) are replayed elsewhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from smflow.asm import models as m
from smflow.errors import NotFoundError
from tests.asm.conftest import SHARED, as_bytes, load_interactions
from tests.asm.test_recordings import route
from tests.asm.test_recordings_extended import send_as_recorded

EXTENDED = SHARED / "asm" / "recordings-extended"
pytestmark = [pytest.mark.shared, pytest.mark.skipif(
    not EXTENDED.is_dir(), reason=f"extended recordings not found at {EXTENDED} (../shared is absent)")]

MISC = "test_legacy_mgmt_misc."
THUMB = "BEA4B74BD6B915E9DD6A01FB1B8C3C1740F517F2"
UBUNTU = "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-15_04-amd64-server-20150616.1-en-us-30GB"
WINDOWS = "a699494373c04fc0bc8f2bb1389d6106__Windows-Server-Technical-Preview-201505.01-en.us-127GB.vhd"
OURS = {"add_role", "update_role", "delete_role", "capture_role", "shutdown_role", "add_dns_server",
        "update_dns_server", "delete_dns_server", "get_role", "get_deployment_by_name", "get_os_image"}



def _windows(computer_name: str) -> dict[str, Any]:
    return {
        "type": "windows", "computer_name": computer_name, "admin_password": "REDACTED",
        "reset_password_on_first_logon": False, "enable_automatic_updates": False,
        "time_zone": "Pacific Standard Time", "admin_username": "azureuser",
        "stored_certificate_settings": [{"store_location": "LocalMachine", "store_name": "My", "thumbprint": THUMB}],
        "win_rm_listeners": [{"protocol": "Https", "certificate_thumbprint": THUMB}],
    }


# (file, operation) -> the arguments the body carries (the URL's come from the recorded URL)
BODY_ARGUMENTS: dict[tuple[str, str], dict[str, Any]] = {
    (MISC + "test_add_role_linux.EXCERPT.yaml", "add_role"): dict(
        role_name="utsvc604310cab",
        system_config={
            "type": "linux", "host_name": "hntsvc604310cab", "user_name": "unittest", "user_password": "REDACTED",
            "disable_ssh_password_authentication": False,
            "ssh_public_keys": [{"fingerprint": THUMB, "path": "/home/unittest/.ssh/authorized_keys"}],
            "ssh_key_pairs": [{"fingerprint": THUMB, "path": "/home/unittest/.ssh/id_rsa"}],
        },
        os_virtual_hard_disk={
            "disk_label": "utsvc604310cab.vhd", "source_image_name": UBUNTU,
            "media_link": "http://storagename.blob.core.windows.net/utctnr604310ca/utsvc604310cab.vhd"}),
    (MISC + "test_add_update_delete_role_windows.EXCERPT.yaml", "add_role"): dict(
        role_name="utsvca2701759b", system_config=_windows("hntsvca2701759b"),
        network_config={"input_endpoints": [{"name": "utendpoint", "protocol": "tcp", "port": 59914, "local_port": 3394}]},
        os_virtual_hard_disk={
            "disk_label": "utsvca2701759b.vhd", "source_image_name": WINDOWS,
            "media_link": "http://storagename.blob.core.windows.net/utctnra2701759/utsvca2701759b.vhd"}),
    (MISC + "test_shutdown_start_restart_role.EXCERPT.yaml", "add_role"): dict(
        role_name="utsvc66ff167fb", system_config=_windows("hntsvc66ff167fb"),
        network_config={"input_endpoints": [{"name": "utendpoint", "protocol": "tcp", "port": 59914, "local_port": 3394}]},
        os_virtual_hard_disk={
            "disk_label": "utsvc66ff167fb.vhd", "source_image_name": WINDOWS,
            "media_link": "http://storagename.blob.core.windows.net/utctnr66ff167f/utsvc66ff167fb.vhd"}),
    (MISC + "test_add_update_delete_role_windows.EXCERPT.yaml", "update_role"): dict(
        network_config={"input_endpoints": [{"name": "endupdate", "protocol": "tcp", "port": 50055, "local_port": 5555}]},
        role_size="Medium"),
    (MISC + "test_capture_role.EXCERPT.yaml", "shutdown_role"): dict(post_shutdown_action="Stopped"),
    (MISC + "test_capture_role.EXCERPT.yaml", "capture_role"): dict(
        post_capture_action="Delete", target_image_name="utosimg408a1006", target_image_label="utsvc408a1006captured"),
    (MISC + "test_add_update_delete_dns_server.EXCERPT.yaml", "add_dns_server"): dict(
        dns_server_name="mydnsserver", address="192.168.144.1"),
    (MISC + "test_add_update_delete_dns_server.EXCERPT.yaml", "update_dns_server"): dict(address="192.168.144.2"),
}
FILES = sorted({name for name, _ in BODY_ARGUMENTS})


def replay(name: str, only: set[str] = OURS) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for index, interaction in enumerate(load_interactions(EXTENDED / name)):
        req = interaction["request"]
        try:
            operation, args = route(req["method"], req["uri"])
        except AssertionError:
            continue
        if operation not in only:
            continue
        body = as_bytes(req["body"])
        if operation == "shutdown_role" and b"CaptureRoleOperation" in body:
            operation = "capture_role"  # one route, told apart by the body's root
        args.update(BODY_ARGUMENTS.get((name, operation), {}))
        result, sent = send_as_recorded(name, index, interaction, operation, args, body)
        out.append((operation, result))
    return out


def _accepted(results: list[tuple[str, Any]], operation: str) -> None:
    [result] = [r for op, r in results if op == operation]
    assert isinstance(result, m.AsynchronousOperationResult) and result.http_status == 202 and result.request_id


def test_add_role_linux() -> None:
    r = replay(MISC + "test_add_role_linux.EXCERPT.yaml")
    _accepted(r, "add_role")
    added = [x for op, x in r if op == "get_role" and x.role_name == "utsvc604310cab"][-1]
    assert added.role_size == "Small"  # no RoleSize sent [REC]
    disk = added.os_virtual_hard_disk
    assert disk is not None and (disk.disk_label, disk.source_image_name, disk.os) == (
        "utsvc604310cab.vhd", UBUNTU, "Linux")
    assert disk.disk_name == "utsvc604310ca-utsvc604310cab-0-201507021649590140"
    first = [x for op, x in r if op == "get_role" and x.role_name == "utsvc604310caa"][0]
    [endpoint] = first.configuration_sets[0].input_endpoints
    assert (endpoint.name, endpoint.port, endpoint.local_port, endpoint.protocol) == ("utendpoint", 59913, 3394, "tcp")


def test_add_update_delete_role_windows() -> None:
    r = replay(MISC + "test_add_update_delete_role_windows.EXCERPT.yaml")
    for op in ("add_role", "update_role", "delete_role"):
        _accepted(r, op)
    reads = [x for op, x in r if op == "get_role"]
    assert [x.role_size for x in reads[:3]] == ["Small", "Medium", "Medium"]
    [endpoint] = reads[1].configuration_sets[0].input_endpoints
    assert (endpoint.name, endpoint.port, endpoint.local_port) == ("endupdate", 50055, 5555)
    assert reads[0].default_win_rm_certificate_thumbprint == "F52A7B81439FF47EE989B449F5F20D832C9C4345"
    gone = reads[-1]
    assert isinstance(gone, NotFoundError)
    assert gone.message == "Role utsvca2701759b was not found in the currently deployed service."


def test_add_role_of_the_power_recording() -> None:
    """The power operations of this file are replayed in test_recordings_extended; its add_role here."""
    r = replay(MISC + "test_shutdown_start_restart_role.EXCERPT.yaml", {"add_role"})
    assert [op for op, _ in r] == ["add_role"]
    _accepted(r, "add_role")


def test_capture_role() -> None:
    r = replay(MISC + "test_capture_role.EXCERPT.yaml")
    assert [op for op, _ in r if op not in ("get_deployment_by_name",)] == ["shutdown_role", "capture_role",
                                                                              "get_os_image"]
    _accepted(r, "capture_role")
    image = r[-1][1]
    assert isinstance(image, m.OSImage)
    assert (image.category, image.label, image.os, image.os_state, image.logical_size_in_gb) == (
        "User", "utsvc408a1006captured", "Windows", "Generalized", 128)


def test_add_update_delete_dns_server() -> None:
    r = replay(MISC + "test_add_update_delete_dns_server.EXCERPT.yaml")
    assert [op for op, _ in r if "dns" in op] == ["add_dns_server", "update_dns_server", "delete_dns_server"]
    for op in ("add_dns_server", "update_dns_server", "delete_dns_server"):
        _accepted(r, op)
    # The recorded deployment has no virtual network: its reads list no DNS server [REC].
    assert all(d.dns_servers == [] for op, d in r if op == "get_deployment_by_name")
