"""``--var`` is read the same way by check, plan and run, and never echoes a value back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smflow.cli.options import parse_vars
from smflow.errors import UsageError

FLOW = Path(__file__).resolve().parents[2] / "flows" / "blue_green.flow"


def test_values_keep_their_equals_signs() -> None:
    assert parse_vars(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}


@pytest.mark.parametrize("item", ["S3cretValue", "=S3cretValue", "bad name=S3cretValue"])
def test_malformed_items_are_refused_without_echoing_the_value(item: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_vars([item])
    assert "S3cretValue" not in str(err.value) and "NAME=VALUE" in str(err.value)


def test_a_name_given_twice_is_refused() -> None:
    with pytest.raises(UsageError, match="given twice"):
        parse_vars(["a=1", "a=2"])


@pytest.mark.parametrize("command", ["check", "plan", "run"])
def test_every_command_refuses_the_same_way(command: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "smflow", command, str(FLOW), "--var", "S3cretValue"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--var expects NAME=VALUE" in done.stderr and "S3cretValue" not in done.stderr + done.stdout


def test_the_printable_ascii_shortcut_refuses_exactly_what_the_pattern_refuses() -> None:
    import re

    from smflow.cli.options import _NOT_XML

    pattern = re.compile(_NOT_XML)
    for code in [*range(0x3000), *range(0xD700, 0x10000), 0x10000, 0x1F600, 0x10FFFF]:
        char = chr(code)
        try:
            parse_vars([f"a=x{char}y"])
            accepted = True
        except UsageError:
            accepted = False
        assert accepted == (pattern.search(char) is None), hex(code)


def test_a_printable_ascii_value_is_checked_without_compiling_the_pattern() -> None:
    import re

    from smflow.cli.options import _NOT_XML

    re.purge()
    parse_vars(["package_url=https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg", "wait=90s"])
    assert not [key for key in re._cache if _NOT_XML in key]  # type: ignore[attr-defined]
