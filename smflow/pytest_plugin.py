"""The smflow pytest plugin: test your own runbooks by replaying them from cassettes.

Installed with smflow (entry point ``pytest11``), so it loads in every pytest run of a repo that
has smflow: importing it costs nothing and does nothing; smflow itself is imported lazily,
inside the fixtures. In a test::

    @pytest.mark.smflow_flow("flows/blue_green.flow", vars={"package_url": "https://..."})
    def test_release(smflow_replay):
        result = smflow_replay()                 # cassettes/blue_green.yaml, offline, instant
        assert result.status == "succeeded"

    def test_other(smflow_replay):
        result = smflow_replay("flows/rollback.flow", cassette="cassettes/rollback_drill.yaml")

Paths are relative to the pytest rootdir; the cassette defaults to
``<smflow_cassette_dir>/<flow stem>.yaml`` (ini option, default ``cassettes``). Vars default to
those the cassette was recorded with (``vars`` given here win); secret params are never in a
cassette, so those are always given. Run pytest with
``--smflow-record`` to re-record every cassette these tests use against a fresh local emulator
(no latency) and then replay it, instead of replaying the committed one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from smflow.emulator.server import EmulatorServer  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = ["pytest_addoption", "pytest_configure", "smflow_emulator", "smflow_replay"]

MARKER = "smflow_flow"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("smflow", "smflow runbook replays")
    group.addoption(
        "--smflow-record",
        action="store_true",
        default=False,
        help="re-record the cassettes used by smflow_replay against a local emulator, then replay them",
    )
    parser.addini("smflow_cassette_dir", "directory of smflow cassettes, relative to the rootdir", default="cassettes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(path, cassette=None, vars={{}}): the flow, cassette and vars smflow_replay uses by default",
    )


@pytest.fixture
def smflow_emulator() -> Iterator[EmulatorServer]:
    """A local ASM emulator on 127.0.0.1 (random port, no latency), stopped after the test."""
    from smflow.emulator.server import EmulatorServer  # type: ignore[import-untyped,import-not-found,unused-ignore]

    server = EmulatorServer(latency=0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _marker_defaults(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return {}
    if len(marker.args) > 1 or set(marker.kwargs) - {"path", "cassette", "vars"}:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}(path, cassette=None, vars={{}}): got {marker.args!r} {marker.kwargs!r}")
    defaults = dict(marker.kwargs)
    if marker.args:
        defaults["path"] = marker.args[0]
    return defaults


def _short(path: Path) -> Path:
    """Relative to the working directory when inside it: drift messages and cassettes name
    ``flows/x.flow``, not an absolute path of one machine."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


@pytest.fixture
def smflow_replay(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``smflow_replay(flow=None, cassette=None, vars=None) -> RunResult``, offline from a cassette."""
    config = request.config
    root = Path(config.rootpath)
    cassette_dir = root / str(config.getini("smflow_cassette_dir"))
    defaults = _marker_defaults(request)
    journals = Path(request.getfixturevalue("tmp_path")) / "smflow-runs"  # never the user's .smflow/

    def replay(flow: str | Path | None = None, cassette: str | Path | None = None, vars: Mapping[str, Any] | None = None) -> Any:
        __tracebackhide__ = True  # a failing replay shows the flow error, not the plugin
        from smflow.run.api import run_flow  # type: ignore[import-untyped,import-not-found,unused-ignore]

        flow = flow if flow is not None else defaults.get("path")
        if flow is None:
            raise pytest.UsageError(f"smflow_replay() needs a flow: pass one or mark the test @pytest.mark.{MARKER}(path)")
        flow_path = _short(root / flow)
        chosen = cassette if cassette is not None else defaults.get("cassette")
        cassette_path = _short(root / chosen if chosen is not None else cassette_dir / f"{flow_path.stem}.yaml")
        values = dict(vars if vars is not None else defaults.get("vars") or {})
        if config.getoption("smflow_record"):
            from smflow.emulator.server import EmulatorServer  # type: ignore[import-untyped,import-not-found,unused-ignore]

            server = EmulatorServer(latency=0)
            endpoint = server.start()
            try:
                run_flow(flow_path, vars=values, endpoint=endpoint, record=cassette_path, assume_yes=True,
                         journal_dir=journals)
            finally:
                server.stop()
        return run_flow(flow_path, vars=values, replay=cassette_path, assume_yes=True, journal_dir=journals)

    return replay
