"""Faults on demand: scripted ones hit exactly the call named, random ones repeat under a seed,
and a faulted request either happened whole or not at all — and the log says which."""

from __future__ import annotations

import pytest
import requests

from smflow.emulator.faults import DEPLOYMENT_WRITES, FaultPlan, ScriptedFault, parse_fault_spec
from smflow.emulator.server import EmulatorServer
from smflow.errors import UsageError

from .conftest import Api, FakeClock


def _server(clock: FakeClock, log: list[str], *faults: ScriptedFault, **kw: object) -> EmulatorServer:
    return EmulatorServer(latency=1.0, clock=clock, scripted_faults=faults, log=log.append, **kw)  # type: ignore[arg-type]


def _two_deployments(api: Api, clock: FakeClock) -> None:
    api.create_service("svc")
    api.create_deployment("svc", "production", "blue")
    api.create_deployment("svc", "staging", "green")
    clock.advance(5)


def test_parse_fault_spec() -> None:
    assert parse_fault_spec("swap_deployment#2=503") == ScriptedFault("swap_deployment", 2, status=503)
    assert parse_fault_spec("get_deployment_by_name#3=404:ResourceNotFound") == ScriptedFault(
        "get_deployment_by_name", 3, status=404, code="ResourceNotFound"
    )
    assert parse_fault_spec("create_deployment#1=drop-after").kind == "drop-after"
    for bad in ("swap_deployment=503", "swap_deployment#0=503", "swap_deployment#1=200", "x#1=explode", ""):
        with pytest.raises(UsageError, match="--fault"):
            parse_fault_spec(bad)


def test_scripted_503_hits_only_the_nth_call_and_is_not_applied(clock: FakeClock) -> None:
    log: list[str] = []
    with _server(clock, log, ScriptedFault("swap_deployment", nth=2, status=503)) as srv:
        api = Api(srv.url)
        _two_deployments(api, clock)
        assert api.swap("svc", "blue", "green").status_code == 202
        clock.advance(5)
        r = api.swap("svc", "green", "blue")
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert "<Code>ServerBusy</Code>" in r.text
        assert srv.state.subscription("00000000-0000-0000-0000-000000000000").deployment_by_slot("svc", "Production").name == "green"
        assert api.swap("svc", "green", "blue").status_code == 202  # the 3rd goes through
    assert any(line.startswith("POST /<subscription>/services/hostedservices/{service_name} 503") and line.endswith("fault=503 applied=no")
               for line in log)  # fmt: skip
    assert all("00000000-0000" not in line for line in log)  # the subscription id is never logged


def test_throttling_is_429_too_many_requests_with_retry_after(clock: FakeClock) -> None:
    log: list[str] = []
    with _server(clock, log, ScriptedFault("list_locations", nth=1, status=429)) as srv:
        r = Api(srv.url).get("locations")
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert "<Code>TooManyRequests</Code><Message>Too many requests received. Retry after some time.</Message>" in r.text


def test_drop_before_answers_nothing_and_changes_nothing(clock: FakeClock) -> None:
    log: list[str] = []
    with _server(clock, log, ScriptedFault("create_hosted_service", nth=1, kind="drop-before")) as srv:
        api = Api(srv.url)
        with pytest.raises(requests.exceptions.ConnectionError):
            api.create_service("ghost")
        assert api.get("services/hostedservices/ghost").status_code == 404
        assert api.create_service("ghost").status_code == 201  # a retry is safe
    assert any("fault=drop-before applied=no" in line for line in log)


def test_drop_after_applies_then_hangs_up(clock: FakeClock) -> None:
    log: list[str] = []
    with _server(clock, log, ScriptedFault("create_hosted_service", nth=1, kind="drop-after")) as srv:
        api = Api(srv.url)
        with pytest.raises(requests.exceptions.ConnectionError):
            api.create_service("ambiguous")
        assert api.get("services/hostedservices/ambiguous").status_code == 200  # it happened: read back, don't retry
        assert api.create_service("ambiguous").status_code == 409
    assert any("POST /<subscription>/services/hostedservices 201" in line and "fault=drop-after applied=yes" in line
               for line in log)  # fmt: skip


def test_slow_answers_normally(clock: FakeClock) -> None:
    log: list[str] = []
    with _server(clock, log, ScriptedFault("list_locations", nth=1, kind="slow")) as srv:
        assert Api(srv.url).get("locations").status_code == 200
    assert any("fault=slow applied=yes" in line for line in log)


def test_op_fail_ends_the_operation_failed_and_undoes_it(clock: FakeClock) -> None:
    log: list[str] = []
    with _server(clock, log, ScriptedFault("create_deployment", nth=1, kind="op-fail")) as srv:
        api = Api(srv.url)
        api.create_service("svc")
        r = api.create_deployment("svc", "production", "v1")
        assert r.status_code == 202
        clock.advance(5)
        text = api.operation(r.headers["x-ms-request-id"])
        assert "<Status>Failed</Status><HttpStatusCode>500</HttpStatusCode><Error><Code>InternalError</Code>" in text
        assert api.get("services/hostedservices/svc/deploymentslots/production").status_code == 404


def test_a_seed_makes_random_faults_repeat() -> None:
    def run() -> list[str]:
        plan = FaultPlan(rate=0.4, seed=1234)
        return [(f.label if f else "-") for f in (plan.decide("swap_deployment") for _ in range(200))]

    first = run()
    assert first == run()
    kinds = set(first) - {"-"}
    assert kinds == {"500", "503", "429", "409", "drop-before", "drop-after", "slow"}
    assert all(FaultPlan(rate=1.0, seed=3).decide("list_locations") is not None for _ in range(20))
    reads = FaultPlan(rate=1.0, seed=5)
    assert "409" not in {reads.decide("get_deployment_by_name").label for _ in range(200)}  # type: ignore[union-attr]
    assert "swap_deployment" in DEPLOYMENT_WRITES


def test_random_faults_never_corrupt_state(clock: FakeClock) -> None:
    log: list[str] = []
    with EmulatorServer(latency=1.0, clock=clock, fault_rate=0.3, seed=42, log=log.append) as srv:
        api = Api(srv.url)
        created = set()
        for n in range(40):
            try:
                r = api.create_service(f"f{n}")
            except requests.exceptions.ConnectionError:
                api = Api(srv.url)  # a fresh session after a dropped connection
                continue
            if r.status_code == 201:
                created.add(f"f{n}")
        held = set(srv.state.subscription("00000000-0000-0000-0000-000000000000").services)
    dropped_after = {line for line in log if "applied=yes" in line and " 201 " in line and "drop-after" in line}
    assert created <= held  # everything acknowledged exists
    assert len(held - created) == len(dropped_after)  # and the only extras are the ambiguous ones
    assert any("fault=" in line for line in log)


def test_fault_plan_rejects_a_bad_rate() -> None:
    with pytest.raises(UsageError):
        FaultPlan(rate=1.5)
