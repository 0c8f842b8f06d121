"""How fast a big cassette loads and replays, and how much memory that takes.

Generates a 10,000-interaction cassette shaped like real runs (a create with an XML body, two
operation polls, a read) in a temp dir, then measures, in one process:

- ``load``: ``load_cassette`` (libyaml) alone;
- ``load_and_replay``: entering ``replaying`` and sending all 10,000 requests through smflow's
  ``RequestsTransport`` (requests, vcrpy's stubs, smflow's index and canonical XML matching);
- ``load_and_replay_transport``: the same through ``replaying_transport``'s ``CassetteTransport``
  (what ``smflow run --replay`` sends through: the same rules, no HTTP stack, no vcrpy);
- ``peak_memory``: tracemalloc's peak over a second, traced load-and-replay.

Target (issue 6): load and replay under 5 s, with memory bounded (a few times the YAML size).
Prints one JSON object per line.  Usage: ``python bench/cassette_load_bench.py [--n 10000]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from vcr.request import Request

from smflow.asm.transport import HttpRequest, RequestsTransport
from smflow.recording.cassette import CassetteHeader, dump_cassette, load_cassette
from smflow.recording.player import SmflowCassette
from smflow.recording.replay import replaying_transport
from smflow.recording.session import replay_setup, replaying

ENDPOINT = "http://127.0.0.1:9"
NS = 'xmlns="http://schemas.microsoft.com/windowsazure" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'


def _interaction(method: str, path: str, body: str | None, status: int, response: str, headers: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "request": {"method": method, "uri": f"{ENDPOINT}/SUBSCRIPTION-ID/{path}", "body": body,
                    "headers": {"x-ms-version": ["2014-10-01"]}},
        "response": {"status": {"code": status, "message": "OK"}, "headers": {"x-ms-request-id": ["0" * 32], **headers},
                     "body": {"string": response}},
    }


def generate(n: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(n // 4 + 1):
        op = f"{i:032x}"
        name = f"svc{i:05d}"
        body = (f"<CreateHostedService {NS}><ServiceName>{name}</ServiceName><Label>bGFiZWw=</Label>"
                f"<Description>bench service number {i}</Description><Location>West US</Location></CreateHostedService>")
        out.append(_interaction("POST", "services/hostedservices", body, 201, "", {"x-ms-request-id": [op]}))
        for status in ("InProgress", "Succeeded"):
            out.append(_interaction("GET", f"operations/{op}", None, 200,
                                    f"<Operation {NS}><ID>{op}</ID><Status>{status}</Status></Operation>", {}))
        out.append(_interaction("GET", f"services/hostedservices/{name}?embed-detail=false", None, 200,
                                f"<HostedService {NS}><ServiceName>{name}</ServiceName><HostedServiceProperties>"
                                f"<Description>bench</Description><Location>West US</Location><Label>bGFiZWw=</Label>"
                                f"<Status>Created</Status></HostedServiceProperties></HostedService>", {}))
    return out[:n]


def replay_all(path: Path, interactions: list[dict[str, Any]]) -> int:
    """Send every recorded request through smflow's real transport, inside ``replaying``."""
    served = 0
    transport = RequestsTransport(timeout=5)
    with replaying(path, locate=lambda: None) as info:
        for interaction in interactions:
            request = interaction["request"]
            uri = request["uri"].replace(ENDPOINT, info.endpoint)
            body = request["body"].encode() if request["body"] is not None else None
            response = transport.send(HttpRequest(request["method"], uri, {}, body))
            served += response.status < 300
    return served


def replay_all_transport(path: Path, interactions: list[dict[str, Any]]) -> int:
    """Send every recorded request through the cassette transport, as ``smflow run --replay`` does."""
    served = 0
    with replaying_transport(path, locate=lambda: None) as (info, transport):
        for interaction in interactions:
            request = interaction["request"]
            uri = request["uri"].replace(ENDPOINT, info.endpoint)
            body = request["body"].encode() if request["body"] is not None else None
            served += transport.send(HttpRequest(request["method"], uri, {}, body)).status < 300
    return served


def match_only(path: Path, interactions: list[dict[str, Any]]) -> int:
    """The harness alone: load, index and answer every request, with no HTTP stack around it."""
    _info, _header, args = replay_setup(path)
    cassette = SmflowCassette.load(**args)
    served = 0
    for interaction in interactions:
        request = interaction["request"]
        vcr_request = Request(request["method"], request["uri"], request["body"], {})
        if cassette.can_play_response_for(vcr_request):
            served += cassette.play_response(vcr_request)["status"]["code"] < 300
    return served


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    interactions = generate(args.n)
    header = CassetteHeader(endpoint=ENDPOINT, subscription_id="SUBSCRIPTION-ID", duration=float(args.n),
                            recorded_at="2026-01-01T00:00:00+00:00", meta={"bench": True})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(dump_cassette(header, interactions))
        size = path.stat().st_size
        started = time.perf_counter()
        loaded = load_cassette(path)
        load_s = time.perf_counter() - started
        assert len(loaded.interactions) == args.n
        started, cpu_started = time.perf_counter(), time.process_time()
        served = replay_all(path, interactions)
        total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        assert served == args.n, served
        started = time.perf_counter()
        assert replay_all_transport(path, interactions) == args.n
        transport_s = time.perf_counter() - started
        started = time.perf_counter()
        matched = match_only(path, interactions)
        match_s = time.perf_counter() - started
        assert matched == args.n, matched
        tracemalloc.start()
        replay_all(path, interactions)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    common = {"interactions": args.n, "cassette_bytes": size}
    print(json.dumps({"bench": "cassette_load", "value": round(load_s, 3), "unit": "s", **common}))
    print(json.dumps({"bench": "cassette_load_and_replay", "value": round(total_s, 3), "unit": "s", "target": 5.0,
                      "cpu_s": round(total_cpu, 3), "note": "wall time; cpu_s is this process's CPU (the machine may be shared)",
                      **common}))
    print(json.dumps({"bench": "cassette_load_and_replay_transport", "value": round(transport_s, 3), "unit": "s",
                      "note": "the same replay through CassetteTransport (smflow run --replay)", **common}))
    print(json.dumps({"bench": "cassette_load_and_match_harness_only", "value": round(match_s, 3), "unit": "s",
                      "note": "the same replay without requests/urllib3: smflow's share of the line above", **common}))
    print(json.dumps({"bench": "cassette_replay_peak_memory", "value": round(peak / 2**20, 1), "unit": "MiB",
                      "ratio_to_file": round(peak / size, 2), **common}))


if __name__ == "__main__":
    main()
