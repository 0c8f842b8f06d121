"""``smflow init``: the starter layout works as written, and nothing existing is overwritten.

Every test drives the real command (``python -m smflow init``) in a subprocess; the main one then
runs pytest inside the new layout, as a user would, and it must pass offline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LAYOUT = ["flows/release.flow", "flows/lib/common.flow", "flows/ServiceConfiguration.cscfg", "tests/test_runbooks.py",
          "cassettes/release.yaml"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SMFLOW_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=120)


def pytest_in(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=directory,
                          env=_env(), capture_output=True, text=True, timeout=300)


def test_init_writes_a_layout_whose_tests_pass(tmp_path: Path) -> None:
    repo = tmp_path / "myrepo"
    proc = smflow("init", str(repo), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for rel in LAYOUT:
        assert (repo / rel).is_file(), rel
        assert f"wrote myrepo/{rel}" in proc.stdout
    assert "smflow check --strict flows/release.flow" in proc.stdout

    check = smflow("check", "--strict", "flows/release.flow", "flows/lib/common.flow", cwd=repo)
    assert check.returncode == 0, check.stderr
    assert 'use "lib/common.flow"' in (repo / "flows/release.flow").read_text(encoding="utf-8")

    cassette = (repo / "cassettes/release.yaml").read_text(encoding="utf-8")
    assert '"flow": "flows/release.flow"' in cassette  # relative: no path of the machine that ran init
    assert "smflow-init-" not in cassette and str(tmp_path) not in cassette

    tests = pytest_in(repo)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout


def test_the_starter_test_fails_when_the_flow_drifts_from_its_cassette(tmp_path: Path) -> None:
    assert smflow("init", cwd=tmp_path).returncode == 0  # DIR defaults to the current directory
    flow = tmp_path / "flows/release.flow"
    flow.write_text(flow.read_text(encoding="utf-8").replace('param version     = "v1"', 'param version     = "v2"'),
                    encoding="utf-8")
    tests = pytest_in(tmp_path)
    assert tests.returncode == 1, tests.stdout + tests.stderr
    assert "error[ReplayDrift]" in tests.stdout


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    mine = tmp_path / "flows/release.flow"
    mine.parent.mkdir()
    mine.write_text("flow mine\n", encoding="utf-8")
    proc = smflow("init", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"smflow init: {mine} already exists; nothing was written (--force overwrites it)"
    assert mine.read_text(encoding="utf-8") == "flow mine\n"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["flows", "flows/release.flow"]


def test_force_replaces_existing_files(tmp_path: Path) -> None:
    mine = tmp_path / "tests/test_runbooks.py"
    mine.parent.mkdir()
    mine.write_text("# mine\n", encoding="utf-8")
    proc = smflow("init", ".", "--force", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "replaced tests/test_runbooks.py" in proc.stdout
    assert "wrote flows/release.flow" in proc.stdout
    assert "smflow_replay" in mine.read_text(encoding="utf-8")


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "notadir"
    target.write_text("x", encoding="utf-8")
    proc = smflow("init", str(target), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"smflow init: {target} exists and is not a directory"
    assert "Traceback" not in proc.stderr
