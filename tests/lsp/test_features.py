"""The editor features on their own (no process): contexts, positions, rename rules, and fuzzing.

The server must answer on any text, above all on text being typed: every shipped flow is cut
at random places and every feature is asked about the cut text, and hypothesis feeds in text
that looks like a flow.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.importorskip("lsprotocol", reason="the language server needs pygls (pip install '.[lsp]')")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from smflow.dsl import ast
from smflow.lsp import features
from smflow.lsp.analysis import Analysis, analyse
from smflow.lsp.context import completion_context
from smflow.lsp.incremental import IncrementalParser
from smflow.lsp.positions import LineMap

REPO = Path(__file__).resolve().parents[2]
FLOWS = sorted((REPO / "flows").glob("*.flow"))
URI = "file:///work/x.flow"


def _position(text: str, needle: str, offset: int = 0) -> lsp.Position:
    at = text.index(needle) + offset
    return lsp.Position(text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))


def _labels(text: str, needle: str, offset: int, good: Analysis | None) -> set[str]:
    return {i.label for i in features.completion(text, _position(text, needle, offset), good).items}


def _ask_everything(text: str, good: Analysis | None, parser: IncrementalParser | None = None) -> None:
    analysis = analyse(text, URI, parser)
    lines = LineMap(text)
    features.diagnostics(analysis, lines)
    features.document_symbols(analysis)
    last = len(lines.lines) - 1
    for line in {0, last // 2, last}:
        for character in {0, len(lines.line(line)) // 2, len(lines.line(line))}:
            pos = lsp.Position(line, character)
            features.completion(text, pos, good)
            features.hover(analysis, pos)
            features.definition(analysis, pos)
            features.references(analysis, pos, True)
            features.prepare_rename(analysis, pos)


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.stem)
def test_every_feature_answers_on_random_cuts_of_the_shipped_flows(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    good = analyse(text, URI)
    assert good.flow is not None
    rng = random.Random(path.stem)
    parser = IncrementalParser()  # as the server does: pieces kept from edit to edit
    for _ in range(25):
        cut = rng.randrange(len(text))
        _ask_everything(text[:cut], good, parser)
        hole = rng.randrange(len(text))
        _ask_everything(text[:hole] + text[hole + rng.randrange(1, 20):], good, parser)


_PIECES = st.sampled_from([
    "flow f\n", "param a = 1\n", 'step "s" {', "}", "\n", "x = ", "get_deployment_by_slot(", "service_name: ",
    '"staging"', ", ", ")", "x.", "[0]", ".name", "${", '"', "undo {", "all(", " => ", "if ", "on failure {",
    "rollback", "wait until ", "every 5s", "#", "é", "😀", "\r\n", "\t", "exists ", "{a: 1}", "retry attempts 3",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_every_feature_answers_on_flow_like_text(text: str) -> None:
    _ask_everything(text, analyse((REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8"), URI))


def test_context_inside_strings_and_interpolations() -> None:
    assert completion_context('log "deploying ', 15).kind == "none"
    ctx = completion_context('log "deploying ${old.na', 23)
    assert (ctx.kind, ctx.root, ctx.prefix) == ("attribute", ("name", "old"), "na")
    assert completion_context('log "a ${x}" ', 13).kind == "general"
    assert completion_context("x = 1 # a comment (", 19).kind == "none"
    assert completion_context("x = (", 5).kind == "general"


def test_value_completion_offers_enum_values() -> None:
    text = 'flow f\nstep "s" {\n    get_deployment_by_slot(service_name: "a", deployment_slot: )\n}\n'
    labels = _labels(text, "deployment_slot: )", len("deployment_slot: "), None)
    assert {'"staging"', '"production"', "exists", "true", "lower"} <= labels
    assert not labels & {"param", "step", "retry", "timeout"}  # declarations are no values


def test_snippets_only_for_clients_that_take_them() -> None:
    text = 'flow f\nstep "s" {\n    \n}\n'
    at = _position(text, "    \n", 4)
    with_snippets = {i.label: i for i in features.completion(text, at, None).items}
    plain = {i.label: i for i in features.completion(text, at, None, snippets=False).items}
    assert with_snippets["swap_deployment"].insert_text == (
        "swap_deployment(service_name: ${1}, production: ${2}, source_deployment: ${3})$0")
    assert with_snippets["swap_deployment"].insert_text_format == lsp.InsertTextFormat.Snippet
    assert plain["swap_deployment"].insert_text == "swap_deployment"
    assert plain["swap_deployment"].insert_text_format == lsp.InsertTextFormat.PlainText


def test_completion_after_a_call_result_and_in_interpolations() -> None:
    good = analyse((REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8"), URI)
    text = 'flow f\nstep "s" {\n    x = get_hosted_service_properties(service_name: "a").hosted_service_properties.\n}\n'
    assert {"location", "label", "status"} <= _labels(text, "properties.\n", len("properties."), good)
    text = good.text.replace('log "removing stale staging deployment ${stale.name}"',
                             'log "removing stale staging deployment ${stale.}"')
    assert {"name", "status"} <= _labels(text, "${stale.}", len("${stale."), good)


def test_names_offered_are_those_in_scope() -> None:
    good = analyse((REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8"), URI)
    text = good.text
    early = _labels(text, 'step "clear the staging slot"', 0, good)
    assert {"service", "version", "package_url"} <= early and "old" not in early and "live" not in early
    late = _labels(text, "    rollback", 4, good)
    assert {"old", "live", "failed_step", "error"} <= late


def test_positions_count_utf16_units() -> None:
    text = 'flow f\nstep "s" {\n    log "😀 ${nope}"\n}\n'
    (d,) = [d for d in features.diagnostics(analyse(text, URI), LineMap(text)) if d.code == "UndefinedName"]
    # the emoji is one character for smflow, two UTF-16 units for the protocol
    assert (d.range.start.line, d.range.start.character) == (2, len('    log "') + 2 + len(" ${"))
    assert LineMap(text).from_lsp(2, d.range.start.character) == (3, len('    log "😀 ${') + 1)


def test_rename_reaches_interpolations_and_refuses_bad_names() -> None:
    a = analyse((REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8"), URI)
    at = _position(a.text, "param version", len("param v"))
    edit = features.rename(a, at, "release")
    assert edit is not None and edit.changes is not None
    lines = a.text.split("\n")
    renamed = {lines[e.range.start.line][e.range.start.character:e.range.end.character] for e in edit.changes[URI]}
    assert renamed == {"version"}
    assert len(edit.changes[URI]) == a.text.count("version")  # every one is a use in blue_green
    swap = _position(a.text, 'confirm "Swap ${version}', len('confirm "Swap ${'))
    assert any(e.range.start == swap for e in edit.changes[URI])  # inside an interpolation too
    bad_names = (("step", "keyword"), ("2x", "not a name"), ("base64", "builtin"), ("service", "already bound"),
                 ("i", "already bound"))  # the quantifier variable of "wait until staging is ready"
    for bad, why in bad_names:
        with pytest.raises(features.RenameError, match=why):
            features.rename(a, at, bad)
    assert features.prepare_rename(a, _position(a.text, "swap_deployment(", 2)) is None  # an operation: no
    typo = analyse(a.text.replace("log \"release ${version}", "log \"release ${versoin}"), URI)
    with pytest.raises(features.RenameError, match="already used"):  # it would capture the misspelt use
        features.rename(typo, _position(typo.text, "param version", len("param v")), "versoin")


def test_hover_on_an_operation_while_the_text_does_not_parse() -> None:
    text = 'flow f\nstep "s" {\n    swap_deployment(service_name: \n'
    analysis = analyse(text, URI)
    assert analysis.flow is None
    result = features.hover(analysis, _position(text, "swap_deployment", 4))
    assert result is not None and isinstance(result.contents, lsp.MarkupContent)
    assert "POST /<subscription-id>/services/hostedservices/{service_name}" in result.contents.value
    assert result.range == lsp.Range(_position(text, "swap_deployment"), _position(text, "(service_name"))
    assert features.hover(analysis, _position(text, "service_name", 3)) is None


def test_completion_inside_a_record_argument_offers_its_fields() -> None:
    text = (REPO / "flows" / "linux_vm.flow").read_text(encoding="utf-8")
    good = analyse(text, URI)
    at = 'system_config: {\n            type: "linux",\n            '  # the file as smflow fmt lays it out
    fields = _labels(text, at, len(at), good)
    assert {"ssh_public_keys", "computer_name", "custom_data"} <= fields
    # given already, before or after the cursor; and an argument of the call is no field
    assert not fields & {"type", "host_name", "user_name", "user_password", "service_name"}
    at = "input_endpoints: [{"
    endpoints = text.replace('[{name: "SSH", protocol: "tcp", port: 22, local_port: 22}]', "[{}]")
    assert endpoints != text
    assert {"name", "protocol", "port", "local_port"} <= _labels(endpoints, at, len(at), good)
    assert "name" not in _labels(text, at, len(at), good)  # given after the cursor
    edited = text.replace("os_virtual_hard_disk: {source_image_name: image, media_link: vhd}",
                          "os_virtual_hard_disk: {}")
    at = "os_virtual_hard_disk: {"
    disk = _labels(edited, at, len(at), good)
    assert {"source_image_name", "media_link"} <= disk


def test_arguments_right_after_the_cursor_count_as_given() -> None:
    text = 'flow f\nstep "s" {\n    delete_deployment(service_name: "a", deployment_name: "b")\n}\n'
    at = "delete_deployment("
    assert _labels(text, at, len(at), None) == {"delete_vhd"}
    typed = text.replace("delete_deployment(service_name", "delete_deployment(del, service_name")
    assert _labels(typed, "(del,", len("(del"), None) == {"delete_vhd"}  # the word being typed is no argument


def test_the_cscfg_builtins_and_uuid_are_completed_with_their_signatures() -> None:
    text = ('flow f\nparam config = file("ServiceConfiguration.cscfg")\nstep "s" {\n'
            '    scaled = cscfg_set_instances(config, "WebRole1", 4)\n    x = \n}\n')
    good = analyse(text.replace("    x = \n", ""), URI)
    offered = {i.label: i for i in features.completion(text, _position(text, "x = ", 4), good).items}
    names = {"uuid", "cscfg_roles", "cscfg_instances", "cscfg_set_instances", "cscfg_setting", "cscfg_set_setting",
             "cscfg_os_family", "cscfg_set_os_family"}
    assert names <= set(offered) and names <= set(ast.BUILTINS) and names <= set(features.BUILTIN_DOCS)
    assert offered["cscfg_set_instances"].detail == (
        "cscfg_set_instances(config: string, role: string, count: int) -> string")
    assert [d.code for d in features.diagnostics(good, LineMap(good.text))] == ["UnusedBinding"]
    features.hover(good, _position(good.text, "cscfg_set_instances", 2))  # builtins have no hover yet: no crash
