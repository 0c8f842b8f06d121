"""``upload_blob`` in a flow: run, journaled, resumed, recorded and replayed, against the emulator
and Azurite.

Two shapes of the call: the flow names only the account (smflow reads its blob endpoint and key
from the Service Management API, here the emulator's), or it gives ``blob_endpoint`` and an
``account_key`` secret param (an account outside the subscription: Azurite, with a key the test
chose, which the security tests then search for).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from smflow.emulator.server import EmulatorServer
from smflow.recording.cassette import load_cassette
from smflow.run.api import RunResult, run_flow
from smflow.run.events import BlobUploaded, UploadProgress
from smflow.secretforms import secret_forms
from tests.storage.conftest import BlobTarget

SUB = "00000000-0000-0000-0000-000000000000"
ACCOUNT = "relstor"
CONTENT_MARK = b"distinctive-package-bytes-7f3a9c"  # a chunk of the file that must never be recorded

# Creates the account on the emulator (the endpoint and key are read back by upload_blob itself).
MANAGED = """flow managed
param account = "relstor"
param container = "releases"
param file = "build/app.cspkg"
param blob = "app.cspkg"
step "account" timeout 5m {
    if not exists get_storage_account_properties(service_name: account) {
        create_storage_account(service_name: account, description: "d", label: account, location: "West US")
    }
}
step "upload" timeout 5m {
    url = upload_blob(storage_account: account, container: container, name: blob, file: file)
}
"""

# An account outside the subscription: its endpoint and key are given.
EXPLICIT = """flow explicit
param endpoint : string
secret param key : string
param container = "releases"
param file = "build/app.cspkg"
step "upload" timeout 5m {
    url = upload_blob(storage_account: "relstor", container: container, name: "app.cspkg", file: file,
                      account_key: key, blob_endpoint: endpoint)
}
"""


def _package(size: int = 4096) -> bytes:
    body = os.urandom(size)
    return body[: size // 2] + CONTENT_MARK + body[size // 2:]


def _flow(tmp_path: Path, text: str, data: bytes, name: str = "release.flow") -> Path:
    (tmp_path / "build").mkdir(exist_ok=True)
    (tmp_path / "build" / "app.cspkg").write_bytes(data)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _run(path: Path, tmp_path: Path, **kwargs: Any) -> tuple[RunResult, list[Any]]:
    events: list[Any] = []
    result = run_flow(path, journal_dir=tmp_path / "runs", assume_yes=True, on_event=events.append, **kwargs)
    return result, events


def _uploaded(events: list[Any]) -> list[BlobUploaded]:
    return [e for e in events if isinstance(e, BlobUploaded)]


def _download(endpoint: str, key: str, container: str, name: str) -> bytes:
    svc = BlobServiceClient(endpoint, credential={"account_name": ACCOUNT, "account_key": key})
    return svc.get_container_client(container).download_blob(name).readall()


@pytest.fixture
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer(latency=0.0) as srv:
        yield srv


def _emulator_key(srv: EmulatorServer) -> str:
    return str(srv.state.subscription(SUB).storage[ACCOUNT].primary_key)


# -- the emulator, endpoint and key read by upload_blob --------------------------------------------


def test_a_flow_uploads_to_the_emulator_then_skips_the_same_content(emu: EmulatorServer, tmp_path: Path) -> None:
    data = _package()
    path = _flow(tmp_path, MANAGED, data)
    first, events = _run(path, tmp_path, endpoint=emu.url)
    assert first.ok, first.error
    url = f"{emu.url}/blob/{ACCOUNT}/releases/app.cspkg"
    assert first.bindings["url"] == url
    [done] = _uploaded(events)
    identity = base64.b64encode(hashlib.md5(hashlib.md5(data).digest()).digest()).decode()  # one block's MD5's MD5
    assert (done.skipped, done.size, done.md5) == (False, len(data), identity)
    key = _emulator_key(emu)
    assert _download(f"{emu.url}/blob/{ACCOUNT}/", key, "releases", "app.cspkg") == data
    # The same content again: nothing sent. Another blob into the now existing container: sent.
    again, events = _run(path, tmp_path, endpoint=emu.url)
    assert again.ok and [e.skipped for e in _uploaded(events)] == [True]
    other, events = _run(path, tmp_path, endpoint=emu.url, vars={"blob": "other.cspkg"})
    assert other.ok and [e.skipped for e in _uploaded(events)] == [False]
    # The key was read by the call: it is in no event, output or error.
    seen = repr(events) + repr(first) + repr(again)
    assert not any(form in seen for form in secret_forms(key))


def test_a_20_mb_file_goes_in_blocks_with_a_few_progress_events(emu: EmulatorServer, tmp_path: Path) -> None:
    data = _package(20 * 1024 * 1024)
    result, events = _run(_flow(tmp_path, MANAGED, data), tmp_path, endpoint=emu.url)
    assert result.ok, result.error
    progress = [e for e in events if isinstance(e, UploadProgress)]
    assert progress and progress[-1].sent == progress[-1].total == len(data)
    assert len(progress) <= 2 + 4 * 20  # throttled: never one event per 4 MiB block and more
    assert _download(f"{emu.url}/blob/{ACCOUNT}/", _emulator_key(emu), "releases", "app.cspkg") == data


def test_a_missing_file_fails_the_step_naming_it(emu: EmulatorServer, tmp_path: Path) -> None:
    path = _flow(tmp_path, MANAGED, b"x")
    result, _ = _run(path, tmp_path, endpoint=emu.url, vars={"file": "build/nope.cspkg"})
    assert result.status == "failed" and result.failed_step == "upload"
    assert "nope.cspkg does not exist" in (result.error or "")


# -- both blob services, endpoint and key given --------------------------------------------------


def test_explicit_endpoint_and_key_new_and_existing_container(target: BlobTarget, tmp_path: Path) -> None:
    data = _package()
    path = _flow(tmp_path, EXPLICIT, data)
    result, events = _run(path, tmp_path, vars={"endpoint": target.endpoint, "key": target.key})
    assert result.ok, result.error
    assert result.bindings["url"].endswith("/releases/app.cspkg")
    assert _download(target.endpoint, target.key, "releases", "app.cspkg") == data
    (tmp_path / "build" / "app.cspkg").write_bytes(data + b"v2")  # a new build into the existing container
    again, events = _run(path, tmp_path, vars={"endpoint": target.endpoint, "key": target.key})
    assert again.ok and [e.skipped for e in _uploaded(events)] == [False]
    same, events = _run(path, tmp_path, vars={"endpoint": target.endpoint, "key": target.key})
    assert same.ok and [e.skipped for e in _uploaded(events)] == [True]
    assert _download(target.endpoint, target.key, "releases", "app.cspkg") == data + b"v2"


def test_a_wrong_key_is_refused_with_a_clear_error(target: BlobTarget, tmp_path: Path) -> None:
    wrong = base64.b64encode(b"not-the-account-key-at-all-0123456789").decode()
    path = _flow(tmp_path, EXPLICIT, _package())
    result, events = _run(path, tmp_path, vars={"endpoint": target.endpoint, "key": wrong})
    assert result.status == "failed" and result.failed_step == "upload"
    assert "the storage account key was refused" in (result.error or "") and "403" in (result.error or "")
    assert "releases/app.cspkg in storage account relstor" in (result.error or "")
    assert not any(form in repr(events) + repr(result) for form in secret_forms(wrong))


# -- journal: a resumed run does not upload what the journal says is done ----------------------------


def test_a_resumed_run_does_not_upload_what_the_journal_says_is_done(emu: EmulatorServer, tmp_path: Path) -> None:
    # Unbound (so no journaled binding stands in for it): only the call's own done record can.
    text = MANAGED.replace(
        'file: file)\n}', 'file: file)\n    assert go == "yes", "stop here"\n}').replace(
        'param blob = "app.cspkg"', 'param blob = "app.cspkg"\nparam go = "no"').replace(
        '    url = upload_blob(', '    upload_blob(')
    data = _package()
    path = _flow(tmp_path, text, data)
    first, _ = _run(path, tmp_path, endpoint=emu.url)
    assert first.status == "failed" and "stop here" in (first.error or "")
    (tmp_path / "build" / "app.cspkg").write_bytes(b"a rebuilt package the resumed run must not send")
    resumed, events = _run(None, tmp_path, resume=first.run_id, vars={"go": "yes"})  # type: ignore[arg-type]
    assert resumed.ok, resumed.error
    assert _uploaded(events) == []  # nothing uploaded, not even looked at
    assert _download(f"{emu.url}/blob/{ACCOUNT}/", _emulator_key(emu), "releases", "app.cspkg") == data


# -- recording and replay ------------------------------------------------------------------------


def _smflow(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, env={**clean, **(env or {})},
                          capture_output=True, timeout=300)


def _leaks(blob: bytes, key: str) -> list[str]:
    found = [f"key form {form!r}" for form in secret_forms(key) if form.encode() in blob]
    if CONTENT_MARK in blob or base64.b64encode(CONTENT_MARK)[:24] in blob:
        found.append("the file's content")
    return found


class _NoSockets:
    """Every outgoing connection attempt, refused and counted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.attempts: list[object] = []
        real = socket.socket.connect

        def connect(sock: socket.socket, address: object) -> None:
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                self.attempts.append(address)
                raise OSError("a replay must not open a socket")
            real(sock, address)  # type: ignore[arg-type]

        monkeypatch.setattr(socket.socket, "connect", connect)


