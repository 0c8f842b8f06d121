"""A disk that fills up mid-run: the first error is the one reported, cleanly (exit 2).

The journal's ``JournalError`` used to be replaced by the embedded emulator's own error when
it stopped (its last save to the same full disk failed too): an internal error, exit 3. The
first test fills a real (tiny tmpfs) disk under a real run; it needs to mount one, so it is
skipped where that is not allowed. The second injects ENOSPC at the file layer and runs
everywhere.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "blue_green.flow"
PACKAGE = "package_url=https://acct.blob.core.windows.net/pkgs/app.cspkg"


def _mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc})")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")


def _fill(disk: Path) -> None:
    """Take every free byte of the filesystem."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        chunk = b"\0" * 4096
        try:
            while True:
                handle.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


@pytest.mark.slow
def test_a_real_disk_filling_up_mid_run_is_one_clean_error(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "1m")
    try:
        journals = disk / "runs"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "smflow", "run", str(FLOW), "--var", PACKAGE, "--yes", "--json",
             "--journal-dir", str(journals), "--emulator-latency", "0.5"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stdout is not None
        for line in proc.stdout:  # fill the disk while the deployment to staging is in progress
            event = json.loads(line)
            if event["event"] == "request_sent" and event["operation"] == "create_deployment":
                _fill(disk)
                break
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 2, out[-2000:] + err
        assert "Traceback" not in err and "internal error" not in err, err
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert str(journals) in lines[0] and ("No space left on device" in lines[0] or "disk is full" in lines[0])
    finally:
        for _ in range(5):
            if subprocess.run(["umount", str(disk)], capture_output=True).returncode == 0:
                break
            time.sleep(0.5)


def test_the_journal_error_wins_over_the_emulators_own_on_stop(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC injected where the journal writes, and the emulator's last save failing as on the
    same full disk: the run reports the journal's error, the first one."""
    from smflow.emulator.persist import StateStore
    from smflow.errors import JournalError
    from smflow.run.api import run_flow

    real_write = os.write

    def write(fd: int, data: Any) -> int:
        if bytes(data[:40]).startswith(b'{"t":"step_started","index":3'):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    def save_all(self: StateStore) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(StateStore, "save_all", save_all)
    with pytest.raises(JournalError, match="No space left on device"):
        run_flow(FLOW, vars={"package_url": PACKAGE.split("=", 1)[1]}, assume_yes=True,
                 journal_dir=tmp_path / "runs", emulator_latency=0)
