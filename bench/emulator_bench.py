"""Emulator throughput and footprint on loopback; run on demand: ``python bench/emulator_bench.py``.

Prints one JSON object per result line:
- ``emulator_get_rps``: GET hosted service properties per second over one keep-alive ``requests``
  session (target >= 1000)
- ``emulator_get_rps_http_client``: the same over one keep-alive ``http.client`` connection, which
  parses every response (status line, headers, body by Content-Length) but adds little else
- ``emulator_list_locations_rps``: GET locations (34.7 KB) the same way (target >= 2,000/s)
- with both ``http.client`` rates, for the server in its own process: its CPU per request
  (``server_cpu_us_per_request``, from /proc) and the rate that makes on one idle core, because a
  rate measured on a loaded machine is mostly the scheduler's
- ``emulator_list_1000_rps``: GET services/hostedservices with 1,000 services, per second
- ``emulator_list_10k``: one GET of 10,000 hosted services from ``smflow emulator`` in its own
  process (its state loaded with ``--state``): seconds (target < 0.3), the server's CPU seconds for
  it (median, from /proc), and the server process's
  RSS growth during it, from /proc (target < 60 MB), beside the answer's size
- ``emulator_memory_10k``: the state for 10,000 resources, as tracemalloc sees it and as the
  process's peak RSS grows
- ``emulator_start_stop``: seconds for one start() + stop() of the in-process server (target < 0.2)

Rates run for a fixed time and are reported with the load average, as the machine may be shared.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import requests

from smflow.emulator.persist import StateStore
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
        path = "/" + SUB + "/services/hostedservices/svc1?embed-detail=false"
        rps, extra = server_cpu(proc, url, path, 3.0)
        emit("emulator_get_rps_http_client", rps, "req/s", **extra, server=where, target=1000)
        rps, extra = server_cpu(proc, url, "/" + SUB + "/locations", 3.0)
        emit("emulator_list_locations_rps", rps, "req/s", **extra, server=where, target=2000, loadavg=os.getloadavg()[0])
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        if srv is not None:
            srv.stop()


def http_client_rate(url: str, path: str, seconds: float) -> tuple[float, int]:
    """GETs over one keep-alive ``http.client`` connection: each response parsed and read whole."""
    host, port = url.split("//", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    n, start = 0, time.perf_counter()
    try:
        while (elapsed := time.perf_counter() - start) < seconds:
            conn.request("GET", path, headers=HEADERS)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200 and body, body[:200]
            n += 1
    finally:
        conn.close()
    return n / elapsed, n


def _cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(proc: subprocess.Popen[str] | None, url: str, path: str, seconds: float) -> tuple[float, dict[str, object]]:
    """The rate of ``http_client_rate`` and, for a server in its own process, the server's CPU per
    request: on a shared machine the rate measures the scheduler as much as the server, the CPU
    per request does not (``capacity_per_core``: the rate one idle core would serve)."""
    before = _cpu_seconds(proc.pid) if proc is not None else 0.0
    rps, n = http_client_rate(url, path, seconds)
    extra: dict[str, object] = {"requests": n}
    if proc is not None:
        us = (_cpu_seconds(proc.pid) - before) / n * 1e6
        extra.update(server_cpu_us_per_request=round(us, 1), capacity_per_core=round(1e6 / us) if us else None)
    return rps, extra


def _proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def list_10k() -> None:
    """One list of 10,000 hosted services from ``smflow emulator`` in its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state.sqlite"
        with EmulatorServer(latency=0) as srv:  # populated first, then saved once (not once per service)
            populate(srv, 10_000)
            with srv.state.lock:
                srv.state.subscription(SUB).settle()  # their create operations done, before the save
            store = StateStore(state, srv.state)
            store.save_all()
            store.close()
        proc = subprocess.Popen([sys.executable, "-m", "smflow", "emulator", "--latency", "0", "--state", str(state)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            host, port = url.split("//", 1)[1].split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            conn.request("GET", "/" + SUB + "/locations", headers=HEADERS)  # warm: imports, first request
            conn.getresponse().read()
            times, cpu, growth = [], [], []
            for _ in range(5):
                rss_before = _proc_kb(proc.pid, "VmRSS")
                cpu_before, start = _cpu_seconds(proc.pid), time.perf_counter()
                conn.request("GET", "/" + SUB + "/services/hostedservices", headers=HEADERS)
                response = conn.getresponse()
                body = response.read()
                times.append(time.perf_counter() - start)
                cpu.append(_cpu_seconds(proc.pid) - cpu_before)
                growth.append((_proc_kb(proc.pid, "VmHWM") - rss_before) / 1024)
                assert response.status == 200 and body.count(b"<HostedService>") == 10_000
            conn.close()
            emit("emulator_list_10k", sorted(times)[len(times) // 2], "s", target=0.3, answer_mb=round(len(body) / 2**20, 1),
                 server_cpu_s=round(sorted(cpu)[len(cpu) // 2], 3),
                 rss_growth_mb_first=round(growth[0], 1), rss_growth_mb_max=round(max(growth), 1), rss_target_mb=60,
                 server_peak_rss_mb=round(_proc_kb(proc.pid, "VmHWM") / 1024, 1), loadavg=os.getloadavg()[0])
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    # In its own process the server does not share the GIL with the client: that is the server's
    # throughput. In-process (as tests and `smflow run` use it) both halves share one interpreter.
    throughput("process")
    throughput("in-process")

    list_10k()

    tracemalloc.start()
    with EmulatorServer(latency=0) as srv:
        before = tracemalloc.get_traced_memory()[0]
        rss_before = _proc_kb(os.getpid(), "VmRSS")  # this process's peak is earlier benches': current RSS
        populate(srv, 5000, 5000)
        after = tracemalloc.get_traced_memory()[0]
        rss_after = _proc_kb(os.getpid(), "VmRSS")
    tracemalloc.stop()
    emit("emulator_memory_10k", (after - before) / 2**20, "MiB", resources=10_000,
         rss_growth_mib=round((rss_after - rss_before) / 1024, 1),
         note="tracemalloc counts Python allocations; the RSS growth includes tracemalloc's own bookkeeping")

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
