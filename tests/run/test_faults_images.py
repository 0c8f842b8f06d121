"""Done-when (issue 11): under ``--fault-rate 0.3`` the reserved-IP and image writes take effect once.

Each runbook runs 8 times against an emulator that drops, delays or fails 30 % of requests
(answers lost after the effect included); the operations that succeeded are then counted. A
write whose answer was lost is read back (``smflow.run.readback``) instead of being sent again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.run.test_faults import runs_applying_writes_not_once


@pytest.mark.slow
@pytest.mark.parametrize(("flow", "variables", "expected"), [
    ("reserved_ip", {}, {"create_reserved_ip_address": 1, "associate_reserved_ip_address": 1,
                         "swap_deployment": 1, "create_deployment": 2}),
    ("reserved_ip_release", {}, {"create_reserved_ip_address": 1, "associate_reserved_ip_address": 1,
                                 "disassociate_reserved_ip_address": 1, "delete_reserved_ip_address": 1}),
    ("vm_image", {"admin_password": "Emulator-Only-Passw0rd!"},
     {"capture_vm_image": 1, "create_vm_image": 1, "delete_vm_image": 1}),
    ("image_publishing", {}, {"share_vm_image": 1}),
])
def test_reserved_ip_and_image_writes_take_effect_once_at_a_thirty_percent_fault_rate(
    tmp_path: Path, flow: str, variables: dict[str, str], expected: dict[str, int]
) -> None:
    assert runs_applying_writes_not_once(tmp_path, flow, variables, expected) == []
