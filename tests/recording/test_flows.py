"""Whole flows through run_flow: record against the emulator, replay, drift, secrets on disk."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from smflow.errors import ReplayDriftError
from smflow.recording.cassette import load_cassette
from smflow.run.api import run_flow
from smflow.run.clock import VirtualClock

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "https://smflowdemo.blob.core.windows.net/packages/app-v1.cspkg"
SUB = "d15c0de5-7e57-4bad-9a11-5ec12e7babe5"
VM_PASSWORD = "Vm-Passw0rd-7f3a9c!"
TOKEN = "release-token-b64e1f0c9d"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of flows/ as the working directory, so paths read ``flows/x.flow``."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(flow: str, **kwargs: Any) -> Any:
    return run_flow(flow, assume_yes=True, journal_dir=Path("runs"), **kwargs)


def test_changing_one_argument_fails_the_replay_at_that_call_with_the_field(workdir: Path, smflow_emulator: Any) -> None:
    flow = Path("flows/blue_green.flow")
    recorded = _run(str(flow), vars={"package_url": PACKAGE}, endpoint=smflow_emulator.url, record=Path("bg.yaml"))
    assert recorded.status == "succeeded", recorded.error
    assert _run(str(flow), vars={"package_url": PACKAGE}, replay=Path("bg.yaml")).status == "succeeded"

    text = flow.read_text()
    assert text.count("start_deployment: true") == 1
    flow.write_text(text.replace("start_deployment: true", "start_deployment: false"))
    with pytest.raises(ReplayDriftError) as caught:
        _run(str(flow), vars={"package_url": PACKAGE}, replay=Path("bg.yaml"))
    assert str(caught.value) == (
        "flows/blue_green.flow:31:5: error[ReplayDrift]: step 'deploy to staging' create_deployment:"
        " replay drift: this request is not in bg.yaml\n"
        "   31 |     create_deployment(\n"
        "      |     ^^^^^^^^^^^^^^^^^\n"
        "  sent:    POST /SUBSCRIPTION-ID/services/hostedservices/smflow-demo/deploymentslots/staging\n"
        f"  nearest: POST /SUBSCRIPTION-ID/services/hostedservices/smflow-demo/deploymentslots/staging"
        f" (interaction {_number_of(Path('bg.yaml'), 'POST', '/deploymentslots/staging')} of {_count(Path('bg.yaml'))})\n"
        "  differs: body CreateDeployment/StartDeployment: recorded 'true', sent 'false'\n"
        "  if the change is intended, re-record: smflow run flows/blue_green.flow --record bg.yaml"
    )


def _interactions(path: Path) -> list[dict[str, Any]]:
    return load_cassette(path).interactions


def _count(path: Path) -> int:
    return len(_interactions(path))


def _number_of(path: Path, method: str, uri_end: str) -> int:
    """1-based position of the first recorded request with this method and URI ending."""
    for number, interaction in enumerate(_interactions(path), start=1):
        request = interaction["request"]
        if request["method"] == method and request["uri"].endswith(uri_end):
            return number
    raise AssertionError(f"no {method} ...{uri_end} in {path}")


SECRET_FLOW = """
flow secrets_check "a VM with a password, and a secret token in a description"

param service = "smflow-secrets"
secret param admin_password : string
secret param deploy_token : string

step "service" {
    create_hosted_service(service_name: service, label: service, location: "West US", description: deploy_token)
    props = get_hosted_service_properties(service_name: service)
}

