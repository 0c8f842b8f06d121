"""The emulator's handlers and routes (moto's ``responses.py`` and ``urls.py``), one module per API area.

Each area module holds, for its operations, one handler function per operation (named as in the
catalogue) in ``HANDLERS``, and its route table in ``ROUTES``. ``AREAS`` is the one list that
assembles them: registration is this explicit list, never a side effect of importing a module.
"""

from __future__ import annotations

from types import ModuleType

from smflow.emulator.context import Context, Handler, Reply, RouteSpec, location_header
from smflow.emulator.handlers import (
    certificates,
    compute,
    disks,
    images,
    network,
    roles,
    storage,
    subscription,
    upgrades,
    vm,
    vm_images,
)

__all__ = ["AREAS", "HANDLERS", "ROUTE_TABLE", "Context", "Reply", "location_header"]

AREAS: tuple[ModuleType, ...] = (
    subscription, compute, upgrades, storage, images, vm, roles, disks, certificates, vm_images, network,
)


def _merge(table: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for area in AREAS:
        for name, entry in getattr(area, table).items():
            if name in merged:
                raise ValueError(f"{table} of {name} is declared twice (in {area.__name__})")
            merged[name] = entry
    return merged


HANDLERS: dict[str, Handler] = _merge("HANDLERS")  # type: ignore[assignment]
ROUTE_TABLE: dict[str, RouteSpec] = _merge("ROUTES")  # type: ignore[assignment]
