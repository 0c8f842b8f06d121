"""``.pre-commit-hooks.yaml``: it parses, each hook names a command and options that exist, and
runs as pre-commit would run it (the entry, then the matching files)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from smflow.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
FLOWS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "flows").glob("*.flow"))


def test_the_two_hooks_with_their_commands() -> None:
    assert [(h["id"], h["entry"]) for h in HOOKS] == [
        ("smflow-fmt", "smflow fmt --check"),
        ("smflow-check", "smflow check --strict"),
    ]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language", "files"} <= hook.keys()
        assert hook["language"] == "python"  # installs this package, which provides the script


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_files_pattern_selects_flow_files_only(hook: dict[str, Any]) -> None:
    pattern = re.compile(hook["files"])
    assert pattern.search("flows/blue_green.flow")
    assert not pattern.search("flows/blue_green.flow.bak")
    assert not pattern.search("README.md")


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_entry_is_an_installed_script_and_a_valid_command_line(hook: dict[str, Any]) -> None:
    script, *argv = shlex.split(hook["entry"])
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert script in scripts
    args = build_parser().parse_args([*argv, "x.flow"])  # exits (SystemExit) on an unknown option
    assert args.command == argv[0]
    assert args.files == ["x.flow"]


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_the_hooks_pass_on_the_shipped_flows(hook: dict[str, Any]) -> None:
    _, *argv = shlex.split(hook["entry"])
    result = subprocess.run([sys.executable, "-m", "smflow", *argv, *FLOWS], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
