"""Running ``upload_blob``: a local file to a storage account's blob service, inside the flow.

The call is a write, made by the same rules as the Service Management ones (``run.calls``):

- **Where and with what key.** ``blob_endpoint`` and ``account_key`` when the flow gives them
  (an account outside the subscription: pass the key as a secret param); otherwise the endpoint
  is read from ``get_storage_account_properties`` (so one flow works against Azure and the
  emulator) and the key from ``get_storage_account_keys``, within the call: the key never enters
  the flow's scope. Either way it is a secret of the run from then on (masked in output,
  journal, cassette and errors).
- **Journaled.** The intent is on disk before any byte is sent, and the blob's URL with the
  done record, so a resumed run returns that URL without sending anything.
- **Retried** on transient faults (connection, 5xx, throttling) by the step's policy, within
  its deadline (the SDK's own retries are off: one policy decides). A re-sent upload is cheap
  and safe: the same content already there is skipped (``storage.upload``).
- **Progress**: ``UploadProgress`` events, a few a second at most (a 20 MB file in 4 MiB blocks
  is not five events a second, a 2 GB one is not five hundred), then ``BlobUploaded``.
- **Recorded** as one metadata entry in the cassette (``recording.uploads``), never the bytes
  or a signature; **replayed** without sending anything, after checking the local file's
  content identity (as the entry recorded it: block MD5s, or the whole file's MD5).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smflow.asm.catalogue import OperationSpec
from smflow.errors import ApiError, UsageError
from smflow.run.events import BlobUploaded, UploadProgress

if TYPE_CHECKING:  # smflow.recording is imported by runs that record or replay only
    from smflow.recording.uploads import ReplayedUploads
    from smflow.run.calls import CallRunner, StepContext

__all__ = ["BlobCalls", "blob_endpoint_of"]

PROGRESS_EVERY = 0.25  # seconds between two UploadProgress events of one upload
_DEFAULT_TIMEOUT = 60.0  # one request to the blob service, when the step sets no deadline


def blob_endpoint_of(endpoints: list[str]) -> str | None:
    """The blob endpoint among an account's endpoints (Azure's ``<account>.blob.core...``, the
    emulator's ``.../blob/<account>/``); None when it has none."""
    for endpoint in endpoints:
        host_and_path = endpoint.split("://", 1)[-1]
        if ".blob." in host_and_path.split("/", 1)[0] or "/blob/" in host_and_path:
            return endpoint
    return None


