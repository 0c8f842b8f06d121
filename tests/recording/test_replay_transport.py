"""The cassette transport: a replay served at the client's transport seam, without vcrpy or
requests, answering exactly as ``RequestsTransport`` does under vcrpy (``session.replaying``)."""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smflow.asm.transport import HttpRequest, HttpResponse, RequestsTransport, Transport
from smflow.errors import ApiError, ReplayDriftError, TransportError
from smflow.recording.replay import CassetteTransport, replaying_transport
from smflow.recording.session import recording, replaying
from smflow.run.api import run_flow

ROOT = Path(__file__).resolve().parents[2]
SUB = "5d1a9c3e-77b2-4f10-a8e6-c0ffee15babe"
PASSWORD = "Sup3r-S3cret!pw"
CREATE = "services/hostedservices"


def _create(name: str, password: str = PASSWORD) -> bytes:
    return (f'<CreateHostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>{name}</ServiceName>'
            f"<Label>{base64.b64encode(name.encode()).decode()}</Label><AdminPassword>{password}</AdminPassword>"
            "</CreateHostedService>").encode()


def _requests(base: str, sub: str) -> list[HttpRequest]:
    """A flow's traffic: a read, a create, its operation polled, a path whose first try got no answer."""
    return [
        HttpRequest("GET", f"{base}/{sub}/{CREATE}/svc?embed-detail=false"),
        HttpRequest("POST", f"{base}/{sub}/{CREATE}", body=_create("svc")),
        *[HttpRequest("GET", f"{base}/{sub}/operations/{1:032x}") for _ in range(3)],
        HttpRequest("GET", f"{base}/{sub}/drop/x"),
        HttpRequest("GET", f"{base}/{sub}/drop/x"),
    ]


def _outcomes(transport: Transport, requests: list[HttpRequest]) -> list[object]:
    """What each request came back as: the whole response, or the error's type, text and flags."""
    out: list[object] = []
    for request in requests:
        try:
            response = transport.send(request, timeout=5)
        except (TransportError, ApiError) as err:
            out.append((type(err).__name__, str(err), getattr(err, "timeout", None)))
        else:
            out.append(response)
    return out


@pytest.fixture
def recorded(tmp_path: Path, mini_asm: Any) -> Path:
    path = tmp_path / "scenario.yaml"
    mini_asm.drops = 1
    with recording(path, secrets=[PASSWORD], subscription_id=SUB, meta={"flow": "scenario.flow"}):
        _outcomes(RequestsTransport(timeout=5), _requests(mini_asm.base_url, SUB))
    return path


def _through_vcrpy(path: Path, script: Callable[[Transport, str], list[object]], **kwargs: Any) -> list[object]:
    with replaying(path, locate=lambda: "flows/x.flow:9:5 step 'create' create_hosted_service", **kwargs) as info:
        return script(RequestsTransport(timeout=5), f"{info.endpoint}/{info.subscription_id}")


def _through_transport(path: Path, script: Callable[[Transport, str], list[object]], **kwargs: Any) -> list[object]:
    with replaying_transport(path, locate=lambda: "flows/x.flow:9:5 step 'create' create_hosted_service",
                             **kwargs) as (info, transport):
        return script(transport, f"{info.endpoint}/{info.subscription_id}")


def test_the_transport_answers_as_requests_does_under_vcrpy(recorded: Path) -> None:
    def script(transport: Transport, base: str) -> list[object]:
        endpoint, sub = base.rsplit("/", 1)
        return _outcomes(transport, _requests(endpoint, sub))

    by_vcrpy = _through_vcrpy(recorded, script)
    by_transport = _through_transport(recorded, script)
    assert by_transport == by_vcrpy
    # And they are what the recording saw: answers, the poll timeline, the recorded "no answer".
    statuses = [o.status if isinstance(o, HttpResponse) else o for o in by_transport]
    assert statuses[:5] == [200, 202, 200, 200, 200]
    assert [b"Succeeded" in o.body for o in by_transport[2:5] if isinstance(o, HttpResponse)] == [False, False, True]
    assert statuses[5] == ("TransportError", f"could not connect to {recorded_endpoint(recorded)}: no answer when "
                           "recorded: no answer (connection failed or timed out)", False)
    assert statuses[6] == 200


