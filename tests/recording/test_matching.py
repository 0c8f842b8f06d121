"""Canonical matching and the field-level diff that drift errors print."""

from __future__ import annotations

import pytest
from vcr.request import Request

from smflow.recording.matching import (
    FieldDiff,
    body_diff,
    body_matches,
    request_diff,
    request_key,
)
from smflow.recording.scrub import PLACEHOLDER

NS = "http://schemas.microsoft.com/windowsazure"


def test_xml_bodies_match_across_whitespace_prefixes_and_declaration() -> None:
    recorded = f'<CreateHostedService xmlns="{NS}"><ServiceName>svc</ServiceName><Label>bA==</Label></CreateHostedService>'
    sent = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<a:CreateHostedService xmlns:a="{NS}">\n'
        "  <a:ServiceName>svc</a:ServiceName>\n  <a:Label>bA==</a:Label>\n</a:CreateHostedService>"
    )
    assert body_matches(recorded, sent)


def test_element_text_and_order_matter() -> None:
    recorded = f'<X xmlns="{NS}"><A>1</A><B>2</B></X>'
    assert not body_matches(recorded, f'<X xmlns="{NS}"><A>1</A><B>3</B></X>')
    assert not body_matches(recorded, f'<X xmlns="{NS}"><B>2</B><A>1</A></X>')
    assert not body_matches(recorded, f'<X xmlns="{NS}"><A>1</A></X>')


def test_a_scrubbed_value_matches_anything_in_its_place() -> None:
    recorded = f'<X xmlns="{NS}"><AdminPassword>{PLACEHOLDER}</AdminPassword><Url>https://h/{PLACEHOLDER}/x</Url></X>'
    assert body_matches(recorded, f'<X xmlns="{NS}"><AdminPassword>hunter22</AdminPassword><Url>https://h/s3cr3t/x</Url></X>')
    assert not body_matches(recorded, f'<X xmlns="{NS}"><AdminPassword>p</AdminPassword><Url>https://other/s/x</Url></X>')


def test_non_xml_bodies_compare_as_bytes_and_empty_equals_none() -> None:
    assert body_matches(None, b"")
    assert body_matches(b"name=a", "name=a")
    assert not body_matches(b"name=a", b"name=b")
    assert not body_matches(b"<X/>", b"not xml")


def test_request_key_normalises_subscription_and_query_order() -> None:
    a = request_key("get", "https://h/1111-real/services/hostedservices/s?b=2&a=1")
    b = request_key("GET", "http://127.0.0.1:9/SUBSCRIPTION-ID/services/hostedservices/s?a=1&b=2")
    assert a == b


def test_body_diff_names_the_changed_element_with_its_path() -> None:
    recorded = f'<CreateDeployment xmlns="{NS}"><Name>v1</Name><Label>djE=</Label></CreateDeployment>'
    sent = f'<CreateDeployment xmlns="{NS}"><Name>v2</Name><Label>djE=</Label></CreateDeployment>'
    assert body_diff(recorded, sent) == [FieldDiff("body CreateDeployment/Name", "v1", "v2")]


def test_body_diff_indexes_repeated_siblings_and_names_added_elements() -> None:
    recorded = f'<R xmlns="{NS}"><P><N>a</N></P><P><N>b</N></P></R>'
    sent = f'<R xmlns="{NS}"><P><N>a</N></P><P><N>c</N></P></R>'
    assert [d.render() for d in body_diff(recorded, sent)] == ["body R/P[2]/N: recorded 'b', sent 'c'"]
    added = body_diff(f'<R xmlns="{NS}"><A>1</A></R>', f'<R xmlns="{NS}"><A>1</A><B>2</B></R>')
    assert added == [FieldDiff("body R/B", None, "present")]


