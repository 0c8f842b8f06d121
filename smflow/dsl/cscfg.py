"""Reading and editing a service configuration (.cscfg) as text, for the ``cscfg_*`` builtins.

Why text in, text out: a flow holds the configuration as the text ``file("...cscfg")`` gave it,
and ``create_deployment`` / ``change_deployment_configuration`` take text (base64'd). A scale-out
is then one expression: ``base64(cscfg_set_instances(config, "WebRole1", 4))``.

Why an edit is a splice and not a re-serialisation: the operator reviews the configuration in
their repository, and Azure compares it with what runs. Writing the parsed tree back would
rewrite quotes, empty elements, the XML declaration and character references. So lxml (with a
parser that refuses DTDs and never resolves an entity or touches the network) parses and
validates the document and finds the element; a small scanner finds the same element's start
tag in the text, and only the characters of the one attribute value change (or, when the
attribute is absent, one attribute is added at the end of the tag). The result is parsed again
and checked to read back the new value.

Errors are ``CscfgError`` with the index of the argument they are about (0: the document), so
the evaluator points at the operand: a missing role names the roles that exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when first used: `smflow check` never needs lxml
    from lxml import etree

__all__ = [
    "NAMESPACE",
    "CscfgError",
    "instances",
    "os_family",
    "roles",
    "set_instances",
    "set_os_family",
    "set_setting",
    "setting",
]

NAMESPACE = "http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration"
_NS = "{" + NAMESPACE + "}"
MAX_INSTANCES = 1000  # Azure caps a cloud service role well below this; a bigger number is a typo
OS_FAMILY = re.compile(r"[0-9]{1,3}")  # osFamily is a small number written as text ("6")


class CscfgError(ValueError):
    """Bad document or argument; ``argument`` is the index of the builtin's argument at fault."""

    def __init__(self, message: str, argument: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


# -- reading ----------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    from lxml import etree

    # No DTD loaded or validated, no entity resolved, no network, no huge-tree lifting of
    # libxml2's limits. The text was decoded from UTF-8 by file(), so the declaration's
    # encoding (if any) is overridden rather than trusted.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, dtd_validation=False, no_network=True,
                           huge_tree=False, remove_blank_text=False, encoding="utf-8")


