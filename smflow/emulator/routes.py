"""The route table (moto's ``urls.py``): (method, path template, query discriminator) → operation name.

Routes are built from the operation catalogue (``smflow.asm.catalogue``: method, path template
with ``{argument}`` placeholders, and the ``?comp=…`` discriminator that tells apart operations
sharing a path), so client and emulator cannot drift apart. The table (each area's ``ROUTES`` in ``emulator.handlers``) is the emulator's own
statement of what its handlers serve, and the fallback for operations the catalogue lacks; a test
pins ``catalogue_disagreements()`` empty. Paths are relative to ``/<subscription>/``. A trailing slash is accepted everywhere (the SDK sends ``deployments/<d>/?comp=…``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from smflow.asm.catalogue import CATALOGUE
from smflow.emulator.handlers import ROUTE_TABLE
from smflow.emulator.resources import AsmFault

__all__ = ["ROUTES", "Route", "catalogue_disagreements", "match"]

# operation name -> (method, path template, required query {key: value} or None), from the area modules
_TABLE = ROUTE_TABLE

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Route:
    operation: str
    method: str
    template: str
    query: dict[str, str] | None
    pattern: re.Pattern[str]
    names: tuple[str, ...]  # the template's placeholders, in order


def _compile(operation: str, method: str, template: str, query: dict[str, str] | None) -> Route:
    names = tuple(_PLACEHOLDER.findall(template))
    regex = _PLACEHOLDER.sub(r"([^/]+)", re.escape(template.strip("/")).replace(r"\{", "{").replace(r"\}", "}"))
    return Route(operation, method, template, query, re.compile(f"{regex}/?"), names)


def _from_catalogue(operation: str) -> tuple[str, str, dict[str, str] | None] | None:
    """(method, template, query) from the catalogue entry, e.g. ``…/{deployment_name}/?comp=config``."""
    spec = CATALOGUE.get(operation)
    if spec is None:
        return None
    path, _, qs = spec.path.partition("?")
    query = dict(parse_qsl(qs)) or None
    return spec.method, path.strip("/"), query


def _build() -> tuple[Route, ...]:
    routes = []
    for operation, fallback in _TABLE.items():
        method, template, query = _from_catalogue(operation) or fallback
        routes.append(_compile(operation, method, template, query))
    return tuple(routes)


def catalogue_disagreements() -> list[str]:
    """Where the table here and the catalogue differ (a test pins this empty).

    Routes come from the catalogue; the table is the emulator's own statement of what its
    handlers serve (they read path arguments by these names), so a catalogue change that the
    handlers have not followed shows up here instead of as a KeyError at request time.
    """
    problems = []
    for operation, (method, template, query) in _TABLE.items():
        got = _from_catalogue(operation)
        if got is not None and got != (method, template, query):
            problems.append(f"{operation}: emulator {method} {template} {query} vs catalogue {got}")
    problems.extend(f"{name}: in the catalogue, not served by the emulator" for name in CATALOGUE if name not in _TABLE)
    return problems


ROUTES: tuple[Route, ...] = _build()
_WORDS: frozenset[str] = frozenset(
    segment for route in ROUTES for segment in route.template.split("/") if segment and "{" not in segment)


def known_segment(segment: str) -> bool:
    """Whether a path segment is one of the fixed words of a route (``hostedservices``...),
    never a name a client chose."""
    return segment in _WORDS


def match(method: str, path: str, query: dict[str, str]) -> tuple[Route, dict[str, str]]:
    """Find the route for a request path relative to ``/<subscription>/``; AsmFault when there is none."""
    path_matched = False
    for route in ROUTES:
        m = route.pattern.fullmatch(path)
        if m is None:
            continue
        if route.query is not None and any(query.get(k) != v for k, v in route.query.items()):
            path_matched = True
            continue
        if route.method != method:
            path_matched = True
            continue
        return route, {name: unquote(value) for name, value in zip(route.names, m.groups(), strict=True)}
    if path_matched:
        if method == "POST" and "comp" not in query and "/deployments/" in path:
            raise AsmFault(
                400, "MissingOrInvalidRequiredQueryParameter", "A required query parameter was not specified: comp."
            )
        raise AsmFault(400, "InvalidHttpVerb", f"The HTTP verb {method} is not supported on this resource.")
    raise AsmFault(404, "ResourceNotFound", "The requested URI does not represent any resource on the server.")
