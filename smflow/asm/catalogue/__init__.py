"""The operation catalogue: the single source of truth about the Service Management API.

One ``OperationSpec`` per operation, named as in Microsoft's Python guide and SDK. The client
builds requests from it, the flow checker type-checks calls against it, ``smflow ops`` and
``smflow plan`` print it, and the emulator routes requests with it. The entries live in one module
per API area (``compute``, ``vm``, ``storage``, ``images``, ``network``, ``subscription``...);
``AREAS`` below is the one list that assembles them, so adding an operation is one entry in its
area's ``SPECS`` (plus its XML in ``asm.bodies`` and its handler in the emulator). What a spec
means, field by field, is in ``catalogue.spec``.
"""

from __future__ import annotations

from types import ModuleType

from smflow.asm.catalogue import (
    blob,
    certificates,
    compute,
    disks,
    images,
    network,
    roles,
    storage,
    subscription,
    vm,
    vm_images,
)
from smflow.asm.catalogue.spec import UNKNOWN, Argument, Effect, OperationSpec, validate_arguments

__all__ = [
    "AREAS",
    "CATALOGUE",
    "DATA_PLANE",
    "UNKNOWN",
    "Argument",
    "Effect",
    "OperationSpec",
    "all_operations",
    "get_operation",
    "operation_names",
    "validate_arguments",
]

# The API areas, in the order ``smflow ops`` lists them.
AREAS: tuple[ModuleType, ...] = (subscription, compute, storage, images, vm, roles, disks, certificates, vm_images, network)


def _assemble() -> dict[str, OperationSpec]:
    catalogue: dict[str, OperationSpec] = {}
    for area in AREAS:
        for spec in area.SPECS:
            if spec.name in catalogue:
                raise ValueError(f"operation {spec.name} is declared twice (in {area.__name__})")
            catalogue[spec.name] = spec
    return catalogue


CATALOGUE: dict[str, OperationSpec] = _assemble()


# The data-plane operations (a storage account's blob service, ``catalogue.blob``), registered
# here beside the Service Management ones: the checker, ops, plan and the LSP look operations up
# through the functions below, which know both; the ASM client and the emulator use CATALOGUE.
DATA_PLANE: dict[str, OperationSpec] = {spec.name: spec for spec in blob.SPECS}
if set(DATA_PLANE) & set(CATALOGUE):
    raise ValueError(f"operations declared in the catalogue and the data plane: {sorted(set(DATA_PLANE) & set(CATALOGUE))}")


def all_operations() -> dict[str, OperationSpec]:
    """Every operation a flow may call: the Service Management catalogue, then the data plane."""
    return {**CATALOGUE, **DATA_PLANE}


def operation_names() -> list[str]:
    return [*CATALOGUE, *DATA_PLANE]


def get_operation(name: str) -> OperationSpec | None:
    return CATALOGUE.get(name) or DATA_PLANE.get(name)
