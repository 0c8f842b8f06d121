"""Request XML readers and response XML writers (element names live here and in the handlers).

Readers use a hardened lxml parser (no DTD, no entities, no network), ignore namespaces and
prefixes but match element names exactly, and turn anything malformed into 400 InvalidXmlRequest.
Writers produce what the recordings show: no XML declaration, the root declaring ``xmlns`` then
``xmlns:i``, ``<X i:nil="true"/>`` for nulls, ``<Xs/>`` for empty lists, base64 labels except on
OS images.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable

from lxml import etree

from smflow.emulator.resources import AsmFault

__all__ = [
    "NS",
    "Body",
    "availability_xml",
    "any_special",
    "b64",
    "b64decode_field",
    "document",
    "el",
    "fragment",
    "parse_body",
    "parse_service_configuration",
    "upgrade_domain_count",
    "root",
    "serialize",
    "tag",
    "text_value",
]

NS = "http://schemas.microsoft.com/windowsazure"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {None: NS, "i": XSI}
_NIL = f"{{{XSI}}}nil"
_TYPE = f"{{{XSI}}}type"

INVALID_XML = "The request body's XML was invalid or not correctly specified."

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True
)


# -- writing -------------------------------------------------------------------------------------
def root(tag: str) -> etree._Element:
    return etree.Element(f"{{{NS}}}{tag}", nsmap=_NSMAP)  # type: ignore[arg-type]


def el(parent: etree._Element, tag: str, text: object = None, *, nil: bool = False, xsi_type: str | None = None) -> etree._Element:
    """Append <tag>text</tag>; None text gives <tag/> (or <tag i:nil="true"/> with ``nil``)."""
    child = etree.SubElement(parent, f"{{{NS}}}{tag}")
    if xsi_type is not None:
        child.set(_TYPE, xsi_type)
    if text is None:
        if nil:
            child.set(_NIL, "true")
    elif isinstance(text, bool):
        child.text = "true" if text else "false"
    else:
        child.text = str(text)
    return child


def text_list(parent: etree._Element, tag: str, item: str, values: Iterable[str]) -> etree._Element:
    holder = el(parent, tag)
    for v in values:
        el(holder, item, v)
    return holder


def serialize(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="utf-8", xml_declaration=False)


# -- writing long lists: text, not trees -----------------------------------------------------------
# A list of 10,000 hosted services is 1.2 million elements as a tree (1.1 s, +170 MB): each item is
# written straight to bytes instead, byte for byte what ``serialize`` writes for the same tree
# (tests/emulator/test_list_writers.py holds the two side by side).
_SPECIAL = re.compile("[&<>\r]")


def _escape(match: re.Match[str]) -> str:
    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}[match.group()]


def any_special(*values: str) -> bool:
    """Whether any of ``values`` needs escaping as element text (one search for all of them)."""
    return _SPECIAL.search("".join(values)) is not None


def text_value(value: str) -> str:
    """A string as element text, escaped as ``serialize`` escapes it."""
    return value if _SPECIAL.search(value) is None else _SPECIAL.sub(_escape, value)


def tag(name: str, text: object = None, *, nil: bool = False) -> str:
    """``el``'s element as text: ``<name>text</name>``, ``<name/>``, or ``<name i:nil="true"/>``."""
    if text is None:
        return f'<{name} i:nil="true"/>' if nil else f"<{name}/>"
    value = ("true" if text else "false") if isinstance(text, bool) else str(text)
    if _SPECIAL.search(value) is not None:
        value = _SPECIAL.sub(_escape, value)
    return f"<{name}>{value}</{name}>"


def fragment(element: etree._Element) -> str:
    """An element built with ``root``/``el``, as text to put inside a document (no namespace
    declarations): for parts of a list item that never change, built once."""
    holder = root("Holder")
    holder.append(element)
    text = serialize(holder).decode("utf-8")
    return text[text.index(">") + 1 : -len("</Holder>")]


def document(root_tag: str, items: Iterable[bytes]) -> bytes:
    """The root element around items already written as bytes (``serialize`` of an empty root
    when there are none)."""
    parts = [f'<{root_tag} xmlns="{NS}" xmlns:i="{XSI}">'.encode()]
    parts.extend(items)
    if len(parts) == 1:
        return serialize(root(root_tag))
    parts.append(f"</{root_tag}>".encode())
    return b"".join(parts)


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def availability_xml(free: bool, reason: str | None) -> bytes:
    """A name check's answer: 200 either way, ``Reason`` nil when the name is free [REC]."""
    doc = root("AvailabilityResponse")
    el(doc, "Result", free)
    el(doc, "Reason", reason, nil=True)
    return serialize(doc)


