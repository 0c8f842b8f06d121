"""The handler registry (moto's ``responses.py``): one function per operation, found by its name.

A handler reads the request, calls the state, and shapes the answer. It runs with the state lock
held and the subscription already settled, raises ``AsmFault`` for anything the service refuses,
and returns a ``Reply``. Names are those of the operation catalogue (Microsoft's guide), which is
also how ``routes.py`` finds them. The handlers themselves live in ``compute_handlers.py``
(hosted services, deployments, VMs) and ``account_handlers.py`` (storage, affinity groups, images,
locations, guest OS), imported at the end of this module so that importing it registers them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from smflow.emulator.state import Subscription
from smflow.emulator.wire import Body, parse_body

__all__ = ["HANDLERS", "Context", "Reply", "handler", "location_header"]


@dataclass
class Context:
    sub: Subscription
    params: dict[str, str]
    query: dict[str, str]
    body: bytes
    request_id: str
    base: str  # scheme://host[:port] as the client addressed us

    def body_of(self, root: str, allowed: tuple[str, ...] | None = None) -> Body:
        return parse_body(self.body, root, allowed)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Context], Reply]
HANDLERS: dict[str, Handler] = {}


def handler(fn: Handler) -> Handler:
    HANDLERS[fn.__name__] = fn
    return fn


def location_header(ctx: Context, kind: str, name: str) -> dict[str, str]:
    return {"Location": f"{ctx.base}/subscriptions/{ctx.sub.id}/{kind}/{name}"}


# Registration happens on import; these modules import the names above.
from smflow.emulator import account_handlers, compute_handlers  # noqa: E402, F401