class BlobCalls:
    """Makes the data-plane calls of one run: live, recording (metadata into ``record_meta``), or
    replaying (from ``replay``: nothing is sent)."""

    def __init__(self, *, base_dir: Path, record_meta: MutableMapping[str, Any] | None = None,
                 replay: ReplayedUploads | None = None) -> None:
        self.base_dir = base_dir
        self.record_meta = record_meta
        self.replay = replay

    def call(self, runner: CallRunner, ctx: StepContext, spec: OperationSpec, args: dict[str, Any]) -> str:
        if spec.name != "upload_blob":  # pragma: no cover - the data plane has one operation
            raise UsageError(f"{spec.name}: not a data-plane operation smflow can run")
        return self._upload(runner, ctx, spec, args)

    # -- upload_blob ----------------------------------------------------------------------------

    def _upload(self, runner: CallRunner, ctx: StepContext, spec: OperationSpec, args: dict[str, Any]) -> str:
        op = spec.name
        n = ctx.counters[op] = ctx.counters.get(op, 0) + 1
        call_key = f"{op}#{n}@{ctx.key_prefix}"
        site = runner.site
        prior = runner.resume_calls.pop(call_key, None) if ctx.resumable else None
        if prior is not None and prior.done and isinstance(prior.result, str):
            return prior.result  # uploaded before the crash: the journal holds its URL
        account, container, name = str(args["storage_account"]), str(args["container"]), str(args["name"])
        path = self._path(str(args["file"]))
        blob = f"{container}/{name}"
        endpoint = args.get("blob_endpoint") or self._endpoint(runner, ctx, account)
        key = args.get("account_key") or self._key(runner, ctx, account)
        runner.site = site  # the lookups above named themselves; errors name the upload
        if self.replay is None:
            runner.masker.add(key, "the storage account key")
        runner.journal.append("call_intent", key=call_key, op=op, args=runner.masker.arguments(spec, args),
                              durable=True)
        if self.replay is not None:
            from smflow.storage.upload import content_md5, file_md5

            sizes: list[int] = []

            def identity(block_size: int | None) -> str:  # as the cassette recorded it (recording.uploads)
                md5, size = _readable(path, lambda: file_md5(path) if block_size is None else
                                      content_md5(path, block_size))  # fmt: skip
                sizes.append(size)
                return md5

            played = self.replay.play(storage_account=account, container=container, name=name, identity=identity,
                                      file=path, site=site)
            url, skipped, md5, size = played.url, played.skipped, played.md5, sizes[-1]
        else:
            url, size, md5, skipped, block_size = self._send(runner, ctx, endpoint, account, str(key), container,
                                                             name, path)  # fmt: skip
            if self.record_meta is not None:
                from smflow.recording.uploads import RecordedUpload, record_upload

                record_upload(self.record_meta, RecordedUpload(account, container, name, str(args["file"]), size,
                                                               md5, url, skipped, block_size))
        runner.journal.append("call_done", key=call_key, op=op, result=url, size=size, md5=md5, skipped=skipped)
        runner.emit(BlobUploaded, step=ctx.name, blob=blob, url=url, size=size, md5=md5, skipped=skipped)
        return url

    def _send(self, runner: CallRunner, ctx: StepContext, endpoint: str, account: str, key: str, container: str,
              name: str, path: Path) -> tuple[str, int, str, bool, int]:
        from smflow.storage.upload import upload_file

        blob = f"{container}/{name}"
        last = [0.0]

        def progress(sent: int, total: int) -> None:
            now = time.monotonic()
            if sent < total and now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
            runner.emit(UploadProgress, step=ctx.name, blob=blob, sent=sent, total=total)

        skip: Callable[[str], AbstractContextManager[object]] = _nothing_to_skip
        if self.record_meta is not None:  # the blob traffic is not recorded, its metadata is
            from smflow.recording.uploads import unrecorded

            skip = unrecorded

        def attempt(number: int) -> Any:
            runner.journal.wait_durable()  # the intent is on disk before the first byte goes
            runner.requests += 1
            budget = runner.request_budget(ctx)
            with skip(endpoint.rstrip("/")):
                return upload_file(endpoint, account, key, container, name, path, progress=progress,
                                   timeout=_DEFAULT_TIMEOUT if budget is None else max(budget, 0.001))

        result = runner.with_retry(ctx, "upload_blob", attempt)
        return result.url, result.size, result.md5, result.skipped, result.block_size

    def _path(self, file: str) -> Path:
        path = Path(file)
        return path if path.is_absolute() else self.base_dir / path

    def _endpoint(self, runner: CallRunner, ctx: StepContext, account: str) -> str:
        found = runner.call(ctx, "get_storage_account_properties", {"service_name": account})
        endpoints = list(getattr(getattr(found, "storage_service_properties", None), "endpoints", None) or [])
        endpoint = blob_endpoint_of(endpoints)
        if endpoint is None:
            raise ApiError(f"storage account {account} has no blob endpoint (its endpoints: "
                           f"{', '.join(endpoints) or 'none'}); pass blob_endpoint", operation="upload_blob")
        return endpoint

    def _key(self, runner: CallRunner, ctx: StepContext, account: str) -> str:
        found = runner.call(ctx, "get_storage_account_keys", {"service_name": account})
        keys = getattr(found, "storage_service_keys", None)
        primary = getattr(keys, "primary", None)
        if not primary:
            raise ApiError(f"storage account {account}: get_storage_account_keys gave no primary key; pass "
                           "account_key", operation="upload_blob")
        return str(primary)


def _nothing_to_skip(prefix: str) -> AbstractContextManager[object]:
    return nullcontext()


def _readable(path: Path, digest: Any) -> tuple[str, int]:
    """The file's (MD5, size), or a ``UsageError`` naming it when it cannot be read."""
    if not path.is_file():
        raise UsageError(f"upload_blob: the file {path} does not exist or is not a file")
    try:
        md5, size = digest()
    except OSError as err:
        raise UsageError(f"upload_blob: cannot read {path}: {err.strerror or err}") from None
    return str(md5), int(size)
