"""XML primitives for request bodies, shared by the area modules of ``asm.bodies``.

Built with lxml, so text is always escaped (SDK bug 1 fixed) while the bytes otherwise match the
SDK's: root carrying ``xmlns:i`` then ``xmlns``, no XML declaration, no whitespace, ``None``
left out, ``''`` as an empty element, booleans ``true``/``false``. Empty containers are written
``<X></X>`` like the SDK's.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lxml import etree

__all__ = ["XMLNS", "XSI", "Args", "Builder", "NotXmlTextError", "Result", "add", "b64", "extended", "fields", "new_root", "records", "text"]

XMLNS = "http://schemas.microsoft.com/windowsazure"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

Args = Mapping[str, Any]
Builder = Callable[[Any, Args], None]
# operation -> (expected response root(s), model, item element of a list response or None)
Result = tuple[tuple[str, ...], type, str | None]


def b64(value: object) -> str | None:
    return None if value is None else base64.b64encode(str(value).encode("utf-8")).decode("ascii")


def text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def add(parent: Any, name: str, value: object = "", *, container: bool = False) -> Any:
    """Append <name>value</name>; a None value appends nothing (returns None)."""
    if value is None:
        return None
    el = etree.SubElement(parent, f"{{{XMLNS}}}{name}")
    value_text = "" if container else text(value)
    try:
        el.text = value_text
    except ValueError:  # lxml: "All strings must be XML compatible"
        raise NotXmlTextError(name, value_text) from None
    return el


class NotXmlTextError(Exception):
    """A value holds a character XML 1.0 cannot carry (NUL, most C0 controls, lone surrogates)."""

    def __init__(self, element: str, value_text: str) -> None:
        self.element = element
        self.char = next((c for c in value_text if not _xml_char(c)), "")
        super().__init__(element)


def _xml_char(c: str) -> bool:
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or 0x10000 <= n <= 0x10FFFF


def fields(parent: Any, pairs: Sequence[tuple[str, object]]) -> None:
    for name, value in pairs:
        add(parent, name, value)


def extended(parent: Any, props: Mapping[str, object] | None) -> None:
    if not props:
        return
    box = add(parent, "ExtendedProperties", container=True)
    for key, value in props.items():
        prop = add(box, "ExtendedProperty", container=True)
        fields(prop, [("Name", key), ("Value", value)])


def records(parent: Any, name: str, item: str, records: Sequence[Mapping[str, Any]] | None,
          keys: Sequence[tuple[str, str]]) -> None:
    box = add(parent, name, container=True)
    for rec in records or ():
        fields(add(box, item, container=True), [(el, rec.get(key)) for el, key in keys])


_NSMAP: Any = {"i": XSI, None: XMLNS}  # this order gives xmlns:i first, as the SDK writes it


def new_root(name: str) -> Any:
    return etree.Element(f"{{{XMLNS}}}{name}", nsmap=_NSMAP)


