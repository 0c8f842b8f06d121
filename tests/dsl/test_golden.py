"""Golden cases, one file each: ``cases/ok`` (parse to the expected AST, check clean with
``--strict``) and ``cases/err`` (the exact rendered diagnostics). A new case is a new file.

An err case may start with ``# check: FLAGS`` (``--strict``, ``--require-vars``,
``--var NAME=VALUE``) to check it the way ``smflow check FLAGS`` would.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from smflow.dsl.checker import check, diagnose
from smflow.dsl.diagnostics import CODES
from smflow.dsl.parser import parse_flow

from .astjson import to_json
from .conftest import Golden

CASES = Path(__file__).parent / "cases"
OK = sorted((CASES / "ok").glob("*.flow"))
ERR = sorted((CASES / "err").glob("*.flow"))


def _flags(text: str) -> tuple[dict[str, str], bool, bool]:
    first = text.splitlines()[0] if text else ""
    m = re.match(r"#\s*check:(.*)", first)
    words = shlex.split(m.group(1)) if m else []
    vars: dict[str, str] = {}
    for i, w in enumerate(words):
        if w == "--var":
            name, _, value = words[i + 1].partition("=")
            vars[name] = value
    return vars, "--strict" in words, "--require-vars" in words


def render(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    vars, strict, require = _flags(text)
    out = []
    for d in diagnose(text, path.name, vars, require_params=require):
        out.append(d.render())
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("path", OK, ids=[p.stem for p in OK])
def test_ok_case_parses_to_expected_ast(path: Path, golden: Golden, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)  # a case's `use` paths are relative to it, and it is named without its folder
    flow = parse_flow(path.read_text(encoding="utf-8"), path.name)
    golden.check(path.with_suffix(".ast.json"), to_json(flow))
    report = check(flow, {})
    assert [d.render() for d in report.errors + report.warnings] == []


@pytest.mark.parametrize("path", ERR, ids=[p.stem for p in ERR])
def test_err_case_renders_expected_diagnostics(path: Path, golden: Golden, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)
    actual = render(path)
    assert actual.strip(), f"{path.name} has no diagnostic"
    golden.check(path.with_suffix(".err"), actual)


def test_enough_err_cases_and_every_code_covered() -> None:
    assert len(ERR) >= 40
    seen = set()
    for path in ERR:
        err = path.with_suffix(".err")
        if err.exists():
            seen |= set(re.findall(r"(?:error|warning)\[(\w+)\]", err.read_text(encoding="utf-8")))
    assert set(CODES) - seen == set()