def error_body(code: str, message: str) -> bytes:
    err = root("Error")
    el(err, "Code", code)
    el(err, "Message", message)
    return serialize(err)


# -- reading -------------------------------------------------------------------------------------
def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


class Body:
    """A parsed request body: direct children by exact (local) name."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element

    def child(self, name: str) -> etree._Element | None:
        for c in self.element:
            if isinstance(c.tag, str) and _local(c) == name:
                return c
        return None

    def children(self, name: str) -> list[etree._Element]:
        return [c for c in self.element if isinstance(c.tag, str) and _local(c) == name]

    def text(self, name: str) -> str | None:
        c = self.child(name)
        if c is None:
            return None
        return c.text or ""

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise AsmFault(400, "BadRequest", f"The {name} element is missing or empty in the request body.")
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        if value is None or value == "":
            return default
        if value.lower() not in ("true", "false"):
            raise AsmFault(400, "InvalidXmlRequest", f"{INVALID_XML} {name} must be true or false.")
        return value.lower() == "true"

    def sub(self, name: str) -> Body | None:
        c = self.child(name)
        return Body(c) if c is not None else None

    def extended_properties(self) -> dict[str, str]:
        holder = self.sub("ExtendedProperties")
        out: dict[str, str] = {}
        if holder is None:
            return out
        for prop in holder.children("ExtendedProperty"):
            p = Body(prop)
            out[p.required("Name")] = p.text("Value") or ""
        return out


def parse_body(raw: bytes, root_name: str, allowed: Iterable[str] | None = None) -> Body:
    """Parse a request body whose root must be ``root_name``; ``allowed`` lists the known children."""
    if not raw.strip():
        raise AsmFault(400, "InvalidXmlRequest", f"{INVALID_XML} The body is empty.")
    try:
        doc = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError:
        raise AsmFault(400, "InvalidXmlRequest", INVALID_XML) from None
    tree = doc.getroottree()
    if getattr(tree.docinfo, "doctype", "") or tree.docinfo.internalDTD is not None:
        raise AsmFault(400, "InvalidXmlRequest", f"{INVALID_XML} DTDs are not allowed.")
    if _local(doc) != root_name:
        raise AsmFault(400, "InvalidXmlRequest", f"{INVALID_XML} Expected the root element {root_name}.")
    if allowed is not None:
        known = set(allowed)
        for c in doc:
            if isinstance(c.tag, str) and _local(c) not in known:
                raise AsmFault(400, "InvalidXmlRequest", f"{INVALID_XML} Unexpected element {_local(c)}.")
    return Body(doc)


def body_root_name(raw: bytes) -> str:
    """The local name of a request body's root, for operations that share one route and are told
    apart by it (shutdown/start/restart/capture of a role); "" when the body is not XML."""
    try:
        return _local(etree.fromstring(raw, _PARSER)) if raw.strip() else ""
    except etree.XMLSyntaxError:
        return ""


def b64decode_field(value: str, name: str) -> str:
    """Decode a base64 field (Label, Configuration) the way the service insists on it."""
    try:
        return base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise AsmFault(400, "BadRequest", f"The value of {name} is not a valid base-64 string.") from None


def parse_service_configuration(text: str) -> tuple[list[tuple[str, int]], str | None] | None:
    """(roles as (name, instance count), osFamily) from a ServiceConfiguration, or None if it doesn't parse."""
    try:
        doc = etree.fromstring(text.encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if _local(doc) != "ServiceConfiguration":
        return None
    roles: list[tuple[str, int]] = []
    for role in doc:
        if not isinstance(role.tag, str) or _local(role) != "Role" or not role.get("name"):
            continue
        count = 1
        for c in role:
            if isinstance(c.tag, str) and _local(c) == "Instances":
                try:
                    count = max(0, min(int(c.get("count", "1")), 100))
                except ValueError:
                    return None
        roles.append((str(role.get("name")), count))
    return (roles, doc.get("osFamily")) if roles else None


def upgrade_domain_count(text: str, default: int = 5) -> int:
    """``upgradeDomainCount`` (1..20) on the ServiceConfiguration root, else ``default``.

    The service takes it from the package's ServiceDefinition; the emulator cannot open packages,
    so a configuration may carry it (an emulator convention: Azure ignores unknown attributes).
    """
    try:
        doc = etree.fromstring(text.encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return default
    value = doc.get("upgradeDomainCount")
    if value is None or not value.isdigit():
        return default
    return max(1, min(int(value), 20))