def recorded_endpoint(path: Path) -> str:
    return str(json.loads(path.read_text())["smflow"]["endpoint"])


@pytest.mark.parametrize("drift", ["duplicate write", "changed argument", "read from another point", "swallowed"])
def test_drift_messages_are_the_same_word_for_word(recorded: Path, drift: str) -> None:
    def script(transport: Transport, base: str) -> list[object]:
        create = HttpRequest("POST", f"{base}/{CREATE}", body=_create("svc", "another-pw"))
        if drift == "duplicate write":
            transport.send(create)
            transport.send(create)
        elif drift == "changed argument":
            transport.send(HttpRequest("POST", f"{base}/{CREATE}", body=_create("svc-token-42")))
        elif drift == "read from another point":
            transport.send(create)
            transport.send(HttpRequest("GET", f"{base}/{CREATE}/svc?embed-detail=false"))
        else:
            try:
                transport.send(HttpRequest("DELETE", f"{base}/{CREATE}/svc"))
            except Exception:  # noqa: BLE001 - a careless caller: the miss must surface anyway
                pass
        return []

    messages = []
    for replay in (_through_vcrpy, _through_transport):
        with pytest.raises(ReplayDriftError) as caught:
            replay(recorded, script, secrets=["svc-token-42"])
        messages.append(str(caught.value))
    assert messages[1] == messages[0]
    assert messages[1].startswith("flows/x.flow:9:5: error[ReplayDrift]: step 'create' create_hosted_service: "
                                  "replay drift: this request is not in ")
    assert "svc-token-42" not in messages[1]


def _cassette(tmp_path: Path, interactions: list[tuple[str, str, int, dict[str, list[str]], str]]) -> Path:
    path = tmp_path / "hand.yaml"
    data = {
        "smflow": {"format": 1, "smflow_version": "0.1.0", "recorded_at": "2026-11-26T04:30:00+00:00",
                   "endpoint": "https://management.core.windows.net", "subscription_id": "SUBSCRIPTION-ID",
                   "duration": 1.0, "complete": True, "meta": {}},
        "version": 1,
        "interactions": [
            {"request": {"method": method, "uri": f"https://management.core.windows.net/SUBSCRIPTION-ID/{where}",
                         "body": None, "headers": {}},
             "response": {"status": {"code": status, "message": "Temporary Redirect" if status == 307 else "OK"},
                          "headers": headers, "body": {"string": body}}}
            for method, where, status, headers, body in interactions
        ],
    }
    path.write_text(json.dumps(data))
    return path


def test_recorded_redirects_are_followed_and_a_cross_host_one_refused(tmp_path: Path) -> None:
    path = _cassette(tmp_path, [
        ("GET", "a", 307, {"Location": ["/SUBSCRIPTION-ID/b"]}, ""),
        ("GET", "b", 200, {"X-Two": ["1", "2"], "Transfer-Encoding": ["chunked"]}, "<B/>"),
        ("GET", "c", 307, {"Location": ["https://elsewhere.example/SUBSCRIPTION-ID/c"]}, ""),
    ])
    base = "https://management.core.windows.net/SUBSCRIPTION-ID"

    def script(transport: Transport, _base: str) -> list[object]:
        return _outcomes(transport, [HttpRequest("GET", f"{base}/a"), HttpRequest("GET", f"{base}/c")])

    served = _through_transport(path, script)
    assert served == _through_vcrpy(path, script)
    assert served[0] == HttpResponse(200, {"x-two": "1, 2"}, b"<B/>", "OK")
    assert served[1] == ("TransportError", "refused a redirect from https://management.core.windows.net to another "
                         "host, https://elsewhere.example: it would send the subscription id there (the Service "
                         "Management API never redirects across hosts)", False)


