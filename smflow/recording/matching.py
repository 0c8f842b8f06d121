"""When is a replayed request "the same" as a recorded one, and if not, what differs.

Requests match on method, path (with the subscription id segment normalised), query (order
free) and body. XML bodies are compared canonically: parsed, whitespace-only text dropped,
namespace prefixes and URIs ignored (the service and the SDK ignore them too), element names,
attributes, text and order compared. Non-XML bodies are compared as bytes. A recorded value
holding the scrub placeholder matches anything in its place, since the replay may send the real
secret (or another one): in a body's text, a query value, and a path segment (a secret used in a
name, ``svc-${pw}``, is scrubbed from the recorded URL too).

The same primitives produce the field-level diff of a drift error: ``request_diff`` lists the
path segment, query parameter or XML element (``CreateDeployment/Name``) that changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from lxml import etree

from smflow.recording.scrub import PLACEHOLDER, SUBSCRIPTION_PLACEHOLDER, is_secret_name

__all__ = [
    "MASK",
    "FieldDiff",
    "RequestKey",
    "XmlNode",
    "body_matches",
    "canonical_body",
    "has_wildcard",
    "key_matches",
    "request_diff",
    "request_key",
    "VCR_MATCHERS",
]

MASK = "***"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True, huge_tree=True)


@dataclass(frozen=True)
class XmlNode:
    """One element, canonically: local name, sorted attributes, text (None if blank), children."""

    name: str
    attrs: tuple[tuple[str, str], ...]
    text: str | None
    children: tuple[XmlNode, ...]


@dataclass(frozen=True)
class RequestKey:
    """What a request is indexed by: everything but the body."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FieldDiff:
    """One field that differs between a recorded and a sent request."""

    field: str
    recorded: str | None
    sent: str | None

    def render(self) -> str:
        return f"{self.field}: recorded {_show(self.recorded)}, sent {_show(self.sent)}"


def _show(value: str | None, limit: int = 80) -> str:
    if value is None:
        return "(nothing)"
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    return repr(text)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _node(element: Any) -> XmlNode:
    text = element.text if element.text is not None and element.text.strip() else None
    attrs = tuple(sorted((_local(k), v) for k, v in element.attrib.items()))
    children = tuple(_node(c) for c in element if isinstance(c.tag, str))
    return XmlNode(_local(element.tag), attrs, text, children)


@lru_cache(maxsize=4096)
def _canonical_bytes(body: bytes) -> XmlNode | bytes:
    stripped = body.strip()
    if not stripped.startswith(b"<"):
        return stripped
    try:
        return _node(etree.fromstring(stripped, _PARSER))
    except etree.XMLSyntaxError:
        return stripped


def canonical_body(body: bytes | str | None) -> XmlNode | bytes:
    """A comparable form of a body: an ``XmlNode`` tree, or the (stripped) bytes."""
    if body is None:
        return b""
    data = body.encode("utf-8") if isinstance(body, str) else body
    if not isinstance(data, bytes):  # a file or iterator body: vcrpy materialises those
        data = bytes(data) if isinstance(data, bytearray | memoryview) else b""
    return _canonical_bytes(data)


@lru_cache(maxsize=1024)
def _wildcard(recorded: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in recorded.split(PLACEHOLDER)]
    return re.compile(".*".join(parts), re.DOTALL)


def _text_matches(recorded: str | None, sent: str | None) -> bool:
    if recorded == sent:
        return True
    if recorded is None or sent is None or PLACEHOLDER not in recorded:
        return False
    return _wildcard(recorded).fullmatch(sent) is not None


def _node_matches(recorded: XmlNode, sent: XmlNode) -> bool:
    if recorded.name != sent.name or len(recorded.children) != len(sent.children):
        return False
    if recorded.attrs != sent.attrs or not _text_matches(recorded.text, sent.text):
        return False
    return all(_node_matches(r, s) for r, s in zip(recorded.children, sent.children, strict=True))


