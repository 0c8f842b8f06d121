"""The emulator's blob service, driven by Microsoft's own client (``azure-storage-blob``).

The endpoint comes from ``get_storage_account_properties`` and the key from
``get_storage_account_keys``, read over HTTP like a flow reads them, so the test sees what a
user's client sees.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceExistsError
from azure.storage.blob import BlobServiceClient, ContentSettings

from smflow.emulator.server import EmulatorServer
from tests.emulator.conftest import NS, Api, FakeClock, b64, config_xml

ACCOUNT = "blobstor"


def _account(api: Api, clock: FakeClock, name: str = ACCOUNT) -> tuple[str, str]:
    """Create a storage account; return (its blob endpoint, its primary key) as the API gives them."""
    body = (f"<CreateStorageServiceInput {NS}><ServiceName>{name}</ServiceName><Label>{b64(name)}</Label>"
            "<Location>West US</Location></CreateStorageServiceInput>")
    assert api.request("POST", "services/storageservices", body).status_code == 202
    clock.advance(3600)
    props = api.get(f"services/storageservices/{name}").text
    endpoint = re.findall(r"<Endpoint>([^<]+)</Endpoint>", props)[0]
    keys = api.get(f"services/storageservices/{name}/keys").text
    primary = re.search(r"<Primary>([^<]+)</Primary>", keys)
    assert primary is not None
    return endpoint, primary.group(1)


def _client(endpoint: str, key: str, name: str = ACCOUNT) -> BlobServiceClient:
    return BlobServiceClient(endpoint, credential={"account_name": name, "account_key": key},
                             max_single_put_size=4 * 1024 * 1024, max_block_size=4 * 1024 * 1024)


def _md5(data: bytes) -> bytearray:
    return bytearray(hashlib.md5(data).digest())


def test_the_blob_endpoint_points_at_the_emulator(server: EmulatorServer, api: Api, clock: FakeClock) -> None:
    endpoint, _ = _account(api, clock)
    assert endpoint == f"{server.url}/blob/{ACCOUNT}/"


def test_create_container_put_blob_read_back(server: EmulatorServer, api: Api, clock: FakeClock) -> None:
    endpoint, key = _account(api, clock)
    svc = _client(endpoint, key)
    container = svc.create_container("packages")
    with pytest.raises(ResourceExistsError):
        svc.create_container("packages")
    assert container.get_container_properties().etag
    data = b"small package" * 100
    container.upload_blob("app/v1.cspkg", data, content_settings=ContentSettings(content_md5=_md5(data)))
    props = container.get_blob_client("app/v1.cspkg").get_blob_properties()
    assert props.size == len(data)
    assert bytes(props.content_settings.content_md5) == hashlib.md5(data).digest()
    assert container.download_blob("app/v1.cspkg").readall() == data


def test_a_20_mb_file_goes_up_in_blocks_and_comes_back_whole(server: EmulatorServer, api: Api, clock: FakeClock,
                                                            tmp_path: Path) -> None:  # fmt: skip
    endpoint, key = _account(api, clock)
    container = _client(endpoint, key).create_container("big")
    data = os.urandom(20 * 1024 * 1024)
    seen: list[str] = []
    with open(tmp_path / "big.bin", "wb") as f:
        f.write(data)
    with open(tmp_path / "big.bin", "rb") as f:
        container.upload_blob("big.bin", f, length=len(data), validate_content=True,
                              content_settings=ContentSettings(content_md5=_md5(data)),
                              raw_request_hook=lambda r: seen.append(r.http_request.url))
    assert sum("comp=block&" in u or u.endswith("comp=block") for u in seen) == 5
    props = container.get_blob_client("big.bin").get_blob_properties()
    assert props.size == len(data)
    assert hashlib.md5(container.download_blob("big.bin").readall()).digest() == hashlib.md5(data).digest()


def test_a_wrong_key_is_403_authentication_failed(server: EmulatorServer, api: Api, clock: FakeClock) -> None:
    endpoint, _ = _account(api, clock)
    wrong = base64.b64encode(b"not the key" * 6).decode()
    with pytest.raises(ClientAuthenticationError) as caught:
        _client(endpoint, wrong).create_container("packages")
    assert caught.value.error_code == "AuthenticationFailed"


def test_a_wrong_md5_is_refused(server: EmulatorServer, api: Api, clock: FakeClock) -> None:
    endpoint, key = _account(api, clock)
    container = _client(endpoint, key).create_container("packages")
    with pytest.raises(HttpResponseError) as caught:
        container.upload_blob("p", b"abc", content_settings=ContentSettings(content_md5=_md5(b"abd")))
    assert caught.value.error_code == "Md5Mismatch"


def test_blobs_survive_a_restart_under_state(tmp_path: Path) -> None:
    clock = FakeClock()
    state = tmp_path / "emu.db"
    with EmulatorServer(latency=1.0, clock=clock, state_file=state) as srv:
        endpoint, key = _account(Api(srv.url), clock)
        _client(endpoint, key).create_container("keep").upload_blob("a.txt", b"kept", metadata={"origin": "ci"})
    with EmulatorServer(latency=1.0, clock=clock, state_file=state) as srv:
        endpoint = endpoint.replace(endpoint.split("/blob/")[0], srv.url)
        kept = _client(endpoint, key).get_container_client("keep")
        assert kept.download_blob("a.txt").readall() == b"kept"
        assert kept.get_blob_client("a.txt").get_blob_properties().metadata == {"origin": "ci"}


def test_metadata_is_set_by_put_blob_and_put_block_list_and_replaced_by_the_next_write(
        server: EmulatorServer, api: Api, clock: FakeClock) -> None:
    endpoint, key = _account(api, clock)
    container = _client(endpoint, key).create_container("meta")
    blob = container.get_blob_client("app.cspkg")
    blob.upload_blob(b"one", metadata={"smflow_content": "block-md5s/4194304/abc=", "build": "7"})
    assert blob.get_blob_properties().metadata == {"smflow_content": "block-md5s/4194304/abc=", "build": "7"}
    assert blob.download_blob().properties.metadata == {"smflow_content": "block-md5s/4194304/abc=", "build": "7"}
    blob.stage_block("YQ==", b"two")
    blob.commit_block_list(["YQ=="], metadata={"build": "8"})  # the write replaces all of it, as on Azure
    assert blob.get_blob_properties().metadata == {"build": "8"}
    blob.upload_blob(b"three", overwrite=True)
    assert blob.get_blob_properties().metadata == {}


def test_create_deployment_refuses_a_package_missing_from_the_blob_service(
    server: EmulatorServer, api: Api, clock: FakeClock
) -> None:
    endpoint, key = _account(api, clock)
    _client(endpoint, key).create_container("packages").upload_blob("there.cspkg", b"PK\x05\x06" + bytes(18))
    assert api.create_service("blobsvc").status_code == 201

    def deploy(url: str) -> int:
        body = (f"<CreateDeployment {NS}><Name>d1</Name><PackageUrl>{url}</PackageUrl><Label>{b64('d1')}</Label>"
                f"<Configuration>{b64(config_xml())}</Configuration><StartDeployment>true</StartDeployment>"
                "</CreateDeployment>")
        response = api.request("POST", "services/hostedservices/blobsvc/deploymentslots/staging", body)
        if response.status_code != 202:
            assert "upload the package before deploying it" in response.text
        return response.status_code

    assert deploy(f"{endpoint}packages/missing.cspkg") == 400
    assert deploy(f"{endpoint}packages/there.cspkg") == 202
