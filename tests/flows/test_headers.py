"""Each flow's header comment says which part of the guide it covers and how to run it, and
every command it shows runs as written (from the repository root, on the local emulator or a
cassette: nothing real is touched), ending with the status the flow promises."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import CASSETTES, EXPECTED_FAILURES, FLOWS


def header(flow_name: str) -> str:
    text = (FLOWS / f"{flow_name}.flow").read_text(encoding="utf-8")
    return text.split("\nflow ", 1)[0]


def header_commands(flow_name: str) -> list[str]:
    """The ``smflow ...`` command lines of the header (``\\`` continuations joined)."""
    lines = [line[1:].strip() for line in header(flow_name).splitlines() if line.startswith("#")]
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line
        else:
            joined.append(line)
    return [line for line in joined if re.match(r"^([A-Z_]+=('[^']*'|\S+) )*smflow ", line)]


def test_header_names_the_guide_section_and_how_to_run(flow_name: str) -> None:
    text = header(flow_name)
    assert text.startswith("#"), f"{flow_name}.flow has no header comment"
    if flow_name == "blue_green":  # the lead's flow: described, without a command line
        return
    assert "Guide section" in text, f"{flow_name}.flow: the header does not name the guide section"
    commands = header_commands(flow_name)
    assert any(f"smflow run flows/{flow_name}.flow" in c and "--replay" not in c for c in commands), flow_name
    assert any(f"--replay cassettes/{flow_name}.yaml" in c for c in commands), flow_name


def test_header_commands_run_as_written(flow_name: str, tmp_path: Path) -> None:
    shutil.copytree(FLOWS, tmp_path / "flows")
    shutil.copytree(CASSETTES, tmp_path / "cassettes")
    expected = 1 if flow_name in EXPECTED_FAILURES else 0
    for command in header_commands(flow_name):
        words = shlex.split(command, comments=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
        while "=" in words[0]:
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        assert words[0] == "smflow", command
        proc = subprocess.run([sys.executable, "-m", *words], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == expected, f"{command}\n{proc.stdout}{proc.stderr}"
