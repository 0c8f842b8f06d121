"""The evaluator: every expression form, operation calls through the callback, run-time errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smflow.dsl import ast
from smflow.dsl.evaluate import Evaluator, to_text
from smflow.dsl.parser import parse_expression
from smflow.errors import FlowRuntimeError, NotFoundError

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


@dataclass
class Instance:
    instance_status: str


@dataclass
class Deployment:
    name: str
    role_instance_list: list[Instance] = field(default_factory=list)
    upgrade_status: Any = None


class Calls:
    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, call: ast.Call, args: dict[str, Any]) -> Any:
        self.seen.append((call.name, args))
        if call.name == "get_hosted_service_properties" and args["service_name"] == "missing":
            raise NotFoundError("no such service", status=404)
        return Deployment("v1", [Instance("ReadyRole"), Instance("ReadyRole")])


def ev(text: str, tmp_path: Path | None = None, **scope: Any) -> Any:
    calls = Calls()
    evaluator = Evaluator(dict(scope), calls, tmp_path or Path("."), lambda: NOW, environ={"HOME": "/home/op"})
    return evaluator.evaluate(parse_expression(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1), ("1.5", 1.5), ("true", True), ("null", None), ("90s", 90.0), ("-3", -3),
        ('[1, "a"]', [1, "a"]), ("{a: 1, b: [2]}", {"a": 1, "b": [2]}),
        ('"n=${n} ok=${ok} none=${none} d=${2m}"', "n=3 ok=true none=null d=120"),
        ("n > 2 and not ok or false", False), ("n in [1, 2, 3]", True), ('"x" not in names', True),
        ("1m > 59s", True), ('upper("ab")', "AB"), ('lower("AB")', "ab"),
        ('length(names)', 2), ('env("HOME")', "/home/op"), ('env("NOPE", "dflt")', "dflt"),
        ('base64("hi")', "aGk="), ("now()", NOW), ("names[-1]", "b"), ('{k: "v"}.k', "v"),
    ],
)
def test_values(text: str, expected: Any) -> None:
    assert ev(text, n=3, ok=True, none=None, names=["a", "b"]) == expected


def test_calls_go_through_the_callback_with_evaluated_arguments() -> None:
    calls = Calls()
    evaluator = Evaluator({"svc": "s1"}, calls, Path("."), lambda: NOW)
    expr = parse_expression('all(get_deployment_by_slot(service_name: svc, deployment_slot: "staging")'
                            '.role_instance_list, i => i.instance_status == "ReadyRole")')
    assert evaluator.evaluate(expr) is True
    assert calls.seen == [("get_deployment_by_slot", {"service_name": "s1", "deployment_slot": "staging"})]
    assert "i" not in evaluator.scope


def test_exists_is_false_on_404_only() -> None:
    assert ev('exists get_hosted_service_properties(service_name: "missing")') is False
    assert ev('exists get_hosted_service_properties(service_name: "there")') is True


def test_any_and_all_on_empty_lists() -> None:
    assert ev("all([], x => false)") is True
    assert ev("any([], x => true)") is False


def test_file_reads_relative_to_base_dir(tmp_path: Path) -> None:
    (tmp_path / "c.cscfg").write_text("<cfg/>", encoding="utf-8")
    assert ev('file("c.cscfg")', tmp_path) == "<cfg/>"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("names[5]", "index 5 is out of range"),
        ("none.name", "cannot read '.name' of null"),
        ("d.nmae", "has no attribute 'nmae'"),
        ('file("nope.txt")', "cannot read file"),
        ('env("NOPE")', "NOPE is not set"),
        ("unbound", "'unbound' has no value"),
        ('n < "a"', "cannot apply '<'"),
        ('names["x"]', "an index must be an int"),
    ],
)
def test_runtime_errors_are_flow_errors_with_a_span(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(FlowRuntimeError) as info:
        ev(text, tmp_path, names=["a"], none=None, n=1, d=Deployment("x"))
    assert message in info.value.message
    assert info.value.exit_code == 1
    assert info.value.span.line == 1


def test_to_text() -> None:
    assert to_text(True) == "true"
    assert to_text(30.0) == "30"
    assert to_text([1, None]) == "[1, null]"


@pytest.mark.parametrize("kind", ["fifo", "device", "too big"])
def test_file_refuses_what_is_not_a_small_regular_file(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from smflow.dsl import evaluate
    from smflow.errors import FlowError

    if kind == "fifo":
        os.mkfifo(tmp_path / "x")  # no writer: a plain open() would wait for one forever
        name, why = "x", "not a regular file (it is a FIFO)"
    elif kind == "device":
        name, why = "/dev/zero", "not a regular file (it is a character device)"
    else:
        (tmp_path / "x").write_text("y" * 2048)
        monkeypatch.setattr(evaluate, "MAX_FILE_BYTES", 1024)
        name, why = "x", "2048 bytes, over the 1024-byte limit"
    with pytest.raises(FlowError) as info:
        ev(f'file("{name}")', tmp_path)
    assert why in info.value.message and name in info.value.message
    assert info.value.code == "FileRefused" and info.value.exit_code == 2 and info.value.span.col == 1
