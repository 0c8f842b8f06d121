"""What a run locks: the resources its calls name when they are known before the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.dsl import ast
from smflow.errors import LockedError
from smflow.run import flowplan, runlock

HOLDER = runlock.Holder("20261130-120000-f-ab12", 1, "f.flow", "2026-11-30T12:00:00+00:00")


def _resources(tmp_path: Path, body: str, **given: str) -> frozenset[str] | None:
    flow = tmp_path / "f.flow"
    flow.write_text(f'flow f "x"\nparam svc = "web"\nparam n = 2\n{body}')
    loaded = flowplan.load(flow, given)
    calls = [call for step in loaded.plan.steps for call in step.calls]
    if loaded.on_failure:
        calls += ast.descendants(loaded.on_failure, ast.Call)
    return runlock.flow_resources(calls, loaded.params, loaded.plan.base_dir)


def test_names_known_before_the_run_are_locked_one_by_one(tmp_path: Path) -> None:
    body = ('step "a" {\n    create_hosted_service(service_name: svc, label: "l", location: "West US")\n'
            '    d = get_deployment_by_slot(service_name: "${svc}-api", deployment_slot: "staging")\n'
            '    create_affinity_group(name: "ag", label: "l", location: "West US")\n'
            '    locations = list_locations()\n    all_services = list_hosted_services()\n'
            '    undo { delete_storage_account(service_name: "stor${n}") }\n}\n')
    assert _resources(tmp_path, body, svc="shop") == {
        "hosted service 'shop'", "hosted service 'shop-api'", "affinity group 'ag'", "storage account 'stor2'"}


@pytest.mark.parametrize("body", [
    'step "a" {\n    d = get_deployment_by_slot(service_name: svc, deployment_slot: "production")\n'
    '    delete_deployment(service_name: d.name, deployment_name: d.name)\n}\n',
    'step "a" {\n    log "x"\n}\non failure {\n    delete_hosted_service(service_name: failed_step)\n}\n',
    # drawn by the run when it gets there (smflow.run.drawn), so not known before it starts
    'step "a" {\n    create_hosted_service(service_name: "svc-" + uuid(), label: "l", location: "West US")\n}\n',
    'step "a" {\n    delete_hosted_service(service_name: format_time(now(), "svc%Y%m%d"))\n}\n',
])
def test_a_name_known_only_at_run_time_locks_the_whole_target(tmp_path: Path, body: str) -> None:
    assert _resources(tmp_path, body) is runlock.WHOLE_TARGET


def test_a_target_is_named_by_a_hash_and_locks_exclude_each_other_in_one_process(tmp_path: Path) -> None:
    key = runlock.target_key("http://127.0.0.1:8765/", "SUB-ID")
    assert key == runlock.target_key("http://127.0.0.1:8765", "sub-id") and "sub" not in key.lower()
    web = frozenset({"hosted service 'web'"})
    with runlock.hold(tmp_path, key, web, HOLDER):
        with runlock.hold(tmp_path, key, frozenset({"hosted service 'api'"}), HOLDER):
            pass  # another service: side by side
        for other in (web, None):
            with pytest.raises(LockedError, match=r"locked by run 20261130-120000-f-ab12 \(pid 1, flow f.flow, "
                                                  r"started .*\), which holds hosted service 'web'"):
                with runlock.hold(tmp_path, key, other, HOLDER, timeout=0.3):
                    pass
    with runlock.hold(tmp_path, key, None, HOLDER):
        with pytest.raises(LockedError, match="which holds the whole target"):
            with runlock.hold(tmp_path, key, web, HOLDER):
                pass
