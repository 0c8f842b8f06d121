"""A string builtin that cuts or rewrites a secret is refused at run time, and nothing leaks.

The masker hides a secret and its encodings, not a piece or a rewrite of it (``replace(pw, "a",
"b")``, ``trim``, ``split``, a slice): such a value could not be masked, so the builtin fails the
step instead of returning it. Concatenation, ``join`` and the tests (``contains`` ...) keep the
secret whole or give a bool, so they stay allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.run.api import run_flow
from smflow.run.events import Event

from .oracle import files_under, hits

PW = "Hunter22q-Zebra"
FLOW = """\
flow strsec "a string builtin over a secret"
secret param pw : string
step "use" {{
    v = {expr}
    log "got ${{v}}"
}}
"""


@pytest.mark.parametrize("expr", [
    'replace(pw, "Zebra", "Horse")', 'trim("  ${pw}  ")', 'split(pw, "-")', "pw[2:]", "pw[0]",
    'url_host("https://${pw}.example.com/")',
])
def test_a_secret_cut_or_rewritten_fails_the_step_and_leaks_nothing(expr: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flow = tmp_path / "strsec.flow"
    flow.write_text(FLOW.format(expr=expr))
    events: list[Event] = []
    result = run_flow(flow, vars={"pw": PW}, journal_dir=tmp_path / "runs", on_event=events.append)
    assert result.status == "failed"
    assert result.error is not None and "cannot be masked" in result.error
    pieces = {"Hunter22q-Horse", "Hunter22q", "nter22q-Zebra", "unter22q-Zebra"}
    streams = repr(result) + "".join(repr(e) for e in events)
    assert not [p for p in pieces if p in streams]
    assert hits({"pw": PW}, files_under(tmp_path / "runs")) == []


@pytest.mark.parametrize(("expr", "shown"), [
    ('join([pw, "x"], "-")', "got ***-x"), ('contains(pw, "Zebra")', "got true"), ('pw + "!"', "got ***!"),
])
def test_a_secret_kept_whole_is_masked_as_before(expr: str, shown: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    flow = tmp_path / "strsec.flow"
    flow.write_text(FLOW.format(expr=expr))
    events: list[Event] = []
    result = run_flow(flow, vars={"pw": PW}, journal_dir=tmp_path / "runs", on_event=events.append)
    assert result.ok, result.error
    assert any(shown in repr(e) for e in events)
    assert PW not in repr(result) + "".join(repr(e) for e in events)