def test_request_diff_covers_method_path_segment_and_query() -> None:
    recorded = Request("GET", "http://h/SUB/services/hostedservices/svc?embed-detail=false", None, {})
    sent = Request("DELETE", "http://h/SUB/services/hostedservices/svc2?embed-detail=true", None, {})
    assert [d.render() for d in request_diff(recorded, sent)] == [
        "method: recorded 'GET', sent 'DELETE'",
        "path segment 4: recorded 'svc', sent 'svc2'",
        "query embed-detail: recorded 'false', sent 'true'",
    ]


def test_a_scrubbed_path_segment_or_query_value_matches_anything_in_its_place() -> None:
    from smflow.recording.matching import has_wildcard, key_matches, path, query

    recorded = request_key("GET", f"https://h/SUBSCRIPTION-ID/services/hostedservices/svc-{PLACEHOLDER}?k={PLACEHOLDER}")
    assert has_wildcard(recorded) and not has_wildcard(request_key("GET", "https://h/s/services/hostedservices/svc-x"))
    assert key_matches(recorded, request_key("GET", "https://h/0f3a/services/hostedservices/svc-qz7w?k=abc"))
    assert not key_matches(recorded, request_key("GET", "https://h/0f3a/services/hostedservices/web-qz7w?k=abc"))
    assert not key_matches(recorded, request_key("GET", "https://h/0f3a/services/hostedservices/svc-qz7w/x?k=abc"))
    assert not key_matches(recorded, request_key("GET", "https://h/0f3a/services/hostedservices/svc-qz7w?j=abc"))
    assert not key_matches(recorded, request_key("DELETE", "https://h/0f3a/services/hostedservices/svc-qz7w?k=abc"))
    stored = Request("GET", f"https://h/SUBSCRIPTION-ID/services/hostedservices/svc-{PLACEHOLDER}?k={PLACEHOLDER}", None, {})
    sent = Request("GET", "https://h/0f3a/services/hostedservices/svc-qz7w?k=abc", None, {})
    path(sent, stored)  # vcrpy's matchers agree (they raise when the requests differ)
    query(sent, stored)
    assert request_diff(stored, sent) == []
    other = Request("GET", "https://h/0f3a/services/hostedservices/web-qz7w?k=abc", None, {})
    assert request_diff(stored, other) == [FieldDiff("path segment 4", f"svc-{PLACEHOLDER}", "web-qz7w")]


def test_a_placeholder_in_a_non_xml_body_matches_anything_in_its_place() -> None:
    assert body_matches(f"token={PLACEHOLDER}&x=1", "token=abc&x=1")
    assert not body_matches(f"token={PLACEHOLDER}&x=1", "token=abc&x=2")


def test_attribute_differences_are_named() -> None:
    assert body_diff(f'<X xmlns="{NS}" a="1"/>', f'<X xmlns="{NS}" a="2"/>') == [FieldDiff("body X/@a", "1", "2")]


def test_a_renamed_root_element_is_the_diff() -> None:
    recorded = b'<Swap xmlns="http://schemas.microsoft.com/windowsazure"><Production>a</Production></Swap>'
    sent = b'<Other xmlns="http://schemas.microsoft.com/windowsazure"><Production>a</Production></Other>'
    assert body_diff(recorded, sent) == [FieldDiff("body (root)", "<Swap>", "<Other>")]


def test_bodies_that_are_not_xml_differ_as_a_whole() -> None:
    assert body_diff(b"plain one", b"plain two") == [FieldDiff("body", "plain one", "plain two")]


def test_the_vcrpy_body_matcher_passes_equal_bodies_and_refuses_different_ones() -> None:
    from smflow.recording.matching import xml_body

    url = "http://h/SUB/services/hostedservices/svc"
    body = b'<Swap xmlns="http://schemas.microsoft.com/windowsazure"><Production>a</Production></Swap>'
    xml_body(Request("POST", url, body, {}), Request("POST", url, body, {}))  # no AssertionError
    other = body.replace(b">a<", b">b<")
    with pytest.raises(AssertionError, match="Production"):
        xml_body(Request("POST", url, body, {}), Request("POST", url, other, {}))
