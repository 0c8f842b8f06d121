"""The flows in ``flows/`` and the ``smflow init`` template are in the canonical layout
(``smflow fmt --check`` passes on them: users copy them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.fmt import format_text

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "flows").glob("*.flow")) + [ROOT / "smflow" / "scaffold" / "templates" / "release.flow"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_flow_is_formatted(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert format_text(text, filename=str(path)) == text
