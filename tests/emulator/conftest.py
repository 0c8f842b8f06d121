"""Fixtures for the emulator tests: a fake clock, a server on 127.0.0.1:0, and a tiny raw client."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
import requests

from smflow.emulator.server import EmulatorServer
from smflow.emulator.state import EmulatorState

NS = 'xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.microsoft.com/windowsazure"'
SUB = "00000000-0000-0000-0000-000000000000"


class FakeClock:
    """Moves only when told to: operations complete exactly when the test says so."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def config_xml(role: str = "WorkerRole1", count: int = 2) -> str:
    return (
        '<ServiceConfiguration serviceName="x" osFamily="4" '
        'xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">'
        f'<Role name="{role}"><Instances count="{count}" /></Role></ServiceConfiguration>'
    )


class Api:
    """Raw HTTP against the emulator, the way the SDK sends it (no escaping, atom content type)."""

    def __init__(self, base: str, sub: str = SUB) -> None:
        self.base = f"{base}/{sub}/"
        self.session = requests.Session()

    def request(self, method: str, path: str, body: str | bytes | None = None, **headers: str) -> requests.Response:
        h = {"x-ms-version": "2014-10-01", **{k.replace("_", "-"): v for k, v in headers.items()}}
        if method != "GET":
            h.setdefault("Content-Type", "application/atom+xml;type=entry;charset=utf-8")
        data = body.encode() if isinstance(body, str) else body
        return self.session.request(method, self.base + path, data=data, headers=h, timeout=10)

    def get(self, path: str, **headers: str) -> requests.Response:
        return self.request("GET", path, **headers)

    def create_service(self, name: str, location: str = "West US", **extra: str) -> requests.Response:
        where = f"<AffinityGroup>{extra['affinity_group']}</AffinityGroup>" if "affinity_group" in extra else (
            f"<Location>{location}</Location>"
        )
        body = (
            f"<CreateHostedService {NS}><ServiceName>{name}</ServiceName><Label>{b64(name)}</Label>"
            f"<Description>d</Description>{where}</CreateHostedService>"
        )
        return self.request("POST", "services/hostedservices", body)

    def create_deployment(self, service: str, slot: str, name: str, start: bool = True, count: int = 2) -> requests.Response:
        body = (
            f"<CreateDeployment {NS}><Name>{name}</Name><PackageUrl>http://a.blob.core.windows.net/c/p.cspkg</PackageUrl>"
            f"<Label>{b64(name)}</Label><Configuration>{b64(config_xml(count=count))}</Configuration>"
            f"<StartDeployment>{'true' if start else 'false'}</StartDeployment>"
            "<TreatWarningsAsError>false</TreatWarningsAsError></CreateDeployment>"
        )
        return self.request("POST", f"services/hostedservices/{service}/deploymentslots/{slot}", body)

    def swap(self, service: str, production: str, source: str) -> requests.Response:
        body = f"<Swap {NS}><Production>{production}</Production><SourceDeployment>{source}</SourceDeployment></Swap>"
        return self.request("POST", f"services/hostedservices/{service}", body)

    def operation(self, request_id: str) -> str:
        r = self.get(f"operations/{request_id}")
        assert r.status_code == 200, r.text
        return r.text


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> EmulatorState:
    return EmulatorState(latency=1.0, clock=clock)


@pytest.fixture
def server(clock: FakeClock) -> Iterator[EmulatorServer]:
    with EmulatorServer(latency=1.0, clock=clock) as srv:
        yield srv


@pytest.fixture
def api(server: EmulatorServer) -> Api:
    return Api(server.url)
