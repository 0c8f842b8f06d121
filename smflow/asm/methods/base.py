"""The seam every area's client methods delegate to: ``call``, implemented by the client."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from smflow.asm import models as m

__all__ = ["MethodsBase", "Record", "Result"]

Record = Mapping[str, Any]
Result = m.AsynchronousOperationResult


def _args(local: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in local.items() if k != "self"}


class MethodsBase(ABC):
    @abstractmethod
    def call(self, operation: str, arguments: Mapping[str, object]) -> Any:
        """Run one catalogue operation (implemented by ``ServiceManagementClient``)."""

    def _do(self, operation: str, local: dict[str, Any]) -> Any:
        return self.call(operation, _args(local))
