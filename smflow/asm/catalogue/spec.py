"""What an operation is (``OperationSpec``, ``Argument``) and the helpers the area tables share.

The tables themselves live in one module per API area beside this one, assembled in
``catalogue/__init__.py``. The rest of this docstring applies to every entry.

One ``OperationSpec`` per operation, named as in Microsoft's Python guide and SDK. The client
builds requests from it, the flow checker type-checks calls against it, ``smflow ops`` and
``smflow plan`` print it, and the emulator routes requests with it. Adding an operation is
adding one entry here (plus its XML in ``asm.xml`` and its handler in the emulator).

How the client builds a request from a spec:
- ``path`` is relative to ``/<subscription>/``; each ``{name}`` is replaced by the URL-quoted
  argument (``location="path"``). A path may carry a fixed query, kept verbatim with the
  service's trailing-slash quirk: ``.../deployments/{deployment_name}/?comp=config``.
- A ``location="query"`` argument with ``query_name`` is always sent as ``name=value``
  (booleans ``true``/``false``): ``?embed-detail=false``.
- A ``location="query"`` boolean with ``query_flag`` appends that literal only when true:
  ``delete_deployment(..., delete_vhd=True)`` → ``?comp=media``.
- ``location="body"`` arguments go in the XML body whose root is ``body_root`` (element names
  and order live in ``asm.xml``); ``location="none"`` ones only steer the client.

Every write returns ``AsynchronousOperationResult`` (its ``request_id`` can always be polled);
``asynchronous`` says whether the service answers 202 and the caller *must* poll before the
effect is visible. ``result`` is the model type the client returns for reads and
``AsynchronousOperationResult`` for writes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

from smflow.asm import models as m
from smflow.asm.types import BOOL, STRING, EnumType, ListType, MapType, ModelType, Type
from smflow.asm.validation import UNKNOWN, validate_arguments

__all__ = [
    "ACCOUNT_TYPE", "ASYNC_RESULT", "BASE64", "DEPLOYMENT_STATUS", "EXT", "MODE", "OS", "SLOT", "SLOT_ARG", "TREAT",
    "UNKNOWN", "WHERE", "Argument", "Effect", "OperationSpec", "configuration_arg", "description_arg", "label_arg",
    "listing", "path_arg", "read", "service_arg", "storage_arg", "validate_arguments", "write",
]

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
    query_name: str | None = None  # location="query": sent as query_name=value
    query_flag: str | None = None  # location="query", bool: this literal is appended when true
    secret_fields: frozenset[str] = frozenset()  # record fields to mask (user_password...)


@dataclass(frozen=True)
class OperationSpec:
    """One ASM operation on the wire and in the flow language."""

    name: str
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str  # relative to /<subscription>/, with {argument} placeholders, e.g. "services/hostedservices/{service_name}"
    arguments: tuple[Argument, ...]
    asynchronous: bool  # the service answers 202: the caller must poll the request id
    effect: Effect
    result: Type | None = None  # the model the client returns (AsynchronousOperationResult for writes)
    body_root: str | None = None  # the request body's root element, e.g. "CreateHostedService"
    success_status: tuple[int, ...] = (200,)
    # Groups of arguments of which exactly one must be given (location / affinity_group).
    exactly_one_of: tuple[tuple[str, ...], ...] = ()
    # Groups of arguments of which at least one must be given (update: label or description).
    at_least_one_of: tuple[tuple[str, ...], ...] = ()
    doc: str = ""
    resource: str = ""  # what it acts on, for messages ("hosted service", "deployment")
    extra: dict[str, object] = field(default_factory=dict)
    # "management": the Service Management API (path relative to /<subscription>/); "blob": a
    # storage account's blob service, reached through its own endpoint and key (``catalogue.blob``).
    plane: Literal["management", "blob"] = "management"

    def argument(self, name: str) -> Argument | None:
        return self._by_name.get(name)

    @functools.cached_property
    def _by_name(self) -> dict[str, Argument]:
        """Arguments by name, the first of a name winning (looked up for every argument of
        every request and every checked call)."""
        by_name: dict[str, Argument] = {}
        for a in self.arguments:
            by_name.setdefault(a.name, a)
        return by_name

    @property
    def shown_path(self) -> str:
        """The path as people read it: under the subscription, or under the account's blob endpoint."""
        return ("<blob endpoint>/" if self.plane == "blob" else "/<subscription-id>/") + self.path

    @property
    def required(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.required)


# --- argument helpers -------------------------------------------------------------------------

SLOT = EnumType(("staging", "production"), case_insensitive=True)
DEPLOYMENT_STATUS = EnumType(("Running", "Suspended"))
OS = EnumType(("Linux", "Windows"))
MODE = EnumType(("Auto", "Manual"))
ACCOUNT_TYPE = EnumType(("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Premium_LRS"))
BASE64 = r"[A-Za-z0-9+/=\s]*"
ASYNC_RESULT = ModelType(m.AsynchronousOperationResult)


def path_arg(name: str, doc: str = "") -> Argument:
    return Argument(name, STRING, required=True, location="path", doc=doc, min_length=1)


def service_arg(doc: str = "name of the hosted service") -> Argument:
    return path_arg("service_name", doc)


def storage_arg(doc: str = "name of the storage account") -> Argument:
    return Argument(
        "service_name", STRING, required=True, location="path", doc=doc,
        pattern="[a-z0-9]{3,24}", pattern_doc="3 to 24 lowercase letters and digits",
    )


def label_arg(required: bool = True, doc: str = "a name for people (sent base64-encoded)") -> Argument:
    return Argument("label", STRING, required=required, doc=doc, max_length=100)


def description_arg(required: bool = False) -> Argument:
    return Argument("description", STRING, required=required, doc="free text", max_length=1024)


def configuration_arg(doc: str = "ServiceConfiguration (.cscfg), base64-encoded by the caller: base64(file(...))") -> Argument:
    return Argument(
        "configuration", STRING, required=True, doc=doc, pattern=BASE64,
        pattern_doc="base64 text; encode the .cscfg with base64(...)",
    )


SLOT_ARG = Argument("deployment_slot", SLOT, required=True, location="path", doc="staging or production")
EXT = Argument("extended_properties", MapType(), doc="name/value pairs (up to 50)")
TREAT = Argument("treat_warnings_as_error", BOOL, default=False, doc="fail on package warnings")
WHERE = (("location", "affinity_group"),)


def read(name: str, path: str, args: tuple[Argument, ...], result: Type, resource: str, doc: str) -> OperationSpec:
    return OperationSpec(name, "GET", path, args, asynchronous=False, effect="read", result=result,
                         resource=resource, doc=doc)


def listing(name: str, path: str, model: type, resource: str, doc: str) -> OperationSpec:
    return read(name, path, (), ListType(ModelType(model)), resource, doc)


def write(
    name: str, method: Literal["POST", "PUT", "DELETE"], path: str, args: tuple[Argument, ...], *,
    effect: Effect, asynchronous: bool, status: tuple[int, ...], resource: str, doc: str,
    body_root: str | None = None, exactly_one_of: tuple[tuple[str, ...], ...] = (),
    at_least_one_of: tuple[tuple[str, ...], ...] = (),
) -> OperationSpec:
    return OperationSpec(
        name, method, path, args, asynchronous=asynchronous, effect=effect, result=ASYNC_RESULT,
        body_root=body_root, success_status=status, exactly_one_of=exactly_one_of,
        at_least_one_of=at_least_one_of, doc=doc, resource=resource,
    )


