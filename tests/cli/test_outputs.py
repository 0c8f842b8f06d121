"""``run --record FILE`` and ``graph -o FILE`` never destroy a file smflow did not write.

Real CLI in a subprocess, real files: a mistyped path (the flow itself, a README) is refused
with one line naming the file, before anything runs; a cassette or diagram of ours is replaced
(atomically); ``--force`` replaces anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOW_TEXT = ('flow tiny "x"\nparam service = "svc-out"\n'
             'step "make" {\n  create_hosted_service(service_name: service, label: service, location: "West US")\n}\n')


def smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def _one_clean_line(proc: subprocess.CompletedProcess[str], *names: str) -> str:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    for name in names:
        assert name in lines[0]
    return lines[0]


@pytest.fixture
def flow(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.flow"
    path.write_text(FLOW_TEXT, encoding="utf-8")
    return path


def test_record_refuses_to_overwrite_the_flow_itself(tmp_path: Path, flow: Path) -> None:
    proc = smflow("run", "tiny.flow", "--record", "tiny.flow", "--emulator-latency", "0", cwd=tmp_path)
    line = _one_clean_line(proc, "--record", "tiny.flow", "--force")
    assert "not an smflow cassette" in line
    assert flow.read_text(encoding="utf-8") == FLOW_TEXT
    assert not (tmp_path / ".smflow").exists()  # refused before the run began: nothing was sent


def test_record_replaces_a_cassette_of_ours_and_force_replaces_anything(tmp_path: Path, flow: Path) -> None:
    cassette = tmp_path / "tiny.yaml"
    first = smflow("run", "tiny.flow", "--record", "tiny.yaml", "--emulator-latency", "0", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = smflow("run", "tiny.flow", "--record", "tiny.yaml", "--emulator-latency", "0", cwd=tmp_path)
    assert again.returncode == 0, again.stderr  # re-recording a cassette of ours needs no --force
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    refused = smflow("run", "tiny.flow", "--record", "notes.txt", "--emulator-latency", "0", cwd=tmp_path)
    _one_clean_line(refused, "notes.txt")
    assert notes.read_text(encoding="utf-8") == "my notes\n"
    forced = smflow("run", "tiny.flow", "--record", "notes.txt", "--force", "--emulator-latency", "0", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert notes.read_text(encoding="utf-8").startswith(cassette.read_text(encoding="utf-8")[:10])
    assert sorted(p.name for p in tmp_path.iterdir()) == [".smflow", "notes.txt", "tiny.flow", "tiny.yaml"]


def test_graph_output_refuses_the_flow_and_other_files_but_replaces_its_own(tmp_path: Path, flow: Path) -> None:
    refused = smflow("graph", "tiny.flow", "-o", "tiny.flow", cwd=tmp_path)
    _one_clean_line(refused, "-o", "tiny.flow", "not an smflow diagram")
    assert flow.read_text(encoding="utf-8") == FLOW_TEXT
    for fmt, name in (("mermaid", "g.mmd"), ("dot", "g.dot")):
        for _ in range(2):  # the second time it replaces a diagram of ours
            done = smflow("graph", "tiny.flow", "--format", fmt, "-o", name, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
    readme = tmp_path / "README.md"
    readme.write_text("# mine\n", encoding="utf-8")
    _one_clean_line(smflow("graph", "tiny.flow", "-o", "README.md", cwd=tmp_path), "README.md")
    assert readme.read_text(encoding="utf-8") == "# mine\n"
    forced = smflow("graph", "tiny.flow", "-o", "README.md", "--force", cwd=tmp_path)
    assert forced.returncode == 0 and readme.read_text(encoding="utf-8").startswith("flowchart TD\n")
    empty = tmp_path / "empty.mmd"
    empty.touch()
    assert smflow("graph", "tiny.flow", "-o", "empty.mmd", cwd=tmp_path).returncode == 0  # nothing to lose


def test_a_link_to_a_cassette_of_ours_is_written_through(tmp_path: Path, flow: Path) -> None:
    shutil.copy(ROOT / "cassettes" / "first_deployment.yaml", tmp_path / "real.yaml")
    (tmp_path / "link.yaml").symlink_to("real.yaml")
    done = smflow("run", "tiny.flow", "--record", "link.yaml", "--emulator-latency", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "link.yaml").is_symlink()
    assert "svc-out" in (tmp_path / "real.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["run", "tiny.flow", "--record"], ["graph", "tiny.flow", "-o"]])
def test_directories_and_looping_links_are_refused(tmp_path: Path, flow: Path, command: list[str]) -> None:
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    (tmp_path / "adir").mkdir()
    _one_clean_line(smflow(*command, "loop1", cwd=tmp_path), "loop1", "symbolic link")
    assert (tmp_path / "loop1").is_symlink()
    _one_clean_line(smflow(*command, "adir", cwd=tmp_path), "adir", "directory")
