"""An independent oracle for "a secret appears nowhere": every form a secret may take, computed
here with the standard library alone (never with smflow's own table), and a search over files
and streams that reports where a form was found without echoing it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus


def _escaped(text: str) -> set[str]:
    xml = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        text,
        quote(text, safe=""), quote_plus(text), quote(text, safe="/"),
        xml, xml.replace('"', "&quot;").replace("'", "&apos;"), xml.replace("'", "&#39;"),
        json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1],
    }


def _base64_at_offsets(raw: bytes) -> set[str]:
    """base64 of ``raw`` preceded by 0, 1 or 2 bytes, without the characters that also depend on
    the bytes around it (the first and last one or two)."""
    out = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\x00" * offset + raw).decode()
        first = (offset * 8 + 5) // 6  # the first character made of raw's bits only
        last = (offset + len(raw)) * 8 // 6  # one past the last such character
        out.add(encoded[first:last])
    return out


def forms(secret: str) -> set[str]:
    """Raw, lower/upper-cased, URL-, XML- and JSON-escaped, and base64 at the 3 offsets of each."""
    texts: set[str] = set()
    for case in (secret, secret.lower(), secret.upper()):
        texts |= _escaped(case)
    encoded = {b for t in texts for b in _base64_at_offsets(t.encode())}
    return {f for f in texts | encoded if f}


def hits(secrets: dict[str, str], haystacks: Iterable[tuple[str, bytes]]) -> list[str]:
    """``"<where>: <secret label> as <form kind>"`` for each secret form found (never the value)."""
    table = [(label, form.encode()) for label, secret in secrets.items() for form in sorted(forms(secret))]
    found = []
    for where, data in haystacks:
        for label, form in table:
            if form in data:
                found.append(f"{where}: {label} (a {len(form)}-character form)")
    return found


def files_under(*roots: Path) -> list[tuple[str, bytes]]:
    out = []
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        out.extend((str(p), p.read_bytes()) for p in paths)
    return out
