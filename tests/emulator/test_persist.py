"""--state FILE: the state survives a restart; operations in progress resume where they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from smflow.emulator.server import EmulatorServer
from smflow.errors import UsageError

from .conftest import Api, FakeClock


def test_state_survives_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    clock = FakeClock()
    with EmulatorServer(latency=1.0, clock=clock, state_file=db) as srv:
        api = Api(srv.url)
        assert api.create_service("keep").status_code == 201
        rid = api.create_deployment("keep", "staging", "v1").headers["x-ms-request-id"]
        clock.advance(0.25)
        assert "InProgress" in api.operation(rid)
    later = FakeClock()
    later.t = 5.0  # a new process: another clock origin
    with EmulatorServer(latency=1.0, clock=later, state_file=db) as srv:
        api = Api(srv.url)
        assert api.get("services/hostedservices/keep").status_code == 200
        assert "InProgress" in api.operation(rid)  # paused while down, not lost
        later.advance(0.8)
        assert "Succeeded" in api.operation(rid)
        assert "<Status>Running</Status>" in api.get("services/hostedservices/keep/deployments/v1").text
        srv.reset()
    with EmulatorServer(latency=1.0, state_file=db) as srv:
        assert Api(srv.url).get("services/hostedservices/keep").status_code == 404


def test_snapshots_are_written_in_transactions(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite"
    with EmulatorServer(latency=0, state_file=db) as srv:
        Api(srv.url, sub="s1").create_service("one")
        Api(srv.url, sub="s2").create_service("two")
        rows = sqlite3.connect(db).execute("SELECT id FROM subscriptions ORDER BY id").fetchall()
    assert rows == [("s1",), ("s2",)]


def test_a_file_that_is_not_sqlite_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "state.sqlite"
    bad.write_text("not a database at all, just text" * 100)
    with pytest.raises(UsageError, match="not a usable SQLite state file"):
        EmulatorServer(state_file=bad)


def test_an_upgrade_under_way_and_certificates_survive_a_restart(tmp_path: Path) -> None:
    from smflow.asm.client import ServiceManagementClient
    from tests.certs import make_certificate

    db, sub = tmp_path / "state.sqlite", "00000000-0000-0000-0000-000000000000"
    cert = make_certificate("persist.smflow.test")
    config = "PFNlcnZpY2VDb25maWd1cmF0aW9uPjxSb2xlIG5hbWU9IlciPjxJbnN0YW5jZXMgY291bnQ9IjIiLz48L1JvbGU+PC9TZXJ2aWNlQ29uZmlndXJhdGlvbj4="
    with EmulatorServer(latency=0, state_file=db) as srv:
        c = ServiceManagementClient(sub, endpoint=srv.url)
        c.create_hosted_service("persist", "p", location="West US")
        c.create_deployment("persist", "production", "d", "http://p/v1", "v1", config, start_deployment=True)
        c.get_deployment_by_name("persist", "d")
        c.upgrade_deployment("persist", "d", "Manual", "http://p/v2", config, "v2", False)
        c.get_deployment_by_name("persist", "d")
        c.walk_upgrade_domain("persist", "d", 0)
        c.add_service_certificate("persist", cert.cer, "cer")
        c.add_management_certificate(cert.public_key, cert.thumbprint, cert.cer)
        c.get_deployment_by_name("persist", "d")  # settles the walk and the certificate
    with EmulatorServer(latency=0, state_file=db) as srv:
        c = ServiceManagementClient(sub, endpoint=srv.url)
        dep = c.get_deployment_by_name("persist", "d")
        assert dep.upgrade_status is not None and dep.upgrade_status.current_upgrade_domain == 1
        instances = srv.state.subscription(sub).services["persist"].slots["Production"].instances
        assert [i.package_url for i in instances] == ["http://p/v2", "http://p/v1"]
        assert c.get_service_certificate("persist", "sha1", cert.thumbprint).data == cert.cer
        assert c.get_management_certificate(cert.thumbprint).subscription_certificate_data == cert.cer


def test_vm_roles_disks_and_dns_servers_survive_a_restart(tmp_path: Path) -> None:
    """What a VM was sent (endpoints, data disks, labels), free disks and DNS servers are in the snapshot."""
    from smflow.asm.client import ServiceManagementClient

    db, sub = tmp_path / "state.sqlite", "00000000-0000-0000-0000-000000000000"
    image = "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS-amd64-server-20140927-en-us-30GB"

    def done(client: ServiceManagementClient, request_id: str | None) -> None:
        assert request_id
        for _ in range(200):
            if client.get_operation_status(request_id).status != "InProgress":
                return
        raise AssertionError("operation never finished")

    with EmulatorServer(latency=0, state_file=db) as srv:
        c = ServiceManagementClient(sub, endpoint=srv.url, timeout=30)
        c.create_hosted_service("keepvm", "keepvm", location="West US")
        done(c, c.create_virtual_machine_deployment(
            "keepvm", "keepvm", "production", "keepvm", "vm1", {"type": "linux", "host_name": "vm1", "user_name": "u",
                                                               "user_password": "Emulator-Only-Passw0rd!"},
            {"source_image_name": image, "disk_label": "os of vm1"},
            network_config={"input_endpoints": [{"name": "ssh", "protocol": "tcp", "port": 22, "local_port": 22}]},
            data_virtual_hard_disks=[{"lun": 2, "logical_disk_size_in_gb": 10, "disk_label": "logs"}]).request_id)
        done(c, c.add_dns_server("keepvm", "keepvm", "dns1", "10.0.0.4").request_id)
        c.add_disk(False, "free", "http://acct.blob.core.windows.net/vhds/free.vhd", "free", "Linux")
        before = c.get_role("keepvm", "keepvm", "vm1")
    with EmulatorServer(latency=0, state_file=db) as srv:
        c = ServiceManagementClient(sub, endpoint=srv.url, timeout=30)
        assert c.get_role("keepvm", "keepvm", "vm1") == before
        [data] = before.data_virtual_hard_disks
        assert (data.lun, data.logical_disk_size_in_gb, data.disk_label) == (2, 10, "logs")
        assert before.configuration_sets[0].input_endpoints[0].name == "ssh"
        assert c.get_deployment_by_name("keepvm", "keepvm").dns_servers[0].address == "10.0.0.4"
        assert c.get_disk("free").attached_to is None
