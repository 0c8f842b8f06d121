"""``smflow fmt`` as a user runs it: a subprocess, exit codes, files on disk."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from smflow.cli.main import main

UGLY = 'flow f\nstep "s" {\n  log   "x"    # why\n}\n'
PRETTY = 'flow f\n\nstep "s" {\n    log "x"  # why\n}\n'
BAD = 'flow f\nstep "s" { f(a: 1 b: 2) }\n'


def smflow(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_check_names_files_that_would_change_and_exits_1_writing_nothing(tmp_path: Path) -> None:
    (tmp_path / "ugly.flow").write_text(UGLY, encoding="utf-8")
    (tmp_path / "pretty.flow").write_text(PRETTY, encoding="utf-8")
    result = smflow("fmt", "--check", "ugly.flow", "pretty.flow", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["would reformat ugly.flow",
                                          "smflow fmt: 1 file would be reformatted, 1 unchanged"]
    assert (tmp_path / "ugly.flow").read_text(encoding="utf-8") == UGLY
    assert smflow("fmt", "--check", "pretty.flow", cwd=tmp_path).returncode == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "ugly.flow").write_text(UGLY, encoding="utf-8")
    result = smflow("fmt", "--diff", "ugly.flow", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == (
        "--- a/ugly.flow\n+++ b/ugly.flow\n@@ -1,4 +1,5 @@\n flow f\n+\n step \"s\" {\n"
        "-  log   \"x\"    # why\n+    log \"x\"  # why\n }\n"
    )
    assert (tmp_path / "ugly.flow").read_text(encoding="utf-8") == UGLY
    assert smflow("fmt", "--diff", "--check", "ugly.flow", cwd=tmp_path).returncode == 1


def test_rewrites_changed_files_atomically_keeping_the_mode_and_leaves_others_alone(tmp_path: Path) -> None:
    ugly, pretty = tmp_path / "ugly.flow", tmp_path / "pretty.flow"
    ugly.write_text(UGLY, encoding="utf-8")
    pretty.write_text(PRETTY, encoding="utf-8")
    os.chmod(ugly, 0o640)
    before = pretty.stat()
    result = smflow("fmt", "ugly.flow", "pretty.flow", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == ["reformatted ugly.flow", "smflow fmt: 1 file reformatted, 1 unchanged"]
    assert ugly.read_text(encoding="utf-8") == PRETTY
    assert stat.S_IMODE(ugly.stat().st_mode) == 0o640
    after = pretty.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pretty.flow", "ugly.flow"]  # no temp file left


def test_a_symlink_stays_a_link_and_its_target_is_formatted(tmp_path: Path) -> None:
    target = tmp_path / "real.flow"
    target.write_text(UGLY, encoding="utf-8")
    (tmp_path / "link.flow").symlink_to("real.flow")
    assert smflow("fmt", "link.flow", cwd=tmp_path).returncode == 0
    assert (tmp_path / "link.flow").is_symlink()
    assert target.read_text(encoding="utf-8") == PRETTY


def test_dash_reads_stdin_and_writes_stdout(tmp_path: Path) -> None:
    result = smflow("fmt", "-", cwd=tmp_path, stdin=UGLY)
    assert (result.returncode, result.stdout, result.stderr) == (0, PRETTY, "")
    assert smflow("fmt", "-", cwd=tmp_path, stdin=PRETTY).stdout == PRETTY
    check = smflow("fmt", "--check", "-", cwd=tmp_path, stdin=UGLY)
    assert (check.returncode, check.stdout, check.stderr) == (1, "", "would reformat -\n")


def test_a_file_that_does_not_parse_exits_2_with_a_caret_and_the_others_are_still_formatted(tmp_path: Path) -> None:
    (tmp_path / "bad.flow").write_text(BAD, encoding="utf-8")
    (tmp_path / "ugly.flow").write_text(UGLY, encoding="utf-8")
    result = smflow("fmt", "bad.flow", "ugly.flow", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "bad.flow:2:19: error[SyntaxError]: unexpected 'b'; expected ')' or ',' (missing ',' between arguments)"
    assert lines[2] == "      |                   ^"
    assert lines[-1] == "smflow fmt: 1 file reformatted, 0 unchanged, 1 failed"
    assert "Traceback" not in result.stderr
    assert (tmp_path / "bad.flow").read_text(encoding="utf-8") == BAD
    assert (tmp_path / "ugly.flow").read_text(encoding="utf-8") == PRETTY


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = smflow("fmt", "nope.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "smflow fmt: no such file: nope.flow"


def test_a_formatter_bug_is_refused_with_exit_3_and_the_file_is_untouched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Simulate a layout bug that changes meaning (a number printed wrong): the safety check
    # must catch it before anything is written.
    from smflow.fmt.layout import Layout
    monkeypatch.setattr(Layout, "expr_int", lambda self, node: "0")
    path = tmp_path / "n.flow"
    text = 'flow n\nparam n = 5\n'
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", str(path)]) == 3
    err = capsys.readouterr().err
    assert f"smflow fmt: internal error: {path}: the output parses to a different flow; nothing was changed." in err
    assert path.read_text(encoding="utf-8") == text


def test_a_lost_comment_is_refused_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from smflow.fmt import layout
    monkeypatch.setattr(layout, "LineSuffix", lambda text: "")  # trailing comments dropped
    path = tmp_path / "c.flow"
    path.write_text(UGLY, encoding="utf-8")
    assert main(["fmt", "--check", str(path)]) == 3
    assert "a comment would be lost" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == UGLY


def test_a_file_that_cannot_be_written_is_reported_and_left_as_it_was(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import smflow.durable

    def refuse(path: Path, data: bytes, **_: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(smflow.durable, "atomic_write", refuse)  # as root, chmod would not stop us
    path = tmp_path / "ugly.flow"
    path.write_text(UGLY, encoding="utf-8")
    assert main(["fmt", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"smflow fmt: cannot write {path}: [Errno 13] Permission denied")
    assert err[-1] == "smflow fmt: 0 files reformatted, 0 unchanged, 1 failed"
    assert path.read_text(encoding="utf-8") == UGLY
