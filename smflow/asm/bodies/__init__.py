"""Request bodies out and response roots in, one module per API area.

Each area module (``compute``, ``storage``, ``images``, ``vm``, ``subscription``...) holds, for its
operations, the request body builders (``BODIES``: operation → root element and builder, in the
element order wire.md gives) and the response shapes (``RESULTS``: operation → accepted roots,
model, list item element). ``AREAS`` is the one list that assembles them; ``asm.xml_requests``
and ``asm.xml`` read the merged tables.
"""

from __future__ import annotations

from types import ModuleType

from smflow.asm.bodies import certificates, compute, disks, images, network, roles, storage, subscription, vm, vm_images
from smflow.asm.bodies.build import Builder, Result

__all__ = ["AREAS", "BODIES", "RESULTS"]

AREAS: tuple[ModuleType, ...] = (subscription, compute, storage, images, vm, roles, disks, certificates, vm_images, network)


def _merge(table: str) -> dict[str, object]:
    merged: dict[str, object] = {}
    for area in AREAS:
        for name, entry in getattr(area, table).items():
            if name in merged:
                raise ValueError(f"{table} of {name} is declared twice (in {area.__name__})")
            merged[name] = entry
    return merged


BODIES: dict[str, tuple[str, Builder]] = _merge("BODIES")  # type: ignore[assignment]
RESULTS: dict[str, Result] = _merge("RESULTS")  # type: ignore[assignment]
