"""Upload one local file to a storage account's blob service, idempotent by content.

The work is done by Microsoft's client (``azure-storage-blob``): SharedKey signing, Put Blob for
a small file, Put Block / Put Block List in ``block_size`` pieces for a large one, each block's
Content-MD5 checked by the service. Around it, the release rules:

- the container is created when absent (an existing one is fine);
- the file's content identity is the MD5 of its blocks' MD5s (``content_md5``: S3's multipart
  scheme, with the block size): the block MD5s are computed anyway, for the service to check each
  block, so the identity costs no second pass over the file (a whole-file MD5 would: 0.17 s of
  CPU per 100 MB here, on the same two cores as the sending). It is stored with the blob as its
  metadata (``smflow_content``: ``block-md5s/<block size>/<base64>``) and read back after the
  upload: a blob whose stored identity differs is an error, never a silent success;
- a large file is read once, in a thread that runs a few blocks ahead of the sender and hashes
  each block from the buffer it sends (bounded memory; hashlib releases the GIL, so hashing
  overlaps the network instead of delaying it);
- a blob already holding the same content is left alone (``skipped``): a re-run uploads nothing
  and reads the file once. The same content is the same size and the same identity at the
  block size the blob states; a blob without one (uploaded before, or by another tool) with a
  Content-MD5 is compared by its whole-file MD5, from the same single read;
- blocks are staged and committed here (``stage_block``, ``commit_block_list``) rather than by
  ``upload_blob``, so the identity, known by the last block, goes with the commit: no hash
  before the first byte, no Set Blob Metadata after the last;
- a file that changes while it is uploaded (size or modification time) is an error;
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
from typing import Any

from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.storage.blob import BlobBlock, BlobServiceClient, ContentSettings

from smflow.errors import ApiError, TransportError, UsageError

__all__ = ["BLOCK_SIZE", "CONTENT_KEY", "UploadResult", "content_md5", "file_md5", "upload_file"]

BLOCK_SIZE = 4 * 1024 * 1024  # one Put Block; also the largest file sent in one Put Blob
_READ = 1024 * 1024
_AHEAD = 2  # blocks read and hashed ahead of the ones being sent
_IN_FLIGHT = 2  # Put Blocks sent at once (see _stage_blocks)
OPERATION = "upload_blob"
CONTENT_KEY = "smflow_content"  # the blob metadata holding the content identity
_SCHEME = "block-md5s"

Progress = Callable[[int, int], None]  # (bytes sent so far, total)


@dataclass(frozen=True)
class UploadResult:
    url: str  # the blob's URL, as a package_url
    size: int
    md5: str  # base64: the content identity, the MD5 of the MD5s of the file's blocks (``content_md5``)
    skipped: bool  # the same content was already there: nothing was sent
    block_size: int  # the blocks ``md5`` was computed over


def file_md5(path: Path) -> tuple[str, int]:
    """(base64 MD5, size) of a file, read in pieces: the whole file's MD5, the identity cassettes
    recorded before ``content_md5`` carry."""
    digest = hashlib.md5()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_READ):
            digest.update(chunk)
            size += len(chunk)
    return base64.b64encode(digest.digest()).decode(), size


def content_md5(path: Path, block_size: int = BLOCK_SIZE) -> tuple[str, int]:
    """(base64 content identity, size) of a file: the MD5 of the MD5s of its ``block_size``
    blocks, in order (an empty file has no block: the MD5 of nothing)."""
    identity, size, _ = _read_identity(path, block_size, whole=False)
    return identity, size


def _read_identity(path: Path, block_size: int, *, whole: bool) -> tuple[str, int, str | None]:
    """One read of a file: its identity at ``block_size``, its size, and (``whole``) its MD5."""
    outer = hashlib.md5()
    full = hashlib.md5() if whole else None
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(block_size):
            outer.update(hashlib.md5(chunk).digest())
            if full is not None:
                full.update(chunk)
            size += len(chunk)
    return _b64(outer.digest()), size, None if full is None else _b64(full.digest())


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def _content_value(block_size: int, identity: str) -> str:
    return f"{_SCHEME}/{block_size}/{identity}"


def _stored_identity(metadata: dict[str, str] | None) -> tuple[int, str] | None:
    """(block size, identity) a blob's metadata states, None when it states none we can use."""
    scheme, _, rest = ((metadata or {}).get(CONTENT_KEY) or "").partition("/")
    size, _, identity = rest.partition("/")
    if scheme != _SCHEME or not size.isdigit() or not 0 < int(size) <= 4000 * 1024 * 1024 or not identity:
        return None
    return int(size), identity


def _account_name(endpoint: str, account: str | None) -> str:
    if account:
        return account
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    return host.split(".", 1)[0]


def _code(err: HttpResponseError) -> str | None:
    """The service's error code (the SDK gives an enum member or a string)."""
    code = getattr(err, "error_code", None)
    return None if code is None else str(getattr(code, "value", code))


def _same_content(path: Path, block_size: int, metadata: dict[str, str] | None,
                  stored_md5: bytes | bytearray | None) -> str | None:
    """The file's identity at ``block_size`` when a blob of its size holds the same content
    (None: it does not, or cannot be known). The file is read once: at the block size the blob
    states, or, for a blob with no identity but a Content-MD5, for that MD5 and ours together."""
    stated = _stored_identity(metadata)
    if stated is not None:
        identity, _ = content_md5(path, stated[0])
        if identity != stated[1]:
            return None
        return identity if stated[0] == block_size else content_md5(path, block_size)[0]
    if not stored_md5:
        return None
    identity, _, whole = _read_identity(path, block_size, whole=True)
    return identity if whole == _b64(bytes(stored_md5)) else None


