"""README.md stays true: its commands run as written, its generated parts match the code.

The ``sh`` code blocks are commands a reader can paste, so each one runs here, as a bash
script, in a scratch copy of the repository (so ``--record`` and ``smflow init`` write nothing
into the checkout). ``console`` blocks need an Azure subscription or a run id from an earlier
run, and ``text`` blocks are output, so neither is run. The quick start's install steps are
what CI itself runs; here only what follows them is run.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```$", README, flags=re.M | re.S)


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, flags=re.M | re.S)
    assert match, f"README has no section '{title}'"
    return match.group(1)


def test_quick_start_is_two_commands_install_and_run_then_install_and_test() -> None:
    quick = _section("Quick start")
    (block,) = re.findall(r"^```sh\n(.*?)^```$", quick, flags=re.M | re.S)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].startswith("pip install . && smflow run flows/blue_green.flow")
    assert re.match(r"^pip install .*&& (python -m )?pytest", commands[1])
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in ci and "pytest" in ci  # CI runs the README's test command


def test_operation_table_is_generated_from_the_catalogue() -> None:
    table = re.search(r"<!-- ops:start -->\n(.*?)<!-- ops:end -->", README, flags=re.S)
    assert table, "README lost its ops markers"
    from smflow.cli.commands.ops import markdown_reference

    assert table.group(1) == markdown_reference(), "run: smflow ops --markdown, and paste it into README.md"


def _scratch_copy(tmp_path: Path) -> Path:
    work = tmp_path / "repo"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".git", ".venv*", ".smflow", "__pycache__", ".*_cache"))
    return work


def _run_script(script: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    wrapped = "set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script
    return subprocess.run(["bash", "-c", wrapped], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _free_port() -> int:
    """A port nothing listens on right now: the README's fixed 8765 may be taken on a shared
    machine (another run of this suite, a colleague's emulator)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _runnable_blocks() -> list[str]:
    blocks = []
    for block in _blocks("sh"):
        lines = [re.sub(r"^pip install [^&]*&& ", "", line) for line in block.splitlines()]
        lines = [line for line in lines if not re.match(r"^(python -m )?pytest", line)]  # the suite itself
        if any(line.strip() for line in lines):
            blocks.append("\n".join(lines) + "\n")
    return blocks


@pytest.mark.slow
@pytest.mark.parametrize("script", _runnable_blocks(), ids=lambda s: s.split("\n")[0][:60])
def test_readme_commands_run_as_written(script: str, tmp_path: Path) -> None:
    port = str(_free_port())
    script = script.replace(":8765", f":{port}").replace("--port 8765", f"--port {port}")
    proc = _run_script(script, _scratch_copy(tmp_path))
    assert proc.returncode == 0, f"{script}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"


def test_check_example_output_is_what_smflow_prints(tmp_path: Path) -> None:
    (example,) = [b for b in _blocks("text") if "error[UnknownOperation]" in b]
    work = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", work)
    flow = work / "blue_green.flow"
    text = flow.read_text(encoding="utf-8")
    good = "create_hosted_service(service_name: service, label: service, location: location)"
    assert good in text
    flow.write_text(text.replace(good, good.replace("create_hosted_service", "create_hosted_servce")), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "smflow", "check", "flows/blue_green.flow"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert example in proc.stderr
