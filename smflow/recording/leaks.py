"""The last line of defence: search a written cassette for every secret before it is kept.

Scrubbing (``scrub.py``) should have removed everything; this check does not trust it. It looks
at the raw bytes and at every string of the parsed file (YAML may fold a long line or escape a
character, which would hide a value from a byte search), for every form a secret may take
(``scrub.secret_forms``: raw, escaped, quoted, base64 even inside a longer blob), and for secret
elements (``UserPassword``...) whose text is not the placeholder.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from lxml import etree

from smflow.recording.scrub import PLACEHOLDER, is_secret_element, parse_xml, secret_forms

__all__ = ["find_leaks"]


def _localname(tag: str) -> str:
    return etree.QName(tag).localname


def _strings(data: Any) -> Iterator[bytes]:
    """Every string and byte string inside parsed YAML (catches line folding and \\u escapes)."""
    if isinstance(data, str):
        yield data.encode("utf-8")
    elif isinstance(data, bytes):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from _strings(value)


def find_leaks(data: bytes, parsed: Any, *, secrets: Collection[str], subscription_id: str) -> list[str]:
    """The kinds of secret present in a written cassette (its bytes and its parsed content).

    Returns descriptions such as ``"the subscription id"`` or ``"an unscrubbed <AdminPassword> element"``,
    never a value, so the error that reports them is itself safe to print.
    """
    kinds: list[str] = []
    texts = list(_strings(parsed))
    haystacks = [data, *texts]
    if subscription_id:
        sub_forms = [subscription_id.encode("utf-8").lower(), *secret_forms(subscription_id)]
        if any(form in h or form in h.lower() for h in haystacks for form in sub_forms):
            kinds.append("the subscription id")
    values = [s for s in secrets if s and s != subscription_id]
    for number, value in enumerate(values, start=1):
        forms = secret_forms(value)
        if any(form in h for h in haystacks for form in forms):
            kinds.append(f"secret value #{number} of {len(values)}")
    for text in texts:
        root = parse_xml(text)
        if root is None:
            continue
        for element in root.iter():
            if isinstance(element.tag, str) and is_secret_element(element):
                content = (element.text or "").strip()
                if content and content != PLACEHOLDER:
                    kind = f"an unscrubbed <{_localname(element.tag)}> element"
                    if kind not in kinds:
                        kinds.append(kind)
    return kinds