step "vm" timeout 1h {
    create_virtual_machine_deployment(
        service_name: service, deployment_name: service, deployment_slot: "production",
        label: service, role_name: "web1", role_size: "Small",
        system_config: {type: "linux", host_name: "web1", user_name: "azureuser",
                        user_password: admin_password, disable_ssh_password_authentication: false},
        os_virtual_hard_disk: {source_image_name: "b39f27a8b8c64d52b05eac6a62ebad85__Ubuntu-14_04_1-LTS-amd64-server-20140927-en-us-30GB",
                               media_link: "https://acct.blob.core.windows.net/vhds/web1.vhd"},
    )
    d = get_deployment_by_name(service_name: service, deployment_name: service)
}
"""


def test_a_recorded_flow_leaves_no_subscription_password_or_secret_param_on_disk(workdir: Path, smflow_emulator: Any) -> None:
    flow = workdir / "flows" / "secrets_check.flow"
    flow.write_text(SECRET_FLOW)
    secrets = {"admin_password": VM_PASSWORD, "deploy_token": TOKEN}
    recorded = _run(str(flow), vars=secrets, endpoint=smflow_emulator.url, subscription_id=SUB, record=Path("s.yaml"))
    assert recorded.status == "succeeded", recorded.error
    data = Path("s.yaml").read_bytes()
    for value in (SUB, VM_PASSWORD, TOKEN):
        forms = {value, value.upper(), quote(value, safe=""), value.replace("&", "&amp;"),
                 base64.b64encode(value.encode()).decode()}
        for form in forms:
            assert form.encode() not in data, f"a form of a secret is in the cassette: {form[:3]}..."
    assert b"SUBSCRIPTION-ID" in data and b"<UserPassword>***SCRUBBED***</UserPassword>" in data
    # The scrubbed cassette still replays, with other secret values (they are wildcards).
    replayed = _run(str(flow), vars={"admin_password": "another-Passw0rd", "deploy_token": "another-token"}, replay=Path("s.yaml"))
    assert replayed.status == "succeeded", replayed.error


WAIT_FLOW = """
flow wait_timeout "a wait that cannot succeed: it times out live, and must time out in replay"

param service = "smflow-wait"

step "create" {
    create_hosted_service(service_name: service, label: service, location: "West US")
}

step "wait for a status that never comes" {
    wait until get_hosted_service_properties(service_name: service).hosted_service_properties.status == "Suspended"
         every 1s timeout 1s
}
"""


def test_a_wait_that_timed_out_live_times_out_in_replay_on_virtual_time(workdir: Path, smflow_emulator: Any) -> None:
    flow = workdir / "flows" / "wait_timeout.flow"
    flow.write_text(WAIT_FLOW)
    # Live: polls every 0.05 s (emulator time scale) until the 1 s deadline: many GETs recorded.
    live = _run(str(flow), endpoint=smflow_emulator.url, emulator_latency=0.05, record=Path("w.yaml"))
    assert live.status == "failed" and live.failed_step == "wait for a status that never comes"
    # Replay: polls every virtual second, so fewer GETs than recorded; the last recorded answer
    # keeps being served, and the deadline passes on the virtual clock, as it did live.
    clock = VirtualClock()
    replayed = _run(str(flow), replay=Path("w.yaml"), clock=clock)
    assert (replayed.status, replayed.failed_step, replayed.error) == (live.status, live.failed_step, live.error)
    assert "timed out after 1s" in (replayed.error or "")
    assert replayed.requests < live.requests
    assert sum(clock.slept) >= 1.0


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_a_run_through_faults_replays_the_same_way(workdir: Path, seed: int) -> None:
    """Faults (5xx, 429, 409, dropped connections) while recording: the replay meets the same
    ones, so it retries, reads back and succeeds exactly as the live run did."""
    from smflow.emulator.server import EmulatorServer

    with EmulatorServer(latency=0, fault_rate=0.3, seed=seed) as emulator:
        live = _run("flows/blue_green.flow", vars={"package_url": PACKAGE}, endpoint=emulator.url,
                    emulator_latency=0.001, record=Path("f.yaml"))
    replayed = _run("flows/blue_green.flow", vars={"package_url": PACKAGE}, replay=Path("f.yaml"))
    assert (replayed.status, replayed.requests, replayed.error) == (live.status, live.requests, live.error)
    assert [(s.name, s.status) for s in replayed.steps] == [(s.name, s.status) for s in live.steps]
