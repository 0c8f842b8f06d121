"""Blob uploads in a cassette: one metadata entry per ``upload_blob``, never the bytes, never a key.

``azure-storage-blob`` sends through ``requests``, so vcrpy would record an upload's traffic
whole: megabytes of package bytes and a SharedKey ``Authorization`` header per request. A
recording instead lets that traffic through unrecorded (``unrecorded``: the blob endpoint's URL
prefix, for as long as the upload runs) and keeps one entry per upload in the cassette header's
``meta.uploads``: account, container, name, the file as the flow named it, size, its content
identity (``md5``), the blob's URL and whether the upload was skipped (the same content was
already there). The entry says which identity it holds: with ``block_size``, the MD5 of the MD5s
of the file's blocks of that size (``storage.upload.content_md5``, what an upload computes
without a second pass); without it, the whole file's MD5 (cassettes recorded before).

A replay sends nothing for an upload. It takes the next recorded entry, checks that the flow
uploads the same blob, and that the local file still has the recorded identity, computed as it
was recorded: a rebuilt package is a drift (``ReplayDriftError`` naming the file), as a changed
request body would be. The
recorded URL is what the call returns, so the ``create_deployment`` that follows matches its
recorded body.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from smflow.errors import CassetteFormatError, ReplayDriftError

__all__ = [
    "META_KEY",
    "RecordedUpload",
    "ReplayedUploads",
    "is_unrecorded",
    "record_upload",
    "recorded_uploads",
    "unrecorded",
]

META_KEY = "uploads"

_lock = threading.Lock()
_unrecorded: dict[str, int] = {}  # URL prefix -> how many uploads to it are running


@dataclass(frozen=True)
class RecordedUpload:
    """What a cassette keeps of one upload."""

    storage_account: str
    container: str
    name: str
    file: str  # as the flow wrote it (relative to the flow's folder)
    size: int
    md5: str  # base64: the content identity at ``block_size``, or the whole file's MD5 without it
    url: str
    skipped: bool
    block_size: int | None = None  # None: an entry recorded before content identities (whole-file MD5)

    def where(self) -> str:
        return f"{self.container}/{self.name} in storage account {self.storage_account}"


_FIELDS: dict[str, type] = {"storage_account": str, "container": str, "name": str, "file": str, "size": int,
                            "md5": str, "url": str, "skipped": bool}


@contextmanager
def unrecorded(prefix: str) -> Iterator[None]:
    """Inside the block, a recording drops every request whose URL starts with ``prefix``."""
    with _lock:
        _unrecorded[prefix] = _unrecorded.get(prefix, 0) + 1
    try:
        yield
    finally:
        with _lock:
            _unrecorded[prefix] -= 1
            if not _unrecorded[prefix]:
                del _unrecorded[prefix]


def is_unrecorded(uri: str) -> bool:
    """Whether a request to ``uri`` is blob traffic a recording must not keep."""
    if not _unrecorded:
        return False
    with _lock:
        return any(uri.startswith(prefix) for prefix in _unrecorded)


def record_upload(meta: MutableMapping[str, Any], upload: RecordedUpload) -> None:
    """Add an upload to the header ``meta`` of the cassette being recorded."""
    entry = asdict(upload)
    if upload.block_size is None:
        del entry["block_size"]
    meta.setdefault(META_KEY, []).append(entry)


def recorded_uploads(meta: Mapping[str, Any], cassette: str) -> list[RecordedUpload]:
    """The uploads a cassette recorded, in order (a hand-edited entry gone wrong is refused)."""
    entries = meta.get(META_KEY) or []
    if not isinstance(entries, list):
        raise CassetteFormatError(f"{cassette}: the 'smflow:' block's meta.{META_KEY} must be a list")
    out = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) - {"block_size"} != set(_FIELDS) or any(
                type(entry[key]) is not kind for key, kind in _FIELDS.items()) or (
                "block_size" in entry and (type(entry["block_size"]) is not int or entry["block_size"] <= 0)):
            raise CassetteFormatError(f"{cassette}: meta.{META_KEY} entry {number} needs exactly "
                                      + ", ".join(f"{k} ({v.__name__})" for k, v in _FIELDS.items())
                                      + ", and may give block_size (a positive int)")
        out.append(RecordedUpload(**entry))
    return out


class ReplayedUploads:
    """Serves the recorded uploads in order during a replay, checking each against the flow."""

    def __init__(self, uploads: list[RecordedUpload], cassette: str) -> None:
        self.uploads = list(uploads)
        self.cassette = cassette
        self.played = 0

    def play(self, *, storage_account: str, container: str, name: str, identity: Callable[[int | None], str],
             file: Path, site: str) -> RecordedUpload:
        """The recorded upload of this blob, or ``ReplayDriftError`` saying what differs.

        ``identity(block_size)`` computes the local file's (base64) as the entry recorded it: the
        content identity at that block size, or the whole file's MD5 for None; ``site`` names the
        call in the flow."""
        where = f"{site}: " if site else "upload_blob: "
        if self.played >= len(self.uploads):
            raise ReplayDriftError(
                f"{where}{container}/{name} in storage account {storage_account}: the cassette "
                f"{self.cassette} recorded {len(self.uploads)} upload(s) and this is one more; re-record it")
        recorded = self.uploads[self.played]
        given = (storage_account, container, name)
        if given != (recorded.storage_account, recorded.container, recorded.name):
            raise ReplayDriftError(
                f"{where}{container}/{name} in storage account {storage_account}: the cassette "
                f"{self.cassette} recorded an upload of {recorded.where()} here; re-record it")
        md5 = identity(recorded.block_size)
        if md5 != recorded.md5:
            kind = "MD5" if recorded.block_size is None else f"content MD5 ({recorded.block_size}-byte blocks)"
            raise ReplayDriftError(
                f"{where}the file {file} changed since the cassette {self.cassette} was recorded "
                f"(its {kind} is {md5}, the recording uploaded {recorded.md5}); rebuild the same file or "
                "re-record the cassette")
        self.played += 1
        return recorded
