"""What a handler gets and gives: the request ``Context`` and the ``Reply`` (moto's ``BaseResponse``).

A handler reads the request, calls the state, and shapes the answer. It runs with the state lock
held and the subscription already settled, raises ``AsmFault`` for anything the service refuses,
and returns a ``Reply``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from smflow.emulator.blobservice import package_readable
from smflow.emulator.resources import AsmFault
from smflow.emulator.state import Subscription
from smflow.emulator.wire import Body, parse_body

__all__ = ["Context", "Handler", "Reply", "RouteSpec", "location_header", "by_name"]


@dataclass
class Context:
    sub: Subscription
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    request_id: str
    base: str  # scheme://host[:port] as the client addressed us

    def check_package(self, url: str) -> None:
        """Refuse a package on this emulator's blob endpoint that is not there, as the service
        refuses a package it cannot read (a URL elsewhere cannot be checked, and is taken)."""
        if package_readable(lambda: self.sub.owner.blobs, self.base, url) is False:
            raise AsmFault(400, "BadRequest", "The specified package URL does not point to an existing blob: "
                           "upload the package before deploying it.")

    def body_of(self, root: str, allowed: tuple[str, ...] | None = None) -> Body:
        return parse_body(self.body, root, allowed)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Context], Reply]
# (method, path template relative to /<subscription>/, required query {key: value} or None)
RouteSpec = tuple[str, str, dict[str, str] | None]


def by_name(handlers: Iterable[Handler]) -> dict[str, Handler]:
    """An area's handler table: each handler under its function's name (the operation's name)."""
    return {fn.__name__: fn for fn in handlers}


def location_header(ctx: Context, kind: str, name: str) -> dict[str, str]:
    return {"Location": f"{ctx.base}/subscriptions/{ctx.sub.id}/{kind}/{name}"}
