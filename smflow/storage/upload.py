"""Upload one local file to a storage account's blob service, idempotent by content (MD5).

The work is done by Microsoft's client (``azure-storage-blob``): SharedKey signing, Put Blob for
a small file, Put Block / Put Block List in ``block_size`` pieces for a large one, each block's
Content-MD5 checked by the service (``validate_content``). Around it, the release rules:

- the container is created when absent (an existing one is fine);
- the file's MD5 is computed first (streamed, bounded memory); a blob already holding that MD5
  and size is left alone (``skipped``): a re-run uploads nothing;
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError, ResourceExistsError
from azure.storage.blob import BlobServiceClient, ContentSettings

from smflow.errors import ApiError, TransportError, UsageError

__all__ = ["BLOCK_SIZE", "UploadResult", "file_md5", "upload_file"]

BLOCK_SIZE = 4 * 1024 * 1024  # one Put Block; also the largest file sent in one Put Blob
_READ = 1024 * 1024
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
    concurrency: int = 1,
    timeout: float = 60.0,
) -> UploadResult:
    """Upload ``path`` as ``container/name``; see the module docstring for the rules."""
    where = f"{container}/{name} in storage account {account}"
    if not path.is_file():
        raise UsageError(f"{OPERATION}: the file {path} does not exist or is not a file")
    md5, size = file_md5(path)
    try:
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
        if blob.exists():
            props = blob.get_blob_properties()
            stored = props.content_settings.content_md5
            if props.size == size and stored and base64.b64encode(bytes(stored)).decode() == md5:
                if progress is not None:
                    progress(size, size)
                return UploadResult(blob.url, size, md5, skipped=True)
        sent = 0

        def hook(response: object) -> None:
            nonlocal sent
            request = getattr(getattr(response, "http_request", None), "body", None)
            sent = min(size, sent + (len(request) if isinstance(request, bytes | bytearray) else 0))
            if progress is not None:
                progress(sent, size)

        with open(path, "rb") as f:
            blob.upload_blob(
                f, length=size, overwrite=True, validate_content=True, max_concurrency=concurrency,
                content_settings=ContentSettings(content_md5=bytearray(base64.b64decode(md5))),
                raw_response_hook=hook,
            )  # fmt: skip
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
