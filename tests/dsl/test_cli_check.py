"""``smflow check`` as a user runs it: a subprocess, exit codes, stderr carets, ``--json``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = 'flow g "good"\nparam service = "svc"\nstep "s" {\n    get_hosted_service_properties(service_name: service)\n}\n'
BAD = 'flow b\nparam service = "svc"\nstep "s" {\n    create_hosted_servce(service_name: service)\n    get_hosted_service_properties(service_name: servce)\n}\n'
WARN = 'flow w\nstep "s" {\n    wait until true every 10s\n}\n'


def smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_clean_flow_exits_0(tmp_path: Path) -> None:
    (tmp_path / "g.flow").write_text(GOOD, encoding="utf-8")
    result = smflow("check", "g.flow", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "0 error(s)" in result.stderr


def test_errors_exit_2_with_every_diagnostic_and_a_caret(tmp_path: Path) -> None:
    (tmp_path / "b.flow").write_text(BAD, encoding="utf-8")
    result = smflow("check", "b.flow", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == ("b.flow:4:5: error[UnknownOperation]: unknown operation 'create_hosted_servce' "
                        "(did you mean 'create_hosted_service'?)")
    assert lines[2] == "      |     " + "^" * len("create_hosted_servce")
    assert lines[3].startswith("b.flow:5:49: error[UndefinedName]")
    assert "Traceback" not in result.stderr


def test_json_output_one_object_per_line(tmp_path: Path) -> None:
    (tmp_path / "b.flow").write_text(BAD, encoding="utf-8")
    result = smflow("check", "--json", "b.flow", cwd=tmp_path)
    assert result.returncode == 2
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["code"] for o in objects] == ["UnknownOperation", "UndefinedName"]
    assert objects[0] == {"file": "b.flow", "line": 4, "col": 5, "end_line": 4, "end_col": 25, "severity": "error",
                          "code": "UnknownOperation",
                          "message": "unknown operation 'create_hosted_servce' (did you mean 'create_hosted_service'?)"}


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    (tmp_path / "w.flow").write_text(WARN, encoding="utf-8")
    assert smflow("check", "w.flow", cwd=tmp_path).returncode == 0
    strict = smflow("check", "--strict", "w.flow", cwd=tmp_path)
    assert strict.returncode == 2
    assert "warning[WaitWithoutTimeout]" in strict.stderr
    # a warning stays a warning in the summary, even when --strict makes it fail the check
    assert strict.stderr.splitlines()[-1] == \
        "smflow check: 1 file, 0 error(s), 1 warning(s) (--strict: warnings fail the check)"


def test_require_vars_and_var_conversion(tmp_path: Path) -> None:
    (tmp_path / "v.flow").write_text('flow v\nparam n : int\nstep "s" { log "${n}" }\n', encoding="utf-8")
    assert smflow("check", "v.flow", cwd=tmp_path).returncode == 0
    missing = smflow("check", "--require-vars", "v.flow", cwd=tmp_path)
    assert missing.returncode == 2 and "error[MissingParam]" in missing.stderr
    assert smflow("check", "--require-vars", "--var", "n=4", "v.flow", cwd=tmp_path).returncode == 0
    bad = smflow("check", "--var", "n=four", "v.flow", cwd=tmp_path)
    assert bad.returncode == 2 and "error[InvalidVar]" in bad.stderr


def test_missing_file_is_one_line_usage_error(tmp_path: Path) -> None:
    result = smflow("check", "absent.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "smflow check: no such file: absent.flow"


def test_malformed_var_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "g.flow").write_text(GOOD, encoding="utf-8")
    result = smflow("check", "--var", "novalue", "g.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_syntax_error_and_several_files(tmp_path: Path) -> None:
    (tmp_path / "g.flow").write_text(GOOD, encoding="utf-8")
    (tmp_path / "s.flow").write_text('flow s\nstep "x" {', encoding="utf-8")
    result = smflow("check", "g.flow", "s.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("s.flow:2:11: error[SyntaxError]: unexpected end of file")
    assert "2 files, 1 error(s)" in result.stderr


def test_blue_green_passes_strict() -> None:
    result = smflow("check", "--strict", "flows/blue_green.flow", cwd=ROOT)
    assert result.returncode == 0, result.stderr
