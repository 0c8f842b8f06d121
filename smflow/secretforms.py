"""Every form a secret value can take on its way to a screen, a journal or a cassette.

One table serves the run's masker (``smflow.run.secrets``), the cassette scrubber and the leak
check (``smflow.recording``), so a form added here is masked, scrubbed and searched for at once.
A flow can transform a value before it travels (``lower``, ``upper``, ``base64``, concatenation),
and the wire and the files escape it (URL, XML, JSON), so the forms are:

- the value, its lower- and upper-case versions, and each of those URL-quoted, XML-escaped and
  JSON-escaped;
- base64 (standard and URL-safe, padded or not) of each of those texts, and the *core* of that
  base64 at each of the three alignments the text can have inside a longer encoded blob (a
  ``label: base64("lbl ${pw}")``): the characters made only of the value's own bits, which are
  the same whatever surrounds it.

Forms shorter than ``MIN_LENGTH`` are dropped: a value that short (a secret under 4 characters)
cannot be masked without masking half of every text, so such secrets are refused up front
(``check_length``).
"""

from __future__ import annotations

import base64
import functools
import json
from urllib.parse import quote, quote_plus

__all__ = ["MIN_LENGTH", "base64_cores", "check_length", "secret_forms", "text_forms"]

MIN_LENGTH = 4


def check_length(value: str, what: str) -> str | None:
    """Why ``value`` cannot be kept secret (too short to mask as a substring), or None."""
    if 0 < len(value) < MIN_LENGTH:
        return (f"{what} is shorter than {MIN_LENGTH} characters, too short to be masked reliably in output, "
                "journals and cassettes; use a longer secret")
    return None


def _xml_escapes(value: str) -> set[str]:
    amp = value.replace("&", "&amp;")
    lt_gt = amp.replace("<", "&lt;").replace(">", "&gt;")
    quot = lt_gt.replace('"', "&quot;")
    return {amp, lt_gt, quot, lt_gt.replace("'", "&apos;"), quot.replace("'", "&apos;"),
            lt_gt.replace("'", "&#39;"), quot.replace("'", "&#39;"), lt_gt.replace('"', "&#34;")}


def _json_escapes(value: str) -> set[str]:
    ascii_form = json.dumps(value)[1:-1]
    return {ascii_form, json.dumps(value, ensure_ascii=False)[1:-1], ascii_form.replace("/", "\\/")}


def _url_quotes(value: str) -> set[str]:
    quoted = {quote(value, safe=""), quote_plus(value), quote(value, safe="/"), quote(value, safe="/:@")}
    return quoted | {q.lower() for q in quoted if "%" in q}  # some encoders write %2f


def text_forms(value: str) -> set[str]:
    """The value as text: its cases, each raw, URL-quoted, XML- and JSON-escaped."""
    out: set[str] = set()
    for case in {value, value.lower(), value.upper()}:
        out.add(case)
        out |= _url_quotes(case) | _xml_escapes(case) | _json_escapes(case)
    return out


def base64_cores(raw: bytes) -> set[bytes]:
    """The base64 characters that encode ``raw`` wherever it sits inside a longer blob.

    A value embedded in a bigger payload is encoded at one of three alignments; for each, the
    characters that depend only on ``raw`` are the same whatever surrounds it.
    """
    cores: set[bytes] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        start = -(-offset * 8 // 6)  # ceil: first char made only of raw's bits
        end = (offset + len(raw)) * 8 // 6  # last char made only of raw's bits (exclusive)
        core = encoded[start:end]
        cores.add(core)
        cores.add(core.replace(b"+", b"-").replace(b"/", b"_"))
    return cores


@functools.lru_cache(maxsize=256)
def secret_forms(value: str) -> tuple[str, ...]:
    """Every form of ``value`` (at least ``MIN_LENGTH`` characters each), longest first."""
    texts = text_forms(value)
    forms: set[str] = set(texts)
    for text in texts:
        raw = text.encode("utf-8")
        encoded = base64.b64encode(raw)
        for form in (encoded, encoded.rstrip(b"="), base64.urlsafe_b64encode(raw), base64.urlsafe_b64encode(raw).rstrip(b"=")):
            forms.add(form.decode("ascii"))
        forms |= {core.decode("ascii") for core in base64_cores(raw)}
    return tuple(sorted((f for f in forms if len(f) >= MIN_LENGTH), key=lambda f: (-len(f), f)))
