"""The pygls wiring: which request goes to which function of ``smflow.lsp.features``.

Each open document keeps two analyses: the one of its current text (diagnostics, hover,
navigation, rename: positions must match the text) and the last one that parsed (names and
binding types for completion, because text being typed rarely parses). Analysis runs on every
change (full-text sync); each document's ``IncrementalParser`` parses again only the steps
the change touched, then the whole flow is checked (``bench/lsp_bench.py`` measures it).

Formatting goes through ``smflow.fmt.format_text`` and is offered only where that module is
installed.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer

from smflow import __version__
from smflow.errors import SmflowError
from smflow.lsp import features
from smflow.lsp.analysis import Analysis, analyse
from smflow.lsp.incremental import IncrementalParser
from smflow.lsp.positions import LineMap

__all__ = ["FlowLanguageServer", "build_server"]

log = logging.getLogger(__name__)


@dataclass
class _Document:
    current: Analysis
    good: Analysis | None
    parser: IncrementalParser


class FlowLanguageServer(LanguageServer):
    """A pygls server that keeps the analyses of the open ``.flow`` documents."""

    def __init__(self) -> None:
        super().__init__("smflow", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.documents: dict[str, _Document] = {}

    def refresh(self, uri: str, version: int | None = None) -> _Document:
        text = self.workspace.get_text_document(uri).source
        known = self.documents.get(uri)
        parser = known.parser if known is not None else IncrementalParser()
        analysis = analyse(text, uri, parser)
        good = analysis if analysis.flow is not None else (known.good if known is not None else None)
        doc = self.documents[uri] = _Document(analysis, good, parser)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=features.diagnostics(analysis, LineMap(text)),
        ))
        return doc

    @property
    def snippets(self) -> bool:
        """Whether the client takes snippet completions (it says so when it initialises)."""
        completion = self.client_capabilities.text_document and self.client_capabilities.text_document.completion
        item = completion.completion_item if completion else None
        return bool(item and item.snippet_support)

    def document(self, uri: str) -> _Document:
        doc = self.documents.get(uri)
        if doc is None or doc.current.text != self.workspace.get_text_document(uri).source:
            doc = self.refresh(uri)
        return doc


def build_server() -> FlowLanguageServer:
    server = FlowLanguageServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FlowLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri, params.text_document.version)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FlowLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri, params.text_document.version)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FlowLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.documents.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[".", "(", ",", ":"]))
    def completion(ls: FlowLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        known = ls.documents.get(uri)
        return features.completion(text, params.position, known.good if known is not None else None,
                                   snippets=ls.snippets)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: FlowLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return features.hover(ls.document(params.text_document.uri).current, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: FlowLanguageServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        return features.definition(ls.document(params.text_document.uri).current, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls: FlowLanguageServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
        return features.references(ls.document(params.text_document.uri).current, params.position,
                                   params.context.include_declaration)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: FlowLanguageServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        return features.document_symbols(ls.document(params.text_document.uri).current)

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(ls: FlowLanguageServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
        return features.prepare_rename(ls.document(params.text_document.uri).current, params.position)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    def rename(ls: FlowLanguageServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        try:
            return features.rename(ls.document(params.text_document.uri).current, params.position, params.new_name)
        except features.RenameError as err:
            raise JsonRpcInvalidRequest(str(err)) from None

    if importlib.util.find_spec("smflow.fmt") is not None:
        @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
        def formatting(ls: FlowLanguageServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
            return _format(ls.workspace.get_text_document(params.text_document.uri).source, params.text_document.uri)

    return server


def _format(text: str, uri: str) -> list[lsp.TextEdit] | None:
    """One edit replacing the whole text with its formatted form; none when it does not parse
    (the diagnostics already say why) or is formatted already."""
    fmt: Any = importlib.import_module("smflow.fmt")
    try:
        formatted = fmt.format_text(text, filename=uri)
    except SmflowError:
        return None
    if formatted == text:
        return []
    lines = LineMap(text)
    last = len(lines.lines) - 1
    end = lsp.Position(last, len(lines.lines[last].encode("utf-16-le")) // 2)
    return [lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), end), new_text=formatted)]


def serve() -> None:
    """Serve one client over stdin/stdout until it exits."""
    build_server().start_io()
