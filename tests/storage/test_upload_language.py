"""``upload_blob`` as the language sees it: checked, planned, listed, and shown while it runs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from smflow.run.events import BlobUploaded, StepStarted, UploadProgress
from smflow.run.progress import make_progress

T = {"run_id": "20261130-150000-r-ab12", "time": "2026-11-30T15:00:00+00:00"}

FLOW = """flow a
param account = "relstor"
step "s" {
    u = upload_blob(storage_account: account, container: "Bad_Name", name: "x.cspkg")
    log "${u.size}"
    create_deployment(service_name: "svc", deployment_slot: "staging", name: "v1", label: "v1", configuration: "",
                      package_url: upload_blob(storage_account: account, container: "ok-box", name: "a", file: "f"))
}
"""


def _smflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "smflow", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_checker_checks_its_arguments_and_its_string_result(tmp_path: Path) -> None:
    (tmp_path / "a.flow").write_text(FLOW, encoding="utf-8")
    done = _smflow("check", "--json", "a.flow", cwd=tmp_path)
    assert done.returncode == 2
    found = {(d["line"], d["col"], d["code"], d["message"]) for d in map(json.loads, done.stdout.splitlines())}
    assert found == {
        (4, 9, "MissingArgument", "missing required argument 'file' (string) for upload_blob"),
        (4, 58, "InvalidValue", "container must be 3 to 63 lowercase letters, digits and single hyphens, got 'Bad_Name'"),
        (5, 14, "UnknownAttribute", "a string has no attribute 'size'"),
    }  # and its URL is a package_url: line 7 is fine


def test_plan_shows_the_upload_under_the_accounts_blob_endpoint() -> None:
    root = Path(__file__).resolve().parents[2]
    done = _smflow("plan", "flows/build_and_release.flow", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "PUT    <blob endpoint of smflowbuilds>/releases/app-v2.cspkg" in done.stdout
    assert "(the bytes of build/app.cspkg, in blocks; skipped when the blob holds the same MD5)" in done.stdout


def test_progress_is_one_live_line_then_one_line_per_upload() -> None:
    out = io.StringIO()
    show = make_progress(out, json_lines=False, live=True)
    show(StepStarted(index=2, total=9, step="upload the build", **T))
    show(UploadProgress(step="upload the build", blob="releases/app.cspkg", sent=4 << 20, total=20 << 20, **T))
    show(BlobUploaded(step="upload the build", blob="releases/app.cspkg", url="http://x/releases/app.cspkg",
                      size=20 << 20, md5="PadY9Tvk2r9HWkNUD0Ow6A==", skipped=False, **T))
    show(BlobUploaded(step="upload the build", blob="releases/app.cscfg", url="http://x/releases/app.cscfg",
                      size=283, md5="vuyVsoccajcyNY8vcsmn4g==", skipped=True, **T))
    text = out.getvalue()
    assert "\r\x1b[K[2/9] upload the build … uploading releases/app.cspkg: 4.0 MiB of 20.0 MiB (20%)" in text
    assert "    uploaded releases/app.cspkg (20.0 MiB, content MD5 PadY9Tvk2r9HWkNUD0Ow6A==)\n" in text
    assert "    releases/app.cscfg already holds this file (283 B): not uploaded again\n" in text
    plain = io.StringIO()
    make_progress(plain, json_lines=False, live=False)(
        UploadProgress(step="s", blob="releases/app.cspkg", sent=1, total=2, **T))
    assert plain.getvalue() == ""  # a CI log gets the final line only


def test_json_events_carry_bytes_and_total() -> None:
    out = io.StringIO()
    make_progress(out, json_lines=True)(UploadProgress(step="s", blob="releases/app.cspkg", sent=5, total=9, **T))
    assert json.loads(out.getvalue()) == {"event": "upload_progress", "step": "s", "blob": "releases/app.cspkg",
                                          "sent": 5, "total": 9, **T}


def test_the_language_server_completes_and_explains_it() -> None:
    pytest.importorskip("lsprotocol", reason="the language server needs pygls (pip install '.[lsp]')")
    from lsprotocol import types as lsp

    from smflow.lsp import features
    from smflow.lsp.analysis import analyse

    text = 'flow f\nstep "s" {\n    \n}\n'
    items = {i.label: i for i in features.completion(text, lsp.Position(2, 4), None).items}
    assert items["upload_blob"].insert_text == (
        "upload_blob(storage_account: ${1}, container: ${2}, name: ${3}, file: ${4})$0")
    text = 'flow f\nstep "s" {\n    upload_blob(storage_account: "a", container: "abc", name: "n", file: "f")\n}\n'
    hover = features.hover(analyse(text, "file:///work/x.flow"), lsp.Position(2, 8))
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "`PUT <blob endpoint>/{container}/{name}`" in hover.contents.value
