"""A secret set into a service configuration (``cscfg_set_setting``) stays masked: the XML-escaped
value inside the text, and the base64 of that text sent to Azure, reach no journal, cassette or
output stream (searched with the independent oracle of ``oracle.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smflow.run.api import run_flow
from smflow.run.events import Event

from .oracle import files_under, hits

PW = 'Db&"pa<ss>1'  # escaped in the attribute as &amp; &quot; &lt; &gt;
CONFIG = (Path(__file__).resolve().parents[2] / "flows" / "ServiceConfiguration.cscfg").read_text(encoding="utf-8")

FLOW = """\
flow cfgsec "a secret setting in a service configuration"
secret param db_password : string
param config = file("ServiceConfiguration.cscfg")
step "deploy" {
    create_hosted_service(service_name: "smflow-cfgsec", label: "cfgsec", location: "West US")
    secret_config = cscfg_set_setting(config, "WebRole1", "DbPassword", db_password)
    log "configuration: ${secret_config}"
    create_deployment(service_name: "smflow-cfgsec", deployment_slot: "staging", name: "v1",
                      package_url: "https://acct.blob.core.windows.net/p/app.cspkg", label: "v1",
                      configuration: base64(secret_config), start_deployment: true)
    live = get_deployment_by_slot(service_name: "smflow-cfgsec", deployment_slot: "staging")
    assert cscfg_setting(live.configuration, "WebRole1", "DbPassword") == db_password, "not deployed"
}
step "check" {
    assert secret_config == cscfg_set_setting(config, "WebRole1", "DbPassword", db_password)
        and cscfg_setting(live.configuration, "WebRole1", "DbPassword") == db_password, "bindings changed"
    assert env("SMFLOW_TEST_GO", "no") == "yes", "stop here: ${live.configuration}"
}
"""


def test_a_secret_set_into_a_cscfg_is_masked_everywhere_and_resumes_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SMFLOW_TEST_GO", raising=False)
    (tmp_path / "ServiceConfiguration.cscfg").write_text(CONFIG.replace(
        '<Instances count="2" />',
        '<Instances count="2" />\n    <ConfigurationSettings>\n      <Setting name="DbPassword" value="" />\n'
        "    </ConfigurationSettings>"), encoding="utf-8")
    (tmp_path / "cfgsec.flow").write_text(FLOW, encoding="utf-8")
    events: list[Event] = []
    result = run_flow(tmp_path / "cfgsec.flow", vars={"db_password": PW}, journal_dir=tmp_path / "runs",
                      record=tmp_path / "cfgsec.yaml", on_event=events.append)
    assert result.status == "failed"
    assert result.error is not None and result.error.endswith('value="***" />\n    </ConfigurationSettings>\n'
                                                              "  </Role>\n</ServiceConfiguration>\n")
    logged = [e for e in events if type(e).__name__ == "LogMessage"]
    assert logged and 'name="DbPassword" value="***"' in str(logged[0])
    assert hits({"db_password": PW}, files_under(tmp_path / "runs", tmp_path / "cfgsec.yaml")) == []
    assert hits({"db_password": PW}, [("events", repr(events).encode()), ("result", repr(result).encode())]) == []
    # The journal and the kept emulator state hold the secret by reference: a resume binds the same text.
    monkeypatch.setenv("SMFLOW_TEST_GO", "yes")
    resumed = run_flow(None, resume=result.run_id, vars={"db_password": PW}, journal_dir=tmp_path / "runs")
    assert resumed.ok, resumed.error
    assert [s.status for s in resumed.steps] == ["skipped", "succeeded"]
