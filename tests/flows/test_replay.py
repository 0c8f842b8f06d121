"""What the library's cassettes must show beyond "it replays".

``tests/recording/test_cassettes.py`` (the recording harness's test) replays every cassette of
``cassettes/`` with its flow and the recorded status. Here: the rollback drill's cassette replays
the same failure and the same rollback order, and the VM cassette holds no password, so any value
replays. Both go through the pytest plugin's ``smflow_replay``, so they are re-recorded with::

    python -m pytest tests/recording/test_cassettes.py tests/flows/test_replay.py --smflow-record
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import ADMIN_PASSWORD, CASSETTES, EXPECTED_FAILURES, FLOW_VARS


def test_rollback_drill_replays_its_failure_and_rollback(smflow_replay: Callable[..., Any]) -> None:
    result = smflow_replay("flows/rollback_drill.flow", vars=FLOW_VARS.get("rollback_drill", {}))
    failed_step, rolled_back = EXPECTED_FAILURES["rollback_drill"]
    assert result.status == "failed" and result.failed_step == failed_step, result.error
    assert result.rolled_back == rolled_back


def test_vm_cassette_holds_no_password_and_replays_with_any(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "linux_vm.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    assert "<UserPassword>" in text  # the element is there, its value scrubbed
    result = smflow_replay("flows/linux_vm.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error


def test_rolling_upgrade_cassette_walks_domain_0_then_1(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "rolling_upgrade.yaml").read_text(encoding="utf-8")
    upgrade, walk0, walk1 = (text.index(s) for s in ("comp=upgrade", "<UpgradeDomain>0<", "<UpgradeDomain>1<"))
    assert upgrade < walk0 < walk1
    assert "<Mode>Manual</Mode>" in text
    result = smflow_replay("flows/rolling_upgrade.flow")
    assert result.ok, result.error


def test_vm_stop_start_cassette_stops_deallocated_then_starts(smflow_replay: Callable[..., Any]) -> None:
    text = (CASSETTES / "vm_stop_start.yaml").read_text(encoding="utf-8")
    assert ADMIN_PASSWORD not in text
    stop = text.index("<PostShutdownAction>StoppedDeallocated</PostShutdownAction>")
    stopped = text.index("<InstanceStatus>StoppedDeallocated</InstanceStatus>")
    start = text.index("<StartRoleOperation ")
    assert stop < stopped < start
    assert text.count("/roleinstances/web1/Operations") == 2
    result = smflow_replay("flows/vm_stop_start.flow", vars={"admin_password": "another-Passw0rd!"})
    assert result.ok, result.error