class _BlockReader(threading.Thread):
    """Reads the file once, ahead of the sender, and hashes each block it read: its MD5 is the
    Content-MD5 of its Put Block (which the service checks) and goes into the content identity,
    so the file is read and hashed once; hashlib releases the GIL on large buffers, so the
    hashing of the next block overlaps the sending of this one. The queue holds at most
    ``_AHEAD`` blocks: memory stays bounded when the network is slower than the disk."""

    def __init__(self, path: Path, block_size: int) -> None:
        super().__init__(name="smflow-read", daemon=True)
        self.path = path
        self.block_size = block_size
        self.blocks: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue(maxsize=_AHEAD)
        self.result: tuple[str, int] | None = None
        self.error: OSError | None = None
        self.stopped = threading.Event()

    def run(self) -> None:
        outer = hashlib.md5()
        size = 0
        try:
            with open(self.path, "rb") as f:
                while not self.stopped.is_set() and (chunk := f.read(self.block_size)):
                    digest = hashlib.md5(chunk).digest()
                    outer.update(digest)
                    size += len(chunk)
                    self._put((chunk, digest))
            self.result = _b64(outer.digest()), size
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
        """(base64 content identity, size) of all that was read, once every block has been taken."""
        self.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def _stage_blocks(blob: Any, reader: _BlockReader, size: int, progress: Progress | None) -> tuple[list[BlobBlock], int]:
    """Put Block for every block the reader gives, ``_IN_FLIGHT`` at a time: (the block list, bytes sent).

    Why two at once: a service that checks each block's MD5 (Azure, Azurite, the emulator) does so
    before it answers, so with one connection the next block waits for that check; with two, one
    block is sent while the other is checked. Blocks are listed in file order whatever order their
    answers come in; progress counts the blocks answered, in order. The first failure stops the
    rest (what is in flight ends; nothing is committed, staged blocks expire with the service).
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    blocks: list[BlobBlock] = []
    sent = 0
    pending: list[tuple[Future[Any], int]] = []

    def settle(keep: int) -> None:
        nonlocal sent
        while len(pending) > keep:
            future, length = pending.pop(0)
            future.result()
            sent += length
            if progress is not None:
                progress(sent, size)

    with ThreadPoolExecutor(max_workers=_IN_FLIGHT, thread_name_prefix="smflow-put-block") as pool:
        try:
            while (item := reader.next_block()) is not None:
                data, digest = item
                block_id = base64.b64encode(f"smflow-{len(blocks):08d}".encode()).decode()
                pending.append((pool.submit(blob.stage_block, block_id, data, length=len(data),
                                            transactional_content_md5=bytearray(digest)), len(data)))
                blocks.append(BlobBlock(block_id))
                settle(_IN_FLIGHT - 1)
            settle(0)
        except BaseException:
            for future, _ in pending:
                future.cancel()
            raise
    return blocks, sent


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
        if props is not None and props.size == size:
            if reader is not None:  # no block need be sent if the content is the same: hash only
                reader.stop()
            same = _same_content(path, block_size, props.metadata, props.content_settings.content_md5)
            if same is not None:
                if progress is not None:
                    progress(size, size)
                return UploadResult(blob.url, size, same, skipped=True, block_size=block_size)
            if reader is not None:
                reader = _BlockReader(path, block_size)
                reader.start()
        if reader is None:  # one Put Blob, its MD5 checked by the service
            with open(path, "rb") as f:
                data = f.read()
            digest = hashlib.md5(data).digest()
            md5 = _b64(hashlib.md5(digest if data else b"").digest())
            if len(data) > block_size or (len(data), path.stat().st_mtime_ns) != (size, before.st_mtime_ns):
                raise UsageError(f"{OPERATION}: the file {path} changed while it was being uploaded; nothing "
                                 "was committed")
            blob.upload_blob(data, length=len(data), overwrite=True, validate_content=True,
                             metadata={CONTENT_KEY: _content_value(block_size, md5)},
                             content_settings=ContentSettings(content_md5=bytearray(digest)))
        else:  # Put Block per block (each one's MD5 checked by the service), then Put Block List
            blocks, sent = _stage_blocks(blob, reader, size, progress)
            md5, hashed = reader.md5()
            after = path.stat()
            if sent != hashed or sent != size or (after.st_size, after.st_mtime_ns) != (size, before.st_mtime_ns):
                raise UsageError(f"{OPERATION}: the file {path} changed while it was being uploaded; nothing "
                                 "was committed")
            blob.commit_block_list(blocks, metadata={CONTENT_KEY: _content_value(block_size, md5)})
        if _stored_identity(blob.get_blob_properties().metadata) != (block_size, md5):
            raise ApiError(f"{where}: the blob's stored content identity does not match the file {path}",
                           operation=OPERATION, code="Md5Mismatch")  # fmt: skip
        if progress is not None:
            progress(size, size)
        return UploadResult(blob.url, size, md5, skipped=False, block_size=block_size)
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
