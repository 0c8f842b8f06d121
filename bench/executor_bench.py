"""Executor overhead: flows/blue_green.flow through ``run_flow`` vs the same release written with
Microsoft's SDK, and vs the same calls made by hand with smflow's own client.

All sides talk to one in-process emulator at latency 0 (operations finish at once, so no side
ever sleeps) and make the same requests: the flow's reads, creates, swap, delete and one status
poll per asynchronous operation. The executor side also parses and checks the flow, journals
every step and call with an fsync (an endpoint is treated as live), emits events, and wraps every
call in its retry policy. The ``sdk`` side is ``bench/sdk_blue_green.py``: a plain script of
``ServiceManagementService`` calls (azure-servicemanagement-legacy), as Microsoft's guide writes
it. The ``direct`` side is the same script on smflow's own client (``client.call``).

Target (issue 5, issue 14): executor at most 1.3x the SDK script. The three sides run in turn,
so noise from other processes hits all of them; the headline is the ratio of the medians, with
``paired_median`` (each executor run over the SDK run just before it) beside it. This is
in-process: ``bench/process_bench.py`` measures the same comparison as whole processes.
Prints one JSON object per line.  Usage: ``python bench/executor_bench.py [--runs 30]``
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sdk_blue_green import client as sdk_client
from sdk_blue_green import release as sdk_release

from smflow.asm.client import ServiceManagementClient
from smflow.emulator.server import EmulatorServer
from smflow.errors import NotFoundError
from smflow.run import flowplan
from smflow.run.api import run_flow

ROOT = Path(__file__).resolve().parents[1]
FLOW = ROOT / "flows" / "blue_green.flow"
SEED = ROOT / "tests" / "run" / "flows" / "seed.flow"
PACKAGE = "https://acct.blob.core.windows.net/pkgs/app.cspkg"
SUB = "00000000-0000-0000-0000-000000000000"


def _wait(client: ServiceManagementClient, request_id: str) -> None:
    while client.call("get_operation_status", {"request_id": request_id}).status not in ("Succeeded", "Failed"):
        pass


def _exists(client: ServiceManagementClient, op: str, args: dict[str, Any]) -> bool:
    try:
        client.call(op, args)
    except NotFoundError:
        return False
    return True


def direct(endpoint: str, service: str, config: str) -> None:
    """What blue_green does, as a hand-written script (no retry, no journal, no events). Like a
    script (and like ``run_flow``), it makes its own client, so both sides open one connection."""
    client = ServiceManagementClient(SUB, endpoint=endpoint)
    if not _exists(client, "get_hosted_service_properties", {"service_name": service}):
        client.call("create_hosted_service", {"service_name": service, "label": service, "location": "West US"})
    staging = {"service_name": service, "deployment_slot": "staging"}
    production = {"service_name": service, "deployment_slot": "production"}
    _exists(client, "get_deployment_by_slot", staging)
    op = client.call("create_deployment", {**staging, "name": "v2", "package_url": PACKAGE, "label": "v2",
                                           "configuration": base64.b64encode(config.encode()).decode(),
                                           "start_deployment": True})
    _wait(client, op.request_id)
    dep = client.call("get_deployment_by_slot", staging)
    assert all(i.instance_status == "ReadyRole" for i in dep.role_instance_list)
    _exists(client, "get_deployment_by_slot", production)
    old = client.call("get_deployment_by_slot", production)
    op = client.call("swap_deployment", {"service_name": service, "production": old.name, "source_deployment": "v2"})
    _wait(client, op.request_id)
    live = client.call("get_deployment_by_slot", production)
    assert live.name == "v2"
    op = client.call("delete_deployment", {"service_name": service, "deployment_name": old.name})
    _wait(client, op.request_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--journal-dir", type=Path, default=None,
                        help="where journals go (default: a temp dir on disk; try /dev/shm to leave fsync out)")
    args = parser.parse_args()
    config = (ROOT / "flows" / "ServiceConfiguration.cscfg").read_text()
    with tempfile.TemporaryDirectory(dir=args.journal_dir) as tmp, EmulatorServer(latency=0.0) as server:
        journals = Path(tmp) / "runs"
        for side in ("direct", "executor", "sdk"):  # seed every service first, outside the timings
            for i in range(args.runs + 1):
                run_flow(SEED, vars={"service": f"{side}-{i}"}, endpoint=server.url, emulator_latency=0.0,
                         journal_dir=journals)
        # One warm-up each (imports, lark grammar, connection pool), then the timed runs.
        direct(server.url, "direct-0", config)
        sdk_release(sdk_client(server.url), "sdk-0", version="v2")
        run_flow(FLOW, vars={"service": "executor-0", "package_url": PACKAGE, "version": "v2"},
                 endpoint=server.url, emulator_latency=0.0, journal_dir=journals, assume_yes=True)
        # Alternate the two sides so that noise from other processes on the machine hits both.
        direct_times: list[float] = []
        executor_times: list[float] = []
        sdk_times: list[float] = []
        direct_cpu = executor_cpu = sdk_cpu = 0.0  # CPU of the whole process (emulator threads included)
        requests = 0
        for i in range(1, args.runs + 1):
            start, cpu = time.perf_counter(), time.process_time()
            sdk_release(sdk_client(server.url), f"sdk-{i}", version="v2")
            sdk_times.append(time.perf_counter() - start)
            sdk_cpu += time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            direct(server.url, f"direct-{i}", config)
            direct_times.append(time.perf_counter() - start)
            direct_cpu += time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            result = run_flow(FLOW, vars={"service": f"executor-{i}", "package_url": PACKAGE, "version": "v2"},
                              endpoint=server.url, emulator_latency=0.0, journal_dir=journals, assume_yes=True)
            executor_times.append(time.perf_counter() - start)
            executor_cpu += time.process_time() - cpu
            assert result.ok, result.error
            requests += result.requests
    direct_s, executor_s = statistics.median(direct_times), statistics.median(executor_times)
    sdk_s = statistics.median(sdk_times)
    print(json.dumps({"bench": "executor_sdk_wall", "value": round(sdk_s, 5), "unit": "s", "runs": args.runs,
                      "stat": "median", "total": round(sum(sdk_times), 4)}))
    sdk_pairs = sorted(e / d for e, d in zip(executor_times, sdk_times, strict=True))
    print(json.dumps({"bench": "executor_vs_sdk_ratio", "value": round(executor_s / sdk_s, 3), "unit": "x",
                      "target": 1.3, "paired_median": round(statistics.median(sdk_pairs), 3),
                      "cpu_ratio": round(executor_cpu / sdk_cpu, 3)}))
    print(json.dumps({"bench": "executor_direct_wall", "value": round(direct_s, 5), "unit": "s",
                      "runs": args.runs, "stat": "median", "total": round(sum(direct_times), 4)}))
    print(json.dumps({"bench": "executor_run_flow_wall", "value": round(executor_s, 5), "unit": "s",
                      "runs": args.runs, "stat": "median", "total": round(sum(executor_times), 4),
                      "requests_per_run": requests / args.runs}))
    # Each executor run is timed right after a direct one: their ratio shares the machine's state
    # at that moment, so the median of the pairs is less noisy than the ratio of the medians.
    pairs = sorted(e / d for e, d in zip(executor_times, direct_times, strict=True))
    extra = sorted(e - d for e, d in zip(executor_times, direct_times, strict=True))
    print(json.dumps({"bench": "executor_overhead_ratio", "value": round(executor_s / direct_s, 3), "unit": "x",
                      "of": "run_flow over smflow's own client, by hand", "journal_dir": str(args.journal_dir or tempfile.gettempdir()),
                      "ratio_of_totals": round(sum(executor_times) / sum(direct_times), 3),
                      "paired_median": round(statistics.median(pairs), 3),
                      "extra_ms_median": round(statistics.median(extra) * 1000, 2),
                      "extra_ms_iqr": [round(extra[len(extra) // 4] * 1000, 2), round(extra[3 * len(extra) // 4] * 1000, 2)]}))
    # How much of the difference is reading the flow (run_flow keeps the parsed AST of a flow
    # text in-process, so a warm run pays the static check, the params' file() reads and the
    # plan), which a hand-written script never pays; the rest is the executor proper (retry
    # wrapper, journal, events, masking).
    load_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        flowplan.load(FLOW, {"service": "x", "package_url": PACKAGE, "version": "v2"})
        load_times.append(time.perf_counter() - start)
    load_s = statistics.median(load_times)
    print(json.dumps({"bench": "executor_load_and_check", "value": round(load_s, 5), "unit": "s",
                      "stat": "median", "share_of_overhead": round(load_s / max(executor_s - direct_s, 1e-9), 3)}))
    print(json.dumps({"bench": "executor_overhead_cpu_ratio", "value": round(executor_cpu / direct_cpu, 3),
                      "unit": "x", "note": "process CPU time, less sensitive to other load on the machine"}))


if __name__ == "__main__":
    main()
