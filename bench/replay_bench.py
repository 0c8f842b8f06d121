"""Replaying blue_green: how fast, against the recording, against Microsoft's SDK under vcrpy,
and against plain vcrpy.

1. Records ``flows/blue_green.flow`` with ``run_flow(record=...)`` against a local emulator at
   its default latency (``EmulatorServer()``: operations take about as long as the emulator
   models them), timing it.
2. Replays it with ``run_flow(replay=...)``: the whole run (parse, check, journal, executor) on a
   virtual clock. Target (issue 6): under 1 s, though the recording took far longer.
   In turn with each replay, ``bench/sdk_blue_green.py``'s release (Microsoft's
   ``ServiceManagementService``, the same 10 requests) replays its own cassette under
   ``vcr.use_cassette`` with ``time.sleep`` patched out: the ratio (median over median, and the
   median of the pairs) is smflow's replay against the SDK's, in-process. Target (issue 14):
   at most 1.0x in-process; ``bench/process_bench.py`` measures it as whole processes.
3. Sends the cassette's recorded requests, in order, three ways: through smflow's
   ``RequestsTransport`` inside ``replaying`` (vcrpy serving by smflow's matching, index and
   poll timeline) and inside plain ``vcr.use_cassette(record_mode="none")`` (vcrpy's default
   method+uri matching), and through the ``CassetteTransport`` of ``replaying_transport`` (the
   same rules at the transport seam, as ``smflow run --replay`` serves them: no HTTP stack).
   The ratios are each harness's cost over plain vcrpy on the same interactions, cassette load
   included. Target: at most 1.5x for the vcrpy one; the transport is expected far below 1x.

Each replay figure is the median of ``--repeat`` runs. Prints one JSON object per line.
Usage: ``python bench/replay_bench.py [--repeat 7] [--latency SECONDS]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import vcr
from sdk_blue_green import client as sdk_client
from sdk_blue_green import release as sdk_release

from smflow.asm.transport import HttpRequest, RequestsTransport, Transport
from smflow.emulator.server import EmulatorServer
from smflow.recording.cassette import load_cassette
from smflow.recording.replay import replaying_transport
from smflow.recording.session import replaying
from smflow.run.api import run_flow

ROOT = Path(__file__).resolve().parents[1]
FLOW = ROOT / "flows" / "blue_green.flow"
VARS = {"package_url": "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"}


def _median(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _send_all(requests: list[dict[str, Any]], transport: Transport | None = None) -> None:
    transport = transport or RequestsTransport(timeout=5)
    for request in requests:
        body = request["body"].encode() if isinstance(request["body"], str) else request["body"]
        transport.send(HttpRequest(request["method"], request["uri"], {}, body))  # 404s are recorded too


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--latency", type=float, default=None, help="emulator latency (default: the emulator's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cassette = Path(tmp) / "blue_green.yaml"
        journals = Path(tmp) / "runs"
        emulator = EmulatorServer() if args.latency is None else EmulatorServer(latency=args.latency)
        with emulator:
            started = time.perf_counter()
            recorded = run_flow(FLOW, vars=VARS, endpoint=emulator.url, record=cassette, assume_yes=True,
                                journal_dir=journals)
            record_s = time.perf_counter() - started
        assert recorded.ok, recorded.error

        def replay_run() -> None:
            result = run_flow(FLOW, vars=VARS, replay=cassette, assume_yes=True, journal_dir=journals)
            assert result.ok, result.error

        sdk_cassette = Path(tmp) / "sdk_blue_green.yaml"
        with EmulatorServer(latency=0.0) as sdk_emulator:  # the SDK sleeps 15 s between polls: no latency
            sdk_url = sdk_emulator.url
            with vcr.use_cassette(str(sdk_cassette), record_mode="all"):
                sdk_release(sdk_client(sdk_url))

        def sdk_replay() -> None:
            real_sleep = time.sleep
            time.sleep = lambda seconds: None  # type: ignore[assignment]
            try:
                with vcr.use_cassette(str(sdk_cassette), record_mode="none"):
                    sdk_release(sdk_client(sdk_url))
            finally:
                time.sleep = real_sleep

        replay_run()
        sdk_replay()  # warm-up: imports, grammar, connection pools
        smflow_times: list[float] = []
        sdk_times: list[float] = []
        for _ in range(args.repeat):
            for work, times in ((replay_run, smflow_times), (sdk_replay, sdk_times)):
                started = time.process_time()
                work()
                times.append(time.process_time() - started)
        replay_s = statistics.median(smflow_times)
        sdk_s = statistics.median(sdk_times)
        pairs = statistics.median(a / b for a, b in zip(smflow_times, sdk_times, strict=True))
        requests = [i["request"] for i in load_cassette(cassette).interactions]

        def smflow_harness() -> None:
            with replaying(cassette, locate=lambda: None):
                _send_all(requests)

        def plain_vcrpy() -> None:
            with vcr.use_cassette(str(cassette), record_mode="none"):
                _send_all(requests)

        def cassette_transport() -> None:
            with replaying_transport(cassette, locate=lambda: None) as (_info, transport):
                _send_all(requests, transport)

        harness_s = _median(args.repeat, smflow_harness)
        plain_s = _median(args.repeat, plain_vcrpy)
        transport_s = _median(args.repeat, cassette_transport)
        header = load_cassette(cassette).header
    common = {"flow": "blue_green", "interactions": len(requests)}
    print(json.dumps({"bench": "blue_green_record", "value": round(record_s, 3), "unit": "s",
                      "recorded_duration": header.duration, **common}))
    print(json.dumps({"bench": "blue_green_replay_run_flow", "value": round(replay_s, 4), "unit": "s cpu",
                      "target": 1.0, "speedup_vs_recording": round(header.duration / replay_s, 1), **common}))
    print(json.dumps({"bench": "blue_green_replay_sdk_vcrpy", "value": round(sdk_s, 4), "unit": "s cpu", **common}))
    print(json.dumps({"bench": "replay_vs_sdk_ratio", "value": round(replay_s / sdk_s, 2), "unit": "x", "target": 1.0,
                      "paired_median": round(pairs, 2), "note": "in-process CPU medians, interleaved", **common}))
    print(json.dumps({"bench": "replay_harness_vs_plain_vcrpy", "value": round(harness_s / plain_s, 2), "unit": "x",
                      "target": 1.5, "smflow_s": round(harness_s, 4), "plain_vcrpy_s": round(plain_s, 4), **common}))
    print(json.dumps({"bench": "replay_transport_vs_plain_vcrpy", "value": round(transport_s / plain_s, 2), "unit": "x",
                      "transport_s": round(transport_s, 4), "plain_vcrpy_s": round(plain_s, 4), **common}))


if __name__ == "__main__":
    main()
