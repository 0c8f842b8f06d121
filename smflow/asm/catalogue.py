"""The operation catalogue: the single source of truth about the Service Management API.

One ``OperationSpec`` per operation, named as in Microsoft's Python guide and SDK. The client
builds requests from it, the flow checker type-checks calls against it, ``smflow ops`` and
``smflow plan`` print it, and the emulator routes requests with it. Adding an operation is
adding one entry here (plus its XML in ``asm.xml`` and its handler in the emulator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from smflow.asm.types import Type

__all__ = ["Argument", "OperationSpec", "CATALOGUE", "get_operation", "operation_names"]

# What an operation does to the world, so the executor knows whether a blind retry is safe
# and how to read state back after an ambiguous failure.
Effect = Literal["read", "create", "update", "delete", "swap"]


@dataclass(frozen=True)
class Argument:
    """One argument of an operation, with the guide's name."""

    name: str
    type: Type
    required: bool = False
    default: object = None
    doc: str = ""
    # Where the value goes: "path" (a {name} in the path template), "query", "body", or
    # "none" (client-side only, e.g. it selects a query flag).
    location: Literal["path", "query", "body", "none"] = "body"
    secret: bool = False  # passwords, custom data: masked in plans, journals, cassettes
    # Extra constraints checked before any request (client and checker alike).
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None  # a full-match regular expression
    pattern_doc: str = ""  # how the pattern reads to a person ("3-24 lowercase letters and digits")


@dataclass(frozen=True)
class OperationSpec:
    """One ASM operation on the wire and in the flow language."""

    name: str
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str  # relative to /<subscription>/, with {argument} placeholders, e.g. "services/hostedservices/{service_name}"
    arguments: tuple[Argument, ...]
    asynchronous: bool  # the SDK returns a request id that the caller must poll
    effect: Effect
    result: Type | None = None  # ModelType for reads; None for writes
    body_root: str | None = None  # the request body's root element, e.g. "CreateHostedService"
    success_status: tuple[int, ...] = (200,)
    # Groups of arguments of which exactly one must be given (location / affinity_group).
    exactly_one_of: tuple[tuple[str, ...], ...] = ()
    doc: str = ""
    resource: str = ""  # what it acts on, for messages ("hosted service", "deployment")
    extra: dict[str, object] = field(default_factory=dict)

    def argument(self, name: str) -> Argument | None:
        return next((a for a in self.arguments if a.name == name), None)

    @property
    def required(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.required)


# Filled in below, in the order of Microsoft's guide.
CATALOGUE: dict[str, OperationSpec] = {}


def operation_names() -> list[str]:
    return list(CATALOGUE)


def get_operation(name: str) -> OperationSpec | None:
    return CATALOGUE.get(name)
