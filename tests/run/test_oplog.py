"""The operation log as a read-back: which entries count as the call's own, page by page.

The log pages here are typed answers as the client parses them; the end-to-end tests (a lost
answer against the emulator, its own log) are in tests/run/test_oplog_faults.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smflow.asm.models import SubscriptionOperation, SubscriptionOperationCollection, SubscriptionOperationStatus
from smflow.run.clock import VirtualClock
from smflow.run.oplog import LAG, MAX_PAGES, SKEW, LoggedOperation, covers, started_since

INTENT = datetime(2026, 11, 30, 16, 0, 0, tzinfo=UTC)
SUB = "/00000000-0000-0000-0000-000000000000"
ACCOUNT = f"{SUB}/services/storageservices/acct"
DEP = f"{SUB}/services/hostedservices/svc/deployments/d1"
REGEN = {"service_name": "acct", "key_type": "Primary"}
REBOOT = {"service_name": "svc", "deployment_name": "d1", "role_instance_name": "WebRole1_IN_0"}


def _entry(name: str, obj: str, started: datetime | str, status: str = "Succeeded", rid: str = "a" * 32,
           ) -> SubscriptionOperation:
    when = started if isinstance(started, str) else started.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return SubscriptionOperation(operation_id=rid, operation_object_id=obj, operation_name=name,
                                 operation_status=SubscriptionOperationStatus(rid, status, 200),
                                 operation_started_time=when)


class Log:
    """A log read page by page, recording each query."""

    def __init__(self, *pages: list[SubscriptionOperation]) -> None:
        self.pages = list(pages) or [[]]
        self.queries: list[dict[str, Any]] = []

    def __call__(self, op: str, args: dict[str, Any]) -> SubscriptionOperationCollection:
        assert op == "list_subscription_operations"
        self.queries.append(args)
        n = int(args.get("continuation_token") or 0)
        token = str(n + 1) if n + 1 < len(self.pages) else None
        return SubscriptionOperationCollection(self.pages[n], token)


def _clock(at: datetime) -> VirtualClock:
    return VirtualClock(start=at)


def test_exactly_the_writes_that_leave_no_state_are_read_from_the_log() -> None:
    assert [op for op in ("regenerate_storage_account_keys", "reboot_role_instance", "reimage_role_instance",
                          "rebuild_role_instance", "delete_role_instances", "swap_deployment") if covers(op)] == [
        "regenerate_storage_account_keys", "reboot_role_instance", "reimage_role_instance", "rebuild_role_instance"]


def test_a_regeneration_logged_after_the_intent_is_found_with_its_id_and_status() -> None:
    log = Log([_entry("RegenerateStorageServiceKeys", ACCOUNT, INTENT + timedelta(seconds=0.2), rid="ab" * 16)])
    found = started_since("regenerate_storage_account_keys", REGEN, INTENT, log, clock=_clock(INTENT))
    assert found == LoggedOperation("ab" * 16, "Succeeded", 200)
    assert log.queries == [{"start_time": "2026-11-30T15:59:59Z"}]  # the intent less SKEW, whole seconds


def test_another_kind_or_object_is_not_the_call() -> None:
    later = INTENT + timedelta(seconds=1)
    log = Log([_entry("RegenerateStorageServiceKeys", f"{SUB}/services/storageservices/other", later),
               _entry("UpdateStorageService", ACCOUNT, later),
               _entry("RebootDeploymentRoleInstance", f"{DEP}/roleinstances/WebRole1_IN_1", later),
               _entry("ReimageDeploymentRoleInstance", f"{DEP}/roleinstances/WebRole1_IN_0", later)])
    clock = _clock(INTENT + timedelta(seconds=60))  # past the lag: one look each
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, log, clock=clock) is None
    assert started_since("reboot_role_instance", REBOOT, INTENT, log, clock=clock) is None
    assert started_since("reimage_role_instance", REBOOT, INTENT, log, clock=clock) is not None


def test_a_reboot_is_found_on_its_instance_or_its_deployment_by_either_log_name() -> None:
    later = INTENT + timedelta(seconds=2)
    clock = _clock(INTENT)
    on_instance = Log([_entry("RebootDeploymentRoleInstance", f"{DEP}/RoleInstances/WebRole1_IN_0/", later, "InProgress")])
    assert started_since("reboot_role_instance", REBOOT, INTENT, on_instance, clock=clock) == LoggedOperation(
        "a" * 32, "InProgress", 200)
    on_deployment = Log([_entry("RebootDeploymentRoleInstanceBySlot", DEP, later)])
    assert started_since("reboot_role_instance", REBOOT, INTENT, on_deployment, clock=clock) is not None


def test_the_skew_margin_and_the_previous_answer_bound_what_can_be_ours() -> None:
    clock = _clock(INTENT + timedelta(seconds=60))
    just_before = Log([_entry("RegenerateStorageServiceKeys", ACCOUNT, INTENT - timedelta(seconds=SKEW * 0.5))])
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, just_before, clock=clock) is not None
    too_early = Log([_entry("RegenerateStorageServiceKeys", ACCOUNT, INTENT - timedelta(seconds=SKEW * 1.5))])
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, too_early, clock=clock) is None
    # the previous regeneration, answered 0.1 s before this intent, started before its answer
    previous = Log([_entry("RegenerateStorageServiceKeys", ACCOUNT, INTENT - timedelta(seconds=0.3))])
    floor = INTENT - timedelta(seconds=0.1)
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, previous, clock=clock, floor=floor) is None
    assert previous.queries[-1] == {"start_time": "2026-11-30T15:59:59Z"}


def test_every_page_is_read_until_the_call_is_found() -> None:
    other = _entry("CreateHostedService", f"{SUB}/services/hostedservices/x", INTENT + timedelta(seconds=1))
    log = Log([other] * 3, [other] * 3, [_entry("RegenerateStorageServiceKeys", ACCOUNT, INTENT + timedelta(seconds=1))])
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, log, clock=_clock(INTENT)) is not None
    assert [q.get("continuation_token") for q in log.queries] == [None, "1", "2"]


def test_paging_stops_after_max_pages() -> None:
    log = Log(*([[]] * (MAX_PAGES + 5)))
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, log,
                         clock=_clock(INTENT + timedelta(seconds=60))) is None
    assert len(log.queries) == MAX_PAGES


def test_a_log_that_lags_is_asked_again_once_the_lag_has_passed() -> None:
    clock = _clock(INTENT + timedelta(seconds=2))
    late = _entry("RegenerateStorageServiceKeys", ACCOUNT, INTENT + timedelta(seconds=1))

    class Lagging(Log):
        def __call__(self, op: str, args: dict[str, Any]) -> SubscriptionOperationCollection:
            super().__call__(op, args)
            return SubscriptionOperationCollection([late] if len(self.queries) > 1 else [], None)

    log = Lagging()
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, log, clock=clock) is not None
    assert clock.slept == [pytest.approx(LAG - 2)] and len(log.queries) == 2
    # past the lag already: one look, no wait
    clock = _clock(INTENT + timedelta(seconds=LAG + 1))
    empty = Log()
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, empty, clock=clock) is None
    assert clock.slept == [] and len(empty.queries) == 1


@pytest.mark.parametrize("text", ["2026-11-30T16:00:00.5000000Z", "2026-11-30T16:00:00.5Z", "2026-11-30T17:00:00.500000+01:00",
                                  "2026-11-30T16:00:00.5"])
def test_log_times_with_seven_fractional_digits_or_an_offset(text: str) -> None:
    log = Log([_entry("RegenerateStorageServiceKeys", ACCOUNT, text)])
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT + timedelta(seconds=SKEW + 0.4), log,
                         clock=_clock(INTENT + timedelta(seconds=60)), lag=0) is not None
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT + timedelta(seconds=SKEW + 0.6), log,
                         clock=_clock(INTENT + timedelta(seconds=60)), lag=0) is None


def test_an_entry_without_a_readable_start_time_is_not_the_call() -> None:
    log = Log([_entry("RegenerateStorageServiceKeys", ACCOUNT, "yesterday")])
    assert started_since("regenerate_storage_account_keys", REGEN, INTENT, log, clock=_clock(INTENT), lag=0) is None
