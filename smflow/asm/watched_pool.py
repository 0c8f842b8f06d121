"""The connection pools whose connections a request's deadline watch can cut.

Kept apart from ``transport`` because they subclass urllib3's and requests' classes: importing
them imports the HTTP stack, which ``smflow plan`` and ``check`` never need
(``tests/cli/test_imports.py``). ``RequestsTransport`` imports this module when it builds its
session.
"""

from __future__ import annotations

from typing import Any

import urllib3
from requests.adapters import HTTPAdapter

from smflow.asm.transport import _CURRENT_WATCH

__all__ = ["WatchedAdapter"]


class _WatchedPoolMixin:
    """Hands every connection a request takes from the pool to that request's watch."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)  # type: ignore[misc]
        watch = _CURRENT_WATCH.get()
        if watch is not None:
            watch.attach(connection)
        return connection


class _WatchedHTTPPool(_WatchedPoolMixin, urllib3.HTTPConnectionPool):
    pass


class _WatchedHTTPSPool(_WatchedPoolMixin, urllib3.HTTPSConnectionPool):
    pass


class WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
