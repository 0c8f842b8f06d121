"""``smflow run FLOW --setup SETUP.flow``: run a setup flow first, on the same embedded emulator.

A flow that assumes an existing service (a live production to swap out) fails on the default
target, which starts empty. A setup flow creates what it assumes, in the same emulator, just
before the flow runs: one command, no standalone emulator to start and stop. The setup is a
run of its own (its journal lives in a temporary directory and goes with it: once it has
succeeded, what it made is in the emulator's state, which the main run keeps beside its own
journal, so a resumed run starts from it). It gets the ``--var`` values of the params it
declares. If it fails, the flow does not run.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smflow.errors import SmflowError, UsageError
from smflow.run import flowplan

__all__ = ["run_setup"]


def run_setup(setup: Path, *, endpoint: str, given_vars: Mapping[str, Any], emulator_latency: float | None,
              assume_yes: bool, lock_dir: Path | None) -> None:
    """Run ``setup`` against the embedded emulator at ``endpoint``; ``UsageError`` if it fails."""
    from smflow.run.api import run_flow  # the front door, as for any run

    try:
        text = setup.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--setup {setup}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--setup {setup}: not UTF-8 text") from None
    declared = {p.name for p in flowplan.parse(text, str(setup)).params}
    with tempfile.TemporaryDirectory(prefix="smflow-setup-") as journals:
        try:
            result = run_flow(setup, vars={k: v for k, v in given_vars.items() if k in declared},
                              endpoint=endpoint, emulator_latency=emulator_latency, assume_yes=assume_yes,
                              journal_dir=Path(journals), lock_dir=lock_dir)
        except SmflowError as err:
            raise UsageError(f"--setup {setup}: {err}") from None
    if not result.ok:
        raise UsageError(f"--setup {setup} failed at step '{result.failed_step}': {result.error}; "
                         "the flow was not run")
