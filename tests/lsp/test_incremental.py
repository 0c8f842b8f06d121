"""The step-at-a-time parser gives what ``parse_flow`` gives, and reuses the steps an edit left alone."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from smflow.dsl.parser import parse_flow
from smflow.errors import FlowError
from smflow.lsp.incremental import IncrementalParser

REPO = Path(__file__).resolve().parents[2]
FLOWS = sorted((REPO / "flows").glob("*.flow"))


def _outcome(parse: object, text: str) -> object:
    try:
        return parse(text, "x.flow")  # type: ignore[operator]
    except FlowError as err:
        s = err.span
        return (type(err).__name__, err.code, err.message, s.line, s.col, s.end_line, s.end_col)


def _same(parser: IncrementalParser, text: str) -> None:
    assert _outcome(parser.parse, text) == _outcome(parse_flow, text), text


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.stem)
def test_same_ast_and_same_first_error_as_parse_flow(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    parser = IncrementalParser()
    _same(parser, text)
    rng = random.Random(path.stem)
    for _ in range(20):
        a = rng.randrange(len(text))
        b = min(len(text), a + rng.randrange(0, 30))
        junk = rng.choice(["", "}", "{", "step \"x\" {", "\n", ")", "on failure { }", "param z = 1\n", '"', "x = "])
        _same(parser, text[:a] + junk + text[b:])
        _same(parser, text[:a])
        _same(parser, text)


@pytest.mark.parametrize("text", [
    'flow f\nstep "a"\nstep "b" {\n    log "x"\n}\n',  # a step cut short by the next one
    'flow f\nparam a =\nstep "b" {\n    log "x"\n}\n',  # the params cut short by a step
    'flow f\nstep "a" {\n    log "x"\n}\non failure {\n    log "y"\n}\nstep "b" {\n    log "z"\n}\n',
    'flow f\nstep "a" {\n    log "x"\n}\nparam p = 1\nstep "b" {\n    log "z"\n}\n',
    'flow f\nstep "a" {\n    log "x"\n}\nretry attempts 2\nstep "b" {\n    log "z"\n}\n',
    'flow f step "a" {\n    log "x"\n}\nstep "b" {\n    log "z"\n}\n',
    '\n\nstep "a" {\n    log "x"\n}\n',  # no header
])
def test_pieces_that_only_make_sense_together(text: str) -> None:
    _same(IncrementalParser(), text)


def test_an_edit_inside_one_step_parses_only_that_step() -> None:
    text = (REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8")
    parser = IncrementalParser()
    parser.parse(text, "x.flow")
    edited = text.replace('log "removing stale staging deployment', 'log "removing the stale staging deployment')
    flow = parser.parse(edited, "x.flow")
    assert parser.reused == text.count('\nstep "')  # every piece but the edited step
    assert flow == parse_flow(edited, "x.flow")
    for a, b in zip(flow.steps, parse_flow(edited, "x.flow").steps, strict=True):
        assert (a.span.line, a.span.col, a.span.end_line, a.span.end_col) == (b.span.line, b.span.col,
                                                                              b.span.end_line, b.span.end_col)


def test_a_new_line_moves_the_later_steps_without_parsing_them() -> None:
    text = (REPO / "flows" / "blue_green.flow").read_text(encoding="utf-8")
    parser = IncrementalParser()
    parser.parse(text, "x.flow")
    edited = text.replace('        log "removing stale', '        # about to remove it\n        log "removing stale')
    flow = parser.parse(edited, "x.flow")
    after = text.count('\nstep "') - 2  # the steps after "clear the staging slot"
    assert (parser.reused, parser.moved) == (1 + 1, after)  # the head and the first step; the rest moved
    assert flow == parse_flow(edited, "x.flow")  # spans included: equal nodes have equal positions
