"""The starter layout ``smflow init`` writes into a user's repository.

Users adopt a runbook tool by copying a working example, so the starter is one: a blue/green
flow that passes ``check --strict``, the procedures it uses (``flows/lib/common.flow``), its
service configuration, the cassette of a run of it
(recorded here, at init time, against an in-process emulator, so the test passes at once), and
a pytest module that replays it through the smflow plugin.

Nothing a user already has is ever overwritten: every target is checked before the first write,
and one that exists stops the whole init (``UsageError`` naming it) unless ``force`` is given.
The cassette is recorded in a scratch directory first, so a failed recording writes nothing.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from smflow.durable import atomic_write
from smflow.errors import FlowFailedError, UsageError

__all__ = ["PACKAGE_URL", "STARTER_FILES", "Written", "write_starter"]

# The package the starter cassette is recorded with (the emulator never fetches it).
PACKAGE_URL = "https://myaccount.blob.core.windows.net/packages/app-v1.cspkg"

FLOW = "flows/release.flow"
CASSETTE = "cassettes/release.yaml"

# Layout path -> template in smflow/scaffold/templates (the cassette is recorded, not copied).
STARTER_FILES: dict[str, str] = {
    FLOW: "release.flow",
    "flows/lib/common.flow": "common.flow",
    "flows/ServiceConfiguration.cscfg": "ServiceConfiguration.cscfg",
    "tests/test_runbooks.py": "test_runbooks.py.tmpl",
    CASSETTE: "",
}


@dataclass(frozen=True)
class Written:
    path: Path  # where it went
    replaced: bool  # it existed and --force replaced it


def _template(name: str) -> str:
    text = resources.files("smflow.scaffold").joinpath("templates", name).read_text(encoding="utf-8")
    return text.replace("__PACKAGE_URL__", PACKAGE_URL)


def _check_targets(directory: Path, force: bool) -> dict[str, bool]:
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"smflow init: {directory} exists and is not a directory")
    if directory.is_symlink() and not directory.exists():
        raise UsageError(f"smflow init: {directory} is a symbolic link that cannot be followed")
    existing: dict[str, bool] = {}
    for rel in STARTER_FILES:
        target = directory / rel
        if target.is_dir():
            raise UsageError(f"smflow init: {target} is a directory; move it away first")
        existing[rel] = target.exists()
        if existing[rel] and not force:
            raise UsageError(f"smflow init: {target} already exists; nothing was written (--force overwrites it)")
    return existing


def _record(scratch: Path) -> None:
    """Run the starter flow against a fresh in-process emulator, recording ``CASSETTE``."""
    from smflow.emulator.server import EmulatorServer
    from smflow.run.api import run_flow

    with EmulatorServer(latency=0) as server, contextlib.chdir(scratch):
        # Relative paths, so the cassette names flows/release.flow and not this scratch dir.
        result = run_flow(Path(FLOW), vars={"package_url": PACKAGE_URL}, endpoint=server.url,
                          record=Path(CASSETTE), assume_yes=True, journal_dir=scratch / ".runs")
    if not result.ok:
        raise FlowFailedError(
            f"smflow init: recording {CASSETTE} failed in step '{result.failed_step}': {result.error}; nothing was written"
        )


def write_starter(directory: str | Path, *, force: bool = False) -> list[Written]:
    """Write the starter layout under ``directory`` (created if missing) and return what was written."""
    directory = Path(directory)
    existing = _check_targets(directory, force)
    with tempfile.TemporaryDirectory(prefix="smflow-init-") as tmp:
        scratch = Path(tmp)
        for rel, template in STARTER_FILES.items():
            if template:
                (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                (scratch / rel).write_text(_template(template), encoding="utf-8")
        _record(scratch)
        written: list[Written] = []
        for rel in STARTER_FILES:
            target = directory / rel
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, (scratch / rel).read_bytes())
            except OSError as exc:
                raise UsageError(f"smflow init: cannot write {target}: {exc.strerror or exc}") from None
            written.append(Written(target, existing[rel]))
    return written
