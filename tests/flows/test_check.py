"""Every flow of the library passes ``smflow check --strict`` (no error, no warning)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import FLOWS, REPO


def test_flow_passes_check_strict(flow_name: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "smflow", "check", "--strict", str(FLOWS / f"{flow_name}.flow")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

