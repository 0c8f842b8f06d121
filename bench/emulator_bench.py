"""Emulator throughput and footprint on loopback; run on demand: ``python bench/emulator_bench.py``.

Prints one JSON object per result line:
- ``emulator_get_rps``: GET hosted service properties per second over one keep-alive session (target >= 1000)
- ``emulator_get_rps_raw_client``: the same over a bare socket, i.e. the server's cost alone
- ``emulator_list_1000_rps``: GET services/hostedservices with 1,000 services, per second
- ``emulator_memory_10k``: MiB allocated by the state for 10,000 resources (hosted services + storage accounts)
- ``emulator_start_stop``: seconds for one start() + stop() of the in-process server (target < 0.2)
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import tracemalloc

import requests

from smflow.emulator.server import EmulatorServer

SUB = "00000000-0000-0000-0000-000000000000"
HEADERS = {"x-ms-version": "2014-10-01"}


def emit(bench: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"bench": bench, "value": round(value, 4), "unit": unit, **extra}), flush=True)


def populate(server: EmulatorServer, services: int, storage: int = 0) -> None:
    with server.state.lock:
        sub = server.state.subscription(SUB)
        for n in range(services):
            sub.create_hosted_service(f"{n:032x}", f"svc{n}", f"svc{n}", None, "West US", None, {})
        for n in range(storage):
            sub.create_storage_account(f"{n + services:032x}", f"stor{n}", f"stor{n}", None, "West US", None, "Standard_LRS", {})


def rate(session: requests.Session, url: str, seconds: float) -> tuple[float, int]:
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        r = session.get(url, headers=HEADERS, timeout=10)
        assert r.status_code == 200, r.text[:200]
        n += 1
    return n / elapsed, n


def served(where: str) -> tuple[str, subprocess.Popen[str] | None, EmulatorServer | None]:
    """The emulator in its own process (``smflow emulator``, as users run it) or in this one."""
    if where == "process":
        proc = subprocess.Popen([sys.executable, "-m", "smflow", "emulator", "--latency", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert proc.stdout is not None
        return proc.stdout.readline().strip(), proc, None
    srv = EmulatorServer(latency=0)
    return srv.start(), None, srv


def throughput(where: str) -> None:
    url, proc, srv = served(where)
    try:
        session = requests.Session()
        session.trust_env = False
        base = f"{url}/{SUB}/services/hostedservices"
        body = (
            '<CreateHostedService xmlns="http://schemas.microsoft.com/windowsazure"><ServiceName>svc{n}</ServiceName>'
            "<Label>bGFiZWw=</Label><Location>West US</Location></CreateHostedService>"
        )
        for n in range(1000):
            r = session.post(base, data=body.format(n=n), headers=HEADERS, timeout=10)
            assert r.status_code == 201, r.text[:200]
        rate(session, f"{base}/svc1", 0.3)  # warm up
        rps, n = rate(session, f"{base}/svc1?embed-detail=false", 3.0)
        emit("emulator_get_rps", rps, "req/s", requests=n, server=where, target=1000)
        rps, n = rate(session, base, 3.0)
        emit("emulator_list_1000_rps", rps, "req/s", requests=n, services=1000, server=where)
        rps, n = raw_rate(url, "/" + SUB + "/services/hostedservices/svc1?embed-detail=false", 3.0)
        emit("emulator_get_rps_raw_client", rps, "req/s", requests=n, server=where, target=1000)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        if srv is not None:
            srv.stop()


def raw_rate(url: str, path: str, seconds: float) -> tuple[float, int]:
    """GETs over one keep-alive socket with no client library: the server's own cost per request."""
    host, port = url.split("//", 1)[1].split(":")
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nx-ms-version: 2014-10-01\r\n"
               "Connection: keep-alive\r\n\r\n").encode()  # fmt: skip
    n, start = 0, time.perf_counter()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        while (elapsed := time.perf_counter() - start) < seconds:
            sock.sendall(request)
            data = b""
            while b"</HostedService>" not in data:
                chunk = sock.recv(65536)
                assert chunk, "the server closed the connection"
                data += chunk
            n += 1
    return n / elapsed, n


def main() -> None:
    # In its own process the server does not share the GIL with the client: that is the server's
    # throughput. In-process (as tests and `smflow run` use it) both halves share one interpreter.
    throughput("process")
    throughput("in-process")

    tracemalloc.start()
    with EmulatorServer(latency=0) as srv:
        before = tracemalloc.get_traced_memory()[0]
        populate(srv, 5000, 5000)
        after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    emit("emulator_memory_10k", (after - before) / 2**20, "MiB", resources=10_000)

    times = []
    for _ in range(20):
        start = time.perf_counter()
        srv = EmulatorServer(latency=0)
        srv.start()
        srv.stop()
        times.append(time.perf_counter() - start)
    emit("emulator_start_stop", sorted(times)[len(times) // 2], "s", runs=len(times), worst=round(max(times), 4), target=0.2)


if __name__ == "__main__":
    main()
