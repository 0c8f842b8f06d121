"""Property tests: whatever the secret and wherever it sits, scrubbing leaves no form of it."""

from __future__ import annotations

import base64
from urllib.parse import quote
from xml.sax.saxutils import escape

from hypothesis import example, given, settings
from hypothesis import strategies as st

from smflow.recording.leaks import find_leaks
from smflow.recording.matching import body_matches
from smflow.recording.scrub import Scrubber

SUB = "3f2a8c1e-9b7d-4e6f-a5c4-2d1e0f9a8b7c"
NS = 'xmlns="http://schemas.microsoft.com/windowsazure"'
# Printable text, as secret params and passwords are (XML cannot carry most control characters).
TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs",)), max_size=12)
SECRET = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF, exclude_categories=("Cs",)), min_size=6, max_size=24)


@settings(max_examples=150, deadline=None)
@given(secret=SECRET, before=TEXT, after=TEXT)
@example(secret="Deploy", before="", after="")  # part of a tag name: the recording is no longer XML
@example(secret="CreateDeployment", before="a", after="b")
def test_no_form_of_a_secret_survives_in_a_request_body(secret: str, before: str, after: str) -> None:
    blob = base64.b64encode(f"{before}{secret}{after}".encode()).decode()
    body = (
        f"<CreateDeployment {NS}><Name>{escape(before)}</Name><Description>{escape(before + secret + after)}</Description>"
        f"<Configuration>{blob}</Configuration><Url>https://h/x?k={quote(secret, safe='')}</Url></CreateDeployment>"
    ).encode()
    out = Scrubber([secret], SUB).body(body)
    assert isinstance(out, bytes)
    assert find_leaks(out, {"body": out.decode("utf-8")}, secrets=[secret], subscription_id=SUB) == []
    # and the scrubbed recording still matches what the replay sends (placeholders are wildcards)
    assert body_matches(out, body)


@settings(max_examples=100, deadline=None)
@given(before=TEXT, after=TEXT)
def test_the_subscription_id_never_survives_in_a_url_or_header(before: str, after: str) -> None:
    scrubber = Scrubber([], SUB)
    text = scrubber.scrub_text(f"https://h/{quote(before, safe='')}/{SUB}/{SUB.upper()}/{after}")
    assert SUB not in text and SUB.upper() not in text
