"""A lost answer to a write that leaves no state to read back: the operation log tells, once.

Real HTTP against the emulator on loopback, on the machine's clock (the log's times are wall
times), with scripted faults: ``drop-after`` applies the write and closes the connection without
an answer; ``op-fail`` answers 202 and the operation later ends Failed (500), undone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from smflow.emulator.faults import ScriptedFault
from smflow.run.api import run_flow
from smflow.run.journal import read_journal

ROOT = Path(__file__).resolve().parents[2]
SUB = "00000000-0000-0000-0000-000000000000"
LATENCY = 0.05


def _run(tmp_path: Path, flow: str, faults: list[ScriptedFault], **variables: str) -> tuple[Any, dict[str, int]]:
    from smflow.emulator.server import EmulatorServer

    server = EmulatorServer(latency=LATENCY, scripted_faults=faults)
    url = server.start()
    try:
        result = run_flow(ROOT / "flows" / f"{flow}.flow", vars=variables, endpoint=url, emulator_latency=LATENCY,
                          journal_dir=tmp_path, assume_yes=True)
        counts: dict[str, int] = {}
        for op in server.state.subscription(SUB).operations.values():
            key = f"{op.kind}:{op.status}"
            counts[key] = counts.get(key, 0) + 1
    finally:
        server.stop()
    return result, counts


def _read_back(tmp_path: Path) -> list[str]:
    """The calls the journal shows were found done by read-back rather than answered."""
    (path,) = sorted(tmp_path.glob("*.jsonl"))
    lines = path.read_text().splitlines()
    import json

    return [r["key"] for r in map(json.loads, lines) if r["t"] == "call_done" and r.get("read_back")]


def test_a_regeneration_whose_answer_is_lost_happens_once_and_the_next_one_is_not_taken_for_it(
    tmp_path: Path,
) -> None:
    """The secondary key's regeneration is applied and its answer lost: found in the log, not sent
    again. The primary key's is lost before it reaches the service (``drop-before``): the log then
    shows only the secondary's, a moment before, which must not be taken for it (the primary key
    would never change, and the flow's key comparison fails)."""
    faults = [ScriptedFault("regenerate_storage_account_keys", 1, kind="drop-after"),
              ScriptedFault("regenerate_storage_account_keys", 2, kind="drop-before")]
    result, counts = _run(tmp_path, "storage_key_rotation", faults)
    assert result.ok, result.error  # the flow compares the keys before and after each regeneration
    assert counts["regenerate_storage_account_keys:Succeeded"] == 2
    assert _read_back(tmp_path) == ["regenerate_storage_account_keys#1@regenerate the secondary key"]


def test_reboot_reimage_and_rebuild_whose_answers_are_lost_each_happen_once(tmp_path: Path) -> None:
    faults = [ScriptedFault(op, 1, kind="drop-after")
              for op in ("reboot_role_instance", "reimage_role_instance", "rebuild_role_instance")]
    result, counts = _run(tmp_path, "restart_instance", faults, escalate="true")
    assert result.ok, result.error
    assert {k: v for k, v in counts.items() if "role_instance:" in k} == {
        "reboot_role_instance:Succeeded": 1, "reimage_role_instance:Succeeded": 1, "rebuild_role_instance:Succeeded": 1}
    assert len(_read_back(tmp_path)) == 3


def test_a_logged_reboot_that_the_server_failed_is_sent_again(tmp_path: Path) -> None:
    result, counts = _run(tmp_path, "restart_instance", [ScriptedFault("reboot_role_instance", 1, kind="op-fail")])
    assert result.ok, result.error
    assert counts.get("reboot_role_instance:Failed") == 1 and counts.get("reboot_role_instance:Succeeded") == 1


def test_the_intent_records_when_it_was_journaled(tmp_path: Path) -> None:
    result, _ = _run(tmp_path, "restart_instance", [])
    assert result.ok, result.error
    (path,) = sorted(tmp_path.glob("*.jsonl"))
    call = read_journal(path).calls["reboot_role_instance#1@reboot it"]
    assert call.intent_at is not None and call.intent_at.utcoffset() is not None and call.done


