"""The VS Code extension (editors/vscode): its TextMate grammar, its manifest, and its package.

The grammar tests run the npm tools the extension pins (``vscode-tmgrammar-test`` and the
``vscode-textmate`` engine VS Code itself uses), so they need node and the extension's npm
devDependencies (``cd editors/vscode && npm ci``; ``.ci/run`` does it). Without them these
tests skip and say so.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
MODULES = EXTENSION / "node_modules"
NODE = shutil.which("node")
FLOWS = sorted((REPO / "flows").glob("*.flow"))

needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed (the grammar tests run on node)")
needs_modules = pytest.mark.skipif(
    not (MODULES / "vscode-tmgrammar-test").is_dir(),
    reason=f"the extension's npm devDependencies are not installed in {MODULES} (run: cd editors/vscode && npm ci)",
)


def _node(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run([NODE, *args], cwd=EXTENSION, capture_output=True, text=True, timeout=timeout)


@needs_node
@needs_modules
def test_annotated_grammar_tests_pass() -> None:
    cases = sorted(str(p.relative_to(EXTENSION)) for p in (EXTENSION / "tests").glob("*.flow"))
    assert cases, "no annotated grammar tests in editors/vscode/tests"
    proc = _node("node_modules/vscode-tmgrammar-test/dist/unit.js", "-g", "syntaxes/smflow.tmLanguage.json", *cases)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("run successfuly") == len(cases), proc.stdout


@needs_node
@needs_modules
def test_every_shipped_flow_tokenizes_without_invalid_scopes() -> None:
    proc = _node("tests/no_invalid_scopes.js", *map(str, FLOWS))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(FLOWS)} file(s)" in proc.stderr and " 0 invalid" in proc.stderr


@needs_node
@needs_modules
def test_a_stray_character_is_reported_invalid(tmp_path: Path) -> None:
    flow = tmp_path / "bad.flow"
    flow.write_text('flow f\nstep "s" {\n    x = @nope\n}\n', encoding="utf-8")
    proc = _node("tests/no_invalid_scopes.js", str(flow))
    assert proc.returncode == 1
    assert proc.stdout.strip() == f"{flow}:3:9: invalid.illegal.character.smflow '@'"


def test_manifest_points_at_what_is_shipped() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    (language,) = manifest["contributes"]["languages"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert language["extensions"] == [".flow"] and grammar["language"] == language["id"] == "smflow"
    assert (EXTENSION / language["configuration"]).is_file() and (EXTENSION / grammar["path"]).is_file()
    assert json.loads((EXTENSION / grammar["path"]).read_text(encoding="utf-8"))["scopeName"] == grammar["scopeName"]
    assert (EXTENSION / manifest["main"]).is_file()
    assert manifest["contributes"]["configuration"]["properties"]["smflow.server.args"]["default"] == ["lsp"]
    lock = json.loads((EXTENSION / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"][""]
    assert pinned["dependencies"] == manifest["dependencies"]
    assert pinned["devDependencies"] == manifest["devDependencies"]
    config = json.loads((EXTENSION / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"


def test_grammar_knows_every_keyword_of_the_language() -> None:
    """Every keyword of grammar/smflow.lark is coloured as a keyword, a constant or an operator."""
    lark = (REPO / "grammar" / "smflow.lark").read_text(encoding="utf-8")
    keywords = set(re.findall(r'"([a-z]+)"', lark)) - {"ms", "s", "m", "h", "d"}
    text = (EXTENSION / "syntaxes" / "smflow.tmLanguage.json").read_text(encoding="utf-8")
    missing = sorted(k for k in keywords if not re.search(rf"[|(:>]{k}[|)\\]", text))
    assert not missing, f"keywords the TextMate grammar does not know: {missing}"


@needs_node
@needs_modules
@pytest.mark.slow
def test_vsce_packages_the_extension(tmp_path: Path) -> None:
    out = tmp_path / "smflow.vsix"
    proc = _node("node_modules/@vscode/vsce/vsce", "package", "--out", str(out), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = set(zipfile.ZipFile(out).namelist())
    assert {"extension/extension.js", "extension/package.json", "extension/syntaxes/smflow.tmLanguage.json",
            "extension/language-configuration.json",
            "extension/node_modules/vscode-languageclient/package.json"} <= names
    assert not any(n.startswith("extension/tests/") or "/@vscode/vsce/" in n for n in names)
