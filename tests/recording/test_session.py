"""Record against a real loopback server, then replay offline: timelines, drift, secrets."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from smflow.errors import CassetteNotFoundError, ReplayDriftError, SecretLeakError
from smflow.recording import session as session_module
from smflow.recording.cassette import load_cassette
from smflow.recording.scrub import Scrubber
from smflow.recording.session import recording, replaying

SUB = "5d1a9c3e-77b2-4f10-a8e6-c0ffee15babe"
PASSWORD = "Sup3r-S3cret!pw"
SECRET_PARAM = "tok_9f8e7d6c5b4a"
TIMEOUT = 5
NS = 'xmlns="http://schemas.microsoft.com/windowsazure"'


def _create_body(name: str, password: str = PASSWORD) -> bytes:
    return (
        f'<CreateHostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>{name}</ServiceName>'
        f"<Label>{base64.b64encode(name.encode()).decode()}</Label><AdminPassword>{password}</AdminPassword>"
        f"</CreateHostedService>"
    ).encode()


def _scenario(base: str, sub: str, *, polls: int = 3, name: str = "svc") -> list[str]:
    """What a flow does: read, create (async), poll its operation. Returns what it saw."""
    seen = []
    r = requests.get(f"{base}/{sub}/services/hostedservices/{name}?embed-detail=false", timeout=TIMEOUT)
    seen.append(r.text)
    r = requests.post(f"{base}/{sub}/services/hostedservices", data=_create_body(name), timeout=TIMEOUT)
    request_id = r.headers["x-ms-request-id"]
    seen.append(f"{r.status_code} {request_id}")
    for _ in range(polls):
        seen.append(requests.get(f"{base}/{sub}/operations/{request_id}", timeout=TIMEOUT).text)
    return seen


@pytest.fixture
def recorded(tmp_path: Path, mini_asm: Any) -> tuple[Path, list[str]]:
    path = tmp_path / "cassettes" / "scenario.yaml"
    with recording(path, secrets=[PASSWORD, SECRET_PARAM], subscription_id=SUB, meta={"flow": "scenario.flow"}):
        seen = _scenario(mini_asm.base_url, SUB)
    return path, seen


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any attempt to connect a socket is recorded and refused."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("test: replay must not open a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts


def test_replay_serves_the_recording_offline(recorded: tuple[Path, list[str]], no_sockets: list[object]) -> None:
    path, live = recorded
    with replaying(path, locate=lambda: None) as info:
        assert info.subscription_id == "SUBSCRIPTION-ID"
        assert info.endpoint.startswith("http://127.0.0.1:")
        assert info.recorded_duration > 0
        assert info.meta == {"flow": "scenario.flow"}
        replayed = _scenario(info.endpoint, info.subscription_id)
    assert no_sockets == []
    assert replayed[1:] == live[1:]
    assert "SUBSCRIPTION-ID" in replayed[0] and SUB not in replayed[0]


@pytest.mark.parametrize("polls", [1, 3, 7])
def test_polls_are_a_timeline_whatever_their_number(recorded: tuple[Path, list[str]], polls: int) -> None:
    path, _live = recorded  # recorded: InProgress, InProgress, Succeeded
    with replaying(path, locate=lambda: None) as info:
        seen = _scenario(info.endpoint, info.subscription_id, polls=polls)
    statuses = ["Succeeded" if "Succeeded" in s else "InProgress" for s in seen[2:]]
    expected = (["InProgress", "InProgress"] + ["Succeeded"] * 10)[:polls]
    assert statuses == expected


def test_a_write_is_served_once_so_a_duplicate_create_drifts(recorded: tuple[Path, list[str]]) -> None:
    path, _ = recorded
    with pytest.raises(ReplayDriftError) as caught:
        with replaying(path, locate=lambda: "flows/x.flow:9:5 step 'create' create_hosted_service") as info:
            _scenario(info.endpoint, info.subscription_id)
            requests.post(f"{info.endpoint}/{info.subscription_id}/services/hostedservices", data=_create_body("svc"), timeout=TIMEOUT)
    assert str(caught.value) == (
        f"flows/x.flow:9:5: error[ReplayDrift]: step 'create' create_hosted_service: replay drift: this request is not in {path}\n"
        "  sent:    POST /SUBSCRIPTION-ID/services/hostedservices\n"
        "  nearest: POST /SUBSCRIPTION-ID/services/hostedservices (interaction 2 of 5)\n"
        "  differs: nothing, but the recording holds this request once and it was already replayed"
        " (the flow now sends it again)\n"
        f"  if the change is intended, re-record: smflow run scenario.flow --record {path}"
    )


def test_writes_replay_in_the_recorded_order(tmp_path: Path, mini_asm: Any) -> None:
    path = tmp_path / "two.yaml"
    base = mini_asm.base_url
    with recording(path, secrets=[], subscription_id=SUB, meta={}):
        requests.post(f"{base}/{SUB}/services/hostedservices", data=_create_body("first"), timeout=TIMEOUT)
        requests.post(f"{base}/{SUB}/services/hostedservices", data=_create_body("second"), timeout=TIMEOUT)
    with pytest.raises(ReplayDriftError) as caught:
        with replaying(path, locate=lambda: "flows/x.flow:4:5 step 'two' create_hosted_service") as info:
            url = f"{info.endpoint}/{info.subscription_id}/services/hostedservices"
            requests.post(url, data=_create_body("second"), timeout=TIMEOUT)
    assert str(caught.value).splitlines()[1:4] == [
        "  sent:    POST /SUBSCRIPTION-ID/services/hostedservices",
        "  nearest: POST /SUBSCRIPTION-ID/services/hostedservices (interaction 2 of 2)",
        "  differs: nothing, but the recording sends it later; the next recorded write is interaction 1:"
        " POST /SUBSCRIPTION-ID/services/hostedservices",
    ]


def test_a_request_that_got_no_answer_fails_again_in_replay(tmp_path: Path, mini_asm: Any) -> None:
    path = tmp_path / "drop.yaml"
    mini_asm.drops = 1

    def attempts(base: str, sub: str) -> list[str]:
        seen = []
        for _ in range(2):
            try:
                seen.append(requests.get(f"{base}/{sub}/drop/x", timeout=TIMEOUT).text)
            except requests.ConnectionError:
                seen.append("connection error")
        return seen

    with recording(path, secrets=[], subscription_id=SUB, meta={}):
        live = attempts(mini_asm.base_url, SUB)
    assert live[0] == "connection error" and "HostedService" in live[1]
    assert load_cassette(path).interactions[0]["response"]["status"]["code"] == 599
    with replaying(path, locate=lambda: None) as info:
        replayed = attempts(info.endpoint, info.subscription_id)
    assert replayed[0] == "connection error"
    assert replayed[1].replace("SUBSCRIPTION-ID", SUB) == live[1]


def test_a_read_is_answered_from_the_same_point_between_writes(tmp_path: Path, mini_asm: Any) -> None:
    """Recorded: read (before), create, read (after). A replay that skips the first read must
    not be answered, after its create, with the state from before it."""
    path = tmp_path / "epochs.yaml"
    base = mini_asm.base_url
    with recording(path, secrets=[], subscription_id=SUB, meta={}):
        requests.get(f"{base}/{SUB}/services/hostedservices/svc?embed-detail=false", timeout=TIMEOUT)
        requests.post(f"{base}/{SUB}/services/hostedservices", data=_create_body("svc"), timeout=TIMEOUT)
        requests.get(f"{base}/{SUB}/operations/{1:032x}", timeout=TIMEOUT)
    with replaying(path, locate=lambda: None) as info:
        url = f"{info.endpoint}/{info.subscription_id}"
        requests.post(f"{url}/services/hostedservices", data=_create_body("svc"), timeout=TIMEOUT)
        requests.get(f"{url}/operations/{1:032x}", timeout=TIMEOUT)  # after the create: recorded there
    with pytest.raises(ReplayDriftError) as caught:
        with replaying(path, locate=lambda: None) as info:
            url = f"{info.endpoint}/{info.subscription_id}"
            requests.post(f"{url}/services/hostedservices", data=_create_body("svc"), timeout=TIMEOUT)
            requests.get(f"{url}/services/hostedservices/svc?embed-detail=false", timeout=TIMEOUT)
    assert str(caught.value).splitlines()[3] == (
        "  differs: nothing, but the recording makes this read only at another point of the run,"
        " not after its last write"
    )


def test_a_changed_argument_drifts_with_the_call_site_and_the_field(recorded: tuple[Path, list[str]]) -> None:
    path, _ = recorded
    with pytest.raises(ReplayDriftError) as caught:
        with replaying(path, locate=lambda: "flows/x.flow:12:5 step 'ensure' create_hosted_service") as info:
            requests.get(f"{info.endpoint}/{info.subscription_id}/services/hostedservices/svc?embed-detail=false", timeout=TIMEOUT)
            requests.post(f"{info.endpoint}/{info.subscription_id}/services/hostedservices", data=_create_body("svc2"), timeout=TIMEOUT)
    assert str(caught.value) == (
        f"flows/x.flow:12:5: error[ReplayDrift]: step 'ensure' create_hosted_service: replay drift: this request is not in {path}\n"
        "  sent:    POST /SUBSCRIPTION-ID/services/hostedservices\n"
        "  nearest: POST /SUBSCRIPTION-ID/services/hostedservices (interaction 2 of 5)\n"
        "  differs: body CreateHostedService/ServiceName: recorded 'svc', sent 'svc2'\n"
        "  differs: body CreateHostedService/Label: recorded 'c3Zj', sent 'c3ZjMg=='\n"
        f"  if the change is intended, re-record: smflow run scenario.flow --record {path}"
    )


def test_secret_values_given_to_the_replay_are_masked_in_the_diff(recorded: tuple[Path, list[str]]) -> None:
    path, _ = recorded
    with pytest.raises(ReplayDriftError) as caught:
        with replaying(path, locate=lambda: None, secrets=["svc-token-42"]) as info:
            requests.post(f"{info.endpoint}/{info.subscription_id}/services/hostedservices", data=_create_body("svc-token-42"), timeout=TIMEOUT)
    message = str(caught.value)
    assert "body CreateHostedService/ServiceName: recorded 'svc', sent '***'" in message
    assert "svc-token-42" not in message and "c3ZjLXRva2VuLTQy" not in message  # nor its base64 (the Label)


def test_a_replay_may_send_another_password_since_the_recording_has_none(recorded: tuple[Path, list[str]]) -> None:
    path, _ = recorded
    with replaying(path, locate=lambda: None) as info:
        r = requests.post(f"{info.endpoint}/{info.subscription_id}/services/hostedservices", data=_create_body("svc", "different-pw"), timeout=TIMEOUT)
    assert r.status_code == 202


def test_without_a_call_site_the_error_says_so(recorded: tuple[Path, list[str]]) -> None:
    path, _ = recorded
    with pytest.raises(ReplayDriftError, match=r"^\(outside any flow step\): error\[ReplayDrift\]: replay drift"):
        with replaying(path, locate=lambda: None) as info:
            requests.delete(f"{info.endpoint}/{info.subscription_id}/services/hostedservices/svc", timeout=TIMEOUT)


def test_a_swallowed_miss_still_fails_the_replay(recorded: tuple[Path, list[str]]) -> None:
    path, _ = recorded
    with pytest.raises(ReplayDriftError, match=r"^flows/y.flow:3:1: error\[ReplayDrift\]: step 's' get: replay drift.*\n  sent:    GET /SUBSCRIPTION-ID/nowhere"):
        with replaying(path, locate=lambda: "flows/y.flow:3:1 step 's' get") as info:
            try:
                requests.get(f"{info.endpoint}/{info.subscription_id}/nowhere", timeout=TIMEOUT)
            except Exception:  # noqa: BLE001 - a careless caller: the miss must surface anyway
                pass


def test_the_cassette_holds_no_secret_in_any_form(tmp_path: Path, mini_asm: Any) -> None:
    path = tmp_path / "c.yaml"
    with recording(path, secrets=[PASSWORD, SECRET_PARAM], subscription_id=SUB, meta={"vars": {"token": SECRET_PARAM}}):
        _scenario(mini_asm.base_url, SUB)
        requests.put(f"{mini_asm.base_url}/{SUB}/x?token={quote(SECRET_PARAM)}", data=f"<D {NS}><T>{SECRET_PARAM}</T></D>", timeout=TIMEOUT)
    assert SUB in mini_asm.received[0][1]  # the server saw the real id: only the copy was scrubbed
    data = path.read_bytes()
    for value in (SUB, PASSWORD, SECRET_PARAM):
        for form in {value, quote(value, safe=""), base64.b64encode(value.encode()).decode(), value.replace("&", "&amp;")}:
            assert form.encode() not in data, form
    assert load_cassette(path).header.meta == {"vars": {"token": "***SCRUBBED***"}}


def test_a_secret_that_slips_through_is_refused_and_nothing_is_kept(
    tmp_path: Path, mini_asm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"previous cassette")
    monkeypatch.setattr(Scrubber, "request", lambda self, request: request)  # a scrubbing bug
    with pytest.raises(SecretLeakError) as caught:
        with recording(path, secrets=[PASSWORD], subscription_id=SUB, meta={}):
            _scenario(mini_asm.base_url, SUB, polls=1)
    message = str(caught.value)
    assert "the subscription id" in message and "secret value #1 of 1" in message
    assert PASSWORD not in message and SUB not in message
    assert path.read_bytes() == b"previous cassette"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_a_run_that_raises_is_still_saved_marked_incomplete(tmp_path: Path, mini_asm: Any) -> None:
    path = tmp_path / "c.yaml"
    with pytest.raises(RuntimeError, match="boom"):
        with recording(path, secrets=[], subscription_id=SUB, meta={}):
            _scenario(mini_asm.base_url, SUB, polls=1)
            raise RuntimeError("boom")
    loaded = load_cassette(path)
    assert loaded.header.complete is False
    assert len(loaded.interactions) == 3


def test_replaying_past_the_end_of_an_incomplete_cassette_says_it_is_incomplete(tmp_path: Path, mini_asm: Any) -> None:
    path = tmp_path / "c.yaml"
    with pytest.raises(RuntimeError, match="boom"):
        with recording(path, secrets=[], subscription_id=SUB, meta={}):
            _scenario(mini_asm.base_url, SUB, polls=1)
            raise RuntimeError("boom")
    with pytest.raises(ReplayDriftError) as caught:
        with replaying(path, locate=lambda: None) as info:
            _scenario(info.endpoint, info.subscription_id, polls=1)
            requests.delete(f"{info.endpoint}/{info.subscription_id}/services/hostedservices/svc", timeout=TIMEOUT)
    assert (
        "  note: the recorded run stopped with an error after interaction 3: this cassette holds only what"
        " happened until then"
    ) in str(caught.value).splitlines()


def test_an_empty_run_still_writes_a_replayable_cassette(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    with recording(path, secrets=[], subscription_id=SUB, meta={"endpoint": "http://127.0.0.1:1"}):
        pass
    with replaying(path, locate=lambda: None) as info:
        assert info.endpoint == "http://127.0.0.1:1"


def test_replaying_a_missing_cassette_says_so(tmp_path: Path) -> None:
    with pytest.raises(CassetteNotFoundError):
        with replaying(tmp_path / "none.yaml", locate=lambda: None):
            pass


def test_vcrpy_exception_never_leaves_the_module() -> None:
    """drift.py is the only place that names vcrpy's miss exception."""
    root = Path(session_module.__file__).resolve().parents[1]
    users = sorted(
        str(p.relative_to(root)) for p in root.rglob("*.py") if "CannotOverwriteExistingCassetteException" in p.read_text()
    )
    assert users == ["recording/drift.py"]
