"""Following ``use``: what the golden cases do not show (a diamond read once, paths relative to
each using file, files that are not regular, a flow given as text) and the tools that read a
flow (plan, graph, the language server) following it too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smflow.dsl.checker import diagnose
from smflow.dsl.library import resolve
from smflow.dsl.parser import parse_flow

COMMON = 'flow common\nuse "../shared/names.flow"\nproc greet(who: string) {\n    log "hello ${who}"\n}\n'
NAMES = 'flow names\nproc shout(who: string) {\n    return upper(who)\n}\n'
TOP = ('flow top\nuse "lib/common.flow"\nuse "shared/names.flow"\n'
       'step "s" {\n    greet(shout("x"))\n}\n')


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "lib").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "lib" / "common.flow").write_text(COMMON)
    (tmp_path / "shared" / "names.flow").write_text(NAMES)
    top = tmp_path / "top.flow"
    top.write_text(TOP)
    return top


def test_paths_are_relative_to_each_using_file_and_a_diamond_is_read_once(tmp_path: Path) -> None:
    top = _tree(tmp_path)
    reads: list[str] = []

    def read(path: str) -> str:
        reads.append(path)
        return Path(path).read_text()

    lib = resolve(parse_flow(top.read_text(), str(top)), read)
    assert lib.diagnostics == []
    assert sorted(lib.procs) == ["greet", "shout"]
    assert reads == [str(tmp_path / "lib" / "common.flow"), str(tmp_path / "shared" / "names.flow")]
    assert [path for path, _ in lib.texts()] == reads
    assert diagnose(top.read_text(), str(top)) == []


def test_a_flow_given_as_text_resolves_against_the_working_directory(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert diagnose(TOP, "<stdin>") == []


def test_a_used_path_that_is_not_a_regular_file_is_refused_on_its_use_line(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.flow")
    (tmp_path / "dir.flow").mkdir()
    top = tmp_path / "top.flow"
    top.write_text('flow top\nuse "pipe.flow"\nuse "dir.flow"\nuse "/etc/x.flow"\nuse "${x}.flow"\n')
    found = [(d.span.line, d.code, d.message) for d in diagnose(top.read_text(), str(top))]
    assert found == [
        (2, "UseError", f"cannot use 'pipe.flow': {tmp_path}/pipe.flow: not a regular file (it is a FIFO)"),
        (3, "UseError", f"cannot use 'dir.flow': {tmp_path}/dir.flow: Is a directory"),
        (4, "UseError", "use needs a path relative to this file, got '/etc/x.flow'"),
        (5, "UseError", "a use path is a plain string (no ${...})"),
    ]


def test_a_file_that_uses_itself_is_a_cycle(tmp_path: Path) -> None:
    top = tmp_path / "top.flow"
    top.write_text('flow top\nuse "./top.flow"\n')
    [d] = diagnose(top.read_text(), str(top))
    assert (d.code, d.span.line, d.message) == ("UseCycle", 2, f"use cycle: {top} -> {top}")


def test_plan_expands_a_proc_call_into_its_requests(tmp_path: Path) -> None:
    from smflow.run.flowplan import load
    from smflow.run.preview import preview

    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "ops.flow").write_text(
        'flow ops\nproc retire(service: string, name: string = "v1") {\n'
        '    delete_deployment(service_name: service, deployment_name: name)\n}\n')
    top = tmp_path / "top.flow"
    top.write_text('flow top\nuse "lib/ops.flow"\nparam service = "svc"\n'
                   'step "s" {\n    old = get_deployment_by_slot(service_name: service, deployment_slot: "production")\n'
                   '    retire(service)\n    retire(service, old.name)\n}\n')
    calls = preview(load(top, {}))
    assert [(c.operation, c.path, c.via, c.line) for c in calls] == [
        ("get_deployment_by_slot", "/<subscription-id>/services/hostedservices/svc/deploymentslots/production", "", 5),
        ("delete_deployment", "/<subscription-id>/services/hostedservices/svc/deployments/v1",
         f"proc retire in {tmp_path}/lib/ops.flow", 3),
        ("delete_deployment", "/<subscription-id>/services/hostedservices/svc/deployments/<old.name>",
         f"proc retire in {tmp_path}/lib/ops.flow", 3),
    ]


def test_graph_marks_proc_calls(tmp_path: Path) -> None:
    from smflow.graph import build_graph, render_mermaid

    top = _tree(tmp_path)
    flow = parse_flow(top.read_text(), str(top))
    text = render_mermaid(build_graph(flow, frozenset(resolve(flow).procs)))
    assert '"proc greet"' in text


def test_the_language_server_shows_a_used_files_error_on_its_use_line_and_goes_to_a_proc(tmp_path: Path) -> None:
    from lsprotocol import types as lsp

    from smflow.lsp import features
    from smflow.lsp.analysis import analyse

    top = _tree(tmp_path)
    (tmp_path / "lib" / "common.flow").write_text(COMMON.replace('${who}', '${who} ${whom}'))
    uri = top.as_uri()
    analysis = analyse(top.read_text(), uri)
    [d] = analysis.diagnostics
    assert (d.span.line, d.span.col, d.code) == (2, 5, "UndefinedName")
    assert d.message.startswith(f"{tmp_path}/lib/common.flow:4:25: undefined name 'whom'")
    target = features.definition(analysis, lsp.Position(line=4, character=6))  # greet(...)
    assert target is not None and target.uri == (tmp_path / "lib" / "common.flow").as_uri()
    assert (target.range.start.line, target.range.start.character) == (2, 5)
    labels = {i.label for i in features.completion("flow t\n", lsp.Position(line=1, character=0), None).items}
    assert {"use", "proc"} <= labels
