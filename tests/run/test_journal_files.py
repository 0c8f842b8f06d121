"""Journals on disk: kept journals of each format still resume, a newer format is refused by
name, the file is private (0600), and a directory that cannot hold it is a clear JournalError."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from smflow.errors import JournalError
from smflow.run.api import run_flow
from smflow.run.journal import FORMAT, Journal, PendingJournal, read_journal

FIXTURES = Path(__file__).parent / "journals"
FLOW = FIXTURES / "fixture.flow"
SUB = "00000000-0000-0000-0000-000000000000"


def _install(fixture: str, journal_dir: Path, **header: Any) -> str:
    """Copy a kept journal into ``journal_dir`` as its run id, aimed at this checkout's flow
    (a journal names its flow by absolute path; that is the only field rewritten)."""
    lines = (FIXTURES / fixture).read_text().splitlines(keepends=True)
    first = json.loads(lines[0])
    first.update(flow_path=str(FLOW), **header)
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / f"{first['run_id']}.jsonl").write_text(json.dumps(first) + "\n" + "".join(lines[1:]))
    return str(first["run_id"])


@pytest.mark.parametrize("fixture", ["format1.jsonl", "format2.jsonl"])
def test_a_kept_journal_still_resumes(emulator: Any, journal_dir: Path, fixture: str) -> None:
    """The run created svc-fixture and bound its properties in step 'create', then stopped at
    'gate'. Resumed: 'create' is skipped (a second create would be refused with 409), and 'use'
    sees the binding replayed from the journal."""
    emu = emulator()
    emu.client().create_hosted_service("svc-fixture", "fixture", location="West US")  # what the run had made
    run_id = _install(fixture, journal_dir)
    result = run_flow(None, resume=run_id, vars={"go": "yes"}, endpoint=emu.url, clock=emu.clock,
                      journal_dir=journal_dir)
    assert result.ok, result.error
    assert [s.status for s in result.steps] == ["skipped", "succeeded", "succeeded"]
    assert result.requests == 0  # nothing re-read, nothing re-created
    assert read_journal(journal_dir / f"{run_id}.jsonl").run_status == "succeeded"


def test_a_journal_of_a_newer_format_is_refused_by_name(journal_dir: Path) -> None:
    run_id = _install("format1.jsonl", journal_dir, format=FORMAT + 1)
    with pytest.raises(JournalError, match=rf"format {FORMAT + 1}.*newer smflow"):
        run_flow(None, resume=run_id, journal_dir=journal_dir)


def test_a_journal_without_a_format_is_not_a_journal(journal_dir: Path) -> None:
    run_id = _install("format1.jsonl", journal_dir, format="one")
    with pytest.raises(JournalError, match="not an smflow run journal"):
        read_journal(journal_dir / f"{run_id}.jsonl")


def test_the_journal_is_private_to_its_owner(tmp_path: Path) -> None:
    old = os.umask(0)  # whatever the umask, the journal is 0600
    try:
        with Journal.create(tmp_path, "20261126-041200-x-ab12", {"flow": "x.flow"}) as j:
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(j.path.stat().st_mode) == 0o600


def _blocked(tmp_path: Path, how: str) -> Path:
    """A journal directory that cannot be made or written (as root, modes do not stop us)."""
    if how == "under a file":
        (tmp_path / "file").write_text("x")
        return tmp_path / "file" / "runs"
    if how == "a dangling link":
        (tmp_path / "runs").symlink_to(tmp_path / "gone")
        return tmp_path / "runs"
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only directory")
    (tmp_path / "ro").mkdir(mode=0o500)
    return tmp_path / "ro"


@pytest.mark.parametrize("how", ["under a file", "a dangling link", "read-only"])
def test_a_journal_directory_that_cannot_hold_it_is_a_journal_error(tmp_path: Path, how: str) -> None:
    directory = _blocked(tmp_path, how)
    with pytest.raises(JournalError, match=f"cannot create the run journal.*{directory.name}"):
        Journal.create(directory, "20261126-041200-x-ab12", {"flow": "x.flow"}, fresh_id=lambda: "20261126-041200-x-cd34")
    pending = PendingJournal(directory, "20261126-041200-x-ab12")
    with pytest.raises(JournalError, match="cannot create the run journal"):
        pending.open({"flow": "x.flow"})
    pending.discard()


def test_run_flow_into_a_blocked_journal_directory_exits_2_without_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    flow = tmp_path / "f.flow"
    flow.write_text('flow f "x"\nstep "a" {\n    log "hi"\n}\n')
    directory = _blocked(tmp_path, "a dangling link")
    done = subprocess.run([sys.executable, "-m", "smflow", "run", str(flow), "--journal-dir", str(directory)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("cannot create the run journal") and "Traceback" not in done.stderr


def test_a_succeeded_run_whose_emulator_state_cannot_be_removed_still_succeeds(journal_dir: Path,
                                                                                tmp_path: Path) -> None:
    flow = tmp_path / "gate.flow"
    flow.write_text('flow gate "x"\nparam go = "no"\nstep "gate" {\n    assert go == "yes", "stop"\n}\n')
    first = run_flow(flow, journal_dir=journal_dir, emulator_latency=0.0)
    assert first.status == "failed"
    stuck = journal_dir / f"{first.run_id}.emulator.sqlite-shm"
    stuck.mkdir()  # cannot be unlinked (what a read-only directory does to a non-root user)
    second = run_flow(None, resume=first.run_id, vars={"go": "yes"}, journal_dir=journal_dir, emulator_latency=0.0)
    assert second.ok and stuck.is_dir()


def test_a_read_only_journal_directory_as_an_ordinary_user_exits_2_in_one_line() -> None:
    """Root writes anywhere, so the run is made as 'nobody' (via setpriv) when the suite runs as root."""
    import shutil
    import subprocess
    import sys
    import tempfile

    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root and setpriv is missing: cannot make a directory unwritable")
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    work = Path(tempfile.mkdtemp(prefix="smflow-ro-"))
    try:
        work.chmod(0o755)
        (work / "f.flow").write_text('flow f "x"\nstep "a" {\n    log "hi"\n}\n')
        (work / "runs").mkdir(mode=0o555)
        (work / "runs").chmod(0o555)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
        env.update(SMFLOW_CACHE_DIR="", HOME=str(work))
        done = subprocess.run([*as_user, sys.executable, "-m", "smflow", "run", "f.flow", "--journal-dir", "runs"],
                              cwd=work, capture_output=True, text=True, timeout=60, env=env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("cannot create the run journal runs/") and "Permission denied" in done.stderr
    assert len(done.stderr.splitlines()) == 1
