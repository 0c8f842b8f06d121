"""The AST helpers the executor and checker rely on: ``children`` and ``walk`` order."""

from __future__ import annotations

import dataclasses

import pytest

from smflow.dsl import ast
from smflow.source import SourceFile

SRC = SourceFile("t.flow", "x\n")
S = SRC.span_at(1, 1)


def test_walk_visits_every_node_in_source_order() -> None:
    call = ast.Call(S, "get_hosted_service_properties", S, (ast.Arg(S, "service_name", S, ast.Name(S, "svc")),))
    cond = ast.BinaryOp(S, "and", ast.Exists(S, call), ast.UnaryOp(S, "not", ast.Bool(S, False)), S)
    stmt = ast.IfStmt(S, cond, (ast.LogStmt(S, ast.String(S, ("hi ", ast.Name(S, "x")))),), ())
    kinds = [type(n).__name__ for n in ast.walk(stmt)]
    assert kinds == [
        "IfStmt", "BinaryOp", "Exists", "Call", "Arg", "Name", "UnaryOp", "Bool", "LogStmt", "String", "Name",
    ]


def test_nodes_are_frozen_and_carry_a_span() -> None:
    node = ast.Name(S, "a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "b"  # type: ignore[misc]
    for name in ast.__all__:
        cls = getattr(ast, name)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            assert dataclasses.fields(cls)[0].name == "span", name


def test_string_plainness() -> None:
    assert ast.String(S, ("a", "b")).is_plain
    assert ast.String(S, ("a", "b")).text == "ab"
    assert not ast.String(S, ("a", ast.Name(S, "x"))).is_plain
