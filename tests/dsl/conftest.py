"""Golden files for the flow language: ``--update-goldens`` rewrites them from the current output.

Run ``python -m pytest tests/dsl --update-goldens`` after an intended change, then review the
diff of ``tests/dsl/cases`` like any other code change.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/dsl golden files (*.ast.json, *.err) from the current output")


class Golden:
    """Compare text with a golden file, or rewrite the file when asked to."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, path: Path, actual: str) -> None:
        if self.update:
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path.name}: run pytest tests/dsl --update-goldens and review it"
        assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-goldens", default=False)))
