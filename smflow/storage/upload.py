"""Upload one local file to a storage account's blob service, idempotent by content (MD5).

The work is done by Microsoft's client (``azure-storage-blob``): SharedKey signing, Put Blob for
a small file, Put Block / Put Block List in ``block_size`` pieces for a large one, each block's
Content-MD5 checked by the service. Around it, the release rules:

- the container is created when absent (an existing one is fine);
- a large file is read once, in a thread that runs a few blocks ahead of the sender and hashes
  each block (its own MD5 and the whole file's) from the same buffer (bounded memory; hashlib
  releases the GIL, so hashing overlaps the network instead of delaying it); a blob already
  holding the file's MD5 and size is left alone (``skipped``): a re-run uploads nothing (and
  hashes the file once, whole, to know it);
- blocks are staged and committed here (``stage_block``, ``commit_block_list``) rather than by
  ``upload_blob``, so the whole file's MD5, known by the last block, goes with the commit: no
  hash before the first byte, no Set Blob Properties after the last;
- a file that changes while it is uploaded (size or modification time) is an error;
- the whole file's MD5 is stored as the blob's Content-MD5 and read back after the upload: a
  blob whose stored MD5 differs is an error, never a silent success;
- the account key is a secret: it never appears in an error, which names the account, container
  and blob only.

``endpoint`` is the account's blob endpoint as ``get_storage_account_properties`` gives it
(``https://<account>.blob.core.windows.net/``, the emulator's ``http://127.0.0.1:PORT/blob/<account>/``
or Azurite's ``http://127.0.0.1:PORT/<account>``), so one flow works against each.
"""

from __future__ import annotations

import base64
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobBlock, BlobServiceClient, ContentSettings

from smflow.errors import ApiError, TransportError, UsageError

__all__ = ["BLOCK_SIZE", "UploadResult", "file_md5", "upload_file"]

BLOCK_SIZE = 4 * 1024 * 1024  # one Put Block; also the largest file sent in one Put Blob
_READ = 1024 * 1024
_AHEAD = 2  # blocks read and hashed ahead of the one being sent
OPERATION = "upload_blob"

Progress = Callable[[int, int], None]  # (bytes sent so far, total)


@dataclass(frozen=True)
class UploadResult:
    url: str  # the blob's URL, as a package_url
    size: int
    md5: str  # base64, as the service's Content-MD5
    skipped: bool  # the same content was already there: nothing was sent


def file_md5(path: Path) -> tuple[str, int]:
    """(base64 MD5, size) of a file, read in pieces."""
    digest = hashlib.md5()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_READ):
            digest.update(chunk)
            size += len(chunk)
    return base64.b64encode(digest.digest()).decode(), size


def _account_name(endpoint: str, account: str | None) -> str:
    if account:
        return account
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    return host.split(".", 1)[0]


def _code(err: HttpResponseError) -> str | None:
    """The service's error code (the SDK gives an enum member or a string)."""
    code = getattr(err, "error_code", None)
    return None if code is None else str(getattr(code, "value", code))


