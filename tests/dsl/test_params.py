"""``--var`` values of a ``time`` param: the one conversion that needs ``datetime``, imported
where it is used (so that a check which sets no time param does not pay for it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from smflow.asm.types import ScalarType
from smflow.dsl.params import convert_var

TIME = ScalarType("time")


def test_a_time_without_an_offset_is_utc() -> None:
    assert convert_var("at", " 2026-01-02T03:04:05 ", TIME) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_a_time_with_an_offset_is_converted_to_utc() -> None:
    value = convert_var("at", "2026-01-02T03:04:05+02:00", TIME)
    assert value == datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert isinstance(value, datetime) and value.tzinfo is UTC


def test_a_time_that_is_not_one_names_the_param() -> None:
    with pytest.raises(ValueError, match=r"--var at='noon' is not a valid time \(for param 'at'\)"):
        convert_var("at", "noon", TIME)