def test_a_spent_deadline_and_a_failing_before_send_serve_nothing(tmp_path: Path) -> None:
    path = _cassette(tmp_path, [("GET", "a", 200, {}, "<A/>")])
    request = HttpRequest("GET", "https://management.core.windows.net/SUBSCRIPTION-ID/a")
    with replaying_transport(path, locate=lambda: None) as (_info, transport):
        with pytest.raises(TransportError, match="^no time left to send a request to https://management") as spent:
            transport.send(request, timeout=0)
        assert spent.value.timeout is True

        def not_durable() -> None:
            raise OSError("disk full")

        with pytest.raises(OSError, match="disk full"):
            transport.send(request, not_durable)
        assert transport.playback.play_counts[0] == 0  # nothing was served
        calls: list[int] = []
        assert transport.send(request, lambda: calls.append(transport.playback.play_counts[0])).body == b"<A/>"
        assert calls == [0]  # before the answer is taken


def test_an_answer_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = _cassette(tmp_path, [("GET", "a", 200, {}, "x" * 100), ("GET", "b", 200, {"Content-Length": ["999"]}, "")])
    with replaying_transport(path, locate=lambda: None) as (_info, transport):
        small = CassetteTransport(transport.playback, max_response_bytes=50)
        for where, message in (("a", "response body is over the 50-byte limit"),
                               ("b", "response body of 999 bytes is over the 50-byte limit")):
            with pytest.raises(ApiError, match=f"^HTTP 200 {message}$"):
                small.send(HttpRequest("GET", f"https://management.core.windows.net/SUBSCRIPTION-ID/{where}"))


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every attempt to make a network socket is recorded and refused."""
    attempts: list[object] = []
    real = socket.socket.__init__

    def refuse(self: socket.socket, family: int = -1, *args: Any, **kwargs: Any) -> None:
        if family in (-1, socket.AF_INET, socket.AF_INET6):
            attempts.append(family)
            raise OSError("test: a replay must not open a socket")
        real(self, family, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "__init__", refuse)
    yield attempts


def test_a_whole_replay_makes_no_socket(tmp_path: Path, no_sockets: list[object]) -> None:
    result = run_flow(ROOT / "flows" / "blue_green.flow", replay=ROOT / "cassettes" / "blue_green.yaml",
                      vars={"package_url": "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"},
                      assume_yes=True, journal_dir=tmp_path / "runs")
    assert result.ok, result.error
    assert result.requests == 10
    assert no_sockets == []


def test_a_replay_process_loads_no_http_stack_nor_vcrpy(tmp_path: Path) -> None:
    """The CLI case is pinned in tests/cli/test_imports.py; this is the library's (the pytest plugin's)."""
    script = ("import sys\nfrom smflow.run.api import run_flow\n"
              f"r = run_flow({str(ROOT / 'flows' / 'blue_green.flow')!r}, replay={str(ROOT / 'cassettes' / 'blue_green.yaml')!r},"
              " vars={'package_url': 'https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg'},"
              f" assume_yes=True, journal_dir={str(tmp_path / 'runs')!r})\n"
              "assert r.ok, r.error\n"
              "print(sorted(m for m in ('vcr', 'requests', 'urllib3', 'http.client', 'ssl', 'yaml') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_past_the_end_of_an_incomplete_cassette_both_say_it_is_incomplete(tmp_path: Path, mini_asm: Any) -> None:
    path = tmp_path / "stopped.yaml"
    with pytest.raises(RuntimeError, match="boom"):
        with recording(path, secrets=[], subscription_id=SUB, meta={}):
            _outcomes(RequestsTransport(timeout=5), _requests(mini_asm.base_url, SUB)[:2])
            raise RuntimeError("boom")

    def script(transport: Transport, base: str) -> list[object]:
        endpoint, sub = base.rsplit("/", 1)
        _outcomes(transport, _requests(endpoint, sub)[:2])
        transport.send(HttpRequest("DELETE", f"{base}/{CREATE}/svc"))
        return []

    messages = []
    for replay in (_through_vcrpy, _through_transport):
        with pytest.raises(ReplayDriftError) as caught:
            replay(path, script)
        messages.append(str(caught.value))
    assert messages[1] == messages[0]
    assert ("  note: the recorded run stopped with an error after interaction 2: this cassette holds only what"
            " happened until then") in messages[1].splitlines()
