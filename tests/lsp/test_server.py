"""``smflow lsp`` end to end: a real ``python -m smflow lsp`` process, driven over stdio by pytest-lsp.

Each test opens a shipped flow (or a variant of it) under a file URI and asks what an editor
asks; expected positions come from the checker and from the text itself, not from the server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs pygls (pip install '.[lsp]')")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="the end-to-end tests need pytest-lsp (in the [test] extra)")

from lsprotocol import types as lsp  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from smflow.dsl.checker import diagnose  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BLUE_GREEN = (REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8")
URI = (REPO / "flows" / "blue_green.flow").as_uri()

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "smflow", "lsp", "--stdio"]),
    scope="module",
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=REPO.as_uri(),
    ))
    yield
    await lsp_client.shutdown_session()


_versions: dict[str, int] = {}


async def _open(client: LanguageClient, text: str, uri: str = URI) -> list[lsp.Diagnostic]:
    """Open (or replace) a document and return the diagnostics published for it."""
    _version = _versions[uri] = _versions.get(uri, 0) + 1
    if _version == 1:
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=uri, language_id="smflow", version=_version, text=text)))
    else:
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=uri, version=_version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))
    while True:
        params = await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and params.version == _version:
            return list(params.diagnostics)


def _position(text: str, needle: str, offset: int = 0) -> lsp.Position:
    """The position ``offset`` characters into the first occurrence of ``needle``."""
    at = text.index(needle) + offset
    line = text.count("\n", 0, at)
    return lsp.Position(line, at - (text.rfind("\n", 0, at) + 1))


async def test_diagnostics_have_the_checkers_ranges_and_clear_when_fixed(client: LanguageClient) -> None:
    assert await _open(client, BLUE_GREEN) == []  # blue_green is clean
    broken = BLUE_GREEN.replace("swap_deployment(service_name: service, production: old.name",
                                "swap_deploymnt(service_name: service, production: old.name")
    broken = broken.replace('deployment_slot: "staging",\n        name: version',
                            'deployment_slot: "stagin",\n        name: version')
    assert broken.count("swap_deploymnt") == 1 and broken.count('"stagin"') == 1
    published = await _open(client, broken)
    expected = diagnose(broken, "x")
    assert {d.code for d in expected} >= {"UnknownOperation", "TypeMismatch"}
    got = sorted(((d.range.start.line + 1, d.range.start.character + 1, d.range.end.line + 1,
                   d.range.end.character + 1), d.code, d.message) for d in published)
    want = sorted(((d.span.line, d.span.col, d.span.end_line, d.span.end_col), d.code, d.message) for d in expected)
    assert got == want
    assert all(d.source == "smflow" for d in published)
    # a syntax error mid-edit, then fixed: cleared
    half = BLUE_GREEN.replace("source_deployment: version)\n        undo", "source_deployment: version\n        undo")
    assert half != BLUE_GREEN
    (syntax,) = await _open(client, half)
    assert syntax.code == "SyntaxError" and syntax.severity == lsp.DiagnosticSeverity.Error
    assert await _open(client, BLUE_GREEN) == []


async def test_completion_after_open_paren_offers_the_operations_arguments(client: LanguageClient) -> None:
    text = BLUE_GREEN.replace('    undo { delete_deployment(service_name: service, deployment_name: version) }\n',
                              '    undo { delete_deployment(service_name: service, deployment_name: version) }\n'
                              '    create_deployment(\n', 1)
    await _open(client, text)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        lsp.TextDocumentIdentifier(URI), _position(text, "version) }\n    create_deployment(\n", len("version) }\n    create_deployment("))))
    assert isinstance(result, lsp.CompletionList)
    items = {i.label: i for i in result.items}
    assert set(items) == {"service_name", "deployment_slot", "name", "package_url", "label", "configuration",
                          "start_deployment", "treat_warnings_as_error", "extended_properties"}
    assert items["deployment_slot"].detail == "string (required)"
    assert items["start_deployment"].detail == "bool = false"
    ordered = [i.label for i in sorted(result.items, key=lambda i: i.sort_text or "")]
    assert ordered[:6] == ["service_name", "deployment_slot", "name", "package_url", "label", "configuration"]
    # arguments already given are not offered again
    text2 = text.replace("version) }\n    create_deployment(\n", "version) }\n    create_deployment(service_name: service, \n")
    await _open(client, text2)
    result = await client.text_document_completion_async(lsp.CompletionParams(
        lsp.TextDocumentIdentifier(URI), _position(text2, "service_name: service, \n", len("service_name: service, "))))
    assert isinstance(result, lsp.CompletionList)
    labels = {i.label for i in result.items}
    assert "service_name" not in labels and "deployment_slot" in labels


async def test_completion_after_a_binding_offers_its_result_models_attributes(client: LanguageClient) -> None:
    await _open(client, BLUE_GREEN)  # the last good analysis knows old's type
    text = BLUE_GREEN.replace("production: old.name, source_deployment: version)",
                              "production: old., source_deployment: version)", 1)
    await _open(client, text)
    at = _position(text, "production: old.,", len("production: old."))
    result = await client.text_document_completion_async(lsp.CompletionParams(lsp.TextDocumentIdentifier(URI), at))
    assert isinstance(result, lsp.CompletionList)
    items = {i.label: i for i in result.items}
    assert {"name", "status", "deployment_slot", "role_instance_list", "upgrade_status"} <= set(items)
    assert items["role_instance_list"].detail is not None and "list[RoleInstance]" in items["role_instance_list"].detail
    # nested: list element of a nested model
    text = BLUE_GREEN.replace("production: old.name, source_deployment: version)",
                              "production: old.role_instance_list[0]., source_deployment: version)", 1)
    await _open(client, text)
    at = _position(text, "[0].,", len("[0]."))
    result = await client.text_document_completion_async(lsp.CompletionParams(lsp.TextDocumentIdentifier(URI), at))
    assert isinstance(result, lsp.CompletionList)
    assert {"instance_status", "instance_endpoints", "role_name"} <= {i.label for i in result.items}


async def test_hover_on_an_operation_shows_its_route(client: LanguageClient) -> None:
    await _open(client, BLUE_GREEN)
    result = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(URI), _position(BLUE_GREEN, "swap_deployment(", 3)))
    assert result is not None and isinstance(result.contents, lsp.MarkupContent)
    assert "POST /<subscription-id>/services/hostedservices/{service_name}" in result.contents.value
    assert "asynchronous" in result.contents.value and "source_deployment" in result.contents.value
    result = await client.text_document_hover_async(lsp.HoverParams(
        lsp.TextDocumentIdentifier(URI), _position(BLUE_GREEN, "production: old.name", len("production: o"))))
    assert result is not None and isinstance(result.contents, lsp.MarkupContent)
    assert "old: Deployment" in result.contents.value


async def test_definition_jumps_to_the_binding(client: LanguageClient) -> None:
    await _open(client, BLUE_GREEN)
    use = _position(BLUE_GREEN, "production: old.name", len("production: ol"))
    result = await client.text_document_definition_async(lsp.DefinitionParams(lsp.TextDocumentIdentifier(URI), use))
    assert isinstance(result, lsp.Location)
    binding = _position(BLUE_GREEN, "old = get_deployment_by_slot")
    assert result.uri == URI
    assert result.range == lsp.Range(binding, lsp.Position(binding.line, binding.character + 3))


async def test_rename_renames_every_use_and_nothing_else(client: LanguageClient) -> None:
    await _open(client, BLUE_GREEN)
    at = _position(BLUE_GREEN, "production: old.name", len("production: o"))
    prepared = await client.text_document_prepare_rename_async(
        lsp.PrepareRenameParams(lsp.TextDocumentIdentifier(URI), at))
    assert prepared is not None
    edit = await client.text_document_rename_async(
        lsp.RenameParams(lsp.TextDocumentIdentifier(URI), at, new_name="previous"))
    assert edit is not None and edit.changes is not None
    renamed = _apply(BLUE_GREEN, edit.changes[URI])
    # every `old` that is the binding became `previous`; the words "old" in comments/text stay
    assert renamed.count("previous") == 5 == len(edit.changes[URI])
    assert "retire the old deployment" in renamed and "the old one" in renamed
    assert not any(d.severity == "error" for d in diagnose(renamed, "x"))
    # a name already bound is refused
    with pytest.raises(Exception, match="already bound"):
        await client.text_document_rename_async(lsp.RenameParams(lsp.TextDocumentIdentifier(URI), at, new_name="live"))


async def test_symbols_and_the_server_survives_partial_text(client: LanguageClient) -> None:
    await _open(client, BLUE_GREEN)
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(URI)))
    assert symbols is not None
    (flow,) = symbols
    assert isinstance(flow, lsp.DocumentSymbol) and flow.name == "blue_green"
    assert [c.name for c in flow.children or []][:5] == ["service", "location", "package_url", "config", "version"]
    assert "swap" in [c.name for c in flow.children or []] and "on failure" in [c.name for c in flow.children or []]
    for cut in (37, len(BLUE_GREEN) // 3, len(BLUE_GREEN) // 2 + 11, len(BLUE_GREEN) - 9):
        partial = BLUE_GREEN[:cut]
        published = await _open(client, partial)
        assert any(d.code == "SyntaxError" for d in published)
        end = _position(partial + "\0", "\0")
        result = await client.text_document_completion_async(lsp.CompletionParams(lsp.TextDocumentIdentifier(URI), end))
        assert result is not None
        await client.text_document_hover_async(lsp.HoverParams(lsp.TextDocumentIdentifier(URI), end))
    assert await _open(client, BLUE_GREEN) == []


async def test_formatting_goes_through_smflow_fmt(client: LanguageClient) -> None:
    fmt = pytest.importorskip("smflow.fmt", reason="smflow.fmt (the formatter, issue 15) is not on this branch yet")
    messy = BLUE_GREEN.replace("param location    = \"West US\"", "param   location =   \"West US\"")
    await _open(client, messy)
    edits = await client.text_document_formatting_async(lsp.DocumentFormattingParams(
        lsp.TextDocumentIdentifier(URI), lsp.FormattingOptions(tab_size=4, insert_spaces=True)))
    assert edits is not None
    assert _apply(messy, edits) == fmt.format_text(messy, filename=URI)


def _apply(text: str, edits: list[lsp.TextEdit]) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    out = text
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        a = starts[e.range.start.line] + e.range.start.character
        b = starts[e.range.end.line] + e.range.end.character
        out = out[:a] + e.new_text + out[b:]
    return out

