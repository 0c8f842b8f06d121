"""A disk deleted with ``comp=media`` takes its .vhd with it when the blob lives on the emulator's
blob service, as the service deletes the blob behind a disk (the SDK's recorded
test_delete_deployment_with_vhd saw the blob answer 404 once the delete had ended).

Driven over real HTTP: smflow's client for the management calls, Microsoft's ``azure-storage-blob``
to put the .vhd blobs up and look at them, the emulator on a fake clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from azure.storage.blob import BlobServiceClient, ContainerClient

from smflow.asm import ServiceManagementClient
from smflow.asm import models as m
from smflow.emulator.server import EmulatorServer
from smflow.errors import NotFoundError

SUB = "11111111-2222-3333-4444-555555555555"
ACCOUNT = "vhdstor"
LINUX = {"type": "linux", "host_name": "vm1", "user_name": "azureuser", "user_password": "P@ssw0rd&<"}


class Clock:
    def __init__(self) -> None:
        self.t = 5000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Env:
    client: ServiceManagementClient
    clock: Clock
    vhds: ContainerClient
    endpoint: str

    def finish(self, result: m.AsynchronousOperationResult) -> m.Operation:
        assert result.request_id
        for _ in range(100):
            op = self.client.get_operation_status(result.request_id)
            if op.status != "InProgress":
                return op
            self.clock.t += 30
        raise AssertionError("operation never finished")

    def vhd(self, name: str) -> str:
        """Put a (small) .vhd blob up; return its URL, the media link a disk names."""
        self.vhds.upload_blob(name, b"\0" * 512)
        return f"{self.endpoint}vhds/{name}"

    def exists(self, name: str) -> bool:
        return bool(self.vhds.get_blob_client(name).exists())


@pytest.fixture
def env() -> Iterator[Env]:
    clock = Clock()
    with EmulatorServer(latency=1.0, clock=clock) as server:
        client = ServiceManagementClient(SUB, endpoint=server.url, timeout=30)
        e = Env(client, clock, None, "")  # type: ignore[arg-type]
        e.finish(client.create_storage_account(ACCOUNT, "vhds", "vhds", location="West US"))
        [endpoint] = [u for u in client.get_storage_account_properties(ACCOUNT).storage_service_properties.endpoints
                      if "/blob/" in u]
        key = client.get_storage_account_keys(ACCOUNT).storage_service_keys
        assert key is not None
        blobs = BlobServiceClient(endpoint, credential={"account_name": ACCOUNT, "account_key": key.primary})
        e.vhds, e.endpoint = blobs.create_container("vhds"), endpoint
        e.finish(client.create_hosted_service("vmsvc", "vm", location="West US"))
        yield e


def _vm(env: Env, os_link: str, data_link: str) -> None:
    env.client.add_disk(True, "os", os_link, "osdisk", "Linux")
    env.finish(env.client.create_virtual_machine_deployment(
        "vmsvc", "vmdep", "production", "vm", "vm1", LINUX, {"disk_name": "osdisk"}, role_size="Small",
        data_virtual_hard_disks=[{"lun": 0, "media_link": data_link, "disk_label": "data"}]))


def test_delete_deployment_with_vhd_deletes_the_disks_and_their_blobs(env: Env) -> None:
    _vm(env, env.vhd("os.vhd"), env.vhd("data.vhd"))
    data_disk = env.client.get_data_disk("vmsvc", "vmdep", "vm1", 0).disk_name
    assert env.exists("os.vhd") and env.exists("data.vhd")
    assert env.finish(env.client.delete_deployment("vmsvc", "vmdep", delete_vhd=True)).status == "Succeeded"
    assert not env.exists("os.vhd") and not env.exists("data.vhd")
    for disk in ("osdisk", data_disk or ""):
        with pytest.raises(NotFoundError):
            env.client.get_disk(disk)


def test_delete_deployment_keeps_the_disks_registered_and_their_blobs(env: Env) -> None:
    _vm(env, env.vhd("os.vhd"), env.vhd("data.vhd"))
    data_disk = env.client.get_data_disk("vmsvc", "vmdep", "vm1", 0).disk_name or ""
    env.finish(env.client.delete_deployment("vmsvc", "vmdep"))
    assert env.exists("os.vhd") and env.exists("data.vhd")
    assert env.client.get_disk("osdisk").attached_to is None
    assert env.client.get_disk(data_disk).media_link == f"{env.endpoint}vhds/data.vhd"


def test_delete_disk_and_delete_data_disk_with_vhd_delete_the_blob(env: Env) -> None:
    env.client.add_disk(False, "spare", env.vhd("spare.vhd"), "spare", "Linux")
    env.client.add_disk(False, "kept", env.vhd("kept.vhd"), "kept", "Linux")
    env.client.delete_disk("spare", delete_vhd=True)
    env.client.delete_disk("kept")
    assert not env.exists("spare.vhd") and env.exists("kept.vhd")
    _vm(env, env.vhd("os.vhd"), env.vhd("data.vhd"))
    env.finish(env.client.delete_data_disk("vmsvc", "vmdep", "vm1", 0, delete_vhd=True))
    assert not env.exists("data.vhd") and env.exists("os.vhd")


def test_a_media_link_elsewhere_is_left_alone(env: Env) -> None:
    """A link on the real blob service, or on an account the emulator did not create, names no blob here."""
    env.vhd("os.vhd")
    elsewhere = [f"http://{ACCOUNT}.blob.core.windows.net/vhds/os.vhd", env.endpoint.replace(ACCOUNT, "other") + "vhds/os.vhd"]
    for i, link in enumerate(elsewhere):
        env.client.add_disk(False, "d", link, f"d{i}", "Linux")
        env.client.delete_disk(f"d{i}", delete_vhd=True)
    assert env.exists("os.vhd")


def test_delete_hosted_service_complete_deletes_its_vms_disks_and_blobs(env: Env) -> None:
    _vm(env, env.vhd("os.vhd"), env.vhd("data.vhd"))
    env.client.delete_hosted_service("vmsvc", complete=True)
    assert not env.exists("os.vhd") and not env.exists("data.vhd")
    assert [d.name for d in env.client.list_disks()] == []