def body_matches(recorded: bytes | str | None, sent: bytes | str | None) -> bool:
    r, s = canonical_body(recorded), canonical_body(sent)
    if isinstance(r, XmlNode) and isinstance(s, XmlNode):
        return r == s or _node_matches(r, s)
    if isinstance(r, bytes) and isinstance(s, bytes):
        if r == s:
            return True
        marker = PLACEHOLDER.encode()
        return marker in r and _text_matches(r.decode("utf-8", "replace"), s.decode("utf-8", "replace"))
    if isinstance(r, bytes) and isinstance(s, XmlNode) and PLACEHOLDER.encode() in r:
        return _markup_scrubbed_matches(r, sent)
    return False


def _markup_scrubbed_matches(recorded: bytes, sent: bytes | str | None) -> bool:
    """A recording that is no longer XML because a secret spelled part of the markup (a password
    ``Deploy`` scrubbed inside ``<CreateDeployment>``): compared as text, placeholders as
    wildcards, with the sent body as it is and as the scrubber re-serialises XML (lxml writes
    ``<Name></Name>`` as ``<Name/>``)."""
    data = sent.encode("utf-8") if isinstance(sent, str) else sent
    if not isinstance(data, bytes):
        return False
    text = recorded.decode("utf-8", "replace")
    stripped = data.strip()
    if _text_matches(text, stripped.decode("utf-8", "replace")):
        return True
    declaration = b'<?xml version="1.0" encoding="utf-8"?>' if stripped.startswith(b"<?xml") else b""
    serialised = declaration + etree.tostring(etree.fromstring(stripped, _PARSER), encoding="utf-8")
    return _text_matches(text, serialised.decode("utf-8", "replace"))


def _normalised_path(path: str) -> str:
    """The path with its first segment (the subscription id) replaced by the placeholder."""
    segments = unquote(path).split("/")
    if len(segments) > 1 and segments[1]:
        segments[1] = SUBSCRIPTION_PLACEHOLDER
    return "/".join(segments)


def request_key(method: str, uri: str) -> RequestKey:
    parts = urlsplit(uri)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return RequestKey(method.upper(), _normalised_path(parts.path), query)


def has_wildcard(key: RequestKey) -> bool:
    """Whether a recorded request's path or query holds the scrub placeholder (so it can only be
    found by ``key_matches``, not by an exact lookup)."""
    return PLACEHOLDER in key.path or any(PLACEHOLDER in v for _, v in key.query)


def _path_matches(recorded: str, sent: str) -> bool:
    if recorded == sent:
        return True
    r_segs, s_segs = recorded.split("/"), sent.split("/")
    return len(r_segs) == len(s_segs) and all(_text_matches(r, s) for r, s in zip(r_segs, s_segs, strict=True))


def _query_matches(recorded: tuple[tuple[str, str], ...], sent: tuple[tuple[str, str], ...]) -> bool:
    if recorded == sent:
        return True
    r_query, s_query = dict(recorded), dict(sent)
    return (len(r_query) == len(recorded) and len(s_query) == len(sent) and r_query.keys() == s_query.keys()
            and all(_text_matches(r_query[k], s_query[k]) for k in r_query))


def key_matches(recorded: RequestKey, sent: RequestKey) -> bool:
    """Whether a sent request's key matches a recorded one, placeholders matching anything."""
    return (recorded.method == sent.method and _path_matches(recorded.path, sent.path)
            and _query_matches(recorded.query, sent.query))


