"""Text → AST. The one module that touches lark's parser and catches its exceptions.

Why one seam: lark's errors speak in terminal names (``RPAR``, ``__ANON_0``) and report end of
input at line -1. Here they become ``FlowSyntaxError`` with a readable message ("expected ')' or
','") and a span inside the file (end of input is the end of the last line). Common mistakes get
a label, found by the parser state they fail in (lark's ``match_examples`` idea, keyed on the
current LALR state so it works at any nesting depth).

Text in the language is parsed without lark (``smflow.dsl.lalr``, on lark's tables generated into
``flowtables``): a fresh process then never imports lark to read a correct flow. Only when that
parse stops at a token does lark parse the text again, so that every diagnostic is lark's, as
before.

The grammar ships inside the wheel as ``smflow/grammar/smflow.lark``; in a checkout it is
``<repo>/grammar/smflow.lark``. The parser is built once per process (``functools.cache``), and
lark's analysis of the grammar is cached on disk (``grammar_cache_path``): building the LALR
tables takes ~100 ms, which was most of a ``smflow check`` of a small flow; loading them ~10 ms.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smflow.dsl import ast, flowtables, lalr
from smflow.dsl.transformer import FlowTransformer
from smflow.errors import FlowSyntaxError
from smflow.source import SourceFile, Span

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput, UnexpectedToken

__all__ = ["grammar_cache_path", "grammar_text", "lark_parser", "parse_expression", "parse_flow", "paused_gc"]

CODE = "SyntaxError"

# How terminals read in "expected ..." messages. Keyword and punctuation terminals are quoted
# from their text automatically; these are the ones that are patterns.
_FRIENDLY = {
    "NAME": "a name",
    "STRING": "a string",
    "INT": "a number",
    "FLOAT": "a number",
    "DURATION": "a duration (like 30s, 5m, 1h)",
    "COMP_OP": "a comparison",
    "ON_FAILURE": "'on failure'",
    "$END": "end of file",
}
# When every one of these is acceptable, say "an expression" instead of listing them.
_EXPR_START = {"NAME", "STRING", "INT", "DURATION", "LSQB", "LPAR", "TRUE", "FALSE", "NULL"}
_STMT_START = {"WAIT", "IF", "ASSERT", "CONFIRM", "LOG", "UNDO", "ROLLBACK"}
_OPERATORS = {"AND", "OR", "COMP_OP", "IN", "PLUS", "STAR"}

# What the language has instead of a construct or operator it does not have (yet).
OPERATORS_HELP = ("the operators are + - * (arithmetic, '+' also joins strings), == != < <= > >=, "
                  "and, or, not, in, not in, and 'if c then a else b'")
_NO_LOOPS = ("the only loop is 'for x in LIST { ... }' (inside a step, or around steps); to wait for a "
             "state use 'wait until COND every 15s timeout 20m'")
_PROC_HINT = "a procedure is declared before the steps: proc name(a: string) { ... return a }"
_UNSUPPORTED_WORDS = {"while": _NO_LOOPS, "foreach": _NO_LOOPS, "def": _PROC_HINT, "function": _PROC_HINT}
# ``output`` is a keyword only after the steps: written inside a block it reads as a name.
_UNSUPPORTED_WORDS["output"] = ("an output is declared after the last step, not inside a block: "
                                "output NAME = EXPR (bind the value in the step, then output it)")
_UNSUPPORTED_CHARS = {
    "%": "'%' is not an operator; " + OPERATORS_HELP,
    "/": "'/' is not an operator (there is no division); " + OPERATORS_HELP,
    "^": "'^' is not an operator; " + OPERATORS_HELP,
    "&": "'&' is not an operator (use 'and'); " + OPERATORS_HELP,
    "|": "'|' is not an operator (use 'or'); " + OPERATORS_HELP,
    "!": "'!' is not an operator (use 'not', or '!=' to compare); " + OPERATORS_HELP,
    "?": "'?' is not an operator (a conditional reads 'if c then a else b'); " + OPERATORS_HELP,
}
_WORD_BEFORE = r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*$"  # compiled on a syntax error only (re caches it)

# Labels for common mistakes, recognised by lark's match_examples (same parser state).
_EXAMPLES: dict[str, list[str]] = {
    "a step name is a quoted string: step \"name\" { ... }": ['flow f\nstep deploy { }'],
    "missing ',' between arguments": [
        'flow f\nstep "s" { f(a: 1 b: 2) }',
        'flow f\nstep "s" { f(a: "x" b: 2) }',
        'flow f\nstep "s" { f(a: x b: 2) }',
        'flow f\nstep "s" { f(a: x.y b: 2) }',
        'flow f\nstep "s" { f(a: g() b: 2) }',
        'flow f\nstep "s" { f(a: 1s b: 2) }',
    ],
    "use '==' to compare ('=' binds a name)": ['flow f\nstep "s" { if a = b { } }', 'flow f\nstep "s" { assert a = b }'],
    "a block needs '{' ... '}'": ['flow f\nstep "s" log "x"', 'flow f\nstep "s" { if a log "x" }'],
    "the flow needs a header first: flow NAME \"description\"": ['step "s" { }', 'param a = 1'],
    "outputs come after the last step, before 'on failure'": [
        'flow f\nstep "s" { }\noutput a = b\nstep "t" { }',
        'flow f\nstep "s" { }\noutput a = 1\nstep "t" { }',
        'flow f\nstep "s" { }\noutput a = "x"\nstep "t" { }',
        'flow f\nstep "s" { }\noutput a = b.c\nstep "t" { }',
        'flow f\nstep "s" { }\noutput a = f(x)\nstep "t" { }',
        'flow f\nstep "s" { }\noutput a = [x]\nstep "t" { }',
    ],
}


def grammar_text() -> str:
    """The grammar from the installed package, or from the checkout when running from source.

    Read beside the package's own files (as the wheel installs it) rather than through
    ``importlib.resources``, whose import (zipfile among others) costs a ``smflow check`` more
    than reading the file; a package that is not on disk (a zip) still goes that way.
    """
    here = Path(__file__).resolve().parents[1]
    for path in (here / "grammar" / "smflow.lark", here.parent / "grammar" / "smflow.lark"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    import importlib.resources

    return importlib.resources.files("smflow").joinpath("grammar/smflow.lark").read_text(encoding="utf-8")


def grammar_cache_path(grammar: str) -> str | None:
    """Where lark keeps its analysis of ``grammar``, or None for no on-disk cache.

    ``$SMFLOW_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/smflow`` or
    ``~/.cache/smflow``: a directory of the user's own, never a shared temporary directory,
    because the cache is a pickle. The name carries a hash of the grammar, lark's version and
    Python's, so environments sharing the directory don't overwrite each other; lark also
    checks its own hash inside the file and rebuilds (and rewrites) on any mismatch or damage.
    """
    base = os.environ.get("SMFLOW_CACHE_DIR")
    if base is None:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                            "smflow")
    if not base:
        return None
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
    except OSError:
        return None
    import hashlib

    import lark

    key = hashlib.sha256(f"{grammar}\0{lark.__version__}\0{sys.version}".encode()).hexdigest()[:24]
    return os.path.join(base, f"grammar-{key}.lark-cache")


@functools.cache
def lark_parser() -> Lark:
    """The LALR parser, built once: ``flow`` for files, ``expr`` for ``${...}`` interpolations.

    It builds AST nodes while it parses (``transformer=``, no parse tree), with every token kept
    so that each node's span runs from its first keyword to its closing bracket.
    """
    from lark import Lark

    grammar = grammar_text()
    cache = grammar_cache_path(grammar)
    return Lark(
        grammar,
        parser="lalr",
        start=["flow", "expr"],
        keep_all_tokens=True,
        maybe_placeholders=True,
        transformer=_TRANSFORMER,
        cache=cache if cache is not None else False,
    )


@functools.cache
def _terminal_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for term in lark_parser().terminals:
        if term.name in _FRIENDLY:
            names[term.name] = _FRIENDLY[term.name]
        elif term.pattern.type == "str":
            names[term.name] = f"'{term.pattern.value}'"
        else:
            names[term.name] = term.name.lower()
    return names


def describe_expected(expected: set[str]) -> str:
    """``{"RPAR", "COMMA"}`` → ``"',' or ')'"`` (stable order, expressions summarised)."""
    names = _terminal_names()
    parts: list[str] = []
    rest = set(expected)
    if _STMT_START <= rest:
        parts.append("a statement")
        rest -= _STMT_START | {"NAME"}
    if _EXPR_START <= rest:
        parts.append("an expression")
        rest -= _EXPR_START | {"FLOAT", "MINUS", "NOT", "ALL", "ANY", "EXISTS", "LBRACE", "IF", "TRY"}
    if _OPERATORS <= rest:
        parts.append("an operator")
        rest -= _OPERATORS | {"NOT", "MINUS"}
    parts.extend(sorted({names.get(t, _FRIENDLY.get(t, t)) for t in rest}))
    if not parts:
        return "something else"
    if len(parts) > 8:
        parts = parts[:8] + ["..."]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def _token_text(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    text = str(tok)
    if len(text) > 30:
        text = text[:27] + "..."
    return f"'{text}'"


def _syntax_error(err: UnexpectedInput, source: SourceFile, line: int, col: int, start: str,
                  end: tuple[int, int] | None = None) -> FlowSyntaxError:
    """Translate one lark error; (line, col) is where the parsed text starts in the file, ``end``
    the (line, col) just past it, relative to that start (where "unexpected end" points)."""

    def at(ln: int, c: int, width: int) -> Span:
        if ln == 1:
            c += col - 1
        return source.span_at(ln + line - 1, c, ln + line - 1, c + max(width, 1))

    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(err, UnexpectedToken):
        tok = err.token
        if tok.type == "$END" and start == "expr" and end is not None:
            span = at(*end, 1)  # the end of a ${...}: on its string, not at the end of the file
        elif tok.type == "$END" or not isinstance(tok.line, int) or tok.line < 1:
            span = source.end_span()
        else:
            span = at(tok.line, tok.column or 1, len(str(tok)))
        label = _label(err, start) if tok.type != "$END" else None
        if tok.type != "$END" and isinstance(tok.line, int) and tok.line >= 1:
            # A word the language does not have, read as a name: `for r in ...` fails at `r`.
            before = re.search(_WORD_BEFORE, source.line(span.line)[: span.col - 1])
            if before and before.group(1) in _UNSUPPORTED_WORDS:
                col0 = before.start(1) + 1
                word = source.span_at(span.line, col0, span.line, col0 + len(before.group(1)))
                return FlowSyntaxError(_UNSUPPORTED_WORDS[before.group(1)], word, CODE)
        expected = describe_expected(set(err.accepts or err.expected))
        what = "end of the ${...}" if tok.type == "$END" and start == "expr" and end is not None else _token_text(tok)
        message = f"unexpected {what}; expected {expected}"
        if label:
            message = f"{message} ({label})"
        return FlowSyntaxError(message, span, CODE)
    if isinstance(err, UnexpectedCharacters):
        ch = source.line(err.line + line - 1)[err.column + (col - 1 if err.line == 1 else 0) - 1 :][:1]
        span = at(err.line, err.column, 1)
        if ch == '"':
            message = "unterminated or malformed string (strings end on the same line; '${' needs a '}')"
        elif ch == "":
            message = "unexpected end of line"
        elif ch in _UNSUPPORTED_CHARS:
            message = _UNSUPPORTED_CHARS[ch]
        else:
            message = f"unexpected character {ch!r}"
        return FlowSyntaxError(message, span, CODE)
    return FlowSyntaxError(str(err).splitlines()[0], source.end_span(), CODE)  # pragma: no cover


@functools.cache
def _example_index() -> dict[tuple[Any, str], str]:
    """(LALR state, offending token type) of each known mistake → its label.

    lark's own ``match_examples`` compares whole parser stacks, so an example only matches
    at the same nesting depth; the current state and the token are what identify a mistake.
    """
    from lark.exceptions import UnexpectedInput, UnexpectedToken

    index: dict[tuple[Any, str], str] = {}
    for label, examples in _EXAMPLES.items():
        for text in examples:
            _TRANSFORMER.push(SourceFile("<example>", text))
            try:
                lark_parser().parse(text, start="flow")
            except UnexpectedToken as err:
                index.setdefault((err.state.position, err.token.type), label)
            except (UnexpectedInput, FlowSyntaxError):
                continue
            finally:
                _TRANSFORMER.pop()
    return index


def _label(err: UnexpectedToken, start: str) -> str | None:
    if start != "flow" or err.state is None:
        return None
    return _example_index().get((err.state.position, err.token.type))


@functools.cache
def _tables_current() -> bool:
    """Whether ``flowtables`` was generated from this grammar (a checkout whose grammar was edited
    without ``python -m smflow.dsl.tablegen`` parses with lark, as correct if slower)."""
    return grammar_text() == flowtables.GRAMMAR


def _parse(text: str, source: SourceFile, start: str, line: int = 1, col: int = 1) -> Any:
    if _tables_current():
        _TRANSFORMER.push(source, line, col)
        try:
            return lalr.parse(text, start, _TRANSFORMER)
        except lalr.MismatchError:
            pass  # not in the language: lark's parse of the same text says where and why
        finally:
            _TRANSFORMER.pop()
    from lark.exceptions import UnexpectedInput

    _TRANSFORMER.push(source, line, col)
    try:
        return lark_parser().parse(text, start=start)
    except UnexpectedInput as err:
        # Translated here, while the transformer still knows the file (computing what the
        # parser would have accepted replays reductions).
        last = text.rsplit("\n", 1)[-1]
        end = (text.count("\n") + 1, len(last) + 1)
        raise _syntax_error(err, source, line, col, start, end) from None
    finally:
        _TRANSFORMER.pop()


def _interpolation(text: str, source: SourceFile, line: int, col: int) -> ast.Expr:
    result: ast.Expr = _parse(text, source, "expr", line, col)
    return result


_TRANSFORMER = FlowTransformer(_interpolation)


# Characters that str.splitlines() treats as line breaks but lark does not count as lines.
_ODD_CHARS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_ODD_BREAKS = f"[{_ODD_CHARS}]"  # compiled only for a text that has one (0.5 ms, for the non-ASCII)
# Control characters no flow has a use for (tab and the line breaks are fine, the odd breaks above
# have their own message).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f]")


def _source(text: str, name: str) -> tuple[str, SourceFile]:
    """Normalise line ends (CRLF and lone CR become LF) so that lark's line numbers and the
    lines ``SourceFile`` shows agree; any other line-break character is refused."""
    text = text.removeprefix("\ufeff")  # a UTF-8 byte order mark, as some Windows editors write
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    source = SourceFile(name, text)
    control = _CONTROLS.search(text)
    if control:  # a NUL in a string would reach file() or a request: refused where it is
        line = text.count("\n", 0, control.start()) + 1
        col = control.start() - (text.rfind("\n", 0, control.start()) + 1) + 1
        raise FlowSyntaxError(f"unexpected control character U+{ord(control.group()):04X}",
                              source.span_at(line, col), CODE)
    odd = re.search(_ODD_BREAKS, text) if any(ch in text for ch in _ODD_CHARS) else None
    if odd:
        line = text.count("\n", 0, odd.start()) + 1
        col = odd.start() - (text.rfind("\n", 0, odd.start()) + 1) + 1
        raise FlowSyntaxError(f"unexpected character U+{ord(odd.group()):04X} (an unusual line break)",
                              source.span_at(line, col), CODE)
    return text, source


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large AST is built or checked.

    The tree is acyclic (frozen dataclasses and tuples), so reference counting frees it; but a
    10,000-step flow is a million live objects, and every full collection would walk all of them
    again, which made parse and check time grow faster than the flow. Restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_flow(text: str, name: str = "<flow>") -> ast.Flow:
    """Parse the text of a whole flow file, reported under ``name``."""
    text, source = _source(text, name)
    with paused_gc():
        result: ast.Flow = _parse(text, source, "flow")
    return result


def parse_expression(text: str, name: str = "<expr>") -> ast.Expr:
    """Parse one expression (used by tests)."""
    text, source = _source(text, name)
    result: ast.Expr = _parse(text, source, "expr")
    return result
