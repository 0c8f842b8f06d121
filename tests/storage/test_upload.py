"""``upload_file`` against the emulator and against Azurite: the same calls, the same answers."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from azure.storage.blob import BlobProperties, BlobServiceClient, ContentSettings

from smflow.errors import ApiError
from smflow.storage.upload import upload_file
from tests.storage.conftest import BlobTarget


def _download(target: BlobTarget, container: str, name: str) -> bytes:
    svc = BlobServiceClient(target.endpoint, credential={"account_name": target.account, "account_key": target.key})
    return svc.get_container_client(container).download_blob(name).readall()


def _identity(data: bytes, block: int = 4 * 1024 * 1024) -> str:
    """The content identity, written out: the MD5 of the MD5s of the 4 MiB blocks."""
    digests = b"".join(hashlib.md5(data[i:i + block]).digest() for i in range(0, len(data), block))
    return base64.b64encode(hashlib.md5(digests).digest()).decode()


def _props(target: BlobTarget, container: str, name: str) -> BlobProperties:
    svc = BlobServiceClient(target.endpoint, credential={"account_name": target.account, "account_key": target.key})
    return svc.get_container_client(container).get_blob_client(name).get_blob_properties()


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_new_container_then_existing_container(target: BlobTarget, tmp_path: Path) -> None:
    data = b"PK\x03\x04 a package" * 50
    first = upload_file(target.endpoint, target.account, target.key, f"new-{target.name}", "app.cspkg",
                        _file(tmp_path, "app.cspkg", data))  # fmt: skip
    assert not first.skipped and first.size == len(data)
    assert first.md5 == _identity(data)
    props = _props(target, f"new-{target.name}", "app.cspkg")  # the identity, and the MD5 the service checked
    assert props.metadata == {"smflow_content": f"block-md5s/{4 * 1024 * 1024}/{_identity(data)}"}
    assert bytes(props.content_settings.content_md5) == hashlib.md5(data).digest()
    assert first.url.endswith(f"/new-{target.name}/app.cspkg")
    other = upload_file(target.endpoint, target.account, target.key, f"new-{target.name}", "app.cscfg",
                        _file(tmp_path, "app.cscfg", b"<ServiceConfiguration/>"))  # fmt: skip
    assert not other.skipped
    assert _download(target, f"new-{target.name}", "app.cspkg") == data


def test_the_same_content_is_not_sent_again_and_new_content_is(target: BlobTarget, tmp_path: Path) -> None:
    path = _file(tmp_path, "app.cspkg", b"version one")
    assert not upload_file(target.endpoint, target.account, target.key, "same", "app.cspkg", path).skipped
    seen: list[tuple[int, int]] = []
    again = upload_file(target.endpoint, target.account, target.key, "same", "app.cspkg", path,
                        progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert again.skipped and seen == [(11, 11)]
    path.write_bytes(b"version two!")
    changed = upload_file(target.endpoint, target.account, target.key, "same", "app.cspkg", path)
    assert not changed.skipped and _download(target, "same", "app.cspkg") == b"version two!"


def test_a_large_file_is_skipped_when_the_same_and_sent_when_changed_at_the_same_size(
        target: BlobTarget, tmp_path: Path) -> None:
    one, two = os.urandom(9 * 1024 * 1024), os.urandom(9 * 1024 * 1024)
    path = _file(tmp_path, "big.cspkg", one)
    assert not upload_file(target.endpoint, target.account, target.key, "samebig", "big.cspkg", path).skipped
    again = upload_file(target.endpoint, target.account, target.key, "samebig", "big.cspkg", path)
    assert again.skipped and again.md5 == _identity(one)
    assert _props(target, "samebig", "big.cspkg").metadata["smflow_content"].endswith(f"/{_identity(one)}")
    path.write_bytes(two)  # the same size: only the MD5 tells them apart, then every block is sent
    changed = upload_file(target.endpoint, target.account, target.key, "samebig", "big.cspkg", path)
    assert not changed.skipped and changed.md5 == _identity(two)
    assert _download(target, "samebig", "big.cspkg") == two


def test_a_20_mb_file_in_blocks(target: BlobTarget, tmp_path: Path) -> None:
    data = os.urandom(20 * 1024 * 1024)
    seen: list[int] = []
    result = upload_file(target.endpoint, target.account, target.key, "big", "big.cspkg",
                         _file(tmp_path, "big.cspkg", data), progress=lambda done, total: seen.append(done))  # fmt: skip
    assert result.size == len(data) and not result.skipped
    assert len(seen) >= 5 and seen[-1] == len(data)  # a progress report per block at least
    assert hashlib.md5(_download(target, "big", "big.cspkg")).digest() == hashlib.md5(data).digest()


def test_a_wrong_key_is_refused_with_a_clear_error(target: BlobTarget, tmp_path: Path) -> None:
    wrong = base64.b64encode(b"W" * 64).decode()
    with pytest.raises(ApiError) as caught:
        upload_file(target.endpoint, target.account, wrong, "nokey", "app.cspkg", _file(tmp_path, "a", b"x"))
    text = str(caught.value)
    # The service says AuthenticationFailed (the emulator too); Azurite says AuthorizationFailure.
    assert caught.value.status == 403 and caught.value.code in ("AuthenticationFailed", "AuthorizationFailure")
    assert "the storage account key was refused" in text and "nokey/app.cspkg" in text
    assert wrong not in text and target.key not in text


def test_each_block_goes_with_its_md5_which_the_service_checks(
        target: BlobTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from smflow.storage import upload

    real = upload._BlockReader.next_block
    calls: list[int] = []

    def corrupt_second(self: upload._BlockReader) -> tuple[bytes, bytes] | None:
        item = real(self)
        calls.append(1)
        return (item[0], hashlib.md5(b"not this block").digest()) if item and len(calls) == 2 else item

    monkeypatch.setattr(upload._BlockReader, "next_block", corrupt_second)
    path = _file(tmp_path, "big.cspkg", os.urandom(9 * 1024 * 1024))
    with pytest.raises(ApiError) as caught:
        upload_file(target.endpoint, target.account, target.key, "blocks", "big.cspkg", path)
    # The service says Md5Mismatch (the emulator too); Azurite says InvalidOperation ("Provided contentMD5
    # doesn't match").
    assert caught.value.status == 400 and caught.value.code in ("Md5Mismatch", "InvalidOperation"), caught.value
    svc = BlobServiceClient(target.endpoint, credential={"account_name": target.account, "account_key": target.key})
    assert not svc.get_container_client("blocks").get_blob_client("big.cspkg").exists()  # nothing committed


def test_a_blob_with_the_same_content_but_no_identity_is_skipped_by_its_content_md5(
        target: BlobTarget, tmp_path: Path) -> None:
    # Uploaded by another tool (or an older smflow) with the whole file's MD5 as its Content-MD5.
    data = os.urandom(5 * 1024 * 1024)
    svc = BlobServiceClient(target.endpoint, credential={"account_name": target.account, "account_key": target.key})
    box = svc.get_container_client("legacy")
    box.create_container()
    box.upload_blob("app.cspkg", data, content_settings=ContentSettings(content_md5=bytearray(hashlib.md5(data).digest())))
    blocks = BlobServiceClient(target.endpoint, credential={"account_name": target.account, "account_key": target.key},
                               max_single_put_size=4 * 1024 * 1024, max_block_size=4 * 1024 * 1024)  # fmt: skip
    # The same bytes in blocks, no MD5 stored (a Put Blob would have one): nothing proves them the same.
    blocks.get_container_client("legacy").upload_blob("other.cspkg", data)
    assert not _props(target, "legacy", "other.cspkg").content_settings.content_md5
    path = _file(tmp_path, "app.cspkg", data)
    same = upload_file(target.endpoint, target.account, target.key, "legacy", "app.cspkg", path)
    assert same.skipped and same.md5 == _identity(data)
    assert not upload_file(target.endpoint, target.account, target.key, "legacy", "other.cspkg", path).skipped


def test_the_identity_is_compared_at_the_block_size_the_blob_states(target: BlobTarget, tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    path = _file(tmp_path, "app.cspkg", data)
    first = upload_file(target.endpoint, target.account, target.key, "sizes", "app.cspkg", path, block_size=1024 * 1024)
    assert not first.skipped and first.md5 == _identity(data, 1024 * 1024) != _identity(data)
    again = upload_file(target.endpoint, target.account, target.key, "sizes", "app.cspkg", path)
    assert again.skipped and (again.md5, again.block_size) == (_identity(data), 4 * 1024 * 1024)


def test_each_byte_is_read_and_hashed_once(
        target: BlobTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The identity costs no second pass: a 9 MiB file (three blocks) feeds 9 MiB to MD5."""
    from smflow.storage import upload

    hashed: list[int] = []
    real_md5 = hashlib.md5

    class Counting:
        def __init__(self, data: bytes = b"") -> None:
            self.inner = real_md5(data)
            hashed.append(len(data))

        def update(self, data: bytes) -> None:
            hashed.append(len(data))
            self.inner.update(data)

        def digest(self) -> bytes:
            return self.inner.digest()

    monkeypatch.setattr(upload, "hashlib", SimpleNamespace(md5=Counting))  # upload's own, not the service's
    data = os.urandom(9 * 1024 * 1024)
    result = upload_file(target.endpoint, target.account, target.key, "once", "big.cspkg", _file(tmp_path, "big", data))
    assert not result.skipped and result.md5 == _identity(data)
    assert sum(hashed) == len(data) + 3 * 16  # each byte once, then the three block digests