def _node_diff(recorded: XmlNode, sent: XmlNode, where: str, out: list[FieldDiff], parent: str = "") -> None:
    if recorded.name != sent.name:
        out.append(FieldDiff(f"body {where}", f"<{recorded.name}>", f"<{sent.name}>"))
        return
    if not _text_matches(recorded.text, sent.text):
        if is_secret_name(parent, recorded.name):  # a password's value is never shown, even in a diff
            out.append(FieldDiff(f"body {where}", MASK if recorded.text else None, MASK if sent.text else None))
        else:
            out.append(FieldDiff(f"body {where}", recorded.text, sent.text))
    for name in sorted({k for k, _ in recorded.attrs} | {k for k, _ in sent.attrs}):
        r_attr, s_attr = dict(recorded.attrs).get(name), dict(sent.attrs).get(name)
        if r_attr != s_attr:
            out.append(FieldDiff(f"body {where}/@{name}", r_attr, s_attr))
    r_names = [c.name for c in recorded.children]
    s_names = [c.name for c in sent.children]
    if r_names == s_names:
        counts: dict[str, int] = {}
        for r_child, s_child in zip(recorded.children, sent.children, strict=True):
            counts[r_child.name] = counts.get(r_child.name, 0) + 1
            index = f"[{counts[r_child.name]}]" if r_names.count(r_child.name) > 1 else ""
            _node_diff(r_child, s_child, f"{where}/{r_child.name}{index}", out, recorded.name)
        return
    # Elements added, removed or reordered: name them rather than diffing misaligned children.
    for name in [n for n in r_names if n not in s_names]:
        out.append(FieldDiff(f"body {where}/{name}", "present", None))
    for name in [n for n in s_names if n not in r_names]:
        out.append(FieldDiff(f"body {where}/{name}", None, "present"))
    if sorted(r_names) == sorted(s_names) or not out:
        out.append(FieldDiff(f"body {where} children", ", ".join(r_names), ", ".join(s_names)))


def body_diff(recorded: bytes | str | None, sent: bytes | str | None) -> list[FieldDiff]:
    r, s = canonical_body(recorded), canonical_body(sent)
    if isinstance(r, XmlNode) and isinstance(s, XmlNode):
        out: list[FieldDiff] = []
        _node_diff(r, s, r.name if r.name == s.name else "(root)", out)
        return out
    if body_matches(recorded, sent):
        return []
    as_text = [x.decode("utf-8", "replace") if isinstance(x, bytes) else "<XML document>" for x in (r, s)]
    return [FieldDiff("body", as_text[0] or None, as_text[1] or None)]


def request_diff(recorded: Any, sent: Any) -> list[FieldDiff]:
    """Field-level differences between two vcrpy requests (empty when they match)."""
    r_key, s_key = request_key(recorded.method, recorded.uri), request_key(sent.method, sent.uri)
    out: list[FieldDiff] = []
    if r_key.method != s_key.method:
        out.append(FieldDiff("method", r_key.method, s_key.method))
    r_segs, s_segs = r_key.path.split("/"), s_key.path.split("/")
    for index in range(max(len(r_segs), len(s_segs))):
        r_seg = r_segs[index] if index < len(r_segs) else None
        s_seg = s_segs[index] if index < len(s_segs) else None
        if r_seg is None or s_seg is None or not _text_matches(r_seg, s_seg):
            out.append(FieldDiff(f"path segment {index}", r_seg, s_seg))
    r_query, s_query = dict(r_key.query), dict(s_key.query)
    for name in sorted(set(r_query) | set(s_query)):
        if not _text_matches(r_query.get(name), s_query.get(name)):
            out.append(FieldDiff(f"query {name}", r_query.get(name), s_query.get(name)))
    out.extend(body_diff(recorded.body, sent.body))
    return out


# vcrpy matchers (``match_on``): tiny functions that raise AssertionError saying what differs.
def method(r1: Any, r2: Any) -> None:
    if r1.method.upper() != r2.method.upper():
        raise AssertionError(f"{r1.method} != {r2.method}")


def path(r1: Any, r2: Any) -> None:
    p1, p2 = request_key(r1.method, r1.uri).path, request_key(r2.method, r2.uri).path
    if not (_path_matches(p2, p1) or _path_matches(p1, p2)):
        raise AssertionError(f"{p1} != {p2}")


def query(r1: Any, r2: Any) -> None:
    q1, q2 = request_key(r1.method, r1.uri).query, request_key(r2.method, r2.uri).query
    if not (_query_matches(q2, q1) or _query_matches(q1, q2)):
        raise AssertionError(f"{q1} != {q2}")


def xml_body(r1: Any, r2: Any) -> None:
    if not body_matches(r2.body, r1.body):
        raise AssertionError("; ".join(d.render() for d in body_diff(r2.body, r1.body)) or "bodies differ")


VCR_MATCHERS = {"smflow_method": method, "smflow_path": path, "smflow_query": query, "smflow_xml_body": xml_body}
