"""A secret that lands in a URL path segment is scrubbed from the cassette, and the cassette
still replays: the scrubbed segment matches whatever the replay sends in its place. (What the
replay reads back holds the placeholder where the secret was: a cassette cannot give it back.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.run.api import run_flow

from .oracle import files_under, hits

PW = "Kv9Zp-Sekr1t"

FLOW = """\
flow pathsecret "a secret in a service name"
secret param pw : string
step "make" {
    if exists get_hosted_service_properties(service_name: "svc-${lower(pw)}") {
        log "there"
    } else {
        create_hosted_service(service_name: "svc-${lower(pw)}", label: "l", location: "West US")
    }
    got = get_hosted_service_properties(service_name: "svc-${lower(pw)}")
    log "read back ${got.service_name}"
    delete_hosted_service(service_name: "svc-${lower(pw)}")
}
"""


def test_a_secret_in_a_path_segment_records_and_replays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flow = tmp_path / "pathsecret.flow"
    flow.write_text(FLOW)
    cassette = tmp_path / "pathsecret.yaml"
    recorded = run_flow(flow, vars={"pw": PW}, record=cassette, emulator_latency=0, journal_dir=tmp_path / "runs")
    assert recorded.ok, recorded.error
    assert "svc-***SCRUBBED***" in cassette.read_text()
    assert hits({"pw": PW}, files_under(tmp_path)) == []
    replayed = run_flow(flow, vars={"pw": PW}, replay=cassette, journal_dir=tmp_path / "runs")
    assert replayed.ok, replayed.error
    assert replayed.requests == recorded.requests
