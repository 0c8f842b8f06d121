"""The runbook library under test: every ``flows/*.flow`` of the repo, with the vars it needs.

Tests that take a ``flow_name`` argument run once per flow file (``pytest_generate_tests``), so a
new flow is picked up by every test here without editing them. ``FLOW_VARS`` holds the values a
flow cannot run without (required params, secrets); a flow missing from it runs on its defaults.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "flows"
CASSETTES = REPO / "cassettes"
EMULATOR_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"  # what a run uses against an endpoint

# The same values as tests/recording/test_cassettes.py, which replays the same cassettes.
PACKAGE_URL = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"
ADMIN_PASSWORD = "Emulator-Only-Passw0rd!"  # the linux_vm secret: must never reach a journal or a cassette

FLOW_VARS: dict[str, dict[str, str]] = {
    "blue_green": {"package_url": PACKAGE_URL},
    "first_deployment": {"package_url": PACKAGE_URL},
    "linux_vm": {"admin_password": ADMIN_PASSWORD},
    "vm_stop_start": {"admin_password": ADMIN_PASSWORD},
    "vm_data_disk": {"admin_password": ADMIN_PASSWORD},
    "vm_scale_out": {"admin_password": ADMIN_PASSWORD},
    "vm_retire": {"admin_password": ADMIN_PASSWORD},
    "vm_restart": {"admin_password": ADMIN_PASSWORD},
    "vm_image": {"admin_password": ADMIN_PASSWORD},
}

# Flows that fail on purpose: (failed step, undo blocks run, newest first).
EXPECTED_FAILURES: dict[str, tuple[str, list[str]]] = {
    "rollback_drill": ("smoke test", ["swap it into production", "deploy the new version to staging"]),
}


def flow_names() -> list[str]:
    return sorted(p.stem for p in FLOWS.glob("*.flow"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "flow_name" in metafunc.fixturenames:
        metafunc.parametrize("flow_name", flow_names())
