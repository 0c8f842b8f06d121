"""Scrubbing: secrets never reach the recorded copy, in any encoding; leaks are found by kind."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote

import pytest
from vcr.request import Request

from smflow.errors import UsageError
from smflow.recording.leaks import find_leaks
from smflow.recording.scrub import PLACEHOLDER, Scrubber, secret_forms

SUB = "8f2c1d7e-5b4a-4c3d-9e8f-123456789abc"
PASSWORD = "Tr0ub4dor&3-horse"
NS = 'xmlns="http://schemas.microsoft.com/windowsazure"'


def _scrubber(*secrets: str) -> Scrubber:
    return Scrubber(list(secrets), SUB)


def test_subscription_id_becomes_a_placeholder_in_url_headers_and_body() -> None:
    request = Request("GET", f"https://h/{SUB}/services/hostedservices/x", None, {"Authorization": "Bearer t", "x-ms-version": "2014-10-01"})
    out = _scrubber().request(request)
    assert out.uri == "https://h/SUBSCRIPTION-ID/services/hostedservices/x"
    assert "Authorization" not in out.headers and out.headers["x-ms-version"] == "2014-10-01"
    response = {
        "status": {"code": 201, "message": "Created"},
        "headers": {"Location": [f"https://h/subscriptions/{SUB}/compute/x"], "x-ms-request-id": ["ab" * 16]},
        "body": {"string": f"<HostedService {NS}><Url>https://h/{SUB}/x</Url></HostedService>".encode()},
    }
    scrubbed = _scrubber().response(response)
    assert scrubbed["headers"]["Location"] == ["https://h/subscriptions/SUBSCRIPTION-ID/compute/x"]
    assert scrubbed["headers"]["x-ms-request-id"] == ["ab" * 16]  # polls need it
    assert SUB.encode() not in scrubbed["body"]["string"]


def test_password_elements_are_scrubbed_even_when_the_value_was_not_declared() -> None:
    body = f"<Deployment {NS}><UserName>azureuser</UserName><UserPassword>undeclared-pw</UserPassword>" \
           f"<AdminPassword>other</AdminPassword><CustomData>Y2xvdWQ=</CustomData></Deployment>".encode()
    out = _scrubber().body(body)
    assert isinstance(out, bytes)
    assert b"undeclared-pw" not in out and b"other" not in out and b"Y2xvdWQ=" not in out
    assert out.count(PLACEHOLDER.encode()) == 3 and b"<UserName>azureuser</UserName>" in out


def test_storage_keys_are_scrubbed_but_same_named_elements_elsewhere_are_kept() -> None:
    body = f"<StorageService {NS}><StorageServiceKeys><Primary>k1==</Primary><Secondary>k2==</Secondary>" \
           f"</StorageServiceKeys><GeoPrimaryRegion>West US</GeoPrimaryRegion></StorageService>".encode()
    out = _scrubber().body(body)
    assert isinstance(out, bytes)
    assert b"k1==" not in out and b"k2==" not in out and b"West US" in out


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s,
        lambda s: s.replace("&", "&amp;"),
        lambda s: quote(s, safe=""),
        lambda s: base64.b64encode(s.encode()).decode(),
    ],
    ids=["raw", "xml-escaped", "url-quoted", "base64"],
)
def test_a_secret_value_is_scrubbed_in_every_encoding(encode: object) -> None:
    assert callable(encode)
    body = f"<X {NS}><Description>before {encode(PASSWORD)} after</Description></X>".encode()
    out = _scrubber(PASSWORD).body(body)
    assert isinstance(out, bytes)
    assert all(form not in out for form in secret_forms(PASSWORD)), out
    assert PLACEHOLDER.encode() in out


def test_a_secret_inside_a_base64_blob_blanks_the_whole_element() -> None:
    config = f'<ServiceConfiguration><Setting name="pw" value="{PASSWORD}"/></ServiceConfiguration>'
    blob = base64.b64encode(b"xx" + config.encode()).decode()
    body = f"<CreateDeployment {NS}><Name>v1</Name><Configuration>{blob}</Configuration></CreateDeployment>".encode()
    out = _scrubber(PASSWORD).body(body)
    assert out == f"<CreateDeployment {NS}><Name>v1</Name><Configuration>{PLACEHOLDER}</Configuration></CreateDeployment>".encode()


def test_a_body_without_secrets_is_left_byte_for_byte() -> None:
    body = f'<CreateHostedService {NS}>\n  <ServiceName>svc</ServiceName><Label/></CreateHostedService>'.encode()
    assert _scrubber(PASSWORD).body(body) == body


def test_a_too_short_secret_is_refused_before_recording() -> None:
    with pytest.raises(UsageError, match="shorter than 4"):
        _scrubber("abc")


def test_find_leaks_names_kinds_never_values() -> None:
    text = f"uri: https://h/{SUB}/x\nbody: <D {NS}><AdminPassword>plain</AdminPassword></D>\nother: {PASSWORD}\n"
    parsed = {"uri": f"https://h/{SUB}/x", "body": f"<D {NS}><AdminPassword>plain</AdminPassword></D>", "other": PASSWORD}
    kinds = find_leaks(text.encode(), parsed, secrets=[PASSWORD, "unused-secret"], subscription_id=SUB)
    assert kinds == ["the subscription id", "secret value #1 of 2", "an unscrubbed <AdminPassword> element"]
    assert not any(PASSWORD in k or SUB in k for k in kinds)


def test_find_leaks_sees_a_secret_split_by_yaml_line_folding() -> None:
    folded = f"body: 'aaaa {PASSWORD[:5]}\n  {PASSWORD[5:]}'\n".encode()
    assert PASSWORD.encode() not in folded
    kinds = find_leaks(folded, {"body": f"aaaa {PASSWORD}"}, secrets=[PASSWORD], subscription_id=SUB)
    assert kinds == ["secret value #1 of 1"]


def test_find_leaks_is_quiet_on_a_clean_cassette() -> None:
    body = f"<D {NS}><AdminPassword>{PLACEHOLDER}</AdminPassword></D>"
    assert find_leaks(body.encode(), {"b": body}, secrets=[PASSWORD], subscription_id=SUB) == []


def test_the_subscription_id_keeps_its_own_placeholder_when_also_passed_as_a_secret() -> None:
    out = Scrubber([SUB, PASSWORD], SUB).scrub_text(f"https://h/{SUB}/x?p={PASSWORD}")
    assert out == f"https://h/SUBSCRIPTION-ID/x?p={PLACEHOLDER}"


def test_secrets_learnt_during_the_run_are_scrubbed_from_then_on() -> None:
    live: list[str] = []
    scrubber = Scrubber(live, SUB)
    assert scrubber.scrub_text(f"x {PASSWORD}") == f"x {PASSWORD}"
    live.append(PASSWORD)
    assert scrubber.scrub_text(f"x {PASSWORD}") == f"x {PLACEHOLDER}"


def test_a_base64_encoded_subscription_id_is_scrubbed_and_would_be_caught() -> None:
    encoded = base64.b64encode(f"sub={SUB}".encode()).decode()
    out = _scrubber().scrub_text(f"<Label>{encoded}</Label>")
    assert PLACEHOLDER in out and encoded not in out
    assert find_leaks(encoded.encode(), {"x": encoded}, secrets=[], subscription_id=SUB) == ["the subscription id"]


def test_meta_becomes_plain_scrubbed_data() -> None:
    meta = {"flow": Path("flows/x.flow"), "vars": {"n": 3, "ok": True, "ratio": 0.5, "bad": float("nan"),
                                                    "token": PASSWORD, "tags": ("a", SUB)}}
    assert _scrubber(PASSWORD).value(meta) == {
        "flow": "flows/x.flow",
        "vars": {"n": 3, "ok": True, "ratio": 0.5, "bad": "nan", "token": PLACEHOLDER, "tags": ["a", "SUBSCRIPTION-ID"]},
    }


# Expected values below are written out by hand: a test that asked scrub.py for the forms it
# scrubs could not notice a form going missing.

def test_password_and_certificate_data_elements_are_scrubbed_whatever_they_hold() -> None:
    body = f"<X {NS}><Password>pw-undeclared</Password><Certificate><Data>MIIBcert</Data>" \
           f"<Thumbprint>AB12</Thumbprint></Certificate><Other><Data>public</Data></Other></X>".encode()
    assert _scrubber().body(body) == (
        f"<X {NS}><Password>{PLACEHOLDER}</Password><Certificate><Data>{PLACEHOLDER}</Data>"
        f"<Thumbprint>AB12</Thumbprint></Certificate><Other><Data>public</Data></Other></X>").encode()


def test_cookies_are_dropped_from_requests_and_responses() -> None:
    request = Request("GET", "https://h/x/locations", None, {"Cookie": "s=abc", "x-ms-version": "2014-10-01"})
    assert dict(_scrubber().request(request).headers) == {"x-ms-version": "2014-10-01"}
    response = {"status": {"code": 200, "message": "OK"}, "body": {"string": b""},
                "headers": {"Set-Cookie": ["s=abc"], "set-cookie": ["t=def"], "Content-Type": ["application/xml"]}}
    assert _scrubber().response(response)["headers"] == {"Content-Type": ["application/xml"]}


@pytest.mark.parametrize("escaped", ["it&apos;s-S3cret", "it&#39;s-S3cret", "it%27s-S3cret", "IT'S-S3CRET"])
def test_apostrophe_escapes_and_cases_are_scrubbed(escaped: str) -> None:
    assert _scrubber("it's-S3cret").scrub_text(f"[{escaped}]") == f"[{PLACEHOLDER}]"


def test_base64_of_an_escaped_secret_is_scrubbed() -> None:
    # base64 of the XML-escaped PASSWORD, "Tr0ub4dor&amp;3-horse"
    out = _scrubber(PASSWORD).scrub_text("<Label>VHIwdWI0ZG9yJmFtcDszLWhvcnNl</Label>")
    assert out == f"<Label>{PLACEHOLDER}</Label>"


def test_the_longest_secret_is_scrubbed_first() -> None:
    assert _scrubber("hunter22", "hunter22-long").scrub_text("x hunter22-long y") == f"x {PLACEHOLDER} y"
    assert _scrubber("hunter22-long", "hunter22").scrub_text("x hunter22-long y") == f"x {PLACEHOLDER} y"


def test_a_short_secret_is_scrubbed_at_every_base64_offset() -> None:
    # "Qz7w" preceded by 0, 1, 2 bytes: UXo3dw==, AFF6N3c=, AABRejd3 (cores UXo3d, F6N3, Rejd3)
    scrubber = _scrubber("Qz7w")
    assert scrubber.scrub_text("aUXo3dz") == f"a{PLACEHOLDER}z"
    assert scrubber.scrub_text("AFF6N3c=") == f"AF{PLACEHOLDER}c="
    assert scrubber.scrub_text("AABRejd3") == f"AAB{PLACEHOLDER}"


def test_find_leaks_scans_lists_and_bytes_in_the_parsed_cassette() -> None:
    assert find_leaks(b"", {"a": ["x", f"y {PASSWORD}"]}, secrets=[PASSWORD], subscription_id=SUB) == [
        "secret value #1 of 1"]
    assert find_leaks(b"", {"b": PASSWORD.encode()}, secrets=[PASSWORD], subscription_id=SUB) == [
        "secret value #1 of 1"]
    assert find_leaks(b"", [("t", SUB.upper())], secrets=[], subscription_id=SUB) == ["the subscription id"]
    assert find_leaks(b"", {f"k {PASSWORD}": "v"}, secrets=[PASSWORD], subscription_id=SUB) == [
        "secret value #1 of 1"]  # keys too


def test_empty_secret_values_are_ignored_not_refused() -> None:
    assert Scrubber(["", PASSWORD], SUB).scrub_text(f"p={PASSWORD}") == f"p={PLACEHOLDER}"


def test_a_certificate_file_element_is_scrubbed_anywhere() -> None:
    body = f"<X {NS}><CertificateFile>MIIBfile</CertificateFile></X>".encode()
    assert _scrubber().body(body) == f"<X {NS}><CertificateFile>{PLACEHOLDER}</CertificateFile></X>".encode()


@pytest.mark.parametrize("label", [
    "bGJsIFBhJTIwc3MlMkZ3P3JkIXh5",  # base64 of "lbl Pa%20ss%2Fw?rd!xy"
    "bGFiZWwgUGElMjBzcyUyRnc/cmQheHk=",  # "label Pa%20ss%2Fw?rd!xy", padded
    "bGFiZWwgUGElMjBzcyUyRnc/cmQheHk",  # the same with its padding stripped
])
def test_base64_of_a_secret_quoted_in_a_way_of_its_own_blanks_the_element(label: str) -> None:
    # "?" and "!" left unquoted: no form of the secret matches; only decoding and unquoting does.
    body = f"<CreateHostedService {NS}><Label>{label}</Label></CreateHostedService>".encode()
    out = _scrubber("Pa ss/w?rd!xy").body(body)
    assert out == f"<CreateHostedService {NS}><Label>{PLACEHOLDER}</Label></CreateHostedService>".encode()