class _BlockReader(threading.Thread):
    """Reads the file once, ahead of the sender, and hashes what it read: each block's MD5 (the
    Content-MD5 of its Put Block, which the service checks) and the whole file's (for the commit
    and the skip rule). One read per block feeds both hashers and the sender, so the file is read
    once; hashlib releases the GIL on large buffers, so the hashing of the next block overlaps
    the sending of this one. The queue holds at most ``_AHEAD`` blocks: memory stays bounded
    when the network is slower than the disk."""

    def __init__(self, path: Path, block_size: int) -> None:
        super().__init__(name="smflow-read", daemon=True)
        self.path = path
        self.block_size = block_size
        self.blocks: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(maxsize=_AHEAD)
        self.result: tuple[str, int] | None = None
        self.error: OSError | None = None
        self.stopped = threading.Event()

    def run(self) -> None:
        whole = hashlib.md5()
        size = 0
        try:
            with open(self.path, "rb") as f:
                while not self.stopped.is_set() and (chunk := f.read(self.block_size)):
                    digest = hashlib.md5(chunk).digest()
                    whole.update(chunk)
                    size += len(chunk)
                    self._put((chunk, digest))
            self.result = base64.b64encode(whole.digest()).decode(), size
        except OSError as err:
            self.error = err
        finally:
            self._put(None)

    def _put(self, item: tuple[bytes, bytes] | None) -> None:
        while not self.stopped.is_set():
            try:
                self.blocks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def next_block(self) -> tuple[bytes, bytes] | None:
        """The next block and its MD5 (None: no more blocks, or the read failed: see ``md5``)."""
        return self.blocks.get()

    def stop(self) -> None:
        """Let the thread end without a consumer (an upload that failed half way)."""
        self.stopped.set()

    def md5(self) -> tuple[str, int]:
        """(base64 MD5, size) of all that was read, once every block has been taken."""
        self.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def upload_file(
    endpoint: str,
    account: str,
    key: str,
    container: str,
    name: str,
    path: Path,
    *,
    progress: Progress | None = None,
    block_size: int = BLOCK_SIZE,
    timeout: float = 60.0,
) -> UploadResult:
    """Upload ``path`` as ``container/name``; see the module docstring for the rules."""
    where = f"{container}/{name} in storage account {account}"
    if not path.is_file():
        raise UsageError(f"{OPERATION}: the file {path} does not exist or is not a file")
    reader: _BlockReader | None = None
    try:
        before = path.stat()
        size = before.st_size
        if size > block_size:  # read and hashed from now on, while the container and blob are looked up
            reader = _BlockReader(path, block_size)
            reader.start()
        service = BlobServiceClient(
            endpoint.rstrip("/") + "/", credential={"account_name": _account_name(endpoint, account), "account_key": key},
            max_single_put_size=block_size, max_block_size=block_size, connection_timeout=timeout,
            read_timeout=timeout, retry_total=0,  # the step's retry policy decides (run.uploads)
        )  # fmt: skip
        box = service.get_container_client(container)
        try:
            box.create_container()
        except ResourceExistsError:
            pass
        blob = box.get_blob_client(name)
        try:
            props = blob.get_blob_properties()
        except ResourceNotFoundError:
            props = None
        if props is not None and props.size == size and props.content_settings.content_md5:
            if reader is not None:  # no block need be sent if the content is the same: hash only
                reader.stop()
            md5, _ = file_md5(path)
            if base64.b64encode(bytes(props.content_settings.content_md5)).decode() == md5:
                if progress is not None:
                    progress(size, size)
                return UploadResult(blob.url, size, md5, skipped=True)
            if reader is not None:
                reader = _BlockReader(path, block_size)
                reader.start()
        if reader is None:  # one Put Blob, its MD5 checked by the service
            with open(path, "rb") as f:
                data = f.read()
            md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
            if len(data) > block_size or (len(data), path.stat().st_mtime_ns) != (size, before.st_mtime_ns):
                raise UsageError(f"{OPERATION}: the file {path} changed while it was being uploaded; nothing "
                                 "was committed")
            blob.upload_blob(data, length=len(data), overwrite=True, validate_content=True,
                             content_settings=ContentSettings(content_md5=bytearray(base64.b64decode(md5))))
        else:  # Put Block per block (each one's MD5 checked by the service), then Put Block List
            blocks: list[BlobBlock] = []
            sent = 0
            while (item := reader.next_block()) is not None:
                data, digest = item
                block_id = base64.b64encode(f"smflow-{len(blocks):08d}".encode()).decode()
                blob.stage_block(block_id, data, length=len(data), transactional_content_md5=bytearray(digest))
                blocks.append(BlobBlock(block_id))
                sent += len(data)
                if progress is not None:
                    progress(sent, size)
            md5, hashed = reader.md5()
            after = path.stat()
            if sent != hashed or sent != size or (after.st_size, after.st_mtime_ns) != (size, before.st_mtime_ns):
                raise UsageError(f"{OPERATION}: the file {path} changed while it was being uploaded; nothing "
                                 "was committed")
            blob.commit_block_list(blocks, content_settings=ContentSettings(
                content_md5=bytearray(base64.b64decode(md5))))
        stored = blob.get_blob_properties().content_settings.content_md5
        if not stored or base64.b64encode(bytes(stored)).decode() != md5:
            raise ApiError(f"{where}: the blob's stored MD5 does not match the file {path}", operation=OPERATION,
                           code="Md5Mismatch")  # fmt: skip
        if progress is not None:
            progress(size, size)
        return UploadResult(blob.url, size, md5, skipped=False)
    except ClientAuthenticationError as err:
        raise ApiError(f"{where}: the storage account key was refused", status=err.status_code,
                       code=_code(err) or "AuthenticationFailed", operation=OPERATION) from None  # fmt: skip
    except HttpResponseError as err:
        what = "the storage account key was refused" if err.status_code == 403 else "the blob service refused the upload"
        raise ApiError(f"{where}: {what}", status=err.status_code, code=_code(err),
                       operation=OPERATION) from None  # fmt: skip
    except AzureError as err:
        raise TransportError(f"{where}: could not reach the blob endpoint ({type(err).__name__})",
                             operation=OPERATION) from None  # fmt: skip
    except OSError as err:
        raise UsageError(f"{OPERATION}: cannot read {path}: {os.strerror(err.errno or 0)}") from None
    finally:
        if reader is not None:
            reader.stop()
