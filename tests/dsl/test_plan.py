"""``check_flow`` → ``Plan``: typed params, secrets, merged retry policies, resolved operations."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from smflow.dsl import Plan, RetryPolicy, check_flow, load_flow
from smflow.dsl.plan import DEFAULT_RETRY
from smflow.errors import CheckFailedError, FlowRuntimeError, UsageError

FLOW = '''flow p "plan test"
param service : string
param count : int = 2
param fast : bool = false
param grace : duration = 1m
param zones : list[int] = [1, 2]
param config = file("cfg.txt")
secret param password : string
retry attempts 3 backoff 1s..10s on throttled
step "one" {
    log "${service} ${count} ${fast} ${grace} ${zones} ${config} ${password}"
}
step "two" timeout 5m retry attempts 9 backoff 3s..9s jitter on transient {
    d = get_deployment_by_slot(service_name: service, deployment_slot: "staging")
    undo { delete_deployment(service_name: service, deployment_name: d.name) }
}
'''


@pytest.fixture
def flow_path(tmp_path: Path) -> Path:
    (tmp_path / "cfg.txt").write_text("CFG", encoding="utf-8")
    path = tmp_path / "p.flow"
    path.write_text(FLOW, encoding="utf-8")
    return path


def test_plan_resolves_params_secrets_retry_and_operations(flow_path: Path) -> None:
    plan = check_flow(load_flow(flow_path), {"service": "svc", "count": "5", "zones": "3, 4",
                                             "password": "hunter2", "grace": "90s"})
    assert isinstance(plan, Plan)
    assert plan.params == {"service": "svc", "count": 5, "fast": False, "grace": 90.0, "zones": [3, 4],
                           "config": "CFG", "password": "hunter2"}
    assert plan.secrets == {"password"}
    assert plan.secret_values() == ["hunter2"]
    one, two = plan.steps
    assert one.retry == RetryPolicy(3, 1.0, 10.0, True, frozenset({"throttled"}))
    assert two.retry == RetryPolicy(9, 3.0, 9.0, True, DEFAULT_RETRY.transient)
    assert (one.timeout, two.timeout) == (None, 300.0)
    assert [c.name for c in two.calls] == ["get_deployment_by_slot", "delete_deployment"]
    assert plan.spec_for(two.calls[0]).name == "get_deployment_by_slot"
    assert plan.base_dir == flow_path.parent


def test_missing_params_and_bad_vars_fail_the_check_with_every_error(flow_path: Path) -> None:
    with pytest.raises(CheckFailedError) as info:
        check_flow(load_flow(flow_path), {"count": "many"})
    codes = [e.code for e in info.value.errors]
    assert codes == ["MissingParam", "InvalidVar", "MissingParam"]
    assert info.value.exit_code == 2


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    flow = load_flow('flow w\nstep "s" { wait until true }')
    assert [w.code for w in check_flow(flow, {}).warnings] == ["WaitWithoutTimeout"]
    with pytest.raises(CheckFailedError):
        check_flow(flow, {}, strict=True)


def test_failing_default_is_a_runtime_error_at_plan_time(tmp_path: Path) -> None:
    path = tmp_path / "f.flow"
    path.write_text('flow f\nparam c = file("absent.txt")\nstep "s" { log "${c}" }\n', encoding="utf-8")
    with pytest.raises(FlowRuntimeError, match="cannot read file"):
        check_flow(load_flow(path), {})


def test_missing_flow_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such flow file"):
        load_flow(tmp_path / "absent.flow")


def test_blue_green_flow_checks_strict_and_plans() -> None:
    path = Path(__file__).resolve().parents[2] / "flows" / "blue_green.flow"
    plan = check_flow(load_flow(path), {"package_url": "https://store/pkg.cspkg"}, strict=True)
    assert [s.name for s in plan.steps][0] == "ensure the service exists"
    assert "swap_deployment" in plan.operations
    assert plan.params["config"].startswith("<?xml")


def test_duration_params_set_step_timeouts_and_backoffs(tmp_path: Path) -> None:
    path = tmp_path / "d.flow"
    path.write_text('flow d "x"\nparam limit : duration = 5m\nparam low = 2s\nparam high : duration\n'
                    'retry backoff low..high\nstep "s" timeout limit retry backoff 1s..low { log "x" }\n'
                    'step "t" { log "y" }\n', encoding="utf-8")
    plan = check_flow(load_flow(path), {"high": "90s", "limit": "7m"})
    s, t = plan.steps
    assert (s.timeout, t.timeout) == (420.0, None)
    assert (s.retry.backoff_min, s.retry.backoff_max) == (1.0, 2.0)
    assert (t.retry.backoff_min, t.retry.backoff_max) == (2.0, 90.0)


def test_a_param_defaulting_to_now_takes_a_var_as_an_iso_time(tmp_path: Path) -> None:
    path = tmp_path / "t.flow"
    path.write_text('flow t "x"\nparam started = now()\nparam tag = format_time(started + 1h, "%Y%m%d-%H")\n'
                    'step "s" {\n    log "${tag}"\n}\n')
    plan = check_flow(load_flow(path), {"started": "2026-03-04T05:06:07"})
    assert plan.params["started"] == datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)  # UTC unless it says otherwise
    assert plan.params["tag"] == "20260304-06"
    assert check_flow(load_flow(path), {"started": "2026-03-04T05:06:07+02:00"}).params["tag"] == "20260304-04"
    with pytest.raises(CheckFailedError, match=r"--var started='yesterday' is not a valid time"):
        check_flow(load_flow(path), {"started": "yesterday"})
