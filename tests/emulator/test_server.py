"""The in-process server: start/stop, reset, keep-alive, and eight clients at once."""

from __future__ import annotations

import socket
import threading

import requests

from smflow.emulator.server import EmulatorServer

from .conftest import Api, FakeClock


def test_start_returns_a_loopback_url_and_stop_frees_the_port() -> None:
    srv = EmulatorServer(latency=0)
    url = srv.start()
    assert url.startswith("http://127.0.0.1:") and srv.url == url
    port = int(url.rsplit(":", 1)[1])
    assert Api(url).get("locations").status_code == 200
    srv.stop()
    srv.stop()  # twice is fine
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_stop_closes_idle_keep_alive_connections() -> None:
    with EmulatorServer(latency=0) as srv:
        api = Api(srv.url)
        assert api.get("locations").status_code == 200  # the session keeps the connection open
    assert all(t.name != "smflow-emulator" for t in threading.enumerate())


def test_keep_alive_reuses_one_connection(api: Api) -> None:
    seen = set()
    for _ in range(5):
        r = api.session.get(api.base + "locations", headers={"x-ms-version": "2014-10-01"}, stream=True, timeout=10)
        sock = r.raw.connection.sock  # type: ignore[union-attr]
        seen.add(sock.getsockname())
        r.content  # noqa: B018 - read it so the connection goes back to the pool
    assert len(seen) == 1


def test_reset_forgets_state(server: EmulatorServer, api: Api) -> None:
    api.create_service("gone")
    server.reset()
    assert api.get("services/hostedservices/gone").status_code == 404


def test_latency_zero_completes_on_the_first_poll() -> None:
    with EmulatorServer(latency=0) as srv:
        api = Api(srv.url)
        api.create_service("fast")
        r = api.create_deployment("fast", "staging", "v1")
        assert r.status_code == 202
        assert "<Status>Succeeded</Status>" in api.operation(r.headers["x-ms-request-id"])


def test_eight_clients_on_different_services_leave_consistent_state(server: EmulatorServer, clock: FakeClock) -> None:
    errors: list[str] = []

    def worker(n: int) -> None:
        api = Api(server.url, sub=f"sub{n % 2}")
        try:
            for k in range(6):
                name = f"w{n}s{k}"
                assert api.create_service(name).status_code == 201
                assert api.create_deployment(name, "production", "blue").status_code == 202
                assert api.create_deployment(name, "staging", "green").status_code == 202
                assert api.get(f"services/hostedservices/{name}?embed-detail=true").status_code == 200
                if k % 2:
                    assert api.request("DELETE", f"services/hostedservices/{name}/deployments/green").status_code in (202, 409)
        except AssertionError as err:  # collected: a thread's assert would otherwise vanish
            errors.append(f"worker {n}: {err}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert not any(t.is_alive() for t in threads)
    clock.advance(100)
    with server.state.lock:
        names = []
        for sid in ("sub0", "sub1"):
            sub = server.state.subscription(sid)
            sub.settle()
            names += list(sub.services)
            for svc in sub.services.values():
                assert set(svc.slots) <= {"Production", "Staging"}
                for slot, dep in svc.slots.items():
                    assert dep.slot == slot and dep.busy_op is None and dep.status == "Running"
                    assert {i.status for i in dep.instances} == {"ReadyRole"}
            assert not sub.pending
        assert sorted(names) == sorted(f"w{n}s{k}" for n in range(8) for k in range(6))
    assert requests.get(server.url + "/sub0/services/hostedservices", headers={"x-ms-version": "2014-10-01"},
                        timeout=10).text.count("<ServiceName>") == 24  # fmt: skip
