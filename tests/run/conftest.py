"""Fixtures for executor tests: an emulator on loopback sharing a virtual clock with the run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smflow.run.clock import VirtualClock

EMULATOR_SUB = "00000000-0000-0000-0000-000000000000"


class Emu:
    """An in-process emulator whose operation clock is the test's VirtualClock."""

    def __init__(self, clock: VirtualClock, **kwargs: Any) -> None:
        from smflow.emulator.server import EmulatorServer

        self.clock = clock
        self.server = EmulatorServer(clock=clock.monotonic, **kwargs)
        self.url = self.server.start()

    def client(self) -> Any:
        from smflow.asm.client import ServiceManagementClient

        return ServiceManagementClient(EMULATOR_SUB, endpoint=self.url, timeout=10.0)

    def ops(self, kind: str, status: str | None = None) -> int:
        """How many operations of ``kind`` the emulator applied (the duplicate detector)."""
        sub = self.server.state.subscription(EMULATOR_SUB)
        return sum(1 for op in sub.operations.values() if op.kind == kind and (status is None or op.status == status))


@pytest.fixture
def emulator() -> Iterator[Callable[..., Emu]]:
    made: list[Emu] = []

    def make(clock: VirtualClock | None = None, **kwargs: Any) -> Emu:
        emu = Emu(clock or VirtualClock(), **kwargs)
        made.append(emu)
        return emu

    yield make
    for emu in made:
        emu.server.stop()


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    return tmp_path / "runs"
