"""Long lists are written item by item as text, not as one tree: the bytes must be exactly what
the tree writer (``el``/``serialize``, which the single-item answers still use) gives, and a
list of 10,000 hosted services must cost time and memory in proportion to its answer.

The same answers go over HTTP in ``test_wire.py``, ``test_sdk.py`` and ``test_recordings.py``.
"""

from __future__ import annotations

import string
import time
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st

from smflow.emulator import account_writers, writers
from smflow.emulator.resources import HostedService, StorageAccount
from smflow.emulator.wire import el, root, serialize

BASE, SUB = "http://127.0.0.1:8765", "00000000-0000-0000-0000-000000000000"

# Text as a stored value can hold it (it came from a parsed request): XML characters, with the
# ones a writer must escape (& < > and \r) and some that it must not (quotes, non-ASCII).
XML_TEXT = st.text(alphabet=st.sampled_from([c for c in string.printable if c not in "\x0b\x0c"]
                                            + ["é", "\u2028", "\U0001f600"]), max_size=20)
NAME = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
PROPS = st.dictionaries(st.text(alphabet=string.ascii_letters, min_size=1, max_size=8), XML_TEXT, max_size=3)


@st.composite
def services(draw: st.DrawFn) -> HostedService:
    group = draw(st.one_of(st.none(), XML_TEXT))
    return HostedService(
        name=draw(NAME), label=draw(XML_TEXT), description=draw(st.one_of(st.none(), XML_TEXT)),
        location=None if group is not None else draw(st.one_of(st.none(), XML_TEXT)), affinity_group=group,
        created=draw(XML_TEXT), last_modified=draw(XML_TEXT), extended_properties=draw(PROPS),
        status=draw(st.sampled_from(["Created", "Creating", "Deleting"])),
    )


@st.composite
def accounts(draw: st.DrawFn) -> StorageAccount:
    group = draw(st.one_of(st.none(), XML_TEXT))
    return StorageAccount(
        name=draw(NAME), label=draw(XML_TEXT), description=draw(st.one_of(st.none(), XML_TEXT)),
        location=None if group is not None else draw(XML_TEXT), affinity_group=group,
        account_type=draw(XML_TEXT), created=draw(XML_TEXT), primary_key="k1", secondary_key="k2",
        geo_primary=draw(XML_TEXT), geo_secondary=draw(st.one_of(st.none(), XML_TEXT)),
        extended_properties=draw(PROPS), status=draw(st.sampled_from(["Created", "Creating"])),
    )


def tree_hosted_services(items: list[HostedService]) -> bytes:
    doc = root("HostedServices")
    for svc in items:
        writers.hosted_service_into(el(doc, "HostedService"), svc, BASE, SUB, listed=True, embed=False)
    return serialize(doc)


def tree_storage_services(items: list[StorageAccount]) -> bytes:
    doc = root("StorageServices")
    for acct in items:
        account_writers._storage(el(doc, "StorageService"), acct, BASE, SUB, listed=True)
    return serialize(doc)


@settings(max_examples=150, deadline=None)
@given(st.lists(services(), max_size=4))
def test_hosted_service_list_is_byte_for_byte_the_tree_writers(items: list[HostedService]) -> None:
    assert writers.hosted_services_xml(items, BASE, SUB) == tree_hosted_services(items)


@settings(max_examples=150, deadline=None)
@given(st.lists(accounts(), max_size=4))
def test_storage_account_list_is_byte_for_byte_the_tree_writers(items: list[StorageAccount]) -> None:
    assert account_writers.storage_services_xml(items, BASE, SUB) == tree_storage_services(items)


def test_unchanging_documents_are_built_once() -> None:
    for build in (account_writers.locations_xml, account_writers.operating_systems_xml,
                  account_writers.operating_system_families_xml):
        assert build() is build()
    assert b"<Name>West US</Name>" in account_writers.locations_xml()


def test_ten_thousand_hosted_services_cost_in_proportion_to_the_answer() -> None:
    items = [HostedService(name=f"svc{i:05d}", label=f"svc{i}", description=None, location="West US",
                           affinity_group=None, created="2026-01-01T00:00:00Z", last_modified="2026-01-01T00:00:00Z")
             for i in range(10_000)]
    tracemalloc.start()
    try:
        t0 = time.process_time()
        body = writers.hosted_services_xml(items, BASE, SUB)
        seconds = time.process_time() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert body.count(b"<HostedService>") == 10_000
    # The answer, the items it is joined from, and little else (a tree of it was 8x the answer).
    assert peak < 2.5 * len(body), f"peak {peak / 1e6:.1f} MB for a {len(body) / 1e6:.1f} MB answer"
    assert seconds < 2.0, f"{seconds:.2f} s"  # ~0.1 s unloaded; the tree took over 1 s
