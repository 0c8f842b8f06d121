"""The command line's parser wraps help exactly as argparse's own would, without importing shutil."""

from __future__ import annotations

import argparse
import shutil

import pytest

from smflow.cli.argparser import help_width
from smflow.cli.main import build_parser


@pytest.mark.parametrize("columns", [None, "57", "200", "0", "-3", "wide"])
def test_help_width_is_the_one_argparse_reads_from_shutil(columns: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert help_width() == shutil.get_terminal_size().columns - 2


@pytest.mark.parametrize("columns", ["40", "120"])
def test_every_commands_help_is_unchanged(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    ours = build_parser()
    theirs = build_parser()
    # The same parsers formatted by argparse's own formatter (which reads the width through shutil).
    for parser in [theirs, *theirs._subparsers._group_actions[0].choices.values()]:  # type: ignore[union-attr]
        parser._get_formatter = argparse.ArgumentParser._get_formatter.__get__(parser)  # type: ignore[method-assign]
    choices = ours._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert ours.format_help() == theirs.format_help()
    for name, sub in choices.items():
        assert sub.format_help() == theirs._subparsers._group_actions[0].choices[name].format_help(), name  # type: ignore[union-attr]
