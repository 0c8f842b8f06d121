"""smflow.asm: the Service Management API — catalogue, models, XML, transport and client.

``from smflow.asm import ServiceManagementClient`` is the public entry point. It is loaded lazily
so that importing the catalogue or the models (as the checker and the emulator do) does not
import ``requests``, and so that ``catalogue`` → ``models`` never cycles back into the client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from smflow.asm.client import ServiceManagementClient

__all__ = ["ServiceManagementClient"]


def __getattr__(name: str) -> Any:
    if name == "ServiceManagementClient":
        from smflow.asm.client import ServiceManagementClient

        return ServiceManagementClient
    raise AttributeError(f"module 'smflow.asm' has no attribute {name!r}")
