"""The on-disk cache of lark's grammar analysis: a parser loaded from it reads flows exactly like
a freshly built one, and a missing, damaged or unwritable cache only costs the build.

Each case runs in a fresh interpreter, since the parser is built once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Parses a good flow and a bad one; prints the AST and the error, so that runs can be compared.
SCRIPT = r"""
import sys
from smflow.dsl.parser import parse_flow
from smflow.errors import FlowSyntaxError
print(repr(parse_flow(open(sys.argv[1], encoding="utf-8").read(), "blue_green.flow")))
try:
    parse_flow('flow f\nstep "s" { f(a: 1 b: 2) }\n', "bad.flow")
except FlowSyntaxError as err:
    print(err)
"""


def _run(cache_dir: str) -> str:
    env = {**os.environ, "SMFLOW_CACHE_DIR": cache_dir}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT / "flows" / "blue_green.flow")],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "missing ',' between arguments" in done.stdout
    return done.stdout


def test_loaded_parser_reads_like_a_built_one(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    built = _run("")  # no cache at all
    cold = _run(str(cache_dir))  # builds, then saves
    assert [f.suffix for f in cache_dir.iterdir()] == [".lark-cache"]
    assert cache_dir.stat().st_mode & 0o777 == 0o700  # a pickle: only the user may write there
    warm = _run(str(cache_dir))  # loads
    assert cold == built
    assert warm == built


def test_an_empty_cache_dir_setting_turns_the_cache_off(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", "from smflow.dsl.parser import lark_parser; lark_parser()"],
                   env={**os.environ, "SMFLOW_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)},
                   check=True, timeout=120)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    built = _run("")
    _run(str(tmp_path))
    (cache,) = tmp_path.iterdir()
    good = cache.read_bytes()
    cache.write_bytes(good[: len(good) // 2])
    assert _run(str(tmp_path)) == built  # falls back to building...
    assert len(cache.read_bytes()) > len(good) // 2  # ...and writes a whole cache again
    assert _run(str(tmp_path)) == built


def test_an_unusable_cache_dir_only_costs_the_build(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    assert _run(str(blocker / "cache")) == _run("")
