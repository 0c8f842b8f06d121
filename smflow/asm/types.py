"""The type vocabulary shared by the operation catalogue, the client, and the flow checker.

A ``Type`` says what an operation argument accepts or what a result attribute holds. The checker
type-checks flow expressions against these; the client validates values against them before a
request is sent; ``smflow ops`` prints them. Result models (dataclasses in ``asm.models``) are
described by ``ModelType``, whose attributes are read from the dataclass itself so the model is
the one source of truth for ``old.name``-style attribute checks.
"""

from __future__ import annotations

import dataclasses
import types as _pytypes
import typing
from dataclasses import dataclass
from typing import Any, Union

__all__ = [
    "ANY",
    "BOOL",
    "DURATION",
    "INT",
    "STRING",
    "AnyType",
    "EnumType",
    "ListType",
    "MapType",
    "ModelType",
    "RecordType",
    "ScalarType",
    "Type",
    "attribute_names",
    "attribute_type",
    "describe",
]


@dataclass(frozen=True)
class ScalarType:
    """string, int, bool, float, or duration (flow-language only: seconds as a float)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class AnyType:
    """Unknown or dynamic: accepted anywhere, checked at run time."""

    def __str__(self) -> str:
        return "any"


@dataclass(frozen=True)
class EnumType:
    """A string restricted to fixed values; ``case_insensitive`` for slots (``staging``/``Staging``)."""

    values: tuple[str, ...]
    case_insensitive: bool = False

    def accepts(self, value: str) -> bool:
        if self.case_insensitive:
            return value.lower() in {v.lower() for v in self.values}
        return value in self.values

    def __str__(self) -> str:
        return "|".join(self.values)


@dataclass(frozen=True)
class ListType:
    item: Type

    def __str__(self) -> str:
        return f"list[{self.item}]"


@dataclass(frozen=True)
class MapType:
    """A string→string mapping (extended properties)."""

    def __str__(self) -> str:
        return "map[string, string]"


@dataclass(frozen=True)
class RecordField:
    name: str
    type: Type
    required: bool = False


@dataclass(frozen=True)
class RecordType:
    """A structured *argument* value written as ``{key: value}`` in a flow (e.g. a VM system config)."""

    name: str
    fields: tuple[RecordField, ...]

    def field(self, name: str) -> RecordField | None:
        return next((f for f in self.fields if f.name == name), None)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ModelType:
    """A result model: one of the dataclasses in ``smflow.asm.models``."""

    cls: type

    def __str__(self) -> str:
        return self.cls.__name__


Type = ScalarType | AnyType | EnumType | ListType | MapType | RecordType | ModelType

STRING = ScalarType("string")
INT = ScalarType("int")
FLOAT = ScalarType("float")
BOOL = ScalarType("bool")
DURATION = ScalarType("duration")
ANY = AnyType()


def _from_annotation(annotation: Any) -> Type:
    """Map a dataclass field annotation of a result model onto a ``Type``."""
    origin = typing.get_origin(annotation)
    if origin in (Union, _pytypes.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _from_annotation(args[0]) if len(args) == 1 else ANY
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return ListType(_from_annotation(item))
    if origin is dict:
        return MapType()
    if annotation is str:
        return STRING
    if annotation is bool:
        return BOOL
    if annotation is int:
        return INT
    if annotation is float:
        return FLOAT
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return ModelType(annotation)
    return ANY


def attribute_names(t: Type) -> list[str]:
    """The attribute names a value of type ``t`` has (for did-you-mean suggestions)."""
    if isinstance(t, ModelType):
        return [f.name for f in dataclasses.fields(t.cls) if not f.name.startswith("_")]
    if isinstance(t, RecordType):
        return [f.name for f in t.fields]
    return []


def attribute_type(t: Type, name: str) -> Type | None:
    """The type of ``value.name`` for a value of type ``t``; None if it has no such attribute.

    ``ANY`` has every attribute (its type is ANY), so dynamic values are checked at run time.
    """
    if isinstance(t, AnyType):
        return ANY
    if isinstance(t, ModelType):
        hints = typing.get_type_hints(t.cls)
        if name in hints and not name.startswith("_"):
            return _from_annotation(hints[name])
        return None
    if isinstance(t, RecordType):
        f = t.field(name)
        return f.type if f else None
    return None


def describe(t: Type) -> str:
    return str(t)