def _resumed_regeneration(tmp_path: Path, sent_before_intent: bool) -> tuple[int, list[str]]:
    """A run killed after journaling a regeneration's intent, resumed: the earlier process sent it
    (after its intent) or a regeneration happened before that intent (someone else's)."""
    from datetime import timedelta

    from smflow.asm.client import ServiceManagementClient
    from smflow.emulator.server import EmulatorServer
    from smflow.run.calls import CallRunner, StepContext
    from smflow.run.clock import RealClock
    from smflow.run.journal import CallRecord, Journal
    from smflow.run.retry import Policy
    from smflow.run.secrets import Masker

    server = EmulatorServer(latency=LATENCY)
    url = server.start()
    try:
        sub = server.state.subscription(SUB)
        with server.state.lock:
            sub.create_storage_account("1" * 32, "acct", "l", None, "West US", None, "Standard_LRS", {})
        clock = RealClock()
        intent = clock.now() - timedelta(seconds=0.5)
        with server.state.lock:
            sub.regenerate_storage_keys("2" * 32, "acct", "Primary")
            if sent_before_intent:  # 3 s before the intent: beyond the skew margin
                sub.operations["2" * 32].started -= 3.5
        key = "regenerate_storage_account_keys#1@step"
        journal = Journal.create(tmp_path, "20261130-000000-t-0001", {"flow": "t.flow"})
        runner = CallRunner(ServiceManagementClient(SUB, endpoint=url, timeout=10.0), clock=clock, journal=journal,
                            masker=Masker(), emit=lambda cls, **f: None, time_scale=0.01,
                            resume_calls={key: CallRecord(key, "regenerate_storage_account_keys", intent_at=intent)})
        ctx = StepContext(1, "step", Policy(attempts=3, backoff_min=0.01, backoff_max=0.02, jitter=False), None)
        runner.call(ctx, "regenerate_storage_account_keys", {"service_name": "acct", "key_type": "Primary"})
        regenerations = sum(1 for op in sub.operations.values() if op.kind == "regenerate_storage_account_keys")
    finally:
        server.stop()
    return regenerations, _read_back(tmp_path)


def test_a_resumed_regeneration_the_earlier_process_sent_is_not_sent_again(tmp_path: Path) -> None:
    assert _resumed_regeneration(tmp_path, sent_before_intent=False) == (1, ["regenerate_storage_account_keys#1@step"])


def test_a_regeneration_logged_before_the_resumed_calls_intent_is_not_the_calls(tmp_path: Path) -> None:
    assert _resumed_regeneration(tmp_path, sent_before_intent=True) == (2, [])


def test_the_emulators_log_read_over_http_finds_a_regeneration_on_a_later_page() -> None:
    """The client's parse of the real wire shape (continuation token, <ID>, seven-digit or
    six-digit times) with the emulator's paging: 120 other writes after the intent come first."""
    from smflow.asm.client import ServiceManagementClient
    from smflow.emulator.server import EmulatorServer
    from smflow.emulator.subscription_info import PAGE
    from smflow.run.clock import RealClock
    from smflow.run.oplog import started_since

    server = EmulatorServer(latency=LATENCY)
    url = server.start()
    try:
        sub = server.state.subscription(SUB)
        clock = RealClock()
        intent = clock.now()
        with server.state.lock:
            sub.create_storage_account("1" * 32, "acct", "l", None, "West US", None, "Standard_LRS", {})
            for i in range(PAGE + 20):
                sub.create_reserved_ip(f"{i + 16:032x}", f"ip{i}", None, "West US")
            sub.regenerate_storage_keys("f" * 32, "acct", "Secondary")
        client = ServiceManagementClient(SUB, endpoint=url, timeout=10.0)
        pages: list[dict[str, Any]] = []

        def read(op: str, args: dict[str, Any]) -> Any:
            pages.append(args)
            return client.call(op, args)

        found = started_since("regenerate_storage_account_keys", {"service_name": "acct"}, intent, read,
                              clock=clock, lag=0)
    finally:
        server.stop()
    assert found is not None and found.status == "Succeeded"
    assert found.request_id.replace("-", "") == "f" * 32
    assert len(pages) == 2 and pages[1]["continuation_token"]
