"""Secrets out of a recording before anything touches disk, and the check that none got through.

A cassette is shared (committed, attached to bug reports), so it must never hold the
subscription id, passwords, storage keys, certificate material, custom data or the value of a
``secret`` param. Scrubbing happens in vcrpy's ``before_record_*`` hooks, i.e. on the in-memory
copy that vcrpy keeps, never on what the client sees. Three layers:

1. Known secret *values* (the ``secrets`` of the run) are replaced wherever they appear, in every
   encoding they travel in: raw, XML-escaped, URL-quoted and base64 (also when embedded in a
   longer base64 blob such as a ``Configuration`` or ``CustomData``: the element is then scrubbed
   whole).
2. Known secret *elements* (``UserPassword``, ``AdminPassword``, storage keys, certificate data...)
   are scrubbed whatever their value, so a password the run did not declare still never lands.
3. The subscription id becomes ``SUBSCRIPTION-ID`` in URLs, bodies and headers (``Location``).

Every placeholder is ``***SCRUBBED***``; on replay the matcher treats it as a wildcard, so a
replay that sends the real (or another) password still matches, and the executor runs the replay
with ``SUBSCRIPTION-ID`` as its subscription id, so nothing needs restoring. ``leaks.find_leaks``
is the last line: the bytes actually written are searched for every form of every secret.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from lxml import etree

from smflow.errors import UsageError
from smflow.secretforms import MIN_LENGTH
from smflow.secretforms import secret_forms as forms_of

__all__ = [
    "PLACEHOLDER",
    "SUBSCRIPTION_PLACEHOLDER",
    "Scrubber",
    "is_secret_element",
    "is_secret_name",
    "parse_xml",
    "scrub_elements",
    "secret_forms",
]

PLACEHOLDER = "***SCRUBBED***"
SUBSCRIPTION_PLACEHOLDER = "SUBSCRIPTION-ID"
MIN_SECRET_LENGTH = MIN_LENGTH

# Elements whose text is secret whatever it is (local names; namespace prefixes don't matter).
SECRET_ELEMENTS = frozenset({"UserPassword", "AdminPassword", "Password", "CustomData", "CertificateFile"})
# Elements secret only under a given parent: storage keys, certificate bodies.
SECRET_CHILDREN = {
    "StorageServiceKeys": frozenset({"Primary", "Secondary"}),
    "Certificate": frozenset({"Data", "CertificateFile", "Password"}),
    "CertificateFile": frozenset({"Data", "Password"}),
}
# Headers that authenticate or identify a session: dropped, never recorded.
DROPPED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-ms-client-certificate"})

_BASE64_TEXT = re.compile(rb"^[A-Za-z0-9+/_-]{8,}={0,2}$")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def secret_forms(value: str) -> list[bytes]:
    """Every byte string under which ``value`` may travel or be stored, longest first
    (``smflow.secretforms``: cases, escapes, base64 even inside a longer blob)."""
    return [form.encode("utf-8") for form in forms_of(value)]


def _localname(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def is_secret_name(parent: str, name: str) -> bool:
    """Whether element ``name`` (local name) under ``parent`` holds a secret whatever its value."""
    return name in SECRET_ELEMENTS or name in SECRET_CHILDREN.get(parent, ())


def is_secret_element(element: Any) -> bool:
    parent = element.getparent()
    return is_secret_name(_localname(parent.tag) if parent is not None else "", _localname(element.tag))


def parse_xml(body: bytes) -> Any:
    stripped = body.lstrip()
    if not stripped.startswith(b"<"):
        return None
    try:
        return etree.fromstring(body, _XML_PARSER)
    except etree.XMLSyntaxError:
        return None


def scrub_elements(body: bytes, secret_texts: Collection[bytes] = ()) -> bytes:
    """Blank secret elements, and base64 texts that decode to something holding a secret."""
    root = parse_xml(body)
    if root is None:
        return body
    changed = False
    for element in root.iter():
        text = element.text
        if not isinstance(element.tag, str) or text is None or not text.strip() or text == PLACEHOLDER:
            continue
        if is_secret_element(element) or (secret_texts and _decodes_to_secret(text, secret_texts)):
            element.text = PLACEHOLDER
            changed = True
    if not changed:
        return body
    declaration = b'<?xml version="1.0" encoding="utf-8"?>' if body.lstrip().startswith(b"<?xml") else b""
    return declaration + etree.tostring(root, encoding="utf-8")


def _decodes_to_secret(text: str, secret_texts: Collection[bytes]) -> bool:
    candidate = text.strip().encode("ascii", "ignore")
    if not _BASE64_TEXT.match(candidate):
        return False
    try:
        padded = candidate + b"=" * (-len(candidate) % 4)
        decoded = base64.urlsafe_b64decode(padded) if b"-" in padded or b"_" in padded else base64.b64decode(padded)
    except (binascii.Error, ValueError):
        return False
    return any(secret in decoded for secret in secret_texts) or _parse_contains(decoded, secret_texts)


def _parse_contains(decoded: bytes, secret_texts: Collection[bytes]) -> bool:
    """Base64 of XML-escaped or quoted text: look at the unescaped form too."""
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return False
    plain = unquote(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")).encode("utf-8")
    return any(secret in plain for secret in secret_texts)


@dataclass
class Scrubber:
    """The scrubbing hooks of one recording: knows the run's secret values and subscription id."""

    secrets: Collection[str]
    subscription_id: str
    _forms: list[tuple[bytes, bytes]] = field(default_factory=list, init=False, repr=False)
    _raw: list[bytes] = field(default_factory=list, init=False, repr=False)
    _known: int = field(default=-1, init=False, repr=False)

    def __post_init__(self) -> None:
        self._known = -1
        self._refresh()

    def _refresh(self) -> None:
        """(Re)build the replacement table when the secrets changed: a caller may pass a live
        collection that learns secrets during the run (a password given as a literal argument)."""
        if len(self.secrets) == self._known:
            return
        current = list(self.secrets)
        # The subscription id gets its own placeholder even when it is also passed as a secret.
        values = sorted({s for s in current if s and s != self.subscription_id}, key=len, reverse=True)
        for value in values:
            if len(value) < MIN_SECRET_LENGTH:
                raise UsageError(
                    f"cannot record: a secret value is shorter than {MIN_SECRET_LENGTH} characters,"
                    " too short to be scrubbed from a cassette reliably; use a longer secret"
                )
        pairs: dict[bytes, bytes] = {}
        for value in values:
            pairs.update((form, PLACEHOLDER.encode()) for form in secret_forms(value))
        if self.subscription_id:
            sub = self.subscription_id
            # Encoded (base64...) it is a secret like any other; as text it becomes the
            # placeholder the replay runs with.
            pairs.update((form, PLACEHOLDER.encode()) for form in secret_forms(sub))
            for form in {sub, sub.upper(), sub.lower(), quote(sub, safe="")}:
                pairs[form.encode("utf-8")] = SUBSCRIPTION_PLACEHOLDER.encode()
        self._raw = [value.encode("utf-8") for value in values]
        self._forms = sorted(pairs.items(), key=lambda p: len(p[0]), reverse=True)
        self._known = len(current)

    def scrub_text(self, value: str) -> str:
        return self.scrub_bytes(value.encode("utf-8")).decode("utf-8", "replace")

    def scrub_bytes(self, data: bytes) -> bytes:
        self._refresh()
        for form, placeholder in self._forms:
            if form in data:
                data = data.replace(form, placeholder)
        return data

    def body(self, body: bytes | str | None) -> bytes | str | None:
        if body is None:
            return None
        data = body.encode("utf-8") if isinstance(body, str) else body
        if not isinstance(data, bytes):
            return body
        self._refresh()
        # Elements first: a secret inside a base64 blob blanks the whole element, which a
        # substring replacement would leave as undecodable base64.
        return self.scrub_bytes(scrub_elements(data, self._raw))

    def request(self, request: Any) -> Any:
        """vcrpy ``before_record_request``: URL, headers and body of a (copied) request."""
        request.uri = self.scrub_text(request.uri)
        for name in list(request.headers):
            if name.lower() in DROPPED_HEADERS:
                del request.headers[name]
            else:
                request.headers[name] = self.scrub_text(str(request.headers[name]))
        request.body = self.body(request.body)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy ``before_record_response``: headers and body of a (copied) response dict."""
        headers: dict[str, Any] = response.get("headers") or {}
        for name in list(headers):
            if name.lower() in DROPPED_HEADERS:
                del headers[name]
            else:
                headers[name] = [self.scrub_text(str(v)) for v in headers[name]]
        body = response.get("body")
        if isinstance(body, dict) and body.get("string") is not None:
            body["string"] = self.body(body["string"])
        return response

    def value(self, data: Any) -> Any:
        """Scrub every string inside the cassette's ``meta``, made plain data on the way (a Path
        or a datetime becomes its text) so that the cassette file can always be written."""
        if isinstance(data, dict):
            return {self.scrub_text(str(k)): self.value(v) for k, v in data.items()}
        if isinstance(data, list | tuple | set | frozenset):
            return [self.value(v) for v in data]
        if data is None or isinstance(data, bool | int) or (isinstance(data, float) and math.isfinite(data)):
            return data
        return self.scrub_text(data if isinstance(data, str) else str(data))
