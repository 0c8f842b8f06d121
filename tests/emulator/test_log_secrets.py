"""The emulator's log shows routes, never the subscription id nor a name a client chose (a flow's
secret may sit in a path segment), also for absolute-form request lines and internal errors."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from smflow.emulator import handlers
from smflow.emulator.server import EmulatorServer

from .conftest import Api, FakeClock

SUB = "5ec2e7a1-0b5c-4d1e-9f3a-7c6d5e4f3a2b"
SECRET_NAME = "svc-Zq8vXw3Kp"


def test_request_lines_show_the_route_not_the_names(clock: FakeClock) -> None:
    log: list[str] = []
    with EmulatorServer(latency=0, clock=clock, log=log.append) as srv:
        api = Api(srv.url, sub=SUB)
        assert api.create_service(SECRET_NAME).status_code == 201
        assert api.get(f"services/hostedservices/{SECRET_NAME}").status_code == 200
        assert api.get(f"services/nosuchthing/{SECRET_NAME}").status_code == 404
    assert log[0].startswith("POST /<subscription>/services/hostedservices 201 ")
    assert log[1].startswith("GET /<subscription>/services/hostedservices/{service_name} 200 ")
    assert log[2].startswith("GET /<subscription>/services/*/* 404 ")
    assert not [line for line in log if SUB in line or "Zq8vXw3Kp" in line]


def test_absolute_form_request_lines_are_served_and_logged_without_the_subscription(clock: FakeClock) -> None:
    log: list[str] = []
    with EmulatorServer(latency=0, clock=clock, log=log.append) as srv:
        Api(srv.url, sub=SUB).create_service(SECRET_NAME)
        parts = urlsplit(srv.url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        try:
            conn.request("GET", f"{srv.url}/{SUB}/services/hostedservices/{SECRET_NAME}",
                         headers={"x-ms-version": "2014-06-01"})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
    assert response.status == 200, body
    assert SECRET_NAME.encode() in body  # served like its path, not as a 404 on "http:"
    assert log[-1].startswith("GET /<subscription>/services/hostedservices/{service_name} 200 ")
    assert not [line for line in log if SUB in line or "Zq8vXw3Kp" in line]


def test_an_internal_error_names_the_route_and_the_exception_type_only(clock: FakeClock,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: handlers.Context) -> handlers.Reply:
        raise KeyError(f"{SUB}/{SECRET_NAME}")  # an emulator bug whose message quotes request data

    monkeypatch.setitem(handlers.HANDLERS, "get_hosted_service_properties", broken)
    log: list[str] = []
    with EmulatorServer(latency=0, clock=clock, log=log.append) as srv:
        response = Api(srv.url, sub=SUB).get(f"services/hostedservices/{SECRET_NAME}")
    assert response.status_code == 500 and "InternalError" in response.text
    internal = [line for line in log if line.startswith("internal error")]
    assert len(internal) == 1
    assert internal[0].startswith("internal error handling GET /<subscription>/services/hostedservices/{service_name}: "
                                  "KeyError at test_log_secrets.py:")
    assert not [line for line in log if SUB in line or "Zq8vXw3Kp" in line]
