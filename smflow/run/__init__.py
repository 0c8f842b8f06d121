"""Running flows: ``run_flow`` and its ``RunResult`` (the executor, retries, polling, journal).

Loaded lazily so that importing ``smflow.run.clock`` (or the pytest plugin) does not pull in the
language, the client and the emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smflow.run.api import RunResult, StepResult, run_flow

__all__ = ["RunResult", "StepResult", "run_flow"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from smflow.run import api

        return getattr(api, name)
    raise AttributeError(f"module 'smflow.run' has no attribute {name!r}")
