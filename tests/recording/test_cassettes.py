"""Every flow in flows/ replays from its committed cassette in cassettes/.

The cassettes are recorded against the local emulator (no latency). To re-record them all after
a flow or the client changes on purpose::

    python -m pytest tests/recording/test_cassettes.py --smflow-record

(``--smflow-record`` is the pytest plugin's option: each cassette is recorded against a fresh
emulator, then replayed.) A flow without a cassette fails here, so a new flow comes with one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOWS = sorted(p.stem for p in (ROOT / "flows").glob("*.flow"))

# Required params without a default. A secret param's value is not in the cassette (it is
# scrubbed), so any value replays; this one is only ever sent to the emulator.
FLOW_VARS: dict[str, dict[str, Any]] = {
    "blue_green": {"package_url": "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"},
    "first_deployment": {"package_url": "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"},
    "linux_vm": {"admin_password": "Emulator-Only-Passw0rd!"},
    "restart_instance": {"escalate": "true"},  # recorded as a drill: every remedy in turn
    "storage_key_rotation": {"verify_keys": "false"},
    "vm_stop_start": {"admin_password": "Emulator-Only-Passw0rd!"},
    "vm_data_disk": {"admin_password": "Emulator-Only-Passw0rd!"},
    "vm_scale_out": {"admin_password": "Emulator-Only-Passw0rd!"},
    "vm_retire": {"admin_password": "Emulator-Only-Passw0rd!"},
    "vm_image": {"admin_password": "Emulator-Only-Passw0rd!"},
    "vm_restart": {"admin_password": "Emulator-Only-Passw0rd!", "escalate": "true"},  # a drill: every remedy  # keys are scrubbed: a replay cannot compare them
}
# The rollback drill fails on purpose (and rolls back): that is what its cassette records.
EXPECTED_STATUS = {"rollback_drill": "failed"}


@pytest.mark.parametrize("flow", FLOWS)
def test_every_flow_replays_from_its_cassette(flow: str, smflow_replay: Callable[..., Any]) -> None:
    result = smflow_replay(f"flows/{flow}.flow", vars=FLOW_VARS.get(flow, {}))
    assert result.status == EXPECTED_STATUS.get(flow, "succeeded"), result.error
    assert result.requests > 0
    if flow == "rollback_drill":
        assert result.rolled_back, "the drill's cassette must show the rollback"


def test_every_cassette_belongs_to_a_flow() -> None:
    orphans = sorted(p.stem for p in (ROOT / "cassettes").glob("*.yaml") if p.stem not in FLOWS)
    assert orphans == []
