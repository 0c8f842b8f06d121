"""Which runs force their journal to disk: a run against something real syncs every intent
before its request leaves; a replay (or a run on the embedded emulator) cannot lose anything
real, so it writes each journal line whole and never waits for the disk.

The syncs are counted by wrapping ``os.fdatasync`` and ``os.fsync`` (which still run).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from smflow.run.api import run_flow
from smflow.run.journal import read_journal

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "blue_green.flow"
CASSETTE = ROOT / "cassettes" / "blue_green.yaml"
VARS = {"package_url": "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"}


@pytest.fixture
def syncs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    real_fdatasync, real_fsync = os.fdatasync, os.fsync

    def fdatasync(fd: int) -> None:
        calls.append("fdatasync")
        real_fdatasync(fd)

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    monkeypatch.setattr(os, "fdatasync", fdatasync)
    monkeypatch.setattr(os, "fsync", fsync)
    yield calls


def _journal_lines(result_journal: Path | None) -> list[str]:
    assert result_journal is not None
    state = read_journal(result_journal)  # every line whole and readable
    assert state.good_bytes == result_journal.stat().st_size
    return [line for line in result_journal.read_text(encoding="utf-8").splitlines() if line]


def test_a_replay_never_waits_for_the_disk(tmp_path: Path, syncs: list[str]) -> None:
    result = run_flow(FLOW, vars=VARS, replay=CASSETTE, assume_yes=True, journal_dir=tmp_path / "runs")
    assert result.ok, result.error
    assert syncs == []
    lines = _journal_lines(result.journal)
    assert '"t":"call_intent"' in "".join(lines) and lines[-1].startswith('{"t":"run_done"')


def test_a_run_against_an_endpoint_syncs_each_intent_before_sending(tmp_path: Path, syncs: list[str]) -> None:
    from smflow.emulator.server import EmulatorServer

    server = EmulatorServer(latency=0.0)
    url = server.start()
    try:
        result = run_flow(FLOW, vars=VARS, endpoint=url, emulator_latency=0.0, assume_yes=True,
                          journal_dir=tmp_path / "runs")
    finally:
        server.stop()
    assert result.ok, result.error
    intents = sum('"t":"call_intent"' in line for line in _journal_lines(result.journal))
    assert intents >= 3  # create deployment, swap, delete at least
    assert syncs.count("fdatasync") == intents  # one per intent, each before its request
    assert "fsync" in syncs  # the new journal's directory entry


def test_a_run_on_the_embedded_emulator_does_not_sync_its_journal(tmp_path: Path, syncs: list[str]) -> None:
    result = run_flow(FLOW, vars=VARS, emulator_latency=0.0, assume_yes=True, journal_dir=tmp_path / "runs")
    assert result.ok, result.error
    assert syncs == []
    assert any('"t":"call_intent"' in line for line in _journal_lines(result.journal))