def test_recording_keeps_no_key_and_no_bytes_and_the_replay_sends_nothing(
        azurite: BlobTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _flow(tmp_path, EXPLICIT, _package(64 * 1024))
    cassette = tmp_path / "release.yaml"
    done = _smflow("run", path.name, "--var", f"endpoint={azurite.endpoint}", "--record", cassette.name, "--json",
                   "--journal-dir", "runs", cwd=tmp_path, env={"SMFLOW_VAR_KEY": azurite.key})
    assert done.returncode == 0, done.stderr.decode()
    raw = cassette.read_bytes()
    journal = b"".join(p.read_bytes() for p in (tmp_path / "runs").iterdir())
    for where, blob in (("cassette", raw), ("journal", journal), ("stdout", done.stdout), ("stderr", done.stderr)):
        assert _leaks(blob, azurite.key) == [], where
    assert b"Authorization" not in raw and b"SharedKey" not in raw
    header = json.loads(raw)["smflow"]["meta"]["uploads"]
    assert [(u["container"], u["name"], u["file"], u["skipped"]) for u in header] == [
        ("releases", "app.cspkg", "build/app.cspkg", False)]
    assert json.loads(raw)["interactions"] == []  # no blob traffic recorded as interactions
    # The replay: no socket at all, the recorded URL, the key given as anything.
    guard = _NoSockets(monkeypatch)
    result, events = _run(path, tmp_path, replay=cassette, vars={"key": "any-other-key-value-123"})
    assert result.ok, result.error
    assert guard.attempts == []
    assert result.bindings["url"] == f"{azurite.endpoint}/releases/app.cspkg"
    assert [e.skipped for e in _uploaded(events)] == [False]


def test_a_recorded_emulator_upload_keeps_no_issued_key(emu: EmulatorServer, tmp_path: Path) -> None:
    path = _flow(tmp_path, MANAGED, _package())
    cassette = tmp_path / "managed.yaml"
    result, events = _run(path, tmp_path, endpoint=emu.url, record=cassette)
    assert result.ok, result.error
    key = _emulator_key(emu)
    raw = cassette.read_bytes()
    journal = b"".join(p.read_bytes() for p in (tmp_path / "runs").iterdir())
    assert _leaks(raw, key) == [] and _leaks(journal, key) == [] and _leaks(repr(events).encode(), key) == []
    uris = [i["request"]["uri"] for i in load_cassette(cassette).interactions]
    assert uris and not [u for u in uris if "/blob/" in u]  # the management calls only
    assert b"Authorization" not in raw and b"SharedKey" not in raw
    replayed, _ = _run(path, tmp_path, replay=cassette)
    assert replayed.ok and replayed.bindings["url"] == result.bindings["url"]


def test_a_replay_fails_with_drift_naming_a_changed_file(emu: EmulatorServer, tmp_path: Path) -> None:
    path = _flow(tmp_path, MANAGED, _package())
    cassette = tmp_path / "managed.yaml"
    recorded, _ = _run(path, tmp_path, endpoint=emu.url, record=cassette)
    assert recorded.ok, recorded.error
    (tmp_path / "build" / "app.cspkg").write_bytes(b"another build")
    done = _smflow("run", path.name, "--replay", cassette.name, "--journal-dir", "runs", cwd=tmp_path)
    assert done.returncode == 1, done.stderr.decode()
    err = done.stderr.decode()
    assert "release.flow:12:11 step 'upload' upload_blob: the file build/app.cspkg changed since the cassette" in err
    # Another blob than the recorded one is a drift too.
    (tmp_path / "build" / "app.cspkg").write_bytes(b"x")
    other = _smflow("run", path.name, "--replay", cassette.name, "--var", "blob=other.cspkg", "--journal-dir", "runs",
                    cwd=tmp_path)
    assert other.returncode == 1
    assert "recorded an upload of releases/app.cspkg" in other.stderr.decode() + other.stdout.decode()


def test_a_recording_keeps_the_block_identity_and_an_older_whole_file_md5_still_replays(
        emu: EmulatorServer, tmp_path: Path) -> None:
    data = _package(9 * 1024 * 1024)
    path = _flow(tmp_path, MANAGED, data)
    cassette = tmp_path / "managed.yaml"
    recorded, _ = _run(path, tmp_path, endpoint=emu.url, record=cassette)
    assert recorded.ok, recorded.error
    whole = json.loads(cassette.read_text())
    [entry] = whole["smflow"]["meta"]["uploads"]
    block = 4 * 1024 * 1024
    digests = b"".join(hashlib.md5(data[i:i + block]).digest() for i in range(0, len(data), block))
    assert (entry["md5"], entry["block_size"]) == (base64.b64encode(hashlib.md5(digests).digest()).decode(), block)
    # A cassette recorded before block identities: the whole file's MD5, no block_size.
    entry["md5"] = base64.b64encode(hashlib.md5(data).digest()).decode()
    del entry["block_size"]
    older = tmp_path / "older.yaml"
    older.write_text(json.dumps(whole, indent=1))
    replayed, events = _run(path, tmp_path, replay=older)
    assert replayed.ok, replayed.error
    assert [(e.md5, e.size) for e in _uploaded(events)] == [(entry["md5"], len(data))]
    # Its drift check is the whole file's MD5; the new entry's is the block identity.
    (tmp_path / "build" / "app.cspkg").write_bytes(data[:-1] + b"!")
    for which, what in ((older, "its MD5 is"), (cassette, f"its content MD5 ({block}-byte blocks) is")):
        done = _smflow("run", path.name, "--replay", which.name, "--journal-dir", "runs", cwd=tmp_path)
        assert done.returncode == 1 and what in done.stderr.decode(), done.stderr.decode()


def test_an_unreachable_blob_endpoint_is_retried_by_the_steps_policy(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = EXPLICIT.replace('step "upload" timeout 5m {', 'step "upload" timeout 5m retry attempts 3 backoff 1s..1s {')
    path = _flow(tmp_path, text, _package())
    result, events = _run(path, tmp_path, vars={"endpoint": f"http://127.0.0.1:{port}/relstor",
                                               "key": base64.b64encode(b"k" * 32).decode()})
    assert result.status == "failed" and result.failed_step == "upload"
    assert "could not reach the blob endpoint" in (result.error or "")
    retries = [e for e in events if type(e).__name__ == "Retrying"]
    assert [(e.operation, e.attempt, e.attempts) for e in retries] == [("upload_blob", 1, 3), ("upload_blob", 2, 3)]


def test_an_upload_entry_says_which_identity_it_holds_and_a_wrong_one_is_refused() -> None:
    from smflow.errors import CassetteFormatError
    from smflow.recording.uploads import recorded_uploads

    entry = {"storage_account": "a", "container": "c", "name": "n", "file": "f", "size": 1, "md5": "m", "url": "u",
             "skipped": False}
    assert [u.block_size for u in recorded_uploads({"uploads": [entry, {**entry, "block_size": 4096}]}, "c.yaml")] == [
        None, 4096]
    for bad in ("4096", 0, -1, True, None):
        with pytest.raises(CassetteFormatError, match="may give block_size"):
            recorded_uploads({"uploads": [{**entry, "block_size": bad}]}, "c.yaml")
