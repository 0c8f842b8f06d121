"""The command line compiles dataclass methods once per machine (``smflow.classcache``): a warm
start compiles none, the classes are exactly those ``dataclasses`` makes, a damaged cache file
is ignored and rewritten, no cache directory means no cache, and importing smflow as a library
replaces nothing. Each case runs in a fresh interpreter (the replacement is process-wide).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOW = str(ROOT / "flows" / "blue_green.flow")

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the cache reproduces Python 3.11's dataclasses")

# Run the CLI, then report what the cache did (no import of our own after it).
CLI = """
import sys
from smflow.cli.main import main
code = main(sys.argv[1:])
from smflow import classcache
print("STATS", code, *classcache.stats())
"""

# Classes covering what dataclasses generates (defaults, factories, frozen, order, kw_only, slots,
# InitVar, __post_init__, unsafe_hash), made once with and once without the cache: same code, same behaviour.
SAME = """
import dataclasses
from dataclasses import InitVar, dataclass, field

def make():
    @dataclass(frozen=True, order=True)
    class A:
        x: int
        y: str = "y"
        z: tuple = ()
    @dataclass(kw_only=True, slots=True)
    class B:
        a: list = field(default_factory=list)
        b: int = field(default=3, repr=False, compare=False)
    @dataclass(unsafe_hash=True)
    class C:
        n: int
        scale: InitVar[int] = 2
        def __post_init__(self, scale):
            self.n *= scale
    return A, B, C

def fingerprint(classes):
    out = []
    for cls in classes:
        for name in sorted(vars(cls)):
            fn = vars(cls)[name]
            if callable(fn) and hasattr(fn, "__code__") and fn.__code__.co_filename == "<string>":
                code = fn.__code__
                out.append((cls.__name__, name, code, code.co_filename, code.co_firstlineno, code.co_qualname))
    return out

def behaviour(classes):
    A, B, C = classes
    a = A(1)
    try:
        a.x = 2
        frozen = False
    except dataclasses.FrozenInstanceError:
        frozen = True
    return (repr(a), a == A(1), A(1) < A(2), hash(a) == hash(A(1)), frozen, repr(B(a=[1])), B() == B(b=9),
            C(3).n, repr(C(3, 5)), hash(C(2)) == hash(C(1, 4)), A.__init__.__annotations__, B.__init__.__annotations__)

plain = make()
from smflow import classcache
assert classcache.install()
cold = make()
warm = make()
assert fingerprint(plain) == fingerprint(cold) == fingerprint(warm), "generated code differs"
assert behaviour(plain) == behaviour(cold) == behaviour(warm), (behaviour(plain), behaviour(cold))
hits, compiled = classcache.stats()
assert compiled > 0 and hits >= compiled, (hits, compiled)
print("SAME")
"""


def _run(code: str, *args: str, cache: Path | str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMFLOW_")}
    env["SMFLOW_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def _stats(done: subprocess.CompletedProcess[str]) -> tuple[int, int, int]:
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("STATS "))
    code, hits, compiled = (int(word) for word in line.split()[1:])
    return code, hits, compiled


def _cache_file(cache: Path) -> Path:
    files = list(cache.glob("dataclasses-*.marshal"))
    assert len(files) == 1, files
    return files[0]


def test_a_warm_start_compiles_no_dataclass_method(tmp_path: Path) -> None:
    cold = _run(CLI, "check", FLOW, cache=tmp_path)
    code, _, compiled = _stats(cold)
    assert code == 0 and compiled > 50  # the AST, models and types of a check
    assert _cache_file(tmp_path).stat().st_size > 0
    warm = _run(CLI, "check", FLOW, cache=tmp_path)
    code, hits, compiled = _stats(warm)
    assert (code, compiled) == (0, 0) and hits > 50
    def output(done: subprocess.CompletedProcess[str]) -> tuple[list[str], str]:
        return [line for line in done.stdout.splitlines() if not line.startswith("STATS ")], done.stderr

    assert output(warm) == output(cold)


def test_cached_classes_are_the_classes_dataclasses_makes(tmp_path: Path) -> None:
    done = _run(SAME, cache=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "SAME", done.stderr


def test_a_damaged_cache_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    _stats(_run(CLI, "check", FLOW, cache=tmp_path))
    path = _cache_file(tmp_path)
    good = path.read_bytes()
    for damage in (good[: len(good) // 2], b"not marshal at all", b""):
        path.write_bytes(damage)
        code, _, compiled = _stats(_run(CLI, "check", FLOW, cache=tmp_path))
        assert code == 0 and compiled > 50
        assert _stats(_run(CLI, "check", FLOW, cache=tmp_path))[2] == 0  # rewritten whole
    assert not list(tmp_path.glob("*.tmp"))


def test_no_cache_directory_means_no_cache(tmp_path: Path) -> None:
    code, hits, compiled = _stats(_run(CLI, "check", FLOW, cache=""))
    assert (code, hits, compiled) == (0, 0, 0)  # not installed: dataclasses compiles as usual


def test_importing_smflow_as_a_library_replaces_nothing(tmp_path: Path) -> None:
    done = _run("import dataclasses; f = dataclasses._create_fn\n"
                "import smflow.dsl.checker, smflow.run.api, smflow.classcache\n"
                "assert dataclasses._create_fn is f; print('UNCHANGED')", cache=tmp_path)
    assert done.stdout.strip() == "UNCHANGED", done.stderr
    assert not list(tmp_path.glob("dataclasses-*"))


def test_each_smflow_version_has_its_own_file_and_stale_ones_go(tmp_path: Path) -> None:
    """An upgrade does not load (or grow) the old version's table; a file of another version that no
    process has rewritten for 30 days is removed when a table is saved, a recent one is kept."""
    import smflow

    stale = tmp_path / "dataclasses-v1-cpython-311-7-0.0.1.marshal"
    recent = tmp_path / "dataclasses-v1-cpython-311-7-0.0.2.marshal"
    for other in (stale, recent):
        other.write_bytes(b"not ours to load")
    old = 1_000_000_000  # 2001
    os.utime(stale, (old, old))
    code, _, compiled = _stats(_run(CLI, "check", FLOW, cache=tmp_path))
    assert code == 0 and compiled > 50
    ours = [p.name for p in tmp_path.glob("dataclasses-*.marshal") if p not in (stale, recent)]
    assert ours == [f"dataclasses-v1-{sys.implementation.cache_tag}-{sys.version_info.micro}-{smflow.__version__}.marshal"]
    assert not stale.exists() and recent.read_bytes() == b"not ours to load"