def _root(text: str) -> etree._Element:
    """The ``<ServiceConfiguration>`` element, or ``CscfgError``."""
    from lxml import etree

    if not isinstance(text, str) or not text.strip():
        raise CscfgError("not a service configuration: the text is empty")
    if _declares_dtd(text):
        raise CscfgError(_DTD_REFUSED)
    try:
        tree = etree.fromstring(text.encode("utf-8"), _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise CscfgError(f"not a service configuration: not well-formed XML: {exc.msg}") from None
    if getattr(tree.docinfo, "doctype", "") or tree.docinfo.internalDTD is not None:  # (doctype: not in the stubs)
        raise CscfgError(_DTD_REFUSED)
    root = tree.getroot()
    qname = etree.QName(root)
    if qname.localname != "ServiceConfiguration" or qname.namespace != NAMESPACE:
        found = f"<{qname.localname}>" + (f" in namespace {qname.namespace}" if qname.namespace else " without a namespace")
        raise CscfgError(f"not a service configuration: the root element is {found}, not <ServiceConfiguration> "
                         f"in namespace {NAMESPACE}")
    return root


_DTD_REFUSED = ("refused: the service configuration declares a DTD (<!DOCTYPE ...>); a .cscfg never has one, "
                "and its entities could read files or expand without end")
_PROLOG_ITEM = re.compile(r"\s+|\ufeff|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _declares_dtd(text: str) -> bool:
    """Whether a ``<!DOCTYPE`` comes before the root element (the only place XML allows one):
    refused before the parser sees it, so that not even a parse error depends on its entities."""
    pos = 0
    while (m := _PROLOG_ITEM.match(text, pos)) is not None and m.end() > pos:
        pos = m.end()
    return text.startswith("<!DOCTYPE", pos)


def _roles(root: etree._Element) -> list[etree._Element]:
    return list(root.iterchildren(_NS + "Role"))


def _role(root: etree._Element, name: str) -> etree._Element:
    found = _roles(root)
    for role in found:
        if role.get("name") == name:
            return role
    names = [str(r.get("name")) for r in found]
    there = f"its roles: {', '.join(names)}" if names else "it has no roles"
    raise CscfgError(f"no role '{name}' in the service configuration ({there})", 1)


def _instances_element(role: etree._Element, name: str) -> etree._Element:
    element = role.find(_NS + "Instances")
    if element is None:
        raise CscfgError(f"role '{name}' has no <Instances count=\"...\"/> element", 1)
    return element


def _setting_element(role: etree._Element, role_name: str, name: str) -> etree._Element:
    settings = role.find(_NS + "ConfigurationSettings")
    found = list(settings.iterchildren(_NS + "Setting")) if settings is not None else []
    for element in found:
        if element.get("name") == name:
            return element
    names = [str(s.get("name")) for s in found]
    there = f"its settings: {', '.join(names)}" if names else "it has no settings"
    raise CscfgError(f"no setting '{name}' in role '{role_name}' ({there})", 2)


def roles(text: str) -> list[str]:
    """The names of the roles, in document order."""
    return [str(r.get("name")) for r in _roles(_root(text))]


def instances(text: str, role: str) -> int:
    count = _instances_element(_role(_root(text), role), role).get("count")
    try:
        return int(str(count).strip())
    except ValueError:
        raise CscfgError(f"role '{role}' has an instance count that is not a number: {count!r}") from None


def setting(text: str, role: str, name: str) -> str:
    return str(_setting_element(_role(_root(text), role), role, name).get("value", ""))


def os_family(text: str) -> str:
    family = _root(text).get("osFamily")
    if family is None:
        raise CscfgError("the service configuration has no osFamily attribute")
    return str(family)


# -- editing ----------------------------------------------------------------------------------


def set_instances(text: str, role: str, count: int) -> str:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_INSTANCES:
        raise CscfgError(f"an instance count must be a whole number from 1 to {MAX_INSTANCES}, got {count!r}", 2)
    root = _root(text)
    return _splice(text, root, _instances_element(_role(root, role), role), "count", str(count))


def set_setting(text: str, role: str, name: str, value: str) -> str:
    root = _root(text)
    return _splice(text, root, _setting_element(_role(root, role), role, name), "value", value)


def set_os_family(text: str, family: str) -> str:
    if not OS_FAMILY.fullmatch(family):
        raise CscfgError(f"an OS family is a number as text, like \"6\", got {family!r}", 1)
    root = _root(text)
    return _splice(text, root, root, "osFamily", family)


# -- the splice -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Attribute:
    name: str
    start: int  # the value's first character (after the quote)
    end: int  # the closing quote
    quote: str


@dataclass(frozen=True)
class _StartTag:
    name: str
    attributes: tuple[_Attribute, ...]
    insert_at: int  # after the last attribute (or the name): where a new attribute goes


_NAME_START = re.compile(r"<([^\s/>!?]+)")
_ATTRIBUTE = re.compile(r"\s+([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_TAG_END = re.compile(r"\s*/?>")
# What a start tag can be preceded by and must be skipped whole (a '<' inside is not a tag).
_SKIPS = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"), ("</", ">"))


def _start_tags(text: str) -> list[_StartTag]:
    """Every element's start tag, in document order (the order of lxml's ``iter()``). The text
    is known to be well-formed XML without a DTD (``_root`` parsed it first)."""
    tags: list[_StartTag] = []
    pos = text.find("<")
    while pos != -1:
        for opening, closing in _SKIPS:
            if text.startswith(opening, pos):
                pos = text.index(closing, pos + len(opening)) + len(closing)
                break
        else:
            name = _NAME_START.match(text, pos)
            if name is None:  # pragma: no cover - well-formed XML has no other '<'
                raise CscfgError("not a service configuration: unexpected '<'")
            at = name.end()
            attributes: list[_Attribute] = []
            while (m := _ATTRIBUTE.match(text, at)) is not None:
                attributes.append(_Attribute(m.group(1), m.start(2) + 1, m.end(2) - 1, m.group(2)[0]))
                at = m.end()
            end = _TAG_END.match(text, at)
            if end is None:  # pragma: no cover - well-formed XML
                raise CscfgError("not a service configuration: a start tag does not end")
            tags.append(_StartTag(name.group(1), tuple(attributes), at))
            pos = end.end()
        pos = text.find("<", pos)
    return tags


def _escape(value: str, quote: str) -> str:
    """An attribute value as XML text: what a parser reads back as ``value`` exactly (tabs and
    line breaks as character references, or attribute normalisation would turn them into spaces)."""
    out = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace('"', "&quot;") if quote == '"' else out.replace("'", "&apos;")
    return out.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _splice(text: str, root: etree._Element, element: etree._Element, attribute: str, value: str) -> str:
    from lxml import etree

    if any(ord(c) < 0x20 and c not in "\t\n\r" for c in value) or "\ufffe" in value or "\uffff" in value:
        raise CscfgError("the value holds a control character, which XML cannot carry", 3 if attribute == "value" else 2)
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    index = next(i for i, e in enumerate(elements) if e is element)
    tags = _start_tags(text)
    tag = tags[index] if index < len(tags) and len(tags) == len(elements) else None
    if tag is None or tag.name.rpartition(":")[2] != etree.QName(element).localname:  # pragma: no cover
        raise CscfgError("cannot edit this service configuration in place (its start tags could not be matched)")
    existing = next((a for a in tag.attributes if a.name == attribute), None)
    if existing is not None:
        edited = text[:existing.start] + _escape(value, existing.quote) + text[existing.end:]
    else:
        edited = text[:tag.insert_at] + f' {attribute}="{_escape(value, chr(34))}"' + text[tag.insert_at:]
    check = [e for e in _root(edited).iter() if isinstance(e.tag, str)]
    if len(check) != len(elements) or check[index].get(attribute) != value:  # pragma: no cover - a scanner bug
        raise CscfgError("cannot edit this service configuration in place (the edit did not read back)")
    return edited
