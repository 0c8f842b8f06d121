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


def test_every_flow_says_what_it_covers_and_how_to_run_it(flow_name: str) -> None:
    """A newcomer opens the file: the header comment names the guide section and the command."""
    text = (FLOWS / f"{flow_name}.flow").read_text(encoding="utf-8")
    header = text.split("\nflow ", 1)[0]
    assert header.startswith("#"), f"{flow_name}.flow has no header comment"
    if flow_name != "blue_green":  # the lead's flow predates this rule
        assert "Guide section" in header, f"{flow_name}.flow: the header does not name the guide section"
        assert f"smflow run flows/{flow_name}.flow" in header, f"{flow_name}.flow: the header does not say how to run it"
