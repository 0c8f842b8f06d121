"""``output NAME = EXPR`` in the editor: parsed a piece at a time like the rest, completed as a
keyword, its names found, renamed and listed as symbols."""

from __future__ import annotations

import pytest

pytest.importorskip("lsprotocol", reason="the language server needs pygls (pip install '.[lsp]')")

from lsprotocol import types as lsp

from smflow.lsp import features
from smflow.lsp.analysis import analyse
from smflow.lsp.incremental import IncrementalParser

from .test_incremental import _same

URI = "file:///work/x.flow"
TEXT = '''flow f "outputs"
step "a" {
    d = get_deployment_by_slot(service_name: "svc", deployment_slot: "production")
}
step "b" {
    log "${d.name}"
}
output url = d.url
output name = "${d.name}"
on failure {
    rollback
}
'''


@pytest.mark.parametrize("text", [
    TEXT,
    TEXT.replace('output name', 'step "late" { log "x" }\noutput name'),  # a step after an output
    TEXT.replace('step "b"', 'output early = 1\nstep "b"'),  # an output between steps
    TEXT.replace("on failure {\n    rollback\n}\n", ""),
    TEXT.replace("output url = d.url", "output url ="),  # being typed
])
def test_the_piecewise_parser_agrees_with_parse_flow(text: str) -> None:
    _same(IncrementalParser(), text)


def _at(text: str, needle: str, offset: int = 0) -> lsp.Position:
    at = text.index(needle) + offset
    return lsp.Position(text.count("\n", 0, at), at - (text.rfind("\n", 0, at) + 1))


def test_output_is_completed_as_a_keyword() -> None:
    text = TEXT.replace('output name = "${d.name}"', "out")
    labels = {i.label for i in features.completion(text, _at(text, "out\n", 3), analyse(TEXT, URI)).items}
    assert "output" in labels


def test_a_binding_used_in_an_output_is_found_and_renamed_there() -> None:
    a = analyse(TEXT, URI)
    assert a.flow is not None and [d.code for d in a.diagnostics] == []
    edit = features.rename(a, _at(TEXT, "d = get", 0), "live")
    assert edit is not None and edit.changes is not None
    lines = TEXT.split("\n")
    spots = {(e.range.start.line, e.range.start.character) for e in edit.changes[URI]}
    assert (lines.index("output url = d.url"), len("output url = ")) in spots
    assert (lines.index('output name = "${d.name}"'), len('output name = "${')) in spots
    refs = features.references(a, _at(TEXT, "output url = d", len("output url = ")), True)
    assert refs is not None and len(refs) == 4  # bound, the log, two outputs


def test_outputs_are_document_symbols() -> None:
    (root,) = features.document_symbols(analyse(TEXT, URI))
    assert root.children is not None
    outputs = [(s.name, s.detail) for s in root.children if s.detail == "output"]
    assert outputs == [("url", "output"), ("name", "output")]
