"""The emulator's blob service: the storage data plane of the accounts it created.

``get_storage_account_properties`` points an account's blob endpoint here, path style
(``{base}/blob/<account>/``), so ``azure-storage-blob`` given that account URL and the account's
key works unchanged, as it does against Azure or Azurite. Served: create / read a container,
Put Blob, Put Block, Put Block List (with the blob's metadata), Get Blob Properties, Get Blob (with
a range). Every request
is checked against the account's keys with the SharedKey scheme (a wrong key is
403 AuthenticationFailed, as on the service).

Bytes live on disk (one file per blob or staged block, written in pieces while they arrive), so a
100 MB blob never sits in memory; the index (containers, blob properties) is small and is kept in
memory and, under ``--state``, in ``index.json`` beside the blobs. A package URL is checked
against this store by ``create_deployment`` and its kin (``package_readable``); a disk deleted
with its media (``comp=media``) takes its .vhd out of it (``media_blob``, ``BlobStore.delete``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from lxml import etree

__all__ = ["BLOB_PREFIX", "BlobReply", "BlobStore", "BoundedReader", "Readable", "blob_endpoint", "blob_query", "is_blob_request",
           "media_blob", "package_readable", "serve_blob"]

BLOB_PREFIX = "blob"  # the first path segment of the blob endpoint: never a subscription id (a GUID)
_API_VERSION = "2021-08-06"
_CHUNK = 1024 * 1024
_META = "x-ms-meta-"  # a blob's metadata, one header per name (a Put Blob or Put Block List replaces it)
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}")
# The standard headers a SharedKey signature covers, in order (Range is signed as the SDK signs it).
_SIGNED = ("content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
           "if-modified-since", "if-match", "if-none-match", "if-unmodified-since")  # fmt: skip


class Readable(Protocol):
    def read(self, n: int = -1, /) -> bytes: ...


def blob_endpoint(base: str, account: str) -> str:
    """The blob endpoint the emulator gives an account, under the address its client used."""
    return f"{base}/{BLOB_PREFIX}/{account}/"


@dataclass
class BlobMeta:
    size: int
    md5: str | None  # base64, the Content-MD5 property
    etag: str
    last_modified: str
    created: str
    content_type: str
    file: str  # name of the data file under the store's root
    metadata: dict[str, str] = field(default_factory=dict)  # x-ms-meta-<name>, as the last write set it


@dataclass
class ContainerMeta:
    etag: str
    last_modified: str
    blobs: dict[str, BlobMeta] = field(default_factory=dict)


@dataclass
class BlobReply:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class BlobError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class BlobStore:
    """Containers and blobs of every account; bytes on disk under ``root``.

    Without a root (no ``--state``) a private temporary directory is used and removed when the
    store is collected or the process exits.
    """

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            root = Path(tempfile.mkdtemp(prefix="smflow-blobs-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, str(root), True)
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.containers: dict[tuple[str, str], ContainerMeta] = {}
        self.staged: dict[tuple[str, str, str], dict[str, str]] = {}  # (account, container, blob) -> block id -> file
        self._load()

    # -- index -----------------------------------------------------------------------------------
    def _index(self) -> Path:
        return self.root / "index.json"

    def _load(self) -> None:
        path = self._index()
        if not path.exists():
            return
        data = json.loads(path.read_text())
        for key, c in data.items():
            account, _, container = key.partition("/")
            blobs = {name: BlobMeta(**meta) for name, meta in c["blobs"].items()}
            self.containers[(account, container)] = ContainerMeta(c["etag"], c["last_modified"], blobs)

    def _save(self) -> None:
        data = {f"{a}/{c}": {"etag": m.etag, "last_modified": m.last_modified,
                             "blobs": {n: asdict(b) for n, b in m.blobs.items()}}
                for (a, c), m in self.containers.items()}  # fmt: skip
        tmp = self._index().with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self._index())

    # -- reads -----------------------------------------------------------------------------------
    def blob(self, account: str, container: str, name: str) -> BlobMeta | None:
        c = self.containers.get((account, container))
        return None if c is None else c.blobs.get(name)

    def data_path(self, meta: BlobMeta) -> Path:
        return self.root / meta.file

    # -- writes ----------------------------------------------------------------------------------
    def _receive(self, stream: Readable, length: int) -> tuple[str, str]:
        """Copy ``length`` bytes of a request body to a new data file: (file name, base64 MD5)."""
        name = os.urandom(16).hex()
        digest = hashlib.md5()
        left = length
        with open(self.root / name, "wb") as out:
            while left > 0:
                chunk = stream.read(min(left, _CHUNK))
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
                left -= len(chunk)
        if left:
            (self.root / name).unlink()
            raise BlobError(400, "InvalidInput", "The request body is shorter than its Content-Length.")
        return name, base64.b64encode(digest.digest()).decode()

    def _drop(self, file: str) -> None:
        (self.root / file).unlink(missing_ok=True)

    def delete(self, account: str, container: str, name: str) -> bool:
        """Remove a blob (a disk's .vhd deleted with ``comp=media``); False when it was not there."""
        with self.lock:
            box = self.containers.get((account, container))
            meta = None if box is None else box.blobs.pop(name, None)
            if meta is None:
                return False
            self._drop(meta.file)
            self._save()
            return True


def package_readable(store: Callable[[], BlobStore], base: str, url: str) -> bool | None:
    """Whether a package URL on this emulator's blob endpoint names a blob that exists
    (None: the URL is not on this emulator, nothing can be said)."""
    parts = urlsplit(url)
    here = urlsplit(base)
    if parts.netloc != here.netloc:
        return None
    segments = [unquote(s) for s in parts.path.split("/")]
    if len(segments) < 5 or segments[1] != BLOB_PREFIX:
        return None
    account, container, name = segments[2], segments[3], "/".join(segments[4:])
    blobs = store()  # only now: a URL elsewhere never creates the store (nor its directory)
    with blobs.lock:
        return blobs.blob(account, container, name) is not None


def media_blob(url: str) -> tuple[str, str, str] | None:
    """(account, container, blob) of a disk's media link on an emulator's blob endpoint
    (``<base>/blob/<account>/<container>/<blob>``); None for a link elsewhere (``*.blob.core.windows.net``).
    The host is not compared: a link written as localhost names the same store as one written as
    127.0.0.1, and the caller checks that the account is one this emulator created."""
    segments = [unquote(s) for s in urlsplit(url).path.split("/")]
    if len(segments) < 5 or segments[0] or segments[1] != BLOB_PREFIX or not all(segments[2:]):
        return None
    return segments[2], segments[3], "/".join(segments[4:])


# -- the REST surface ------------------------------------------------------------------------------

KeyLookup = Callable[[str], tuple[str, ...] | None]  # account name -> its keys (None: no such account)


def serve_blob(store: BlobStore, keys: KeyLookup, method: str, path: str, query: dict[str, str],
               headers: dict[str, str], stream: Readable, request_id: str) -> BlobReply:  # fmt: skip
    """One Blob REST request; ``path`` is the request path (still percent-encoded), starting ``/blob/``."""
    try:
        reply = _serve(store, keys, method, path, query, headers, stream)
    except BlobError as err:
        body = b"" if method == "HEAD" else (
            f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{err.code}</Code><Message>{_xml(err.message)}\n'
            f"RequestId:{request_id}</Message></Error>"
        ).encode()
        reply = BlobReply(err.status, [("x-ms-error-code", err.code), ("Content-Type", "application/xml")], body)
    reply.headers.extend([("x-ms-request-id", request_id), ("x-ms-version", _API_VERSION)])
    return reply


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _now() -> str:
    return formatdate(usegmt=True)


def _etag() -> str:
    return f'"0x{os.urandom(8).hex().upper()}"'


def _authenticate(keys: KeyLookup, account: str, method: str, path: str, query: dict[str, str],
                  headers: dict[str, str]) -> None:  # fmt: skip
    known = keys(account)
    if known is None:
        raise BlobError(404, "ResourceNotFound", "The specified resource does not exist.")
    auth = headers.get("authorization", "")
    scheme, _, credential = auth.partition(" ")
    claimed, _, signature = credential.partition(":")
    if scheme != "SharedKey" or claimed != account or not signature:
        raise BlobError(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the "
                        "value of Authorization header is formed correctly including the signature.")
    signed = {k: v for k, v in headers.items() if v}
    if signed.get("content-length") == "0":
        del signed["content-length"]
    text = method + "\n" + "".join(signed.get(h, "") + "\n" for h in _SIGNED) + "\n"
    text += "".join(f"{k}:{v}\n" for k, v in sorted((k, v) for k, v in headers.items() if k.startswith("x-ms-")))
    text += f"/{account}{path}" + "".join(f"\n{k.lower()}:{v}" for k, v in sorted(query.items()))
    for key in known:
        expected = base64.b64encode(hmac.new(base64.b64decode(key), text.encode(), hashlib.sha256).digest()).decode()
        if hmac.compare_digest(expected, signature):
            return
    raise BlobError(403, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value "
                    "of Authorization header is formed correctly including the signature.")


def _serve(store: BlobStore, keys: KeyLookup, method: str, path: str, query: dict[str, str],
           headers: dict[str, str], stream: Readable) -> BlobReply:  # fmt: skip
    segments = path.split("/")  # "", "blob", account, container, blob...
    if len(segments) < 3 or not segments[2]:
        raise BlobError(400, "InvalidUri", "The requested URI does not represent any resource on the server.")
    account = segments[2]
    _authenticate(keys, account, method, path, query, headers)
    container = unquote(segments[3]) if len(segments) > 3 else ""
    name = unquote("/".join(segments[4:])) if len(segments) > 4 else ""
    with store.lock:
        if not name and query.get("restype") == "container":
            return _container(store, method, account, container)
        if not container or not name:
            raise BlobError(501, "NotImplemented", f"{method} on the account or container is not served by the emulator.")
        return _blob(store, method, account, container, name, query, headers, stream)


def _container(store: BlobStore, method: str, account: str, container: str) -> BlobReply:
    key = (account, container)
    if method == "PUT":
        if not _NAME.fullmatch(container):
            raise BlobError(400, "InvalidResourceName", "The specifed resource name contains invalid characters.")
        if key in store.containers:
            raise BlobError(409, "ContainerAlreadyExists", "The specified container already exists.")
        meta = store.containers[key] = ContainerMeta(_etag(), _now())
        store._save()
        return BlobReply(201, [("ETag", meta.etag), ("Last-Modified", meta.last_modified)])
    if method in ("GET", "HEAD"):
        found = store.containers.get(key)
        if found is None:
            raise BlobError(404, "ContainerNotFound", "The specified container does not exist.")
        return BlobReply(200, [("ETag", found.etag), ("Last-Modified", found.last_modified),
                               ("x-ms-lease-status", "unlocked"), ("x-ms-lease-state", "available")])  # fmt: skip
    raise BlobError(501, "NotImplemented", f"{method} on a container is not served by the emulator.")


def _length(headers: dict[str, str]) -> int:
    return int(headers.get("content-length") or 0)


def _b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def _check_md5(given: str | None, actual: str) -> None:
    if given and given != actual:
        raise BlobError(400, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 "
                        "value calculated by the server.")


def _blob(store: BlobStore, method: str, account: str, container: str, name: str, query: dict[str, str],
          headers: dict[str, str], stream: Readable) -> BlobReply:  # fmt: skip
    box = store.containers.get((account, container))
    if box is None:
        raise BlobError(404, "ContainerNotFound", "The specified container does not exist.")
    comp = query.get("comp")
    if method == "PUT" and comp == "block":
        block_id = query.get("blockid", "")
        if not block_id:
            raise BlobError(400, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
        file, md5 = store._receive(stream, _length(headers))
        try:
            _check_md5(headers.get("content-md5"), md5)
        except BlobError:
            store._drop(file)
            raise
        staged = store.staged.setdefault((account, container, name), {})
        if block_id in staged:
            store._drop(staged[block_id])
        staged[block_id] = file
        return BlobReply(201, [("Content-MD5", md5), ("x-ms-request-server-encrypted", "true")])
    if method == "PUT" and comp == "blocklist":
        return _commit(store, box, account, container, name, headers, stream)
    if method == "PUT" and comp is None:
        if headers.get("x-ms-blob-type") != "BlockBlob":
            raise BlobError(400, "InvalidHeaderValue", "The emulator serves block blobs only (x-ms-blob-type: BlockBlob).")
        file, md5 = store._receive(stream, _length(headers))
        try:
            _check_md5(headers.get("content-md5"), md5)
            _check_md5(headers.get("x-ms-blob-content-md5"), md5)
        except BlobError:
            store._drop(file)
            raise
        return _store(store, box, name, file, md5, headers)
    if method in ("GET", "HEAD") and comp is None:
        return _read(store, box.blobs.get(name), method, headers)
    raise BlobError(501, "NotImplemented", f"{method} ?comp={comp} on a blob is not served by the emulator.")


def _commit(store: BlobStore, box: ContainerMeta, account: str, container: str, name: str,
            headers: dict[str, str], stream: Readable) -> BlobReply:  # fmt: skip
    listed = stream.read(_length(headers))
    _check_md5(headers.get("content-md5"), _b64md5(listed))
    try:
        tree = etree.fromstring(listed, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        raise BlobError(400, "InvalidXmlDocument", "XML specified is not syntactically valid.") from err
    staged = store.staged.get((account, container, name), {})
    old = box.blobs.get(name)
    parts: list[Path] = []
    for item in tree:
        block_id = item.text or ""
        kind = etree.QName(item).localname
        if kind in ("Latest", "Uncommitted") and block_id in staged:
            parts.append(store.root / staged[block_id])
        else:
            raise BlobError(400, "InvalidBlockList", "The specified block list is invalid.")
    file = os.urandom(16).hex()
    # The blocks were hashed as they arrived and the blob's MD5 is the client's: the commit only
    # joins the block files, kernel to kernel, never through Python's buffers.
    with open(store.root / file, "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                _append(src.fileno(), out.fileno(), os.fstat(src.fileno()).st_size)
    for block_file in staged.values():
        store._drop(block_file)
    store.staged.pop((account, container, name), None)
    del old  # replaced below
    # The blob's Content-MD5 is what the client stated (the service does not hash a block list's
    # blob); the response's is the request's, the block list itself, as the service answers.
    reply = _store(store, box, name, file, headers.get("x-ms-blob-content-md5") or None, headers)
    reply.headers = [(k, v) for k, v in reply.headers if k != "Content-MD5"] + [("Content-MD5", _b64md5(listed))]
    return reply


def _append(src: int, out: int, size: int) -> None:
    """Copy ``size`` bytes of ``src`` to the end of ``out`` (sendfile: no copy through user space)."""
    offset = 0
    while offset < size:
        sent = os.sendfile(out, src, offset, size - offset)
        if not sent:
            raise BlobError(500, "InternalError", "A staged block is shorter than when it was received.")
        offset += sent


def _store(store: BlobStore, box: ContainerMeta, name: str, file: str, md5: str | None,
           headers: dict[str, str]) -> BlobReply:  # fmt: skip
    old = box.blobs.get(name)
    now = _now()
    meta = BlobMeta((store.root / file).stat().st_size, md5, _etag(), now, old.created if old else now,
                    headers.get("x-ms-blob-content-type") or "application/octet-stream", file,
                    {k[len(_META):]: v for k, v in headers.items() if k.startswith(_META)})  # fmt: skip
    box.blobs[name] = meta
    if old is not None:
        store._drop(old.file)
    store._save()
    out = [("ETag", meta.etag), ("Last-Modified", meta.last_modified), ("x-ms-request-server-encrypted", "true")]
    if md5:
        out.append(("Content-MD5", md5))
    return BlobReply(201, out)


_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


def _read(store: BlobStore, meta: BlobMeta | None, method: str, headers: dict[str, str]) -> BlobReply:
    if meta is None:
        raise BlobError(404, "BlobNotFound", "The specified blob does not exist.")
    props = [("ETag", meta.etag), ("Last-Modified", meta.last_modified), ("x-ms-creation-time", meta.created),
             ("x-ms-blob-type", "BlockBlob"), ("Accept-Ranges", "bytes"), ("Content-Type", meta.content_type),
             ("x-ms-lease-status", "unlocked"), ("x-ms-lease-state", "available"),
             ("x-ms-server-encrypted", "true")]  # fmt: skip
    if meta.md5:
        props.append(("Content-MD5", meta.md5))
    props.extend((_META + k, v) for k, v in meta.metadata.items())
    if method == "HEAD":
        return BlobReply(200, [*props, ("Content-Length", str(meta.size))])
    wanted = _RANGE.fullmatch(headers.get("x-ms-range") or headers.get("range") or "")
    start, end, status = 0, meta.size - 1, 200
    if wanted is not None:
        start = int(wanted.group(1))
        end = min(int(wanted.group(2)), meta.size - 1) if wanted.group(2) else meta.size - 1
        if start >= meta.size and meta.size:
            raise BlobError(416, "InvalidRange", "The range specified is invalid for the current size of the resource.")
        status = 206
        props.append(("Content-Range", f"bytes {start}-{end}/{meta.size}"))
    with open(store.data_path(meta), "rb") as src:
        src.seek(start)
        body = src.read(max(0, end - start + 1))
    return BlobReply(status, props, body)


def is_blob_request(target: str) -> bool:
    """Whether a request line's target is for the blob endpoint (origin or absolute form)."""
    path = urlsplit(target).path if target.startswith(("http://", "https://")) else target
    return path.startswith(f"/{BLOB_PREFIX}/")


class BoundedReader:
    """A request body of known length read from the connection: never past its end, and
    drained afterwards so the next request on a keep-alive connection starts where it should."""

    def __init__(self, raw: Readable, length: int) -> None:
        self._raw, self.left = raw, max(0, length)

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self._raw.read(n) if n else b""
        self.left -= len(data)
        if len(data) < n:
            self.left = 0
        return data

    def drain(self, limit: int) -> bool:
        """Read and drop what the handler left; False when more than ``limit`` is left (hang up)."""
        if self.left > limit:
            return False
        while self.left and self.read(_CHUNK):
            pass
        return True


def blob_query(qs: str) -> dict[str, str]:
    """A blob request's query: values percent-decoded as the SharedKey scheme signs them (a '+'
    in a base64 block id stays a '+', where ``parse_qsl`` would make it a space)."""
    pairs = (item.partition("=") for item in qs.split("&") if item)
    return {unquote(k): unquote(v) for k, _, v in pairs}
