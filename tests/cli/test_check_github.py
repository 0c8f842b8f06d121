"""``smflow check --format github``: one GitHub Actions annotation per diagnostic, exact lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from smflow.cli.annotations import escape_data, escape_property, github_annotation
from smflow.dsl.diagnostics import Diagnostic
from smflow.source import SourceFile

BAD = 'flow b\nparam service = "svc"\nstep "s" {\n    create_hosted_servce(service_name: service)\n    x = 1\n}\n'


def smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_errors_and_warnings_become_annotations_on_stdout(tmp_path: Path) -> None:
    (tmp_path / "b.flow").write_text(BAD, encoding="utf-8")
    result = smflow("check", "--format", "github", "b.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "::error file=b.flow,line=4,col=5,endLine=4,endColumn=25,title=smflow UnknownOperation"
        "::unknown operation 'create_hosted_servce' (did you mean 'create_hosted_service'?)",
        "::warning file=b.flow,line=5,col=5,endLine=5,endColumn=6,title=smflow UnusedBinding"
        "::'x' is bound but never used (start it with '_' if that is on purpose)",
    ]
    assert result.stderr == "smflow check: 1 file, 1 error(s), 1 warning(s)\n"


def test_a_syntax_error_and_a_file_name_needing_escapes(tmp_path: Path) -> None:
    (tmp_path / "v1,50%: x.flow").write_text('flow f\nparam a = 5 % 2\n', encoding="utf-8")
    result = smflow("check", "--format", "github", "v1,50%: x.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == (
        "::error file=v1%2C50%25%3A x.flow,line=2,col=13,endLine=2,endColumn=14,title=smflow SyntaxError"
        "::'%25' is not an operator; the operators are + - * (arithmetic, '+' also joins strings), == != < <= > >=, "
        "and, or, not, in, not in, and 'if c then a else b'\n"
    )


def test_a_clean_flow_prints_no_annotation(tmp_path: Path) -> None:
    (tmp_path / "g.flow").write_text('flow g\nstep "s" {\n    log "ok"\n}\n', encoding="utf-8")
    result = smflow("check", "--format", "github", "--strict", "g.flow", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_json_and_github_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "g.flow").write_text('flow g\n', encoding="utf-8")
    result = smflow("check", "--json", "--format", "github", "g.flow", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "smflow check: --json and --format github disagree\n"


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"
    source = SourceFile("dir/a b.flow", "flow f\nstep \"s\" {\n}\n")
    d = Diagnostic("error", "EmptyStep", "step 's' is empty:\nadd a statement", source.span_at(2, 1, 3, 2))
    assert github_annotation(d) == ("::error file=dir/a b.flow,line=2,col=1,endLine=3,endColumn=2,"
                                    "title=smflow EmptyStep::step 's' is empty:%0Aadd a statement")
